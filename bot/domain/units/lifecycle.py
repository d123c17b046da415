"""Renaming, retiring (撤销) and restoring a unit.

A retired unit owes nothing from its retirement day: no prompts, no reminders, not counted
in any month whose prompt came after it (``standing``); every earlier month keeps its numbers
and its reports. Restoring clears the day. Renaming keeps the old name as an alias, so the
office's files that use it still match.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from bot.domain.importing.unit_names import plain
from bot.domain.units.aliases import keep_old_name, owner_of
from bot.domain.units.lookup import UnitActionRefused, unit_named
from storage.models import MemberUnit
from storage.repo_audit import add_audit_entry

MAX_NAME_LENGTH = 200


def rename_unit(
    *, session: Session, campaign_id: int, name: str, new_name: str, actor_person_id: int | None
) -> tuple[str, MemberUnit]:
    """Give the unit ``name`` names the full name ``new_name``; returns (old name, unit)."""
    unit = unit_named(session, campaign_id, name)
    wanted = " ".join(new_name.split())
    if not wanted or len(wanted) > MAX_NAME_LENGTH:
        raise UnitActionRefused("bad_name", name=wanted[:40])
    for other in session.exec(select(MemberUnit).where(MemberUnit.campaign_id == campaign_id)):
        names = (other.full_name, other.short_name, *other.aliases)
        if other.id != unit.id and plain(wanted) in {plain(n) for n in names if n}:
            raise UnitActionRefused("name_taken", name=wanted, unit=other.full_name)
    owner = owner_of(session, campaign_id, wanted)  # a confirmed alias of another unit
    if owner is not None and owner.id != unit.id:
        raise UnitActionRefused("name_taken", name=wanted, unit=owner.full_name)
    old = unit.full_name
    if old == wanted:
        return old, unit
    unit.full_name = wanted
    session.add(unit)
    session.flush()
    keep_old_name(session, campaign_id, unit, old)
    add_audit_entry(
        session=session, action="unit_renamed", actor_person_id=actor_person_id,
        unit_id=unit.id, old=old, new=wanted,
    )  # fmt: skip
    return old, unit


def retire_unit(
    *, session: Session, campaign_id: int, name: str, on: date, actor_person_id: int | None
) -> MemberUnit:
    """The unit owes no report from ``on`` (months whose prompt came before stay owed)."""
    unit = unit_named(session, campaign_id, name)
    unit.retired_on = on
    session.add(unit)
    add_audit_entry(
        session=session, action="unit_retired", actor_person_id=actor_person_id,
        unit_id=unit.id, retired_on=on.isoformat(),
    )  # fmt: skip
    session.flush()
    return unit


def restore_unit(
    *, session: Session, campaign_id: int, name: str, actor_person_id: int | None
) -> MemberUnit:
    """Undo a retirement: the unit owes reports again (a merged unit cannot be restored)."""
    unit = _retired_named(session, campaign_id, name)
    was = unit.retired_on
    unit.retired_on = None
    session.add(unit)
    add_audit_entry(
        session=session, action="unit_restored", actor_person_id=actor_person_id,
        unit_id=unit.id, retired_on=was.isoformat() if was else "",
    )  # fmt: skip
    session.flush()
    return unit


def _retired_named(session: Session, campaign_id: int, name: str) -> MemberUnit:
    unit = unit_named(session, campaign_id, name)  # merged units are inactive: not found
    if unit.retired_on is None:
        merged = session.exec(
            select(MemberUnit).where(
                MemberUnit.campaign_id == campaign_id,
                col(MemberUnit.full_name) == name.strip(),
                col(MemberUnit.active).is_(False),
            )
        ).first()
        if merged is not None:
            raise UnitActionRefused("merged_cannot_restore", name=merged.full_name)
        raise UnitActionRefused("not_retired", name=unit.full_name)
    return unit
