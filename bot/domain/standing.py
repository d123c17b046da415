"""Where every unit stands for a period: on time, late, missing, or nobody to ask.

Timeliness comes from the unit's first submission for the period (amending later does not
make an on-time report late); the kind (report or 本月无新进展) from its latest. Everything is
read in a fixed number of queries, whatever the number of units.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, tzinfo
from enum import StrEnum

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from bot.domain.calendar_admin import load_calendar
from bot.domain.due_dates import DueDate
from bot.domain.periods import YearMonth
from bot.domain.review import exceptions_for
from storage.models import AssignmentRole, ExceptionKind, MemberUnit, Submission, SubmissionKind
from storage.repo_people import current_liaisons
from storage.repo_units import get_default_campaign, list_units


class Standing(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"  # a liaison is registered, nothing submitted
    NO_LIAISON = "no_liaison"  # nothing submitted and nobody registered to ask
    EXEMPT = "exempt"  # 免报: the office excused the unit this month


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


@dataclass(frozen=True, slots=True)
class PeriodStanding:
    period: YearMonth
    due: DueDate
    units: list[UnitStanding] = field(default_factory=list)

    def having(self, *standings: Standing) -> list[UnitStanding]:
        return [unit for unit in self.units if unit.standing in standings]

    def count(self, standing: Standing) -> int:
        return len(self.having(standing))

    @property
    def reported(self) -> int:
        return self.count(Standing.ON_TIME) + self.count(Standing.LATE)

    @property
    def expected(self) -> int:
        """Units that owe a report (exempted ones do not)."""
        return len(self.units) - self.count(Standing.EXEMPT)

    @property
    def on_time_rate(self) -> float | None:
        """On-time reports over units expected to report; None when no unit is expected."""
        return self.count(Standing.ON_TIME) / self.expected if self.expected else None


@dataclass(frozen=True, slots=True)
class Roster:
    """The campaign's units and who reports for each, read once for any number of months."""

    units: list[MemberUnit]
    liaisons: dict[int, list[tuple[int, str, AssignmentRole]]]


def load_roster(*, session: Session, at: datetime) -> Roster | None:
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return None
    liaisons: dict[int, list[tuple[int, str, AssignmentRole]]] = {}
    for assignment, person in current_liaisons(session=session, at=at):
        assert person.id is not None
        entry = (person.id, person.name, AssignmentRole(assignment.role))
        liaisons.setdefault(assignment.unit_id, []).append(entry)
    return Roster(list_units(session=session, campaign_id=campaign.id), liaisons)


def period_standing(
    *,
    session: Session,
    period: YearMonth,
    due: DueDate,
    at: datetime,
    tz: tzinfo,
    roster: Roster | None = None,
) -> PeriodStanding:
    """Every active unit of the campaign that had joined before the period's due day."""
    roster = roster or load_roster(session=session, at=at)
    if roster is None:
        return PeriodStanding(period, due)
    first, latest = _versions(session, period)
    granted = exceptions_for(session=session, period=str(period))
    calendar = load_calendar(session=session) if granted else None
    units = []
    for unit in roster.units:
        if unit.created_at >= datetime.combine(due.due, time(0), tz):  # joined too late
            continue
        assert unit.id is not None
        people = roster.liaisons.get(unit.id, [])
        main = next((name for _, name, role in people if role == AssignmentRole.MAIN), "")
        row = UnitStanding(
            unit.id,
            unit.display_name,
            unit.full_name,
            Standing.MISSING if people else Standing.NO_LIAISON,
            liaison_ids=tuple(person_id for person_id, _, _ in people),
            main_liaison=main,
        )
        exception = granted.get(unit.id)
        if exception is not None and exception.kind == ExceptionKind.EXTENSION:
            row = replace(row, extended_to=exception.due_date, exception_reason=exception.reason)
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
        elif exception is not None and exception.kind == ExceptionKind.EXEMPTION:
            row = replace(row, standing=Standing.EXEMPT, exception_reason=exception.reason)
        units.append(row)
    return PeriodStanding(period, due, units)


def _versions(
    session: Session, period: YearMonth
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
        .where(col(Submission.period) == str(period))
        .order_by(col(Submission.unit_id), col(Submission.version))
    )
    first: dict[int, tuple[int, datetime]] = {}
    latest: dict[int, tuple[int, str]] = {}
    for unit_id, version, kind, late, submitted_at in session.execute(query):
        first.setdefault(unit_id, (late, submitted_at))
        latest[unit_id] = (version, kind)
    return first, latest
