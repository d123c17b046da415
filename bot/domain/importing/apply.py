"""Write an import plan to the database, idempotently, and say what changed.

Units are matched by name (full, short, alias, abbreviation) or created; tasks are keyed by
their code (their place in the plan), indicators by name. Importing the same file twice
changes nothing; a changed row updates its record. Group references (各乡镇 …) expand to the
matching units at import time and are kept as written on the task.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from bot.domain.importing.plan import (
    ImportPlan,
    IndicatorSpec,
    TaskSpec,
    build_plan,
    campaign_name,
    infer_category,
)
from bot.domain.importing.readers import ImportFileError, read_blocks
from bot.domain.importing.unit_names import GroupRef, GroupScope
from storage.models import (
    Indicator,
    IndicatorUnit,
    MemberUnit,
    Responsibility,
    Task,
    TaskUnit,
    UnitCategory,
)
from storage.repo_audit import add_audit_entry
from storage.repo_units import add_unit, create_campaign, get_default_campaign, list_units

GROUP_CATEGORIES = {
    GroupScope.TOWNSHIPS: (UnitCategory.TOWNSHIP,),
    GroupScope.MEDICAL: (UnitCategory.MEDICAL,),
    GroupScope.DEPARTMENTS: (UnitCategory.DEPARTMENT,),
    GroupScope.ALL: tuple(UnitCategory),
}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    plan: ImportPlan
    campaign: str
    units: Counts = field(default_factory=Counts)
    tasks: Counts = field(default_factory=Counts)
    indicators: Counts = field(default_factory=Counts)
    units_created: list[str] = field(default_factory=list)
    units_matched: list[str] = field(default_factory=list)
    dry_run: bool = False


def plan_file(*, session: Session, name: str, data: bytes) -> ImportPlan:
    """Read and check a file against the units already stored; writes nothing."""
    campaign = get_default_campaign(session=session)
    existing = (
        [
            (u.full_name, [u.short_name, *u.aliases])
            for u in list_units(session=session, campaign_id=campaign.id)
        ]
        if campaign is not None and campaign.id is not None
        else []
    )
    return build_plan(read_blocks(name, data), existing=existing)


def import_file(
    *, session: Session, path: Path | None = None, name: str = "", data: bytes = b"", dry_run: bool
) -> ImportResult:
    """Plan the file and, unless ``dry_run``, write it; raises ImportFileError if unreadable."""
    if path is not None:
        name, data = path.name, path.read_bytes()
    plan = plan_file(session=session, name=name, data=data)
    if plan.is_empty:
        raise ImportFileError("nothing_recognised", name)
    campaign = get_default_campaign(session=session)
    title = campaign.name if campaign else campaign_name(plan.title or Path(name).stem)
    result = ImportResult(plan, title, dry_run=dry_run)
    result.units_matched = [u.full_name for u in plan.units.values() if u.known]
    if dry_run:
        result.units.created = len(plan.new_units)
        result.units.unchanged = len(plan.units) - len(plan.new_units)  # matched, as far as known
        result.units_created = [u.full_name for u in plan.new_units]
        result.tasks.created = len(plan.tasks)
        result.indicators.created = len(plan.indicators)
        return result
    if campaign is None:
        campaign = create_campaign(session=session, name=title)
    assert campaign.id is not None
    units = _apply_units(session, campaign.id, plan, result)
    for order, task in enumerate(plan.tasks):
        _apply_task(session, campaign.id, task, order, units, result.tasks)
    for order, indicator in enumerate(plan.indicators):
        _apply_indicator(session, campaign.id, indicator, order, units, result.indicators)
    add_audit_entry(
        session=session,
        action="campaign_imported",
        file=name,
        units_created=str(result.units.created),
        tasks=f"{result.tasks.created}/{result.tasks.updated}/{result.tasks.unchanged}",
    )
    return result


def _apply_units(
    session: Session, campaign_id: int, plan: ImportPlan, result: ImportResult
) -> dict[str, MemberUnit]:
    stored = {
        u.full_name: u
        for u in list_units(session=session, campaign_id=campaign_id, active_only=False)
    }
    next_order = max((u.sort_order for u in stored.values()), default=-1) + 1
    for spec in plan.units.values():
        unit = stored.get(spec.full_name)
        if unit is None:
            unit = add_unit(
                session=session,
                campaign_id=campaign_id,
                full_name=spec.full_name,
                short_name=spec.short_name,
                aliases=spec.aliases,
                category=spec.category or infer_category(spec.full_name),
                sort_order=next_order,
            )
            unit.duties = spec.duties
            next_order += 1
            stored[unit.full_name] = unit
            result.units.created += 1
            result.units_created.append(unit.full_name)
            continue
        wanted = {
            "short_name": spec.short_name or unit.short_name,
            "aliases": list(spec.aliases) or unit.aliases,
            "category": spec.category or unit.category,
            "duties": spec.duties or unit.duties,
        }
        if any(getattr(unit, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(unit, key, value)
            session.add(unit)
            result.units.updated += 1
        else:
            result.units.unchanged += 1
    session.flush()
    return stored


def _expand(
    groups: Sequence[tuple[str, GroupRef]], units: dict[str, MemberUnit]
) -> list[tuple[str, MemberUnit, str]]:
    expanded = []
    for role, group in groups:
        for unit in units.values():
            if unit.active and unit.category in GROUP_CATEGORIES.get(group.scope, ()):
                expanded.append((role, unit, group.label))
    return expanded


def _task_links(task: TaskSpec, units: dict[str, MemberUnit]) -> list[TaskUnit]:
    links: dict[int, TaskUnit] = {}
    named = [
        (Responsibility.LEAD if i == 0 else Responsibility.RESPONSIBLE, units[name], "")
        for i, name in enumerate(task.responsible)
    ] + [(Responsibility.COOPERATING, units[name], "") for name in task.cooperating]
    grouped = [
        (
            Responsibility.RESPONSIBLE if role == "responsible" else Responsibility.COOPERATING,
            unit,
            label,
        )
        for role, unit, label in _expand(task.groups, units)
    ]
    for position, (role, unit, via) in enumerate([*named, *grouped]):
        assert unit.id is not None
        links.setdefault(
            unit.id,
            TaskUnit(task_id=0, unit_id=unit.id, role=role, position=position, via_group=via),
        )
    return list(links.values())


def _apply_task(
    session: Session,
    campaign_id: int,
    spec: TaskSpec,
    order: int,
    units: dict[str, MemberUnit],
    counts: Counts,
) -> None:
    fields: dict[str, Any] = {
        "category_path": list(spec.category_path),
        "content": spec.content,
        "deadline_raw": spec.deadline.raw,
        "deadline_kind": spec.deadline.kind,
        "deadline_date": spec.deadline.date,
        "remarks": spec.remarks,
        "groups": [group.label for _, group in spec.groups],
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
            return
    assert task.id is not None
    for link in links:
        link.task_id = task.id
        session.add(link)
    session.flush()


def _update(
    session: Session,
    record: Task | Indicator,
    fields: dict[str, Any],
    links: Sequence[TaskUnit | IndicatorUnit],
    *,
    same_links: bool,
    counts: Counts,
) -> bool:
    """Re-import of an existing row: count it unchanged, or set its fields and drop its old
    unit links (the caller writes the new ones) and count it updated. True when updated."""
    if same_links and all(getattr(record, key) == value for key, value in fields.items()):
        counts.unchanged += 1
        return False
    for key, value in fields.items():
        setattr(record, key, value)
    for link in links:
        session.delete(link)
    session.flush()
    counts.updated += 1
    return True


def _apply_indicator(
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
    wanted = [units[name].id for name in spec.responsible]
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
    for position, unit_id in enumerate(dict.fromkeys(wanted)):
        assert unit_id is not None
        role = Responsibility.LEAD if position == 0 else Responsibility.RESPONSIBLE
        session.add(
            IndicatorUnit(indicator_id=indicator.id, unit_id=unit_id, role=role, position=position)
        )
    session.flush()
