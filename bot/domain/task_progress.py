"""Task progress in the monthly report: each open task the unit leads or co-operates on gets
a status; 滞后 and 停顿 need a reason. The task being asked is derived from the draft (the
first without a status, or one still waiting for its reason), so nothing else holds state."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.models import (
    DraftTaskStatus,
    Submission,
    SubmissionTaskStatus,
    Task,
    TaskStatus,
    TaskUnit,
)


@dataclass(frozen=True, slots=True)
class Pending:
    """The task the liaison is asked about, and whether its reason is what is missing."""

    task: Task
    position: int
    total: int
    needs_reason: TaskStatus | None


def open_tasks(*, session: Session, unit_id: int, period: str) -> list[Task]:
    """The unit's tasks, minus those it already reported 已完成 for an earlier month and those
    the office retired (a re-imported plan no longer has them)."""
    linked = select(TaskUnit.task_id).where(TaskUnit.unit_id == unit_id)
    finished = (
        select(SubmissionTaskStatus.task_id)
        .join(Submission, col(Submission.id) == col(SubmissionTaskStatus.submission_id))
        .where(
            Submission.unit_id == unit_id,
            col(Submission.period) < period,
            SubmissionTaskStatus.status == TaskStatus.DONE,
        )
    )
    query = (
        select(Task)
        .where(
            col(Task.id).in_(linked), col(Task.id).not_in(finished), col(Task.retired_at).is_(None)
        )
        .order_by(col(Task.sort_order))
    )
    return list(session.exec(query))


def statuses(*, session: Session, draft_id: int) -> dict[int, DraftTaskStatus]:
    rows = session.exec(select(DraftTaskStatus).where(DraftTaskStatus.draft_id == draft_id))
    return {row.task_id: row for row in rows}


def pending(*, session: Session, draft_id: int, unit_id: int, period: str) -> Pending | None:
    tasks = open_tasks(session=session, unit_id=unit_id, period=period)
    given = statuses(session=session, draft_id=draft_id)
    for position, task in enumerate(tasks, 1):
        status = given.get(task.id or 0)
        if status is None:
            return Pending(task, position, len(tasks), None)
        if TaskStatus(status.status).needs_reason and not status.reason:
            return Pending(task, position, len(tasks), TaskStatus(status.status))
    return None


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


def summary(*, session: Session, draft_id: int) -> list[dict[str, str]]:
    """What the review shows: each task's code, text, status and reason."""
    rows = session.exec(
        select(DraftTaskStatus, Task)
        .join(Task, col(Task.id) == col(DraftTaskStatus.task_id))
        .where(DraftTaskStatus.draft_id == draft_id)
        .order_by(col(Task.sort_order))
    )
    return [
        {
            "code": task.code,
            "content": task.content,
            "status": str(row.status),
            "reason": row.reason,
        }
        for row, task in rows
    ]


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
