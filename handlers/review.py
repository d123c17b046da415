"""The office's review in chat: /review (the queue), open a report, 通过 / 退回补充 with a comment;
and the admins' control of a month: /lock, /unlock, /extend (延期), /exempt (免报)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from telegram import InputMediaPhoto, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain import review
from bot.domain.access import Permission
from bot.domain.periods import YearMonth
from bot.domain.replies import Outcome, Reply
from handlers.context import CustomContext
from handlers.guard import guarded
from handlers.replies import remove_buttons, reply_to, send_notices
from storage.models import ExceptionKind

REVIEW_GROUP = -3  # a reviewer's comment is read before anything else
MAX_PHOTOS_SHOWN = 10  # one album
DAY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


@guarded(Permission.OFFICE)
async def review_command(update: Update, context: CustomContext) -> None:
    """/review: reports waiting for the office, oldest first, one button each."""
    with context.deps.db.session() as session:
        reply = review.queue_reply(session=session)
    await reply_to(update, context, reply)


@guarded(Permission.OFFICE)
async def review_button(update: Update, context: CustomContext) -> None:
    """rv:SUBMISSION:open|ok|ret — open a report, approve it, or send it back."""
    query, deps, who = update.callback_query, context.deps, context.requester
    assert query is not None and query.data is not None and update.effective_chat is not None
    _, submission_id, action = query.data.split(":")
    await query.answer()
    now = deps.clock.now()
    if action == "open":
        with deps.db.session() as session:
            reply, photos = review.open_submission(
                session=session, submission_id=int(submission_id), tz=deps.settings.tz
            )
        if photos:
            album = [
                InputMediaPhoto(deps.files.read_bytes(sha), filename=f"{sha[:12]}.jpg")
                for sha in photos[:MAX_PHOTOS_SHOWN]
            ]
            await context.bot.send_media_group(update.effective_chat.id, album)
        await reply_to(update, context, reply)
        return
    await remove_buttons(query)
    with deps.db.session() as session:  # decided and committed before anyone is told
        if action == "ok":
            outcome = review.approve(
                session=session, who=who, submission_id=int(submission_id), at=now
            )
        else:
            outcome = Outcome(
                review.ask_comment(
                    session=session, who=who, submission_id=int(submission_id), at=now
                )
            )
    await reply_to(update, context, outcome.reply)
    await send_notices(context, outcome.notices)


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


def _month(word: str) -> YearMonth | None:
    try:
        return YearMonth.parse(word)
    except ValueError:
        return None


@guarded(Permission.OFFICE_ADMIN)
async def lock_command(update: Update, context: CustomContext) -> None:
    """/lock YYYY-MM and /unlock YYYY-MM."""
    words = list(context.args or [])
    period = _month(words[0]) if len(words) == 1 else None
    locked = bool(
        update.effective_message and (update.effective_message.text or "").startswith("/lock")
    )
    if period is None:
        await reply_to(update, context, Reply("review_usage"))
        return
    with context.deps.db.session() as session:
        reply = review.set_lock(
            session=session, who=context.requester, period=period, locked=locked
        )
    await reply_to(update, context, reply)


@guarded(Permission.OFFICE_ADMIN)
async def exception_command(update: Update, context: CustomContext) -> None:
    """/extend 单位 YYYY-MM YYYY-MM-DD 原因 · /exempt 单位 YYYY-MM 原因."""
    words = list(context.args or [])
    text = update.effective_message.text if update.effective_message else ""
    kind = (
        ExceptionKind.EXTENSION if (text or "").startswith("/extend") else ExceptionKind.EXEMPTION
    )
    needed = 4 if kind == ExceptionKind.EXTENSION else 3
    period = _month(words[1]) if len(words) >= needed else None
    due = None
    if kind == ExceptionKind.EXTENSION and period is not None:
        due = _day(words[2])
        if due is None or due < period.day(1):
            period = None
    if period is None:
        await reply_to(update, context, Reply("review_usage"))
        return
    reason = " ".join(words[needed - 1 :])
    with context.deps.db.session() as session:
        units = review.units_named(session=session, names=[words[0]])
        if len(units) != 1:
            reply = Reply("invite_no_unit", {"name": words[0]})
        else:
            reply = review.grant(
                session=session, who=context.requester, unit=units[0], period=period, kind=kind,
                reason=reason, due=due,
            )  # fmt: skip
    await reply_to(update, context, reply)


def _day(word: str) -> date | None:
    if not DAY.match(word):
        return None
    try:
        year, month, day = (int(part) for part in word.split("-"))
        return date(year, month, day)
    except ValueError:
        return None


def build_handlers() -> list[BaseHandler[Any, CustomContext, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("review", review_command, filters=private),
        CallbackQueryHandler(review_button, pattern=r"^rv:\d+:(open|ok|ret)$"),
        CommandHandler(["lock", "unlock"], lock_command, filters=private),
        CommandHandler(["extend", "exempt"], exception_command, filters=private),
    ]


def build_interceptors() -> list[BaseHandler[Any, CustomContext, Any]]:
    private = filters.ChatType.PRIVATE
    return [MessageHandler(private & filters.TEXT & ~filters.COMMAND, review_comment)]
