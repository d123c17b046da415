"""The monthly report in chat: /report, /status, answers to the current step, its buttons."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain import reporting
from bot.domain.access import Permission
from bot.domain.periods import YearMonth
from bot.domain.replies import Outcome, Reply
from handlers.context import CustomContext
from handlers.guard import guarded
from handlers.replies import remove_buttons, reply_to, send_notices
from storage.models import MemberUnit

REPORT_GROUP = -1  # after registration (-2), before commands and fallbacks (0)


def _context(
    session: Session, context: CustomContext, unit_id: int, period: YearMonth
) -> reporting.Context | None:
    unit = session.get(MemberUnit, unit_id)
    if unit is None:
        return None
    deps = context.deps
    return reporting.Context(context.requester, unit, period, deps.clock.now(), deps.settings.tz)


@guarded(Permission.LIAISON)
async def report_command(update: Update, context: CustomContext) -> None:
    """Open this month's report (or choose the unit first)."""
    deps, who = context.deps, context.requester
    period = reporting.current_period(deps.clock.now(), deps.settings.tz)
    with deps.db.session() as session:
        if len(who.units) > 1:
            reply = reporting.pick_unit(who, period)
        else:
            ctx = _context(session, context, who.units[0].id, period)
            reply = (
                reporting.open_report(session=session, ctx=ctx) if ctx else Reply("report_stale")
            )
    await reply_to(update, context, reply)


@guarded(Permission.LIAISON)
async def status_command(update: Update, context: CustomContext) -> None:
    """Where each of my units stands for this month."""
    deps = context.deps
    period = reporting.current_period(deps.clock.now(), deps.settings.tz)
    with deps.db.session() as session:
        rows = reporting.status(session=session, who=context.requester, period=period)
    await reply_to(update, context, Reply("report_status", {"rows": rows}))


@guarded(Permission.ANYONE)
async def continue_report(update: Update, context: CustomContext) -> None:
    """Text while writing a report answers its current step; otherwise pass it on."""
    message, deps = update.effective_message, context.deps
    if message is None or message.text is None:
        return
    with deps.db.session() as session:
        draft = reporting.active_draft(session=session, who=context.requester)
        if draft is None:
            return
        ctx = _context(session, context, draft.unit_id, YearMonth.parse(draft.period))
        if ctx is None:
            return
        reply = reporting.answer_text(session=session, ctx=ctx, draft=draft, text=message.text)
    await reply_to(update, context, reply)
    raise ApplicationHandlerStop


@guarded(Permission.LIAISON, unit_scoped=True)
async def report_button(update: Update, context: CustomContext) -> None:
    """rp:UNIT:YYYYMM:ACTION[:ARG] — the authorization layer already checked the unit."""
    query, deps = update.callback_query, context.deps
    assert query is not None and query.data is not None
    _, unit_id, month, action, *rest = query.data.split(":")
    period = reporting.parse_period(month)
    await query.answer()
    with deps.db.session() as session:
        ctx = _context(session, context, int(unit_id), period) if period else None
        if ctx is None:
            outcome = Outcome(Reply("report_stale"))
        else:
            draft = reporting.find_draft(session, ctx)
            outcome = reporting.press(
                session=session, ctx=ctx, draft=draft, action=action, arg=rest[0] if rest else ""
            )
    await remove_buttons(query)
    await reply_to(update, context, outcome.reply)
    await send_notices(context, outcome.notices)


def build_handlers() -> list[BaseHandler[Any, CustomContext, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("report", report_command, filters=private),
        CommandHandler("status", status_command, filters=private),
        CallbackQueryHandler(report_button, pattern=r"^rp:\d+:\d{6}:[a-z]+(:[a-z]+)?$"),
    ]


def build_interceptors() -> list[BaseHandler[Any, CustomContext, Any]]:
    return [
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, continue_report)
    ]
