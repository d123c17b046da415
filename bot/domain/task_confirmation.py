"""Which tasks the office has word on: each task's latest status and the month it was last
confirmed, and the open tasks nobody has confirmed for ``STALE_MONTHS`` months.

A liaison is asked only about the open tasks its unit leads, and a submitted report holds a
status for every task asked that month (an answer carried over from last month included). So
the month a task was last *confirmed* is the latest month one of its lead units (牵头/责任单位)
reported a status for it; a co-operating unit's status still shows, but does not confirm (a
task with no lead unit at all is confirmed by any unit's status). A task is *not confirmed*
when it is still open — not retired, not closed, its latest status not 已完成 — and still
asked (a one-off task past its deadline is not: it keeps its latest status, 滞后 included,
on /behind), and has no such status in the ``STALE_MONTHS`` months up to the period.
Nothing is flagged before the campaign has that many months of reports: a task cannot have
gone three months unconfirmed in the campaign's first month.

This is the office's rule (任务进度 sheet and page, /behind, the bulletin, the office digest);
liaisons never hear of it. Every function reads with a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.domain.periods import YearMonth
from bot.domain.task_progress import deadline_passed
from storage.models import (
    MemberUnit,
    Responsibility,
    Submission,
    SubmissionTaskStatus,
    Task,
    TaskStatus,
    TaskUnit,
)
from storage.repo_units import get_default_campaign

STALE_MONTHS = 3  # an open task with no lead unit's status in this many months is flagged
BEHIND = (TaskStatus.BEHIND, TaskStatus.STALLED)
NAMED = 5  # not-confirmed tasks named in a chat message before "等"


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task with its units and each unit's latest reported status (up to the period)."""

    task: Task
    lead: list[str]
    cooperating: list[str]
    statuses: list[tuple[str, TaskStatus, str, str]]  # unit, status, reason, period reported


@dataclass(frozen=True, slots=True)
class TaskConfirmation:
    """A task as the office follows it up to a period."""

    row: TaskRow
    latest: tuple[str, TaskStatus, str, str] | None  # the most recent confirming status
    confirmed: str  # the month it was last confirmed (YYYY-MM), "" if never
    open: bool  # not retired, not closed, not 已完成
    stale: bool  # open and not confirmed in the STALE_MONTHS up to the period
    unconfirmed: list[str]  # lead units with no status in those months (open tasks only)

    @property
    def task(self) -> Task:
        return self.row.task


@dataclass(frozen=True, slots=True)
class BehindTask:
    """A unit whose latest status on an open task is 滞后 or 停顿."""

    code: str
    content: str
    unit: str
    status: TaskStatus
    reason: str
    month: str = ""  # when the unit reported it
    confirmed: str = ""  # when the task was last confirmed


def window_start(period: YearMonth) -> YearMonth:
    """The first of the STALE_MONTHS months that end with ``period``."""
    oldest = period
    for _ in range(STALE_MONTHS - 1):
        oldest = oldest.previous()
    return oldest


