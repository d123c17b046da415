"""Where every unit stands for a period — and the one rule for who owes it.

**Who owes a period** (the rule every count, list, reminder, export and `/report` uses):

1. A unit that submitted for the period always counts for it (on time or late), whenever it
   joined and whatever happened to it since.
2. A unit that did not submit owes the period only if it was in the campaign when the
   period's reporting prompt was due (T-5 workdays, 09:00 office time) and had not been
   retired (撤销) by that day. A unit that joined later is 新加入 for that month — listed,
   never counted as 未报 and never reminded; a retired one is not listed at all.
   A unit merged into another (并入) is retired from the first month that was still open
   when it was merged: it stays listed, as it stood, in every earlier month (with the
   liaisons it had then), and from that month on its reports are the other unit's.
3. The office may exempt a unit (免报: listed, not counted) or give it more time (延期: its
   own deadline, for timeliness and for whether it is still 待报).
4. Until its deadline has passed a unit that owes the period is 待报 (pending), not 未报: an
   open period shows "已报 x / y" and no on-time rate.

Timeliness comes from the unit's first submission for the period (amending later does not
make an on-time report late); the kind (report or 本月无新进展) from its latest. Everything is
read in a fixed number of queries, whatever the number of units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from enum import StrEnum

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from bot.domain.calendar_admin import campaign_rule, load_calendar
from bot.domain.due_dates import DueDate, Rule, due_date
from bot.domain.periods import YearMonth
from bot.domain.reminders import Step, schedule
from bot.domain.review import exceptions_for
from bot.domain.workdays import WorkCalendar
from storage.models import (
    AssignmentRole,
    ExceptionKind,
    MemberUnit,
    ReportingException,
    Submission,
    SubmissionKind,
)
from storage.repo_people import current_liaisons, liaisons_when_merged
from storage.repo_units import get_default_campaign, list_units


class Standing(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    PENDING = "pending"  # 待报: owes the period, a liaison is registered, deadline not passed
    MISSING = "missing"  # 未报: owes the period, a liaison is registered, deadline passed
    NO_LIAISON = "no_liaison"  # owes the period, nothing submitted, nobody registered to ask
    EXEMPT = "exempt"  # 免报: the office excused the unit this month
    NEW = "new"  # 新加入: joined after the period's prompt and did not submit; owes nothing


OWING = (Standing.PENDING, Standing.MISSING, Standing.NO_LIAISON)  # owes, nothing submitted
REPORTED = (Standing.ON_TIME, Standing.LATE)
TO_REMIND = (Standing.PENDING, Standing.MISSING)  # owes, nothing submitted, someone to ask


@dataclass(frozen=True, slots=True)
class UnitStanding:
    unit_id: int
    name: str  # the short name offices use in lists
    full_name: str
    standing: Standing
    no_progress: bool = False  # the latest submission is 本月无新进展
    workdays_late: int = 0
    version: int = 0
    liaison_ids: tuple[int, ...] = ()  # person ids, main liaisons first
    main_liaison: str = ""  # the main liaison's name (never a phone)
    extended_to: date | None = None  # 延期: the office gave the unit until this day
    exception_reason: str = ""  # why the office granted the extension or exemption
    deadline: date | None = None  # the unit's own last day: the due date or its extension
    open: bool = False  # that deadline has not passed yet
    joined: date | None = None  # the day the unit joined the campaign (office time)

    @property
    def owing(self) -> bool:
        """Owes the period and has not submitted (待报, 未报 or without a liaison)."""
        return self.standing in OWING

    @property
    def reported(self) -> bool:
        return self.standing in REPORTED


@dataclass(frozen=True, slots=True)
class PeriodStanding:
    period: YearMonth
    due: DueDate
    units: list[UnitStanding] = field(default_factory=list)
    prompt_at: datetime | None = None  # when the period's prompt was due: the joining cut-off
    open: bool = False  # the period's due date has not passed yet

    def having(self, *standings: Standing) -> list[UnitStanding]:
        return [unit for unit in self.units if unit.standing in standings]

    def count(self, *standings: Standing) -> int:
        return len(self.having(*standings))

    @property
    def reported(self) -> int:
        return self.count(*REPORTED)

    @property
    def expected(self) -> int:
        """Units that owe a report: all listed but the exempted and the newly joined."""
        return len(self.units) - self.count(Standing.EXEMPT, Standing.NEW)

    @property
    def owing(self) -> list[UnitStanding]:
        """Units that owe the period and have not submitted, with a liaison or without."""
        return self.having(*OWING)

    @property
    def decided(self) -> int:
        """Units whose result is known: reported, or owing with their deadline passed."""
        return self.expected - sum(1 for unit in self.owing if unit.open)

    @property
    def on_time_rate(self) -> float | None:
        """On-time reports over the units whose result is known; None while the period is
        open (a rate then would only say how early it is) or when no unit is expected."""
        if self.open or not self.decided:
            return None
        return self.count(Standing.ON_TIME) / self.decided


@dataclass(frozen=True, slots=True)
class Roster:
    """The campaign's units and who reports for each, read once for any number of months."""

    campaign_id: int
    units: list[MemberUnit]
    liaisons: dict[int, list[tuple[int, str, AssignmentRole]]]


