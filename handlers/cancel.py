"""/cancel: stop whatever the person is in the middle of, losing nothing they saved."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.domain import registration, reporting, review
from bot.domain.access import Permission
from bot.domain.replies import Reply
from handlers.context import CustomContext, identity_of
from handlers.guard import guarded
from handlers.replies import reply_to


@guarded(Permission.ANYONE)
async def cancel(update: Update, context: CustomContext) -> None:
    """A registration is dropped (the link works again); a report is paused (draft kept)."""
    deps = context.deps
    with deps.db.session() as session:
        open_registration = registration.find_open(session=session, identity=identity_of(update))
        if open_registration is not None:
            reply = registration.cancel(session=session, registration=open_registration)
        elif review.cancel_comment(session=session, who=context.requester):
            reply = Reply("review_comment_cancelled")
        elif reporting.pause(session=session, who=context.requester):
            reply = Reply("report_paused")
        else:
            reply = Reply("nothing_to_cancel")
    await reply_to(update, context, reply)


def build_handlers() -> list[BaseHandler[Any, CustomContext, Any]]:
    return [CommandHandler("cancel", cancel, filters=filters.ChatType.PRIVATE)]
