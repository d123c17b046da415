"""The fallbacks: unknown commands, stray text, unsupported content (added after every
feature's handlers)."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.domain.access import Permission
from bot.domain.replies import Reply
from handlers.context import CustomContext
from handlers.guard import guarded
from handlers.replies import reply_to

log = logging.getLogger(__name__)


@guarded(Permission.ANYONE)
async def unknown_command(update: Update, context: CustomContext) -> None:
    """Name the command we do not know and point to /help."""
    text = update.effective_message.text if update.effective_message else ""
    command = (text or "").split(maxsplit=1)[0].split("@", 1)[0]
    await reply_to(update, context, Reply("unknown_command", {"command": command}))


@guarded(Permission.ANYONE)
async def free_text(update: Update, context: CustomContext) -> None:
    """Text outside any flow gets a hint, never an error."""
    who = context.requester
    await reply_to(update, context, Reply("free_text_hint", {"registered": who.is_registered}))


@guarded(Permission.ANYONE)
async def unsupported(update: Update, context: CustomContext) -> None:
    """Stickers, voice notes and the like: log and explain what we can take."""
    message = update.effective_message
    log.info("unsupported message content in update %s", update.update_id)
    if message is not None:
        await reply_to(update, context, Reply("unsupported_content"))


def build_fallbacks() -> list[BaseHandler[Any, CustomContext, Any]]:
    """Catch-alls, added last so feature handlers see updates first."""
    return [
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.TEXT & ~filters.COMMAND, free_text),
        MessageHandler(filters.ChatType.PRIVATE, unsupported),
    ]
