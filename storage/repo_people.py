"""Repository functions for people, their chat identities, liaison assignments and roles."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, or_, select

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


def find_person_by_identity(
    *, session: Session, transport: Transport, external_id: str
) -> Person | None:
    query = (
        select(Person)
        .join(ChatIdentity, col(ChatIdentity.person_id) == col(Person.id))
        .where(ChatIdentity.transport == transport, ChatIdentity.external_id == external_id)
    )
    return session.exec(query).first()


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


def units_of_person(*, session: Session, person_id: int, at: datetime) -> list[MemberUnit]:
    """Units the person reports for at ``at`` (as main or backup liaison)."""
    current = select(LiaisonAssignment.unit_id).where(
        LiaisonAssignment.person_id == person_id,
        col(LiaisonAssignment.valid_from) <= at,
        or_(col(LiaisonAssignment.valid_to).is_(None), col(LiaisonAssignment.valid_to) > at),
    )
    query = (
        select(MemberUnit)
        .where(col(MemberUnit.id).in_(current))
        .order_by(col(MemberUnit.sort_order), col(MemberUnit.id))
    )
    return list(session.exec(query))


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
