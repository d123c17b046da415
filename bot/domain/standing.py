"""Where every unit stands for a period: on time, late, missing, or nobody to ask.

Timeliness comes from the unit's first submission for the period (amending later does not
make an on-time report late); the kind (report or 本月无新进展) from its latest. Everything is
read in a fixed number of queries, whatever the number of units.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time, tzinfo
from enum import StrEnum

from sqlmodel import Session, col, select

from bot.domain.due_dates import DueDate
from bot.domain.periods import YearMonth
from storage.models import AssignmentRole, MemberUnit, Submission, SubmissionKind
from storage.repo_people import current_liaisons
from storage.repo_units import get_default_campaign, list_units


class Standing(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"  # a liaison is registered, nothing submitted
    NO_LIAISON = "no_liaison"  # nothing submitted and nobody registered to ask


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
    def on_time_rate(self) -> float | None:
        """On-time reports over units expected to report; None when no unit is expected."""
        return self.count(Standing.ON_TIME) / len(self.units) if self.units else None


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
        if unit.id in first:
            late = first[unit.id]
            row = replace(
                row,
                standing=Standing.LATE if late else Standing.ON_TIME,
                no_progress=latest[unit.id][1] == SubmissionKind.NO_PROGRESS,
                workdays_late=late,
                version=latest[unit.id][0],
            )
        units.append(row)
    return PeriodStanding(period, due, units)


def _versions(
    session: Session, period: YearMonth
) -> tuple[dict[int, int], dict[int, tuple[int, str]]]:
    """By unit: workdays late of the first version; (version, kind) of the latest. Only the
    columns needed: reports' texts are not loaded to count them."""
    query = (
        select(Submission.unit_id, Submission.version, Submission.kind, Submission.workdays_late)
        .where(Submission.period == str(period))
        .order_by(col(Submission.unit_id), col(Submission.version))
    )
    first: dict[int, int] = {}
    latest: dict[int, tuple[int, str]] = {}
    for unit_id, version, kind, late in session.exec(query):
        first.setdefault(unit_id, late)
        latest[unit_id] = (version, kind)
    return first, latest
