"""The reminder timetable on the CN calendar, and the one-catch-up rule, over a simulated month."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.due_dates import Rule, due_date
from bot.domain.periods import YearMonth
from bot.domain.reminders import Step, due_step, in_working_hours, schedule
from bot.domain.workdays import WorkCalendar

CALENDAR = WorkCalendar()


@pytest.fixture(params=["Asia/Shanghai", "UTC", "America/New_York"])
def office_tz(request: pytest.FixtureRequest) -> ZoneInfo:
    return ZoneInfo(request.param)


def test_timetable_for_may_2026_skips_weekends(office_tz: ZoneInfo) -> None:
    due = due_date(YearMonth(2026, 5), Rule(), CALENDAR)  # due Monday 2026-06-01
    slots = {slot.step: slot.at for slot in schedule(due, CALENDAR, office_tz)}
    assert slots[Step.DUE].date() == date(2026, 6, 1)
    assert slots[Step.EVE].date() == date(2026, 5, 29)  # Friday, not the weekend
    assert slots[Step.BEFORE].date() == date(2026, 5, 27)
    assert slots[Step.OVERDUE].date() == date(2026, 6, 2)
    assert slots[Step.DIGEST].date() == date(2026, 6, 4)
    assert all(at.hour == 9 and at.tzinfo == office_tz for at in slots.values())


def test_holidays_and_adjusted_workdays_count() -> None:
    due = due_date(YearMonth(2025, 1), Rule(), CALENDAR)  # due 2025-02-05, after 春节
    slots = {
        slot.step: slot.at.date() for slot in schedule(due, CALENDAR, ZoneInfo("Asia/Shanghai"))
    }
    assert slots[Step.EVE] == date(2025, 1, 27)  # the last workday before the holiday
    assert slots[Step.OVERDUE] == date(2025, 2, 6)
    assert slots[Step.DIGEST] == date(2025, 2, 8)  # a Saturday that was a 调休 workday


def test_a_simulated_month_sends_each_step_once_and_catches_up_once() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    slots = schedule(due_date(YearMonth(2026, 11), Rule(), CALENDAR), CALENDAR, tz)
    seen: list[Step] = []
    now = datetime(2026, 11, 16, 0, 0, tzinfo=tz)
    down = (datetime(2026, 11, 26, 0, 0, tzinfo=tz), datetime(2026, 11, 27, 12, 0, tzinfo=tz))
    while now < datetime(2026, 12, 8, tzinfo=tz):
        awake = not (down[0] <= now < down[1])
        step = due_step(slots, now)
        if awake and step is not None and in_working_hours(now, CALENDAR, tz) and step not in seen:
            seen.append(step)  # the delivery log would make this once-only
        now += timedelta(minutes=30)
    # T-1 (Fri 11-27 09:00) fell in the downtime: it is sent once at 12:00, then T and T+1.
    assert seen == [Step.PROMPT, Step.BEFORE, Step.EVE, Step.DUE, Step.OVERDUE]


def test_nothing_outside_working_hours() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    assert not in_working_hours(datetime(2026, 11, 30, 8, 59, tzinfo=tz), CALENDAR, tz)
    assert in_working_hours(datetime(2026, 11, 30, 9, 0, tzinfo=tz), CALENDAR, tz)
    assert not in_working_hours(datetime(2026, 11, 30, 18, 0, tzinfo=tz), CALENDAR, tz)
    assert not in_working_hours(datetime(2026, 11, 29, 10, 0, tzinfo=tz), CALENDAR, tz)  # Sunday
    assert in_working_hours(datetime(2026, 2, 28, 10, 0, tzinfo=tz), CALENDAR, tz)  # 调休 Saturday


def test_the_digest_is_not_a_liaison_step() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    slots = schedule(due_date(YearMonth(2026, 11), Rule(), CALENDAR), CALENDAR, tz)
    late = datetime(2026, 12, 10, 10, tzinfo=tz)
    assert due_step(slots, late) == Step.OVERDUE
    assert due_step(slots, late, liaison_steps_only=False) == Step.DIGEST
    assert due_step(slots, datetime(2026, 11, 1, tzinfo=tz)) is None
