"""/digest (the office's view of a month's reporting) and /remind (催报 to units that have not
reported, privately, once a day per unit) — plus the periodic tick that sends the schedule's
prompts, reminders, digests and task alerts."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from sqlmodel import Session
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.broadcast import Outcome
from bot.domain import outbox
from bot.domain.access import Permission
from bot.domain.calendar_admin import load_calendar
from bot.domain.invites import find_units
from bot.domain.periods import YearMonth
from bot.domain.reminders import in_working_hours
from bot.domain.replies import Button, Reply
from bot.domain.reporting import parse_period
from bot.domain.standing import Standing
from bot.domain.summary import standing_for
from handlers.context import CustomContext
from handlers.guard import guarded
from handlers.replies import remove_buttons, reply_to
from storage.repo_audit import add_audit_entry
from storage.repo_units import get_default_campaign
from storage.repo_updates import forget_processed

log = logging.getLogger(__name__)
NAME_SEPARATORS = re.compile(r"[\s、，,；;]+")


def _period(
    session: Session, context: CustomContext, words: list[str]
) -> tuple[YearMonth, list[str]]:
    deps = context.deps
    return outbox.chosen_period(
        session=session, words=words, now=deps.clock.now(), tz=deps.settings.tz
    )


@guarded(Permission.OFFICE)
async def digest_command(update: Update, context: CustomContext) -> None:
    """/digest [YYYY-MM]: who is missing, who was late, which units have nobody to remind."""
    deps = context.deps
    with deps.db.session() as session:
        period, _ = _period(session, context, list(context.args or []))
        standing = standing_for(
            session=session, period=period, now=deps.clock.now(), tz=deps.settings.tz
        )
    await reply_to(update, context, Reply("digest", outbox.digest_values(standing)))


@guarded(Permission.OFFICE)
async def remind_command(update: Update, context: CustomContext) -> None:
    """/remind [YYYY-MM]: list the missing units with a button; /remind 单位 …: those only."""
    deps = context.deps
    with deps.db.session() as session:
        period, words = _period(session, context, list(context.args or []))
        names = [name for name in NAME_SEPARATORS.split(" ".join(words)) if name]
        if not names:
            standing = standing_for(
                session=session, period=period, now=deps.clock.now(), tz=deps.settings.tz
            )
            missing = [unit.name for unit in standing.having(Standing.MISSING)]
            month = f"{period.year:04d}{period.month:02d}"
            buttons = (
                ((Button("remind_all", f"rm:{month}", {"count": len(missing)}),),)
                if missing
                else ()
            )
            reply = Reply("remind_preview", {"period": str(period), "missing": missing}, buttons)
            await reply_to(update, context, reply)
            return
        unit_ids, unknown = _resolve(session, names)
    await reply_to(update, context, await _remind(context, period, unit_ids, unknown))


@guarded(Permission.OFFICE)
async def remind_all_button(update: Update, context: CustomContext) -> None:
    """rm:YYYYMM — remind every unit still missing that month."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    period = parse_period(query.data.split(":")[1])
    await remove_buttons(query)
    if period is None:
        await reply_to(update, context, Reply("report_stale"))
        return
    await reply_to(update, context, await _remind(context, period, None, []))


def _resolve(session: Session, names: list[str]) -> tuple[list[int], list[str]]:
    campaign = get_default_campaign(session=session)
    unit_ids, unknown = [], []
    for name in names:
        found = (
            find_units(session=session, campaign_id=campaign.id, query=name)
            if campaign and campaign.id
            else []
        )
        if len(found) == 1 and found[0].id is not None:
            unit_ids.append(found[0].id)
        else:
            unknown.append(name)
    return unit_ids, unknown


async def _remind(
    context: CustomContext, period: YearMonth, unit_ids: list[int] | None, unknown: list[str]
) -> Reply:
    deps, who = context.deps, context.requester
    now = deps.clock.now()
    with deps.db.session() as session:
        if not in_working_hours(now, load_calendar(session=session), deps.settings.tz):
            return Reply("remind_done", {"outside_hours": True})
        if unit_ids is not None and not unit_ids:
            return Reply("remind_done", _done_values([], [], unknown, 0))
        planned, skipped = outbox.remind(
            session=session, period=period, unit_ids=unit_ids, now=now, tz=deps.settings.tz
        )
    report = await context.dispatcher.dispatch(planned)
    units = sorted({str(message.values["unit"]) for message in planned})
    if units:
        with deps.db.session() as session:
            add_audit_entry(
                session=session, action="remind", actor_person_id=who.person_id,
                period=str(period), units="、".join(units),
            )  # fmt: skip
    return Reply(
        "remind_done", _done_values(units, skipped, unknown, report.count(Outcome.BLOCKED))
    )


def _done_values(
    units: list[str], skipped: list[str], unknown: list[str], blocked: int
) -> dict[str, object]:
    return {
        "outside_hours": False,
        "units": units,
        "skipped": skipped,
        "unknown": unknown,
        "blocked": blocked,
    }


WAKE_UP = "scheduled-wake-up"
KEEP_UPDATE_IDS = timedelta(days=7)


async def tick(context: CustomContext) -> None:
    """The periodic job: send what the schedule owes now. A failure is logged and the next
    tick tries again (the delivery log keeps it from sending anything twice). It also sets a
    one-off wake-up at the next step's exact time, so 09:00 means 09:00 whatever the period."""
    try:
        report = await context.dispatcher.tick()
        _wake_up_at_next_slot(context)
        with context.deps.db.session() as session:
            forget_processed(session=session, before=context.deps.clock.now() - KEEP_UPDATE_IDS)
    except Exception:
        log.exception("scheduled messages: tick failed; the next tick retries")
        return
    if report.claimed:
        log.info(
            "scheduled messages: %d sent, %d blocked, %d failed",
            report.count(Outcome.SENT), report.count(Outcome.BLOCKED), report.count(Outcome.FAILED),
        )  # fmt: skip


def build_handlers() -> list[BaseHandler[Any, CustomContext, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("digest", digest_command, filters=private),
        CommandHandler("remind", remind_command, filters=private),
        CallbackQueryHandler(remind_all_button, pattern=r"^rm:\d{6}$"),
    ]


def _wake_up_at_next_slot(context: CustomContext) -> None:
    queue, deps = context.job_queue, context.deps
    if queue is None:
        return
    with deps.db.session() as session:
        when = outbox.next_slot(session=session, now=deps.clock.now(), tz=deps.settings.tz)
    for job in queue.get_jobs_by_name(WAKE_UP):
        job.schedule_removal()
    if when is not None:
        delay = max(1.0, (when - deps.clock.now()).total_seconds() + 1)
        queue.run_once(tick, delay, name=WAKE_UP)  # type: ignore[arg-type]
