"""The error handler: log everything, apologise to the user, never leak a traceback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.chat.call import error_template
from handlers.context import CustomContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: CustomContext) -> None:
    """Log the exception with the update id and apologise (saying why, when it helps)."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        text = context.deps.renderer.render(error_template(context.error))
        await context.bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML)
    except TelegramError:
        log.warning("could not tell chat %s about the error", update.effective_chat.id)
    # The apology is the answer: no later handler group (a fallback such as "unsupported
    # message") should answer the same update again.
    raise ApplicationHandlerStop
