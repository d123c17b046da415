"""Repository functions for people, their chat identities, liaison assignments and roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy
from sqlalchemy import BindParameter, Connection, bindparam
from sqlmodel import Session, col, or_, select

from storage.db import table_of
from storage.models import (
    AssignmentRole,
    ChatIdentity,
    LiaisonAssignment,
    MemberUnit,
    OfficeRole,
    OfficeUser,
    Person,
    Transport,
)


def add_person(*, session: Session, name: str, phone: str | None = None) -> Person:
    person = Person(name=name, phone=phone)
    session.add(person)
    session.flush()
    return person


def link_identity(
    *, session: Session, person_id: int, transport: Transport, external_id: str, chat_id: str
) -> ChatIdentity:
    identity = ChatIdentity(
        person_id=person_id, transport=transport, external_id=external_id, chat_id=chat_id
    )
    session.add(identity)
    session.flush()
    return identity


def add_person_with_identity(
    *,
    session: Session,
    name: str,
    transport: Transport,
    external_id: str,
    chat_id: str,
    phone: str | None = None,
) -> Person:
    """A new person reachable on one chat platform (their first contact with the bot)."""
    person = add_person(session=session, name=name, phone=phone)
    assert person.id is not None
    link_identity(
        session=session,
        person_id=person.id,
        transport=transport,
        external_id=external_id,
        chat_id=chat_id,
    )
    return person


def find_person_by_identity(
    *, session: Session, transport: Transport, external_id: str
) -> Person | None:
    query = (
        select(Person)
        .join(ChatIdentity, col(ChatIdentity.person_id) == col(Person.id))
        .where(ChatIdentity.transport == transport, ChatIdentity.external_id == external_id)
    )
    return session.exec(query).first()


@dataclass(frozen=True, slots=True)
class Whom:
    """A chat identity's person, office role and current units, as plain values."""

    person_id: int
    name: str
    role: OfficeRole | None
    units: tuple[tuple[int, str, AssignmentRole], ...]  # id, display name, main or backup


def _whom_query() -> Any:
    """Plain table columns, not the models' attributes: an ORM-enabled statement costs more
    to execute (row processors set up per run) and nothing here needs entities."""
    person, office, unit = table_of(Person), table_of(OfficeUser), table_of(MemberUnit)
    assignment, identity = table_of(LiaisonAssignment), table_of(ChatIdentity)
    return (
        sqlalchemy.select(
            person.c.id, person.c.name, office.c.role, unit.c.id, unit.c.short_name,
            unit.c.full_name, assignment.c.role,
        )
        .select_from(identity)
        .join(person, identity.c.person_id == person.c.id)
        .join(
            office,
            (office.c.person_id == person.c.id) & office.c.revoked_at.is_(None),
            isouter=True,
        )
        .join(
            assignment,
            (assignment.c.person_id == person.c.id) & _current(bindparam("at")),
            isouter=True,
        )
        .join(unit, unit.c.id == assignment.c.unit_id, isouter=True)
        .where(
            identity.c.transport == bindparam("transport"),
            identity.c.external_id == bindparam("external_id"),
        )
        .order_by(unit.c.sort_order, unit.c.id)
    )  # fmt: skip


def whom(
    *, db: Session | Connection, transport: Transport, external_id: str, at: datetime
) -> Whom | None:
    """Who is behind a chat identity, in one query of plain columns: this runs for every
    message, so it builds no ORM objects (a row per current assignment, or one without)."""
    parameters = {"transport": transport, "external_id": external_id, "at": at}
    rows = db.execute(_WHOM, parameters).all()
    if not rows or rows[0][0] is None:
        return None
    person_id, name, role = rows[0][0], rows[0][1], rows[0][2]
    units = tuple(
        (unit_id, short or full, AssignmentRole(assigned))
        for _, _, _, unit_id, short, full, assigned in rows
        if unit_id is not None
    )
    return Whom(person_id, name, OfficeRole(role) if role else None, units)


