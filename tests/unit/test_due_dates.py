"""Due dates on the official Chinese calendar (法定节假日 and 调休), with office overrides."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.calendar_admin import parse_days, parse_kind
from bot.domain.due_dates import Rule, due_date, workdays_late
from bot.domain.periods import YearMonth
from bot.domain.workdays import DayKind, Override, WorkCalendar
from storage.models import ShiftDirection

CALENDAR = WorkCalendar()


@pytest.mark.parametrize(
    ("period", "due"),
    [
        ("2025-01", date(2025, 2, 5)),  # 1-30 falls in 春节: next workday after the holiday
        ("2025-03", date(2025, 3, 31)),  # a Sunday
        ("2026-02", date(2026, 2, 28)),  # February: month-end, a Saturday that is a 调休 workday
        ("2026-05", date(2026, 6, 1)),  # Saturday → Monday
        ("2026-08", date(2026, 8, 31)),  # Sunday → Monday
        ("2025-02", date(2025, 2, 28)),  # 28 days: the last day (Art. 202)
        ("2024-02", date(2024, 2, 29)),  # leap year
        ("2026-09", date(2026, 9, 30)),  # an ordinary Wednesday
    ],
)
def test_known_answers(period: str, due: date) -> None:
    result = due_date(YearMonth.parse(period), Rule(), CALENDAR)
    assert result.due == due
    assert result.covered


def test_shift_reasons() -> None:
    spring = due_date(YearMonth(2025, 1), Rule(), CALENDAR)
    assert spring.shifted
    assert (spring.nominal_day.kind, spring.nominal_day.name) == (DayKind.HOLIDAY, "春节")
    adjusted = due_date(YearMonth(2026, 2), Rule(), CALENDAR)
    assert not adjusted.shifted
    assert adjusted.nominal_day.kind == DayKind.ADJUSTED_WORKDAY


def test_the_office_may_prefer_the_previous_workday() -> None:
    rule = Rule(shift=ShiftDirection.PREVIOUS)
    assert due_date(YearMonth(2025, 1), rule, CALENDAR).due == date(2025, 1, 27)
    assert due_date(YearMonth(2026, 5), rule, CALENDAR).due == date(2026, 5, 29)


def test_grace_workdays_come_after_the_shift() -> None:
    assert due_date(YearMonth(2026, 5), Rule(grace_workdays=2), CALENDAR).due == date(2026, 6, 3)


def test_another_nominal_day() -> None:
    assert due_date(YearMonth(2026, 4), Rule(nominal_day=25), CALENDAR).due == date(2026, 4, 27)


def test_uncovered_year_falls_back_to_weekends_and_says_so() -> None:
    result = due_date(YearMonth(2027, 1), Rule(), CALENDAR)
    assert not result.covered
    assert result.due == date(2027, 2, 1)  # Saturday 1-30 → Monday


def test_office_overrides_win_and_cover_the_year() -> None:
    calendar = WorkCalendar(
        {date(2027, 1, 29): Override(False, "春节"), date(2027, 1, 30): Override(True, "调休")}
    )
    assert calendar.covered(2027)
    result = due_date(YearMonth(2027, 1), Rule(), calendar)
    assert result.due == date(2027, 1, 30)  # a Saturday made a workday
    assert result.nominal_day.kind == DayKind.OFFICE_WORKDAY
    local = WorkCalendar({date(2026, 9, 30): Override(False, "地方假日")})
    assert due_date(YearMonth(2026, 9), Rule(), local).due == date(2026, 10, 8)  # after 国庆


def test_lateness_counts_workdays() -> None:
    due = due_date(YearMonth(2025, 1), Rule(), CALENDAR)  # due 2025-02-05, a Wednesday
    assert workdays_late(date(2025, 2, 5), due, CALENDAR) == 0
    assert workdays_late(date(2025, 1, 20), due, CALENDAR) == 0
    assert workdays_late(date(2025, 2, 7), due, CALENDAR) == 2
    assert workdays_late(date(2025, 2, 9), due, CALENDAR) == 3  # Sat 2-8 was a 调休 workday


@given(st.integers(2004, 2030), st.integers(1, 12), st.integers(1, 31), st.booleans())
def test_due_date_is_a_workday_near_the_nominal_day(
    year: int, month: int, day: int, back: bool
) -> None:
    rule = Rule(nominal_day=day, shift=ShiftDirection.PREVIOUS if back else ShiftDirection.NEXT)
    result = due_date(YearMonth(year, month), rule, CALENDAR)
    assert CALENDAR.is_workday(result.due)
    assert abs((result.due - result.nominal).days) <= 12  # the longest holiday is ~8 days
    assert (result.due >= result.nominal) != back or result.due == result.nominal


def test_periods() -> None:
    assert str(YearMonth.parse("2026年5月")) == "2026-05"
    assert YearMonth(2026, 12).next() == YearMonth(2027, 1)
    assert YearMonth(2027, 1).previous() == YearMonth(2026, 12)
    with pytest.raises(ValueError, match="not a month"):
        YearMonth.parse("2026-13")


def test_day_ranges_and_kinds() -> None:
    assert len(parse_days("2027-02-06..2027-02-13")) == 8
    assert parse_days("2027-02-14") == [date(2027, 2, 14)]
    for bad in ("2027-02-13..2027-02-06", "2027-02-30", "tomorrow", "2027-01-01..2028-06-01"):
        with pytest.raises(ValueError, match=r"\d|tomorrow|day is out of range"):
            parse_days(bad)
    assert parse_kind("休") is False
    assert parse_kind("workday") is True
    assert parse_kind("maybe") is None
