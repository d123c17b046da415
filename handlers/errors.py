"""The error handler: log everything, apologise to the user, never leak a traceback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from handlers.context import CustomContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: CustomContext) -> None:
    """Log the exception with the update id and send the generic apology."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        text = context.deps.renderer.render("error_generic")
        await context.bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML)
    except TelegramError:
        log.warning("could not tell chat %s about the error", update.effective_chat.id)
