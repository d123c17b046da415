"""Task progress in the monthly report: which tasks a unit is asked about (``open_tasks``, the
one rule), what it said last time (the default this month), and the draft's status per task.

Every task asked ends with an explicit row in the draft (``fill_defaults`` writes last month's
answer, or 按计划 the first time, for those the liaison left alone), so the submission holds a
row per asked task for the month: the office reads "last confirmed" from those rows. 滞后 and
停顿 need a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy
from sqlalchemy import BindParameter, and_, bindparam, exists
from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.models import (
    Campaign,
    DeadlineKind,
    DraftTaskStatus,
    MemberUnit,
    Responsibility,
    Submission,
    SubmissionTaskStatus,
    Task,
    TaskStatus,
    TaskUnit,
)

CARRIED_REASON = "同上月"  # a carried-over 滞后/停顿 whose earlier reason was lost


@dataclass(frozen=True, slots=True)
class Previous:
    """A task's last submitted status by this unit, and the month it was given for."""

    status: TaskStatus
    reason: str
    period: str


def _open_query() -> SelectOfScalar[Task]:
    """The rule of ``open_tasks`` as one statement (the unit and its campaign joined in), built
    once with parameters ``unit_id``, ``period`` (YYYY-MM) and ``starts`` (its first day):
    building it took longer than running it, and it runs for every message typed in a report."""
    unit_id: BindParameter[int] = bindparam("unit_id", type_=sqlalchemy.Integer)
    period: BindParameter[str] = bindparam("period", type_=sqlalchemy.String)
    leading = (Responsibility.LEAD, Responsibility.RESPONSIBLE)
    linked = (
        select(TaskUnit.task_id)
        .join(MemberUnit, col(MemberUnit.id) == col(TaskUnit.unit_id))
        .join(Campaign, col(Campaign.id) == col(MemberUnit.campaign_id))
        .where(
            TaskUnit.unit_id == unit_id,
            or_(
                col(TaskUnit.role).in_(leading),
                and_(
                    col(TaskUnit.role) == Responsibility.COOPERATING,
                    col(Campaign.report_cooperating_tasks).is_(True),
                ),
            ),
        )
    )
    finished = (
        select(SubmissionTaskStatus.task_id)
        .join(Submission, col(Submission.id) == col(SubmissionTaskStatus.submission_id))
        .where(
            Submission.unit_id == unit_id,
            col(Submission.period) < period,
            SubmissionTaskStatus.status == TaskStatus.DONE,
        )
    )
    campaign = select(MemberUnit.campaign_id).where(MemberUnit.id == unit_id).scalar_subquery()
    return select(Task).where(
        Task.campaign_id == campaign,
        col(Task.id).in_(linked),
        col(Task.id).not_in(finished),
        col(Task.retired_at).is_(None),
        col(Task.closed_at).is_(None),
        or_(
            col(Task.deadline_kind) != DeadlineKind.DATE,
            col(Task.deadline_date).is_(None),
            col(Task.deadline_date) >= bindparam("starts", type_=sqlalchemy.Date),
        ),
    )


_OPEN = _open_query()
_ANSWERED_BEFORE = (
    select(SubmissionTaskStatus.task_id)
    .join(Submission, col(Submission.id) == col(SubmissionTaskStatus.submission_id))
    .where(
        Submission.unit_id == bindparam("unit_id", type_=sqlalchemy.Integer),
        col(Submission.period) < bindparam("period", type_=sqlalchemy.String),
    )
)
_ASKED_ANY = sqlalchemy.select(exists(_OPEN), exists(_ANSWERED_BEFORE))


def _open_parameters(unit_id: int, period: str) -> dict[str, object]:
    return {"unit_id": unit_id, "period": period,
            "starts": date(int(period[:4]), int(period[5:7]), 1)}  # fmt: skip


def deadline_passed(task: Task, period: str) -> bool:
    """A one-off task whose deadline ended before ``period`` (YYYY-MM) began: no longer asked
    (the same test as ``_OPEN``'s, for a task already in hand)."""
    if task.deadline_kind != DeadlineKind.DATE or task.deadline_date is None:
        return False
    return task.deadline_date < date(int(period[:4]), int(period[5:7]), 1)


def open_tasks(*, session: Session, unit_id: int, period: str) -> list[Task]:
    """The tasks the unit is asked about in ``period`` (YYYY-MM): those it leads (牵头/责任单位;
    co-operating ones only when the campaign says so), minus those it already reported 已完成
    for an earlier month, those the office retired or closed, and one-off tasks whose deadline
    ended before the month began (a task due in 2022 is not asked in 2026)."""
    query = _OPEN.order_by(col(Task.sort_order))
    return list(session.exec(query, params=_open_parameters(unit_id, period)))


def asked_any(*, session: Session, unit_id: int, period: str) -> tuple[bool, bool]:
    """Whether the unit is asked about any task in ``period``, and whether it has answered
    any before: one query, cheap enough for every message typed into a report."""
    found = session.execute(_ASKED_ANY, _open_parameters(unit_id, period)).one()
    return bool(found[0]), bool(found[1])