def task_rows(*, session: Session, period: YearMonth) -> list[TaskRow]:
    """Every task of the campaign in plan order, with its units and their latest statuses."""
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return []
    tasks = list(
        session.exec(
            select(Task).where(Task.campaign_id == campaign.id).order_by(col(Task.sort_order))
        )
    )
    links = session.exec(
        select(TaskUnit, MemberUnit)
        .join(MemberUnit, col(MemberUnit.id) == col(TaskUnit.unit_id))
        .where(col(MemberUnit.campaign_id) == campaign.id)
        .order_by(col(TaskUnit.position))
    )
    lead: dict[int, list[str]] = defaultdict(list)
    cooperating: dict[int, list[str]] = defaultdict(list)
    for link, unit in links:
        target = cooperating if link.role == Responsibility.COOPERATING else lead
        target[link.task_id].append(unit.display_name)
    reported = session.execute(  # columns, not objects: this reads every status ever reported
        sa_select(
            col(SubmissionTaskStatus.task_id),
            col(SubmissionTaskStatus.status),
            col(SubmissionTaskStatus.reason),
            col(Submission.period),
            col(MemberUnit.short_name),
            col(MemberUnit.full_name),
        )
        .join(Submission, col(Submission.id) == col(SubmissionTaskStatus.submission_id))
        .join(MemberUnit, col(MemberUnit.id) == col(Submission.unit_id))
        .where(col(Submission.period) <= str(period), col(MemberUnit.campaign_id) == campaign.id)
        .order_by(col(Submission.period), col(Submission.version))
    )
    latest: dict[int, dict[str, tuple[str, TaskStatus, str, str]]] = defaultdict(dict)
    for task_id, status, reason, month, short_name, full_name in reported:
        name = short_name or full_name
        latest[task_id][name] = (name, TaskStatus(status), reason, month)
    return [
        TaskRow(
            task, lead[task.id or 0], cooperating[task.id or 0], list(latest[task.id or 0].values())
        )
        for task in tasks
    ]


def first_reported(*, session: Session) -> str | None:
    """The campaign's first month with a submitted report (YYYY-MM), if any."""
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return None
    query = (
        sa_select(func.min(col(Submission.period)))
        .join(MemberUnit, col(MemberUnit.id) == col(Submission.unit_id))
        .where(col(MemberUnit.campaign_id) == campaign.id)
    )
    found = session.execute(query).scalar()
    return str(found) if found else None


def confirm(row: TaskRow, period: YearMonth, *, flagging: bool = True) -> TaskConfirmation:
    """The rule for one task (``flagging`` False: too early in the campaign to flag any)."""
    leads = set(row.lead)
    confirming = [s for s in row.statuses if s[0] in leads] if leads else list(row.statuses)
    # the most recent; on the same month the first lead unit in the plan's order
    order = {name: position for position, name in enumerate(row.lead)}
    latest = max(confirming, key=lambda s: (s[3], -order.get(s[0], len(order))), default=None)
    task = row.task
    done = latest is not None and latest[1] == TaskStatus.DONE
    is_open = task.retired_at is None and task.closed_at is None and not done
    asked = is_open and not deadline_passed(task, str(period))  # a unit is asked about it
    oldest = str(window_start(period))
    recent = {name for name, _, _, month in confirming if month >= oldest}
    stale = flagging and asked and not recent
    unconfirmed = [name for name in row.lead if name not in recent] if asked else []
    return TaskConfirmation(row, latest, latest[3] if latest else "", is_open, stale, unconfirmed)


def confirmations(*, session: Session, period: YearMonth) -> list[TaskConfirmation]:
    """Every task of the campaign up to ``period``, in plan order."""
    first = first_reported(session=session)
    flagging = first is not None and first <= str(window_start(period))
    rows = task_rows(session=session, period=period)
    return [confirm(row, period, flagging=flagging) for row in rows]


def not_confirmed(found: list[TaskConfirmation]) -> list[TaskConfirmation]:
    return [item for item in found if item.stale]


def latest_behind(found: list[TaskConfirmation]) -> list[BehindTask]:
    """Units whose latest status on an open task is 滞后 or 停顿, whenever they reported it."""
    return [
        BehindTask(item.task.code, item.task.content, unit, status, reason, month, item.confirmed)
        for item in found
        if item.open
        for unit, status, reason, month in item.row.statuses
        if status in BEHIND
    ]


def unconfirmed_values(found: list[TaskConfirmation]) -> dict[str, Any]:
    """What an office message says about the tasks not confirmed: how many, the first few."""
    stale = not_confirmed(found)
    return {
        "unconfirmed_count": len(stale),
        "unconfirmed": [(item.task.code, item.task.content) for item in stale[:NAMED]],
        "stale_months": STALE_MONTHS,
    }
