"""Month by month: "are we getting better?" — the figures the 趋势 charts draw.

Reporting figures are laid out from the months' standings (``bot.domain.standing`` decides who
owes what; nothing is recounted here). Task figures count the statuses units gave their tasks
in each month's latest submissions, read in one query for all months.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from bot.domain.periods import YearMonth
from bot.domain.standing import PeriodStanding, Standing
from storage.models import MemberUnit, Submission, SubmissionTaskStatus, TaskStatus
from storage.repo_units import get_default_campaign

# The order of the task-status chart's series: good news first, then what needs attention.
TASK_STATUSES = (
    TaskStatus.ON_TRACK,
    TaskStatus.AHEAD,
    TaskStatus.DONE,
    TaskStatus.BEHIND,
    TaskStatus.STALLED,
    TaskStatus.NO_PROGRESS,
)


@dataclass(frozen=True, slots=True)
class MonthTrend:
    """One month's reporting: reported + missing + pending == expected."""

    period: YearMonth
    expected: int
    reported: int
    on_time: int
    late: int
    missing: int  # owed, nothing submitted, the unit's deadline has passed (未报)
    pending: int  # owed, nothing submitted, the unit's deadline not passed yet (待报)
    on_time_rate: float | None  # None while the month is open (see PeriodStanding)
    open: bool


def month_trend(standing: PeriodStanding) -> MonthTrend:
    owing = standing.owing
    return MonthTrend(
        period=standing.period,
        expected=standing.expected,
        reported=standing.reported,
        on_time=standing.count(Standing.ON_TIME),
        late=standing.count(Standing.LATE),
        missing=sum(1 for unit in owing if not unit.open),
        pending=sum(1 for unit in owing if unit.open),
        on_time_rate=standing.on_time_rate,
        open=standing.open,
    )


def task_status_counts(
    *, session: Session, periods: list[YearMonth]
) -> dict[YearMonth, Counter[TaskStatus]]:
    """For each month, how many task reports in the units' latest submissions had each status
    (a unit reporting on three tasks counts three times)."""
    counts: dict[YearMonth, Counter[TaskStatus]] = {period: Counter() for period in periods}
    campaign = get_default_campaign(session=session)
    if campaign is None or not periods:
        return counts
    months = [str(period) for period in periods]
    latest = (
        sa_select(
            col(Submission.unit_id),
            col(Submission.period),
            func.max(col(Submission.version)).label("version"),
        )
        .join(MemberUnit, col(MemberUnit.id) == col(Submission.unit_id))
        .where(col(Submission.period).in_(months), col(MemberUnit.campaign_id) == campaign.id)
        .group_by(col(Submission.unit_id), col(Submission.period))
        .subquery()
    )
    query = (
        sa_select(col(Submission.period), col(SubmissionTaskStatus.status), func.count().label("n"))
        .join(Submission, col(Submission.id) == col(SubmissionTaskStatus.submission_id))
        .join(
            latest,
            (latest.c.unit_id == col(Submission.unit_id))
            & (latest.c.period == col(Submission.period))
            & (latest.c.version == col(Submission.version)),
        )
        .group_by(col(Submission.period), col(SubmissionTaskStatus.status))
    )
    for month, status, number in session.execute(query):
        counts[YearMonth.parse(month)][TaskStatus(status)] += int(number)
    return counts
