"""Write an import plan to the database, idempotently, and say what changed.

Units are matched by name (``names``) — never invented: the plan says which new ones a member
list or the office's confirmation creates, and a name still unresolved gets no link. Tasks
are keyed by their code (their place in the plan), indicators by name. Importing the same
file twice changes nothing, and a file whose rows only moved changes nothing either (their
order is kept, not counted as an update); a changed row updates its record.

The check is the import: a dry run writes everything inside a savepoint and rolls it back, so
its counts are exactly those the real import then reports.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from bot.domain.campaign import Identity, identity_of
from bot.domain.importing.cells import campaign_name, infer_category
from bot.domain.importing.links import (
    Counts,
    apply_indicator,
    apply_task,
    complete_group_links,
    expand_groups,
)
from bot.domain.importing.names import unit_index
from bot.domain.importing.plan import ImportPlan, Unresolved, build_plan
from bot.domain.importing.readers import ImportFileError, read_blocks
from bot.domain.importing.unit_names import GroupScope, UnitIndex
from storage.models import Campaign, MemberUnit, Task
from storage.repo_audit import add_audit_entry
from storage.repo_units import add_unit, create_campaign, get_default_campaign, list_units
from storage.types import utcnow


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    plan: ImportPlan
    identity: Identity
    title: str = ""  # the campaign a document's title names: offered, never applied
    units: Counts = field(default_factory=Counts)
    tasks: Counts = field(default_factory=Counts)
    indicators: Counts = field(default_factory=Counts)
    units_created: list[str] = field(default_factory=list)
    units_matched: list[str] = field(default_factory=list)
    empty_groups: list[tuple[str, str]] = field(default_factory=list)  # (task code, group)
    links_completed: list[tuple[str, str]] = field(default_factory=list)  # (task code, group)
    missing_tasks: list[tuple[str, str]] = field(default_factory=list)  # (code, content)
    tasks_retired: int = 0
    common_duties_changed: bool = False
    display_names: dict[str, str] = field(default_factory=dict)  # full name → short name
    dry_run: bool = False

    @property
    def campaign(self) -> str:
        return self.identity.name

    @property
    def unresolved(self) -> list[Unresolved]:
        return list(self.plan.unresolved.values())


def plan_file(
    *,
    session: Session,
    name: str,
    data: bytes,
    create: Collection[str] = (),
    create_unmatched: bool = False,
) -> ImportPlan:
    """Read and check a file against the units and aliases already stored; writes nothing."""
    campaign = get_default_campaign(session=session)
    index = (
        unit_index(session=session, campaign_id=campaign.id)
        if campaign is not None and campaign.id is not None
        else UnitIndex()
    )
    return build_plan(
        read_blocks(name, data), index=index, create=create, create_all=create_unmatched
    )


def import_file(
    *,
    session: Session,
    path: Path | None = None,
    name: str = "",
    data: bytes = b"",
    dry_run: bool,
    create: Collection[str] = (),
    create_unmatched: bool = False,
    retire_missing: bool = False,
    actor_person_id: int | None = None,
) -> ImportResult:
    """Plan the file and write it — for a dry run inside a savepoint that is rolled back.
    ``create`` names the office confirmed as new units; ``create_unmatched`` confirms every
    name that resembles no unit; ``retire_missing`` retires stored tasks the plan no longer
    has. Raises ImportFileError if the file cannot be read."""
    if path is not None:
        name, data = path.name, path.read_bytes()
    plan = plan_file(
        session=session, name=name, data=data, create=create, create_unmatched=create_unmatched
    )
    if plan.is_empty:
        raise ImportFileError("nothing_recognised", name)
    if not dry_run:
        return _write(session, plan, name, retire_missing, actor_person_id)
    savepoint = session.begin_nested()
    try:
        result = _write(session, plan, name, retire_missing, actor_person_id)
    finally:
        savepoint.rollback()
    result.dry_run = True
    return result


def _write(
    session: Session,
    plan: ImportPlan,
    file_name: str,
    retire_missing: bool,
    actor_person_id: int | None,
) -> ImportResult:
    campaign = get_default_campaign(session=session) or create_campaign(session=session, name="")
    assert campaign.id is not None
    result = ImportResult(plan, identity_of(campaign), title=campaign_name(plan.title))
    result.units_matched = [u.full_name for u in plan.units.values() if u.known]
    units = _apply_units(session, campaign.id, plan, result)
    result.display_names = {name: unit.display_name for name, unit in units.items()}
    if plan.common_duties and plan.common_duties != campaign.common_duties:
        campaign.common_duties = plan.common_duties
        session.add(campaign)
        result.common_duties_changed = True
    if result.units_created:
        result.links_completed = complete_group_links(
            session, campaign.id, units, skip={task.code for task in plan.tasks}
        )
    for order, task in enumerate(plan.tasks):
        apply_task(session, campaign.id, task, order, units, result.tasks)
        result.empty_groups.extend(
            (task.code, group.label)
            for role, group in task.groups
            if group.scope != GroupScope.UNKNOWN and not expand_groups([(role, group)], units)
        )
    for order, indicator in enumerate(plan.indicators):
        apply_indicator(session, campaign.id, indicator, order, units, result.indicators)
    if plan.tasks:
        _missing_tasks(session, campaign, plan, result, retire=retire_missing)
    add_audit_entry(
        session=session,
        action="campaign_imported",
        actor_person_id=actor_person_id,
        file=file_name,
        units_created=str(result.units.created),
        tasks=f"{result.tasks.created}/{result.tasks.updated}/{result.tasks.unchanged}",
        unresolved=str(len(plan.unresolved)),
        tasks_retired=str(result.tasks_retired),
    )
    session.flush()
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
    return {name: unit for name, unit in stored.items() if unit.active}


def _missing_tasks(
    session: Session, campaign: Campaign, plan: ImportPlan, result: ImportResult, *, retire: bool
) -> None:
    """Stored tasks this plan no longer has: listed, and retired (no longer asked, their
    history kept) when the office confirmed it."""
    codes = {task.code for task in plan.tasks}
    stored = session.exec(
        select(Task)
        .where(Task.campaign_id == campaign.id, col(Task.retired_at).is_(None))
        .order_by(col(Task.sort_order))
    ).all()
    for task in stored:
        if task.code in codes:
            continue
        result.missing_tasks.append((task.code, task.content))
        if retire:
            task.retired_at = utcnow()
            session.add(task)
            result.tasks_retired += 1
    session.flush()
