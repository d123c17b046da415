"""The reviewer's comment after 退回补充, read before anything else (/review, its buttons and
the admins' /lock, /extend, /exempt are in ``bot.chat``)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    MessageHandler,
    filters,
)

from bot.domain import review
from bot.domain.access import Permission
from handlers.context import CustomContext
from handlers.guard import guarded
from handlers.replies import reply_to, send_notices

REVIEW_GROUP = -3  # a reviewer's comment is read before anything else


@guarded(Permission.ANYONE)
async def review_comment(update: Update, context: CustomContext) -> None:
    """The text after 退回补充 is the comment the liaison will read; other text passes on."""
    message, deps, who = update.effective_message, context.deps, context.requester
    if message is None or message.text is None or not who.is_office:
        return
    with deps.db.session() as session:
        pending = review.pending_comment(session=session, who=who)
        if pending is None:
            return
        outcome = review.return_with_comment(
            session=session, who=who, pending=pending, comment=message.text, at=deps.clock.now()
        )
    await reply_to(update, context, outcome.reply)
    await send_notices(context, outcome.notices)
    raise ApplicationHandlerStop


def build_interceptors() -> list[BaseHandler[Any, CustomContext, Any]]:
    private = filters.ChatType.PRIVATE
    return [MessageHandler(private & filters.TEXT & ~filters.COMMAND, review_comment)]
