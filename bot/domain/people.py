"""Who is asking: a chat identity resolved to a person, their office role and their units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlmodel import Session

from storage.models import AssignmentRole, OfficeRole, Transport
from storage.repo_audit import add_audit_entry
from storage.repo_invites import open_registration_id
from storage.repo_people import (
    add_person_with_identity,
    whom,
)


@dataclass(frozen=True, slots=True)
class ChatAddress:
    """Where a private message goes: a transport and that platform's chat id."""

    transport: Transport
    chat_id: str


@dataclass(frozen=True, slots=True)
class IdentityRef:
    """A chat identity as the adapter saw it: platform user id, private chat, shown name."""

    transport: Transport
    external_id: str
    chat_id: str
    display_name: str

    @property
    def address(self) -> ChatAddress:
        return ChatAddress(self.transport, self.chat_id)

    @property
    def key(self) -> str:
        return f"{self.transport}:{self.external_id}"


@dataclass(frozen=True, slots=True)
class UnitRef:
    """A unit the requester reports for, and in which role."""

    id: int
    name: str
    role: AssignmentRole


@dataclass(frozen=True, slots=True)
class Requester:
    """The person behind a message, in domain terms (no platform ids)."""

    person_id: int | None
    name: str
    office_role: OfficeRole | None
    units: tuple[UnitRef, ...] = ()
    # an unfinished registration (/start CODE, 绑定 CODE) whose question the next message
    # answers: known with who is asking, so the other messages need no second look-up
    registration_id: int | None = None

    @property
    def unit_names(self) -> tuple[str, ...]:
        return tuple(unit.name for unit in self.units)

    @property
    def unit_ids(self) -> frozenset[int]:
        return frozenset(unit.id for unit in self.units)

    @property
    def is_liaison(self) -> bool:
        return bool(self.units)

    @property
    def is_office(self) -> bool:
        return self.office_role is not None

    @property
    def is_admin(self) -> bool:
        return self.office_role == OfficeRole.ADMIN

    @property
    def is_registered(self) -> bool:
        return self.is_liaison or self.is_office


def identify(
    *, db: Session | Connection, identity: IdentityRef, bootstrap_admin: bool, at: datetime
) -> Requester:
    """Resolve a chat identity; ``bootstrap_admin`` marks ids listed in OFFICE_ADMIN_IDS.

    Runs for every message, so it needs no Session: two Core queries on a connection (or on a
    session, when the caller has one open).
    """
    transport, external_id = identity.transport, identity.external_id
    found = whom(db=db, transport=transport, external_id=external_id, at=at)
    registering = open_registration_id(db=db, transport=transport, external_id=external_id)
    if found is None and bootstrap_admin:
        person_id, name = _record_bootstrap_admin(db, identity)
        return Requester(person_id, name, OfficeRole.ADMIN, (), registering)
    if found is None:
        return Requester(None, identity.display_name, None, (), registering)
    role = OfficeRole.ADMIN if bootstrap_admin else found.role
    units = tuple(UnitRef(*unit) for unit in found.units)
    return Requester(found.person_id, found.name, role, units, registering)


def _record_bootstrap_admin(db: Session | Connection, identity: IdentityRef) -> tuple[int, str]:
    """A bootstrap admin is recorded as a person on first contact, so that the office can be
    notified (bots cannot message people who never wrote to them) and audited by name. On a
    bare connection the Session joins its transaction, which the caller commits."""
    session = db if isinstance(db, Session) else Session(bind=db)
    person = add_person_with_identity(
        session=session,
        name=identity.display_name or identity.external_id,
        transport=identity.transport,
        external_id=identity.external_id,
        chat_id=identity.chat_id,
    )
    add_audit_entry(
        session=session, action="office_admin_first_contact", subject_person_id=person.id
    )
    session.flush()
    assert person.id is not None
    return person.id, person.name
