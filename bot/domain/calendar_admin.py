"""The office's control of the workday calendar and of its reporting rule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from bot.domain.due_dates import DueDate, Rule, due_date
from bot.domain.periods import YearMonth
from bot.domain.workdays import LIBRARY_YEARS, DayInfo, DayKind, Override, WorkCalendar
from storage.models import CalendarOverride, ReportingRule
from storage.repo_audit import add_audit_entry
from storage.repo_units import get_default_campaign

MAX_RANGE_DAYS = 366
_DAY = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_RANGE = re.compile(rf"^{_DAY}(?:\.\.{_DAY})?$")
WORKDAY_WORDS = {"workday", "work", "班", "上班", "工作日"}
HOLIDAY_WORDS = {"holiday", "off", "休", "放假", "休息日", "节假日"}


def parse_days(spec: str) -> list[date]:
    """``2027-02-06`` or ``2027-02-06..2027-02-13`` (inclusive); ValueError otherwise."""
    match = _RANGE.match(spec.strip())
    if match is None:
        raise ValueError(spec)
    first = date(int(match[1]), int(match[2]), int(match[3]))
    last = date(int(match[4]), int(match[5]), int(match[6])) if match[4] else first
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        raise ValueError(spec)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def parse_kind(word: str) -> bool | None:
    """True for a workday word, False for a holiday word, None if neither."""
    lowered = word.strip().lower()
    return True if lowered in WORKDAY_WORDS else False if lowered in HOLIDAY_WORDS else None


def load_calendar(*, session: Session) -> WorkCalendar:
    rows = session.exec(select(CalendarOverride)).all()
    return WorkCalendar({row.day: Override(row.workday, row.note) for row in rows})


def set_days(
    *, session: Session, days: list[date], workday: bool, note: str, actor_person_id: int | None
) -> None:
    for day in days:
        row = session.get(CalendarOverride, day) or CalendarOverride(day=day, workday=workday)
        row.workday, row.note = workday, note
        session.add(row)
    add_audit_entry(
        session=session, action="calendar_set", actor_person_id=actor_person_id,
        days=f"{days[0]}..{days[-1]}", workday=str(workday), note=note,
    )  # fmt: skip
    session.flush()


def unset_days(*, session: Session, days: list[date], actor_person_id: int | None) -> int:
    rows = session.exec(select(CalendarOverride).where(col(CalendarOverride.day).in_(days))).all()
    for row in rows:
        session.delete(row)
    add_audit_entry(
        session=session, action="calendar_unset", actor_person_id=actor_person_id,
        days=f"{days[0]}..{days[-1]}",
    )  # fmt: skip
    session.flush()
    return len(rows)


@dataclass(frozen=True, slots=True)
class YearView:
    year: int
    covered: bool
    from_library: bool
    days: list[DayInfo]  # every day that is not an ordinary weekday/weekend


def year_view(*, session: Session, year: int) -> YearView:
    calendar = load_calendar(session=session)
    special = []
    day = date(year, 1, 1)
    while day.year == year:
        info = calendar.info(day)
        if info.kind not in (DayKind.WORKDAY, DayKind.WEEKEND):
            special.append(info)
        day += timedelta(days=1)
    return YearView(year, calendar.covered(year), year in LIBRARY_YEARS, special)


def campaign_rule(*, session: Session) -> Rule:
    campaign = get_default_campaign(session=session)
    row = session.get(ReportingRule, campaign.id) if campaign and campaign.id else None
    if row is None:
        return Rule()
    return Rule(row.nominal_day, row.shift, row.grace_workdays)


def set_campaign_rule(*, session: Session, rule: Rule, actor_person_id: int | None) -> bool:
    """Store the office's reporting rule; False when there is no campaign yet."""
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return False
    row = session.get(ReportingRule, campaign.id) or ReportingRule(campaign_id=campaign.id)
    row.nominal_day, row.shift, row.grace_workdays = (
        rule.nominal_day,
        rule.shift,
        rule.grace_workdays,
    )
    session.add(row)
    add_audit_entry(
        session=session, action="rule_set", actor_person_id=actor_person_id,
        nominal_day=str(rule.nominal_day), shift=str(rule.shift), grace=str(rule.grace_workdays),
    )  # fmt: skip
    session.flush()
    return True


def year_deadlines(*, session: Session, year: int, rule: Rule | None = None) -> list[DueDate]:
    calendar = load_calendar(session=session)
    rule = rule or campaign_rule(session=session)
    return [due_date(YearMonth(year, month), rule, calendar) for month in range(1, 13)]
