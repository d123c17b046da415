"""What the office needs to know about a month, gathered once for chat, Excel and Word.

Every function reads with a fixed number of queries whatever the number of units (no query
per unit or per task), so a 1 000-unit campaign costs about what a 60-unit one does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from bot.domain.calendar_admin import campaign_rule, load_calendar
from bot.domain.outbox import digest_values
from bot.domain.periods import YearMonth
from bot.domain.replies import Button, Reply
from bot.domain.standing import Dates, PeriodStanding, load_roster, period_standing
from bot.domain.task_confirmation import (
    BehindTask,
    confirmations,
    latest_behind,
    unconfirmed_values,
)
from storage.models import (
    Evidence,
    EvidenceKind,
    Indicator,
    IndicatorUnit,
    MemberUnit,
    Submission,
    SubmissionIndicatorValue,
)
from storage.repo_units import get_default_campaign


@dataclass(frozen=True, slots=True)
class MonthSummary:
    standing: PeriodStanding
    behind: list[BehindTask]  # latest status 滞后/停顿 up to the month (task_confirmation)
    unconfirmed: dict[str, Any]  # the open tasks not confirmed in 3 months, for the message

    @property
    def period(self) -> YearMonth:
        return self.standing.period

    @property
    def values(self) -> dict[str, Any]:
        """The summary template's values."""
        return {**digest_values(self.standing), "behind": self.behind, **self.unconfirmed}


def standing_for(
    *, session: Session, period: YearMonth, now: datetime, tz: tzinfo
) -> PeriodStanding:
    return period_standing(session=session, period=period, at=now, tz=tz)


def month_summary(
    *, session: Session, period: YearMonth, now: datetime, tz: tzinfo
) -> MonthSummary:
    tasks = confirmations(session=session, period=period)
    return MonthSummary(
        standing_for(session=session, period=period, now=now, tz=tz),
        latest_behind(tasks),
        unconfirmed_values(tasks),
    )


def summary_reply(*, session: Session, period: YearMonth, now: datetime, tz: tzinfo) -> Reply:
    """/summary (汇总 on WeCom): the month at a glance, with a choice for each of its files."""
    found = month_summary(session=session, period=period, now=now, tz=tz)
    month = f"{period.year:04d}{period.month:02d}"
    buttons = (
        (Button("export_xlsx", f"sm:{month}:xlsx"), Button("export_docx", f"sm:{month}:docx")),
        (Button("export_zip", f"sm:{month}:zip"),),
    )
    return Reply("summary", found.values, buttons)


def latest_submissions(*, session: Session, period: YearMonth) -> dict[int, Submission]:
    """Each unit's latest version for the period, by unit id."""
    query = (
        select(Submission)
        .where(Submission.period == str(period))
        .order_by(col(Submission.unit_id), col(Submission.version))
    )
    return {row.unit_id: row for row in session.exec(query)}


# --------------------------------------------------------------------------- for exports


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    indicator: Indicator
    lead: str
    value: str  # as the unit typed it (12/20, 35%, 8)
    number: float | None
    period: str  # when it was reported

    @property
    def gap(self) -> float | None:
        """How far the latest value still is from the target (0 once it is reached)."""
        target, number = self.indicator.target_value, self.number
        if target is None or number is None:
            return None
        still = number - target if self.indicator.comparator in ("<=", "<") else target - number
        return max(0.0, round(still, 4))


def indicator_rows(*, session: Session, period: YearMonth) -> list[IndicatorRow]:
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return []
    indicators = list(
        session.exec(
            select(Indicator)
            .where(Indicator.campaign_id == campaign.id)
            .order_by(col(Indicator.sort_order))
        )
    )
    leads: dict[int, str] = {}
    for link, unit in session.exec(
        select(IndicatorUnit, MemberUnit)
        .join(MemberUnit, col(MemberUnit.id) == col(IndicatorUnit.unit_id))
        .order_by(col(IndicatorUnit.position))
    ):
        leads.setdefault(link.indicator_id, unit.display_name)
    values: dict[int, tuple[SubmissionIndicatorValue, str]] = {}
    for row, submission in session.exec(
        select(SubmissionIndicatorValue, Submission)
        .join(Submission, col(Submission.id) == col(SubmissionIndicatorValue.submission_id))
        .where(
            col(Submission.period) <= str(period), col(SubmissionIndicatorValue.skipped).is_(False)
        )
        .order_by(col(Submission.period), col(Submission.version))
    ):
        values[row.indicator_id] = (row, submission.period)
    rows = []
    for indicator in indicators:
        found = values.get(indicator.id or 0)
        number = None
        if found is not None:
            value = found[0]
            number = value.value
            if number is None and value.numerator is not None and value.denominator:
                number = round(value.numerator / value.denominator * 100, 2)
        rows.append(
            IndicatorRow(
                indicator,
                leads.get(indicator.id or 0, ""),
                found[0].raw if found else "",
                number,
                found[1] if found else "",
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class Photo:
    unit_id: int
    unit: str
    period: str
    sha256: str
    file_name: str
    caption: str
    received_at: datetime
    kind: EvidenceKind
    size: int
    evidence_id: int = 0  # the stored row (the archive files it by indicator)


@dataclass
class PhotoSet:
    items: list[Photo] = field(default_factory=list)

    def of_unit(self, unit_id: int) -> list[Photo]:
        return [item for item in self.items if item.unit_id == unit_id]


def evidence_of(
    *, session: Session, periods: list[YearMonth], kinds: tuple[EvidenceKind, ...] | None = None
) -> PhotoSet:
    """Photos and files of units that submitted a report for these months (a draft's photos
    are not the office's to publish until the report is in)."""
    months = [str(period) for period in periods]
    submitted = select(Submission.unit_id, Submission.period).where(
        col(Submission.period).in_(months)
    )
    pairs = {(unit_id, month) for unit_id, month in session.exec(submitted)}
    query = (
        select(Evidence, MemberUnit)
        .join(MemberUnit, col(MemberUnit.id) == col(Evidence.unit_id))
        .where(col(Evidence.period).in_(months))
        .order_by(col(MemberUnit.sort_order), col(Evidence.period), col(Evidence.id))
    )
    if kinds is not None:
        query = query.where(col(Evidence.kind).in_(kinds))
    items = [
        Photo(
            evidence.unit_id,
            unit.display_name,
            evidence.period,
            evidence.sha256,
            evidence.file_name,
            evidence.caption,
            evidence.received_at,
            EvidenceKind(evidence.kind),
            evidence.size,
            evidence.id or 0,
        )
        for evidence, unit in session.exec(query)
        if (evidence.unit_id, evidence.period) in pairs
    ]
    return PhotoSet(items)


def year_months(period: YearMonth) -> list[YearMonth]:
    """January of the period's year up to the period: the columns of the 报送情况 matrix."""
    return [YearMonth(period.year, month) for month in range(1, period.month + 1)]


def expected_standings(
    *, session: Session, periods: list[YearMonth], now: datetime, tz: tzinfo
) -> list[PeriodStanding]:
    """Several months' standings; units and liaisons are read once for all of them."""
    rule, calendar = campaign_rule(session=session), load_calendar(session=session)
    roster = load_roster(session=session, at=now)
    return [
        period_standing(
            session=session, period=period, at=now, tz=tz,
            dates=Dates.of(period, rule, calendar, tz), roster=roster,
        )
        for period in periods
    ]  # fmt: skip