@dataclass(frozen=True, slots=True)
class Dates:
    """A period's due date and the moment its prompt was due, on the campaign's calendar."""

    due: DueDate
    prompt_at: datetime

    @classmethod
    def of(cls, period: YearMonth, rule: Rule, calendar: WorkCalendar, tz: tzinfo) -> Dates:
        due = due_date(period, rule, calendar)
        prompt = next(s.at for s in schedule(due, calendar, tz) if s.step == Step.PROMPT)
        return cls(due, prompt)


def period_dates(*, session: Session, period: YearMonth, tz: tzinfo) -> Dates:
    return Dates.of(period, campaign_rule(session=session), load_calendar(session=session), tz)


def owes(unit: MemberUnit, prompt_at: datetime, tz: tzinfo) -> bool:
    """Rule 2: was the unit in the campaign, and not retired, when the prompt was due?"""
    return unit.created_at <= prompt_at and not retired_by(unit, prompt_at, tz)


def retired_by(unit: MemberUnit, moment: datetime, tz: tzinfo) -> bool:
    return unit.retired_on is not None and unit.retired_on <= moment.astimezone(tz).date()


def load_roster(*, session: Session, at: datetime) -> Roster | None:
    """The campaign's units — active ones and those merged away, for their earlier months —
    with their liaisons: current ones, and for a merged unit those it had when merged."""
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return None
    units = [
        unit
        for unit in list_units(session=session, campaign_id=campaign.id, active_only=False)
        if unit.active or unit.merged_into_id is not None
    ]
    merged = [unit.id for unit in units if unit.id is not None and not unit.active]
    liaisons: dict[int, list[tuple[int, str, AssignmentRole]]] = {}
    found = current_liaisons(session=session, at=at)
    if merged:
        found += liaisons_when_merged(session=session, unit_ids=merged)
    for assignment, person in found:
        assert person.id is not None
        entry = (person.id, person.name, AssignmentRole(assignment.role))
        liaisons.setdefault(assignment.unit_id, []).append(entry)
    return Roster(campaign.id, units, liaisons)


