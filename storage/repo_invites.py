"""Invites, wrong-code attempts and registrations in progress."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy
from sqlalchemy import Connection, bindparam, update
from sqlmodel import Session, col, select

from storage.db import table_of
from storage.models import (
    AssignmentRole,
    Invite,
    InviteFailure,
    LiaisonChange,
    Registration,
    Transport,
)


def add_invite(
    *,
    session: Session,
    unit_id: int,
    code_sha256: str,
    role: AssignmentRole,
    replacement: bool,
    expires_at: datetime,
    created_by_person_id: int | None,
) -> Invite:
    invite = Invite(
        unit_id=unit_id,
        code_sha256=code_sha256,
        role=role,
        replacement=replacement,
        expires_at=expires_at,
        created_by_person_id=created_by_person_id,
    )
    session.add(invite)
    session.flush()
    return invite


def find_invite(*, session: Session, code_sha256: str) -> Invite | None:
    return session.exec(select(Invite).where(Invite.code_sha256 == code_sha256)).first()


def claim_invite(*, session: Session, invite_id: int, claimant: str, at: datetime) -> bool:
    """Mark the invite used, atomically: False if someone else claimed it first."""
    result = session.execute(
        update(Invite)
        .where(col(Invite.id) == invite_id, col(Invite.claimed_at).is_(None))
        .values(claimed_at=at, claimed_by=claimant)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def record_failure(
    *, session: Session, transport: Transport, external_id: str, at: datetime
) -> None:
    session.add(InviteFailure(transport=transport, external_id=external_id, at=at))
    session.flush()


def failures_since(
    *, session: Session, transport: Transport, external_id: str, since: datetime
) -> list[datetime]:
    query = select(InviteFailure.at).where(
        InviteFailure.transport == transport,
        InviteFailure.external_id == external_id,
        col(InviteFailure.at) >= since,
    )
    return sorted(session.exec(query))


def open_registration(
    *, session: Session, transport: Transport, external_id: str
) -> Registration | None:
    """The sender's unfinished registration, if any."""
    found = open_registration_id(db=session, transport=transport, external_id=external_id)
    return session.get(Registration, found) if found is not None else None


def open_registration_id(
    *, db: Session | Connection, transport: Transport, external_id: str
) -> int | None:
    """Its id only: every message asks, and almost none has one (a Core query: no ORM row
    set-up)."""
    parameters = {"transport": transport, "external_id": external_id}
    found = db.execute(_OPEN_REGISTRATION, parameters).scalar()
    return int(found) if found is not None else None


_REGISTRATION = table_of(Registration)
_OPEN_REGISTRATION = (  # built once
    sqlalchemy.select(_REGISTRATION.c.id)
    .where(
        _REGISTRATION.c.transport == bindparam("transport"),
        _REGISTRATION.c.external_id == bindparam("external_id"),
        _REGISTRATION.c.finished_at.is_(None),
    )
    .order_by(_REGISTRATION.c.id.desc())
    .limit(1)
)


def pending_change(*, session: Session, unit_id: int) -> LiaisonChange | None:
    query = select(LiaisonChange).where(
        LiaisonChange.unit_id == unit_id, LiaisonChange.status == "pending"
    )
    return session.exec(query).first()
