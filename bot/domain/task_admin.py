"""The office's word on tasks: close one that is finished or no longer asked (and reopen it),
and whether co-operating (配合) units are asked about tasks too. Both change only what the
report asks from now on; what was submitted stays."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage.models import Campaign, Task
from storage.repo_units import get_default_campaign


class TaskActionRefused(Exception):
    """Nothing was changed: ``reason`` names the message (``task_not_found``, ``no_campaign``)."""

    def __init__(self, reason: str, **values: str) -> None:
        super().__init__(reason)
        self.reason, self.values = reason, values


def _campaign(session: Session) -> Campaign:
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        raise TaskActionRefused("no_campaign")
    return campaign


def _task(session: Session, code: str) -> Task:
    campaign = _campaign(session)
    task = session.exec(
        select(Task).where(Task.campaign_id == campaign.id, Task.code == code.strip())
    ).first()
    if task is None:
        raise TaskActionRefused("task_not_found", code=code)
    return task


def close_task(*, session: Session, code: str, at: datetime) -> Task:
    """No unit is asked about the task any more (a one-off task the office considers done)."""
    task = _task(session, code)
    task.closed_at = task.closed_at or at
    session.add(task)
    session.flush()
    return task


def reopen_task(*, session: Session, code: str) -> Task:
    task = _task(session, code)
    task.closed_at = None
    session.add(task)
    session.flush()
    return task


def set_cooperating(*, session: Session, on: bool) -> Campaign:
    """Whether co-operating units are asked about each task (default: only lead units)."""
    campaign = _campaign(session)
    campaign.report_cooperating_tasks = on
    session.add(campaign)
    session.flush()
    return campaign