def period_standing(
    *,
    session: Session,
    period: YearMonth,
    at: datetime,
    tz: tzinfo,
    dates: Dates | None = None,
    roster: Roster | None = None,
    unit_ids: Sequence[int] | None = None,
) -> PeriodStanding:
    """Every unit of the campaign that the rule lists for the period (``unit_ids``: only
    those), as it stands at ``at``."""
    dates = dates or period_dates(session=session, period=period, tz=tz)
    today = at.astimezone(tz).date()
    roster = roster or load_roster(session=session, at=at)
    if roster is None:
        return PeriodStanding(period, dates.due, prompt_at=dates.prompt_at)
    units = roster.units
    if unit_ids is not None:
        wanted = set(unit_ids)
        units = [unit for unit in units if unit.id in wanted]
    only = unit_ids[0] if unit_ids is not None and len(unit_ids) == 1 else None
    first, latest = _versions(session, period, roster.campaign_id, only)
    granted = exceptions_for(session=session, period=str(period))
    calendar = load_calendar(session=session) if granted else None
    rows = []
    for unit in units:
        assert unit.id is not None
        if not unit.active and retired_by(unit, dates.prompt_at, tz):
            continue  # merged away before this period: its reports are the other unit's
        row = _unit_row(unit, roster, granted.get(unit.id), dates, today, tz)
        if unit.id in first:
            late, submitted_at = first[unit.id]
            if row.extended_to is not None and calendar is not None:  # counted from the new date
                late = calendar.workdays_after(row.extended_to, submitted_at.astimezone(tz).date())
            row = replace(
                row,
                standing=Standing.LATE if late else Standing.ON_TIME,
                no_progress=latest[unit.id][1] == SubmissionKind.NO_PROGRESS,
                workdays_late=late,
                version=latest[unit.id][0],
            )
        elif not owes(unit, dates.prompt_at, tz):
            if (
                unit.retired_on is not None
                and unit.retired_on <= dates.prompt_at.astimezone(tz).date()
            ):
                continue  # retired before the period: no longer listed
            row = replace(row, standing=Standing.NEW)
        rows.append(row)
    return PeriodStanding(
        period, dates.due, rows, prompt_at=dates.prompt_at, open=today <= dates.due.due
    )


def _unit_row(
    unit: MemberUnit,
    roster: Roster,
    exception: ReportingException | None,
    dates: Dates,
    today: date,
    tz: tzinfo,
) -> UnitStanding:
    """The unit as it stands when it has submitted nothing: 待报, 未报, no liaison or 免报."""
    assert unit.id is not None
    people = roster.liaisons.get(unit.id, [])
    extended_to = reason = None
    if exception is not None:
        reason = exception.reason
        if exception.kind == ExceptionKind.EXTENSION:
            extended_to = exception.due_date
    deadline = max(dates.due.due, extended_to) if extended_to else dates.due.due
    is_open = today <= deadline
    if exception is not None and exception.kind == ExceptionKind.EXEMPTION:
        standing = Standing.EXEMPT
    elif not people:
        standing = Standing.NO_LIAISON
    else:
        standing = Standing.PENDING if is_open else Standing.MISSING
    return UnitStanding(
        unit.id,
        unit.display_name,
        unit.full_name,
        standing,
        liaison_ids=tuple(person_id for person_id, _, _ in people),
        main_liaison=next((name for _, name, role in people if role == AssignmentRole.MAIN), ""),
        extended_to=extended_to,
        exception_reason=reason or "",
        deadline=deadline,
        open=is_open,
        joined=unit.created_at.astimezone(tz).date(),
    )


def unit_standing(
    *, session: Session, unit: MemberUnit, period: YearMonth, at: datetime, tz: tzinfo
) -> UnitStanding | None:
    """One unit's standing for the period (None: not listed, e.g. retired before it)."""
    assert unit.id is not None
    found = period_standing(session=session, period=period, at=at, tz=tz, unit_ids=[unit.id])
    return found.units[0] if found.units else None


def _versions(
    session: Session, period: YearMonth, campaign_id: int, unit_id: int | None
) -> tuple[dict[int, tuple[int, datetime]], dict[int, tuple[int, str]]]:
    """By unit: (workdays late, when) of the first version; (version, kind) of the latest.
    Only the columns needed: reports' texts are not loaded to count them."""
    query = (
        sa_select(
            col(Submission.unit_id),
            col(Submission.version),
            col(Submission.kind),
            col(Submission.workdays_late),
            col(Submission.submitted_at),
        )
        .join(MemberUnit, col(MemberUnit.id) == col(Submission.unit_id))
        .where(col(Submission.period) == str(period), col(MemberUnit.campaign_id) == campaign_id)
        .order_by(col(Submission.unit_id), col(Submission.version))
    )
    if unit_id is not None:
        query = query.where(col(Submission.unit_id) == unit_id)
    first: dict[int, tuple[int, datetime]] = {}
    latest: dict[int, tuple[int, str]] = {}
    for unit, version, kind, late, submitted_at in session.execute(query):
        first.setdefault(unit, (late, submitted_at))
        latest[unit] = (version, kind)
    return first, latest
