"""Read tasks and indicators with their units, in two queries (never one per task)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from storage.models import MemberUnit, Responsibility, Task, TaskUnit


@dataclass
class TaskWithUnits:
    task: Task
    lead: list[MemberUnit] = field(default_factory=list)  # lead first, then other responsible
    cooperating: list[MemberUnit] = field(default_factory=list)


def list_tasks(
    *, session: Session, campaign_id: int, unit_id: int | None = None, retired: bool = False
) -> list[TaskWithUnits]:
    """Tasks in plan order (retired ones only with ``retired``); with ``unit_id``, only those
    the unit leads or co-operates on."""
    query = select(Task).where(Task.campaign_id == campaign_id)
    if not retired:
        query = query.where(col(Task.retired_at).is_(None))
    if unit_id is not None:
        involved = select(TaskUnit.task_id).where(TaskUnit.unit_id == unit_id)
        query = query.where(col(Task.id).in_(involved))
    tasks = {t.id: TaskWithUnits(t) for t in session.exec(query.order_by(col(Task.sort_order)))}
    links = session.exec(
        select(TaskUnit, MemberUnit)
        .join(MemberUnit, col(MemberUnit.id) == col(TaskUnit.unit_id))
        .where(col(TaskUnit.task_id).in_(list(tasks)))
        .order_by(col(TaskUnit.position))
    )
    grouped: dict[int, list[tuple[TaskUnit, MemberUnit]]] = defaultdict(list)
    for link, unit in links:
        grouped[link.task_id].append((link, unit))
    for task_id, entry in tasks.items():
        for link, unit in grouped.get(task_id or 0, []):
            target = entry.cooperating if link.role == Responsibility.COOPERATING else entry.lead
            target.append(unit)
    return list(tasks.values())
