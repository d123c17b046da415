"""The audit log: one row per registration, liaison change and role grant."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import AuditEntry


def add_audit_entry(
    *,
    session: Session,
    action: str,
    actor_person_id: int | None = None,
    unit_id: int | None = None,
    subject_person_id: int | None = None,
    **details: str,
) -> AuditEntry:
    entry = AuditEntry(
        action=action,
        actor_person_id=actor_person_id,
        unit_id=unit_id,
        subject_person_id=subject_person_id,
        details=details,
    )
    session.add(entry)
    session.flush()
    return entry


def list_audit_entries(*, session: Session, action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(col(AuditEntry.id))
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(session.exec(query))
