"""When each reminder for a month falls, and which one is due now.

Defaults from practice (issue "Schedule"): the month's prompt T-5 workdays, 预告 T-3, 临期 T-1,
当日 on T, 逾期 T+1 — all at 09:00 on workdays — and the office digest at T+3. Reminders go
only inside working hours (09:00–18:00 on workdays). After downtime only the latest step
whose time has passed is due, so a restart sends one catch-up, not a burst of stale ones;
whether it was already sent is the delivery log's business, not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, tzinfo
from enum import StrEnum

from bot.domain.due_dates import DueDate
from bot.domain.workdays import WorkCalendar


class Step(StrEnum):
    PROMPT = "prompt"  # opens the month, with 开始填报 / 本月无新进展
    BEFORE = "before"  # 预告, T-3
    EVE = "eve"  # 临期, T-1
    DUE = "due"  # 当日, T
    OVERDUE = "overdue"  # 逾期, T+1
    DIGEST = "digest"  # to the office: missing, late, units without a liaison


@dataclass(frozen=True, slots=True)
class Timetable:
    offsets: tuple[tuple[Step, int], ...] = (
        (Step.PROMPT, -5),
        (Step.BEFORE, -3),
        (Step.EVE, -1),
        (Step.DUE, 0),
        (Step.OVERDUE, 1),
        (Step.DIGEST, 3),
    )
    send_at: time = time(9, 0)
    working_from: time = time(9, 0)
    working_until: time = time(18, 0)


@dataclass(frozen=True, slots=True)
class Slot:
    step: Step
    at: datetime  # tz-aware, in the office's zone


def schedule(
    due: DueDate, calendar: WorkCalendar, tz: tzinfo, table: Timetable | None = None
) -> list[Slot]:
    """The month's reminder slots, in order, each on a workday at the send time."""
    table = table or Timetable()
    slots = []
    for step, offset in table.offsets:
        day = calendar.add_workdays(due.due, offset)
        slots.append(Slot(step, datetime.combine(day, table.send_at, tzinfo=tz)))
    return slots


def in_working_hours(
    now: datetime, calendar: WorkCalendar, tz: tzinfo, table: Timetable | None = None
) -> bool:
    table = table or Timetable()
    local = now.astimezone(tz)
    return (
        calendar.is_workday(local.date())
        and table.working_from <= local.time() < table.working_until
    )


def due_step(slots: list[Slot], now: datetime, *, liaison_steps_only: bool = True) -> Step | None:
    """The latest step whose time has passed (the one a catch-up sends), or None.

    The digest goes to the office, not to liaisons: with ``liaison_steps_only`` it is ignored
    here and the liaison steps stop at 逾期."""
    passed = [
        slot.step
        for slot in slots
        if slot.at <= now and not (liaison_steps_only and slot.step == Step.DIGEST)
    ]
    return passed[-1] if passed else None
