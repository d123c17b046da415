"""When a month's report is due: "每月30日前", the civil code, and the workday calendar.

- Day 30 of the month, or its last day when it has fewer (February: 民法典 Art. 202).
- A due day that is not a workday moves to the next workday (Art. 203) — or the previous
  one, if the office prefers.
- Grace workdays, if the office grants them, are added after that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.periods import YearMonth
from bot.domain.workdays import DayInfo, WorkCalendar
from storage.models import ShiftDirection


@dataclass(frozen=True, slots=True)
class Rule:
    nominal_day: int = 30
    shift: ShiftDirection = ShiftDirection.NEXT
    grace_workdays: int = 0


@dataclass(frozen=True, slots=True)
class DueDate:
    period: YearMonth
    nominal: date
    due: date
    nominal_day: DayInfo  # why it moved, when it did
    covered: bool  # False: the calendar had no holiday data for that year (weekends only)

    @property
    def shifted(self) -> bool:
        return self.due != self.nominal


def due_date(period: YearMonth, rule: Rule, calendar: WorkCalendar) -> DueDate:
    nominal = period.day(rule.nominal_day)
    due = calendar.shift_to_workday(nominal, forward=rule.shift == ShiftDirection.NEXT)
    if rule.grace_workdays:
        due = calendar.add_workdays(due, rule.grace_workdays)
    return DueDate(period, nominal, due, calendar.info(nominal), calendar.covered(nominal.year))


def workdays_late(submitted_on: date, due: DueDate, calendar: WorkCalendar) -> int:
    """0 when on time; otherwise how many workdays after the due date it came."""
    return calendar.workdays_after(due.due, submitted_on)
