"""Tasks and indicators with their units: written, compared with what is stored, counted.

A row counts as updated only when what it says changed (its text, deadline, remarks, units);
its place in the file (``sort_order``) follows silently, so a file whose rows were merely
reordered reports nothing updated. Group references (各乡镇 …) expand to the units of that
kind at import time and are kept as written on the task, with their role, so links can be
completed when such units are imported later.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from bot.domain.importing.plan import IndicatorSpec, TaskSpec
from bot.domain.importing.unit_names import GroupRef, GroupScope, group_of
from storage.models import (
    Indicator,
    IndicatorUnit,
    MemberUnit,
    Responsibility,
    Task,
    TaskUnit,
    UnitCategory,
)

GROUP_CATEGORIES = {
    GroupScope.TOWNSHIPS: (UnitCategory.TOWNSHIP,),
    GroupScope.MEDICAL: (UnitCategory.MEDICAL,),
    GroupScope.DEPARTMENTS: (UnitCategory.DEPARTMENT,),
    GroupScope.ALL: tuple(UnitCategory),
}
SILENT_FIELDS = ("sort_order",)  # kept up to date, never an "update" on their own


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def expand_groups(
    groups: Sequence[tuple[str, GroupRef]], units: dict[str, MemberUnit]
) -> list[tuple[str, MemberUnit, str]]:
    """(role, unit, group label) for every active, unretired unit a group stands for."""
    expanded = []
    for role, group in groups:
        for unit in units.values():
            if (
                unit.active
                and unit.retired_on is None
                and unit.category in GROUP_CATEGORIES.get(group.scope, ())
            ):
                expanded.append((role, unit, group.label))
    return expanded


def _task_links(task: TaskSpec, units: dict[str, MemberUnit]) -> list[TaskUnit]:
    links: dict[int, TaskUnit] = {}
    lead = [name for name in task.responsible if name in units]
    named = [
        (Responsibility.LEAD if i == 0 else Responsibility.RESPONSIBLE, units[name], "")
        for i, name in enumerate(lead)
    ] + [(Responsibility.COOPERATING, units[n], "") for n in task.cooperating if n in units]
    grouped = [
        (
            Responsibility.RESPONSIBLE if role == "responsible" else Responsibility.COOPERATING,
            unit,
            label,
        )
        for role, unit, label in expand_groups(task.groups, units)
    ]
    for position, (role, unit, via) in enumerate([*named, *grouped]):
        assert unit.id is not None
        links.setdefault(
            unit.id,
            TaskUnit(task_id=0, unit_id=unit.id, role=role, position=position, via_group=via),
        )
    return list(links.values())


def apply_task(
    session: Session,
    campaign_id: int,
    spec: TaskSpec,
    order: int,
    units: dict[str, MemberUnit],
    counts: Counts,
) -> bool:
    """Create or update the task and its links; True when its links were (re)written."""
    fields: dict[str, Any] = {
        "category_path": list(spec.category_path),
        "content": spec.content,
        "deadline_raw": spec.deadline.raw,
        "deadline_kind": spec.deadline.kind,
        "deadline_date": spec.deadline.date,
        "remarks": spec.remarks,
        "groups": [group.label for _, group in spec.groups],
        "cooperating_groups": [g.label for role, g in spec.groups if role == "cooperating"],
        "retired_at": None,  # a retired task the plan has again is asked again
        "sort_order": order,
    }
    task = session.exec(
        select(Task).where(Task.campaign_id == campaign_id, Task.code == spec.code)
    ).first()
    links = _task_links(spec, units)
    if task is None:
        task = Task(campaign_id=campaign_id, code=spec.code, **fields)
        session.add(task)
        session.flush()
        counts.created += 1
    else:
        current = session.exec(select(TaskUnit).where(TaskUnit.task_id == task.id)).all()
        same_links = {(link.unit_id, link.role, link.via_group) for link in current} == {
            (link.unit_id, link.role, link.via_group) for link in links
        }
        if not _update(session, task, fields, current, same_links=same_links, counts=counts):
            return False
    assert task.id is not None
    for link in links:
        link.task_id = task.id
        session.add(link)
    session.flush()
    return True


def _update(
    session: Session,
    record: Task | Indicator,
    fields: dict[str, Any],
    links: Sequence[TaskUnit | IndicatorUnit],
    *,
    same_links: bool,
    counts: Counts,
) -> bool:
    """Re-import of an existing row: count it unchanged (its order kept up to date), or set
    its fields and drop its old unit links (the caller writes the new ones) and count it
    updated. True when updated."""
    changed = [k for k, v in fields.items() if getattr(record, k) != v and k not in SILENT_FIELDS]
    for key in SILENT_FIELDS:
        if key in fields and getattr(record, key) != fields[key]:
            setattr(record, key, fields[key])
            session.add(record)
    if same_links and not changed:
        counts.unchanged += 1
        return False
    for key, value in fields.items():
        setattr(record, key, value)
    for link in links:
        session.delete(link)
    session.flush()
    counts.updated += 1
    return True


def apply_indicator(
    session: Session,
    campaign_id: int,
    spec: IndicatorSpec,
    order: int,
    units: dict[str, MemberUnit],
    counts: Counts,
) -> None:
    fields: dict[str, Any] = {
        "target_raw": spec.target.raw,
        "comparator": spec.target.comparator,
        "target_value": spec.target.value,
        "measure": spec.target.measure,
        "deadline_raw": spec.deadline.raw,
        "deadline_kind": spec.deadline.kind,
        "deadline_date": spec.deadline.date,
        "sort_order": order,
    }
    indicator = session.exec(
        select(Indicator).where(Indicator.campaign_id == campaign_id, Indicator.name == spec.name)
    ).first()
    wanted = list(dict.fromkeys(units[name].id for name in spec.responsible if name in units))
    if indicator is None:
        indicator = Indicator(campaign_id=campaign_id, name=spec.name, **fields)
        session.add(indicator)
        session.flush()
        counts.created += 1
    else:
        current = session.exec(
            select(IndicatorUnit)
            .where(IndicatorUnit.indicator_id == indicator.id)
            .order_by(col(IndicatorUnit.position))
        ).all()
        same_links = [link.unit_id for link in current] == wanted
        if not _update(session, indicator, fields, current, same_links=same_links, counts=counts):
            return
    assert indicator.id is not None
    for position, unit_id in enumerate(wanted):
        assert unit_id is not None
        role = Responsibility.LEAD if position == 0 else Responsibility.RESPONSIBLE
        session.add(
            IndicatorUnit(indicator_id=indicator.id, unit_id=unit_id, role=role, position=position)
        )
    session.flush()


def complete_group_links(
    session: Session, campaign_id: int, units: dict[str, MemberUnit], *, skip: Collection[str]
) -> list[tuple[str, str]]:
    """Stored tasks (other than ``skip``, being imported now) whose groups now stand for units
    they are not yet linked to — 各乡镇 imported before any 乡镇 was — get those links.
    Returns (task code, group) for each group that gained units."""
    completed = []
    tasks = session.exec(
        select(Task).where(Task.campaign_id == campaign_id, col(Task.retired_at).is_(None))
    ).all()
    for task in tasks:
        if task.code in skip or not task.groups:
            continue
        linked = {
            link.unit_id: link
            for link in session.exec(select(TaskUnit).where(TaskUnit.task_id == task.id))
        }
        position = max((link.position for link in linked.values()), default=-1) + 1
        for label in task.groups:
            group = group_of(label)
            if group is None:
                continue
            role = "cooperating" if label in task.cooperating_groups else "responsible"
            added = False
            for _, unit, _ in expand_groups([(role, group)], units):
                if unit.id is None or unit.id in linked:
                    continue
                link = TaskUnit(
                    task_id=task.id or 0,
                    unit_id=unit.id,
                    role=Responsibility.COOPERATING
                    if role == "cooperating"
                    else Responsibility.RESPONSIBLE,
                    position=position,
                    via_group=label,
                )
                session.add(link)
                linked[unit.id] = link
                position += 1
                added = True
            if added:
                completed.append((task.code, label))
    session.flush()
    return completed