def assign_liaison(
    *,
    session: Session,
    unit_id: int,
    person_id: int,
    role: AssignmentRole,
    valid_from: datetime,
    reason: str = "",
) -> LiaisonAssignment:
    assignment = LiaisonAssignment(
        unit_id=unit_id, person_id=person_id, role=role, valid_from=valid_from, reason=reason
    )
    session.add(assignment)
    session.flush()
    return assignment


def _current(at: datetime | BindParameter[datetime]) -> Any:
    """Assignments in force at ``at``, on the Core table's columns: usable in ORM queries and
    in Core statements that must stay free of ORM set-up alike."""
    assignment = table_of(LiaisonAssignment)
    return (assignment.c.valid_from <= at) & (
        assignment.c.valid_to.is_(None) | (assignment.c.valid_to > at)
    )


def assignments_of_person(
    *, session: Session, person_id: int, at: datetime
) -> list[tuple[LiaisonAssignment, MemberUnit]]:
    """The person's assignments current at ``at``, with their units, in the office's order."""
    query = (
        select(LiaisonAssignment, MemberUnit)
        .join(MemberUnit, col(MemberUnit.id) == col(LiaisonAssignment.unit_id))
        .where(LiaisonAssignment.person_id == person_id, _current(at))
        .order_by(col(MemberUnit.sort_order), col(MemberUnit.id))
    )
    return [(assignment, unit) for assignment, unit in session.exec(query)]


def units_of_person(*, session: Session, person_id: int, at: datetime) -> list[MemberUnit]:
    """Units the person reports for at ``at`` (as main or backup liaison)."""
    return [unit for _, unit in assignments_of_person(session=session, person_id=person_id, at=at)]


def current_liaisons(
    *, session: Session, at: datetime, unit_id: int | None = None
) -> list[tuple[LiaisonAssignment, Person]]:
    """Who reports for the unit (or, without ``unit_id``, for every unit, in one query) at
    ``at``: main liaisons first, then backups."""
    query = (
        select(LiaisonAssignment, Person)
        .join(Person, col(Person.id) == col(LiaisonAssignment.person_id))
        .where(_current(at))
        .order_by(col(LiaisonAssignment.role).desc(), col(LiaisonAssignment.valid_from))
    )
    if unit_id is not None:
        query = query.where(LiaisonAssignment.unit_id == unit_id)
    return [(assignment, person) for assignment, person in session.exec(query)]


MERGED_REASON = "merged"  # an assignment closed because its unit was merged into another


def liaisons_when_merged(
    *, session: Session, unit_ids: list[int]
) -> list[tuple[LiaisonAssignment, Person]]:
    """Who reported for these (merged) units until the merge closed their assignments."""
    query = (
        select(LiaisonAssignment, Person)
        .join(Person, col(Person.id) == col(LiaisonAssignment.person_id))
        .where(
            col(LiaisonAssignment.unit_id).in_(unit_ids),
            LiaisonAssignment.reason == MERGED_REASON,
        )
        .order_by(col(LiaisonAssignment.role).desc(), col(LiaisonAssignment.valid_from))
    )
    return [(assignment, person) for assignment, person in session.exec(query)]


def end_assignment(
    *, session: Session, assignment: LiaisonAssignment, valid_to: datetime, reason: str
) -> None:
    """Close an assignment; the row stays as history."""
    assignment.valid_to = valid_to
    assignment.reason = reason
    session.add(assignment)
    session.flush()


def identities_of_person(*, session: Session, person_id: int) -> list[ChatIdentity]:
    query = select(ChatIdentity).where(ChatIdentity.person_id == person_id)
    return list(session.exec(query.order_by(col(ChatIdentity.id))))


def office_admin_identities(
    *, session: Session, transport: Transport, bootstrap_external_ids: Iterable[str]
) -> list[ChatIdentity]:
    """Chat identities of every office admin: granted in the database or listed in settings."""
    granted = select(OfficeUser.person_id).where(
        OfficeUser.role == OfficeRole.ADMIN, col(OfficeUser.revoked_at).is_(None)
    )
    query = select(ChatIdentity).where(
        ChatIdentity.transport == transport,
        or_(
            col(ChatIdentity.person_id).in_(granted),
            col(ChatIdentity.external_id).in_(list(bootstrap_external_ids)),
        ),
    )
    return list(session.exec(query.order_by(col(ChatIdentity.id))))