def previous(*, session: Session, unit_id: int, period: str) -> dict[int, Previous]:
    """Each task's latest submitted status by the unit before ``period`` (its default now)."""
    rows = session.exec(
        select(SubmissionTaskStatus, Submission.period)
        .join(Submission, col(Submission.id) == col(SubmissionTaskStatus.submission_id))
        .where(Submission.unit_id == unit_id, col(Submission.period) < period)
        .order_by(col(Submission.period), col(Submission.version))
    )
    return {row.task_id: Previous(TaskStatus(row.status), row.reason, month) for row, month in rows}


def fill_defaults(*, session: Session, draft_id: int, unit_id: int, period: str) -> int:
    """Give every asked task the liaison left alone its answer from last time (按计划 when
    there is none), as an explicit row; how many were filled."""
    given = statuses(session=session, draft_id=draft_id)
    earlier = previous(session=session, unit_id=unit_id, period=period)
    filled = 0
    for task in open_tasks(session=session, unit_id=unit_id, period=period):
        if task.id is None or task.id in given:
            continue
        last = earlier.get(task.id)
        status = last.status if last is not None else TaskStatus.ON_TRACK
        reason = (last.reason or CARRIED_REASON) if last and status.needs_reason else ""
        session.add(DraftTaskStatus(draft_id=draft_id, task_id=task.id, status=status,
                                    reason=reason))  # fmt: skip
        filled += 1
    session.flush()
    return filled


def waiting_reason(*, session: Session, draft_id: int) -> tuple[Task, TaskStatus] | None:
    """A task set to 滞后/停顿 whose reason has not been typed yet."""
    rows = session.exec(
        select(DraftTaskStatus, Task)
        .join(Task, col(Task.id) == col(DraftTaskStatus.task_id))
        .where(DraftTaskStatus.draft_id == draft_id, DraftTaskStatus.reason == "")
        .order_by(col(Task.sort_order))
    )
    for row, task in rows:
        if TaskStatus(row.status).needs_reason:
            return task, TaskStatus(row.status)
    return None


def statuses(*, session: Session, draft_id: int) -> dict[int, DraftTaskStatus]:
    rows = session.exec(select(DraftTaskStatus).where(DraftTaskStatus.draft_id == draft_id))
    return {row.task_id: row for row in rows}


def set_status(*, session: Session, draft_id: int, task_id: int, status: TaskStatus) -> None:
    row = session.get(DraftTaskStatus, (draft_id, task_id)) or DraftTaskStatus(
        draft_id=draft_id, task_id=task_id, status=status
    )
    row.status, row.reason = status, ""
    session.add(row)
    session.flush()


def set_reason(*, session: Session, draft_id: int, task_id: int, reason: str) -> None:
    row = session.get(DraftTaskStatus, (draft_id, task_id))
    if row is not None:
        row.reason = " ".join(reason.split())[:1000]
        session.add(row)
        session.flush()


def clear(*, session: Session, draft_id: int) -> None:
    for row in session.exec(select(DraftTaskStatus).where(DraftTaskStatus.draft_id == draft_id)):
        session.delete(row)
    session.flush()


def summary(*, session: Session, draft_id: int, unit_id: int, period: str) -> list[dict[str, str]]:
    """What the review shows: each task's code, text, status and reason, and whether it
    differs from last time (``changed``; the first time, anything but 按计划 is news)."""
    earlier = previous(session=session, unit_id=unit_id, period=period)
    rows = session.exec(
        select(DraftTaskStatus, Task)
        .join(Task, col(Task.id) == col(DraftTaskStatus.task_id))
        .where(DraftTaskStatus.draft_id == draft_id)
        .order_by(col(Task.sort_order))
    )
    shown = []
    for row, task in rows:
        last = earlier.get(task.id or 0)
        if last is None:
            changed = row.status != TaskStatus.ON_TRACK
        else:
            changed = (last.status, last.reason) != (row.status, row.reason)
        shown.append({"code": task.code, "content": task.content, "status": str(row.status),
                      "reason": row.reason, "changed": "1" if changed else ""})  # fmt: skip
    return shown


def snapshot(*, session: Session, draft_id: int, submission_id: int) -> None:
    for row in statuses(session=session, draft_id=draft_id).values():
        session.add(
            SubmissionTaskStatus(
                submission_id=submission_id,
                task_id=row.task_id,
                status=row.status,
                reason=row.reason,
            )
        )
    session.flush()


def restore(*, session: Session, submission_id: int, draft_id: int) -> None:
    """An amendment starts from the statuses last submitted."""
    rows = session.exec(
        select(SubmissionTaskStatus).where(SubmissionTaskStatus.submission_id == submission_id)
    )
    for row in rows:
        session.add(
            DraftTaskStatus(
                draft_id=draft_id, task_id=row.task_id, status=row.status, reason=row.reason
            )
        )
    session.flush()
