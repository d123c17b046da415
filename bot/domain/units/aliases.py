"""Other names of units, as the office confirms them: "区教委会 is 区教委", or "县医改办 is not
a unit at all". Every import matches a confirmed name exactly, so the office answers each
question once; answers are audit-logged and can be listed and taken back."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.domain.importing.unit_names import plain
from bot.domain.units.lookup import UnitActionRefused, unit_named
from storage.models import MemberUnit, UnitAlias
from storage.repo_audit import add_audit_entry

MAX_ALIAS_LENGTH = 200


@dataclass(frozen=True, slots=True)
class AliasRow:
    name: str
    unit: str  # the unit's full name; "" for a name confirmed as not a unit


def add_alias(
    *, session: Session, campaign_id: int, name: str, unit_name: str, actor_person_id: int | None
) -> MemberUnit:
    """Record ``name`` as another name of the unit ``unit_name`` names (replacing an earlier
    answer for the same name). Refused when ``name`` already names another unit."""
    written = _checked(name)
    unit = unit_named(session, campaign_id, unit_name)
    assert unit.id is not None
    owner = owner_of(session, campaign_id, written)
    if owner is not None and owner.id != unit.id:
        raise UnitActionRefused("name_taken", name=written, unit=owner.full_name)
    if owner is None:
        _store(session, campaign_id, written, unit.id, actor_person_id)
    add_audit_entry(
        session=session, action="unit_alias_added", actor_person_id=actor_person_id,
        unit_id=unit.id, name=written,
    )  # fmt: skip
    return unit


def ignore_name(
    *, session: Session, campaign_id: int, name: str, actor_person_id: int | None
) -> None:
    """Record ``name`` as not a unit: imports skip it without asking."""
    written = _checked(name)
    owner = owner_of(session, campaign_id, written)
    if owner is not None:
        raise UnitActionRefused("name_taken", name=written, unit=owner.full_name)
    _store(session, campaign_id, written, None, actor_person_id)
    add_audit_entry(
        session=session, action="unit_name_ignored", actor_person_id=actor_person_id,
        name=written,
    )  # fmt: skip


def remove_alias(
    *, session: Session, campaign_id: int, name: str, actor_person_id: int | None
) -> AliasRow:
    """Take back a confirmed answer (the next import asks about the name again)."""
    row = _alias(session, campaign_id, _checked(name))
    if row is None:
        raise UnitActionRefused("alias_not_found", name=name.strip())
    unit = session.get(MemberUnit, row.unit_id) if row.unit_id is not None else None
    session.delete(row)
    add_audit_entry(
        session=session, action="unit_alias_removed", actor_person_id=actor_person_id,
        unit_id=row.unit_id, name=row.name,
    )  # fmt: skip
    session.flush()
    return AliasRow(row.name, unit.full_name if unit else "")


def list_aliases(*, session: Session, campaign_id: int) -> list[AliasRow]:
    rows = session.exec(
        select(UnitAlias, MemberUnit)
        .join(MemberUnit, col(MemberUnit.id) == col(UnitAlias.unit_id), isouter=True)
        .where(UnitAlias.campaign_id == campaign_id)
        .order_by(col(UnitAlias.id))
    ).all()
    return [AliasRow(alias.name, unit.full_name if unit else "") for alias, unit in rows]


def move_aliases(session: Session, campaign_id: int, source: MemberUnit, target: MemberUnit) -> int:
    """On a merge: the source's confirmed aliases and its own names become the target's."""
    assert source.id is not None and target.id is not None
    moved = 0
    for row in session.exec(select(UnitAlias).where(UnitAlias.unit_id == source.id)):
        row.unit_id = target.id
        session.add(row)
        moved += 1
    target_names = {plain(n) for n in (target.full_name, target.short_name, *target.aliases) if n}
    for name in dict.fromkeys((source.full_name, source.short_name, *source.aliases)):
        if not name or plain(name) in target_names:
            continue
        existing = _alias(session, campaign_id, name)
        if existing is None:
            _store(session, campaign_id, name, target.id, None)
            moved += 1
        elif existing.unit_id != target.id:
            existing.unit_id = target.id
            session.add(existing)
    session.flush()
    return moved


def keep_old_name(session: Session, campaign_id: int, unit: MemberUnit, old_name: str) -> None:
    """On a rename: the old full name stays an alias, so files that use it still match."""
    assert unit.id is not None
    existing = _alias(session, campaign_id, old_name)
    if existing is None:
        _store(session, campaign_id, old_name, unit.id, None)
    else:
        existing.unit_id = unit.id
        session.add(existing)
    session.flush()


def _checked(name: str) -> str:
    written = " ".join(name.split())
    if not written or len(written) > MAX_ALIAS_LENGTH:
        raise UnitActionRefused("bad_name", name=written[:40])
    return written


def owner_of(session: Session, campaign_id: int, name: str) -> MemberUnit | None:
    """The active unit ``name`` already names literally (its own names or a confirmed alias)."""
    wanted = plain(name)
    for unit in session.exec(
        select(MemberUnit).where(
            MemberUnit.campaign_id == campaign_id, col(MemberUnit.active).is_(True)
        )
    ):
        if wanted in {plain(n) for n in (unit.full_name, unit.short_name, *unit.aliases) if n}:
            return unit
    row = _alias(session, campaign_id, name)
    if row is not None and row.unit_id is not None:
        return session.get(MemberUnit, row.unit_id)
    return None


def _alias(session: Session, campaign_id: int, name: str) -> UnitAlias | None:
    wanted = plain(name)
    for row in session.exec(select(UnitAlias).where(UnitAlias.campaign_id == campaign_id)):
        if plain(row.name) == wanted:
            return row
    return None


def _store(
    session: Session, campaign_id: int, name: str, unit_id: int | None, actor: int | None
) -> None:
    row = _alias(session, campaign_id, name)
    if row is None:
        row = UnitAlias(
            campaign_id=campaign_id, name=name, unit_id=unit_id, created_by_person_id=actor
        )
    else:
        row.unit_id = unit_id
    session.add(row)
    session.flush()