def grant_office_role(
    *, session: Session, person_id: int, role: OfficeRole, granted_by_person_id: int | None = None
) -> OfficeUser:
    office_user = OfficeUser(
        person_id=person_id, role=role, granted_by_person_id=granted_by_person_id
    )
    session.add(office_user)
    session.flush()
    return office_user


def office_role_of(*, session: Session, person_id: int) -> OfficeRole | None:
    """The person's current (unrevoked) office role, if any."""
    query = select(OfficeUser.role).where(
        OfficeUser.person_id == person_id, col(OfficeUser.revoked_at).is_(None)
    )
    role = session.exec(query).first()
    return OfficeRole(role) if role else None


def list_office_users(*, session: Session) -> list[tuple[OfficeUser, Person]]:
    query = (
        select(OfficeUser, Person)
        .join(Person, col(Person.id) == col(OfficeUser.person_id))
        .where(col(OfficeUser.revoked_at).is_(None))
        .order_by(col(OfficeUser.id))
    )
    return [(office_user, person) for office_user, person in session.exec(query)]


def set_office_role(
    *,
    session: Session,
    person_id: int,
    role: OfficeRole | None,
    by_person_id: int | None,
    at: datetime,
) -> None:
    """Grant or change a person's office role, or revoke it (``role=None``).

    One row per person; the audit log keeps the history of grants and revocations.
    """
    current = session.exec(select(OfficeUser).where(OfficeUser.person_id == person_id)).first()
    if current is None:
        if role is not None:
            grant_office_role(
                session=session, person_id=person_id, role=role, granted_by_person_id=by_person_id
            )
        return
    if role is None:
        current.revoked_at = at
    else:
        current.role, current.granted_at, current.revoked_at = role, at, None
        current.granted_by_person_id = by_person_id
    session.add(current)
    session.flush()


def office_person_ids(
    *,
    session: Session,
    transport: Transport,
    bootstrap_external_ids: Iterable[str],
    admins_only: bool,
) -> list[int]:
    """People who hold an office role (or only admins), plus the admins named in settings."""
    roles = [OfficeRole.ADMIN] if admins_only else [OfficeRole.ADMIN, OfficeRole.STAFF]
    granted = select(OfficeUser.person_id).where(
        col(OfficeUser.role).in_(roles), col(OfficeUser.revoked_at).is_(None)
    )
    bootstrap = select(ChatIdentity.person_id).where(
        ChatIdentity.transport == transport,
        col(ChatIdentity.external_id).in_(list(bootstrap_external_ids)),
    )
    query = select(Person.id).where(or_(col(Person.id).in_(granted), col(Person.id).in_(bootstrap)))
    return [person_id for person_id in session.exec(query.order_by(col(Person.id))) if person_id]


def identities_by_person(
    *, session: Session, person_ids: Iterable[int]
) -> dict[int, list[ChatIdentity]]:
    """Each person's chat identities, oldest first, in one query."""
    query = select(ChatIdentity).where(col(ChatIdentity.person_id).in_(sorted(set(person_ids))))
    found: dict[int, list[ChatIdentity]] = {}
    for identity in session.exec(query.order_by(col(ChatIdentity.id))):
        found.setdefault(identity.person_id, []).append(identity)
    return found


# Built once, executed with parameters: for a statement run on every message, building it
# (and its cache key) cost several times more than running it (0.75 -> 0.2 ms).
_WHOM = _whom_query()


def unit_assignments(*, session: Session, unit_id: int) -> list[tuple[LiaisonAssignment, Person]]:
    """Everyone who has reported for the unit, current or not, newest first (its history)."""
    query = (
        select(LiaisonAssignment, Person)
        .join(Person, col(Person.id) == col(LiaisonAssignment.person_id))
        .where(LiaisonAssignment.unit_id == unit_id)
        .order_by(col(LiaisonAssignment.valid_from).desc(), col(LiaisonAssignment.id).desc())
    )
    return [(assignment, person) for assignment, person in session.exec(query)]
