"""The official Chinese workday calendar, with the office's overrides on top.

Library data (``chinesecalendar``) covers 法定节假日 and 调休 for the years it knows; the
State Council publishes the next year's notice around November, before libraries catch up,
so the office can enter days itself (``calendar_override``). A year covered by neither is
flagged — callers must say so loudly — and falls back to weekends only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import chinese_calendar

_HOLIDAY_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}
LIBRARY_YEARS = range(
    min(chinese_calendar.constants.holidays).year,
    max(chinese_calendar.constants.holidays).year + 1,
)


class DayKind(StrEnum):
    WORKDAY = "workday"  # an ordinary Monday-Friday
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # 法定节假日 (with its name)
    ADJUSTED_WORKDAY = "adjusted_workday"  # 调休: a weekend day that is a workday
    OFFICE_WORKDAY = "office_workday"  # declared by the office
    OFFICE_HOLIDAY = "office_holiday"


@dataclass(frozen=True, slots=True)
class DayInfo:
    day: date
    kind: DayKind
    name: str = ""  # 春节 …, or the office's note

    @property
    def workday(self) -> bool:
        return self.kind in (DayKind.WORKDAY, DayKind.ADJUSTED_WORKDAY, DayKind.OFFICE_WORKDAY)


@dataclass(frozen=True, slots=True)
class Override:
    workday: bool
    note: str = ""


class WorkCalendar:
    """Answers "is this a workday?" from overrides first, then library data, then weekdays."""

    def __init__(self, overrides: Mapping[date, Override] | None = None) -> None:
        self.overrides = dict(overrides or {})
        self._override_years = {day.year for day in self.overrides}

    def covered(self, year: int) -> bool:
        """Whether real holiday data exists for ``year`` (library, or the office's entries)."""
        return year in LIBRARY_YEARS or year in self._override_years

    def info(self, day: date) -> DayInfo:
        if (override := self.overrides.get(day)) is not None:
            kind = DayKind.OFFICE_WORKDAY if override.workday else DayKind.OFFICE_HOLIDAY
            return DayInfo(day, kind, override.note)
        weekend = day.weekday() >= 5
        if day.year in LIBRARY_YEARS:
            holiday, name = chinese_calendar.get_holiday_detail(day)
            label = _HOLIDAY_NAMES.get(name or "", name or "")
            if holiday:
                return DayInfo(day, DayKind.HOLIDAY if label else DayKind.WEEKEND, label)
            if weekend:
                return DayInfo(day, DayKind.ADJUSTED_WORKDAY, label)
            return DayInfo(day, DayKind.WORKDAY)
        return DayInfo(day, DayKind.WEEKEND if weekend else DayKind.WORKDAY)

    def is_workday(self, day: date) -> bool:
        return self.info(day).workday

    def shift_to_workday(self, day: date, *, forward: bool) -> date:
        """``day`` itself if it is a workday, else the next (or previous) workday."""
        step = timedelta(days=1 if forward else -1)
        for _ in range(370):
            if self.is_workday(day):
                return day
            day += step
        raise ValueError("no workday within a year")  # only with absurd overrides

    def add_workdays(self, day: date, count: int) -> date:
        """The workday ``count`` workdays after (or, negative, before) ``day``."""
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_after(self, start: date, end: date) -> int:
        """How many workdays lie after ``start`` up to and including ``end`` (0 if end ≤ start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count
