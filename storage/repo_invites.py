"""Invites, wrong-code attempts and registrations in progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

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
    query = select(Registration).where(
        Registration.transport == transport,
        Registration.external_id == external_id,
        col(Registration.finished_at).is_(None),
    )
    return session.exec(query.order_by(col(Registration.id).desc())).first()


def pending_change(*, session: Session, unit_id: int) -> LiaisonChange | None:
    query = select(LiaisonChange).where(
        LiaisonChange.unit_id == unit_id, LiaisonChange.status == "pending"
    )
    return session.exec(query).first()
