"""The delivery log: claim a message before sending it, record what became of it.

A claim is an ``INSERT … ON CONFLICT DO NOTHING`` on the log's unique key, so of two bot
instances (or two ticks) racing for the same reminder exactly one gets the row. A claim left
behind by a process that died before sending is taken over after ``STALE_CLAIM`` by a
compare-and-set update, which again only one instance can win.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.db import insert_unless_present, table_of
from storage.models import Delivery, DeliveryStatus

STALE_CLAIM = timedelta(minutes=15)
DELIVERY = table_of(Delivery)  # core table: no ORM bulk path


@dataclass(frozen=True, slots=True)
class DeliveryKey:
    kind: str
    subject: str
    period: str
    recipient_person_id: int


def claim(*, session: Session, key: DeliveryKey, at: datetime) -> int | None:
    """Take the message for sending; its log id, or None when it is someone else's or done."""
    values: dict[str, Any] = {
        "kind": key.kind,
        "subject": key.subject,
        "period": key.period,
        "recipient_person_id": key.recipient_person_id,
        "status": DeliveryStatus.CLAIMED.value,
        "claimed_at": at,
        "detail": "",
    }
    statement = insert_unless_present(session, DELIVERY).returning(DELIVERY.c.id)
    inserted = session.execute(statement, values).scalar_one_or_none()
    if inserted is not None:
        return int(inserted)
    row_id = _id_of(session, key)
    taken = session.execute(
        update(Delivery)
        .where(
            col(Delivery.id) == row_id,
            col(Delivery.status) == DeliveryStatus.CLAIMED,
            col(Delivery.claimed_at) < at - STALE_CLAIM,
        )
        .values(claimed_at=at)
    )
    return row_id if taken.rowcount == 1 else None  # type: ignore[attr-defined]


def _id_of(session: Session, key: DeliveryKey) -> int:
    query = select(Delivery.id).where(
        Delivery.kind == key.kind,
        Delivery.subject == key.subject,
        Delivery.period == key.period,
        Delivery.recipient_person_id == key.recipient_person_id,
    )
    row_id = session.exec(query).one()
    assert row_id is not None
    return row_id


def finish(
    *, session: Session, delivery_id: int, status: DeliveryStatus, detail: str, at: datetime
) -> None:
    session.execute(
        update(Delivery)
        .where(col(Delivery.id) == delivery_id)
        .values(status=status, detail=detail[:500], finished_at=at)
    )


def logged(*, session: Session, periods: Iterable[str]) -> set[DeliveryKey]:
    """Every logged key for these periods: planning leaves them out without trying a claim."""
    query = select(Delivery).where(col(Delivery.period).in_(sorted(set(periods))))
    return {
        DeliveryKey(row.kind, row.subject, row.period, row.recipient_person_id)
        for row in session.exec(query)
    }


def recently_blocked(*, session: Session, since: datetime) -> list[tuple[int, str]]:
    """(person, period) pairs whose messages found the person unreachable since ``since``."""
    query = (
        select(Delivery.recipient_person_id, Delivery.period)
        .where(col(Delivery.status) == DeliveryStatus.BLOCKED, col(Delivery.claimed_at) >= since)
        .distinct()
        .order_by(col(Delivery.recipient_person_id), col(Delivery.period))
    )
    return [(person_id, period) for person_id, period in session.exec(query)]


def last_sent(*, session: Session, kind: str, recipients: Iterable[int]) -> dict[int, datetime]:
    """When each recipient was last sent a message of ``kind`` (successfully)."""
    query = (
        select(Delivery.recipient_person_id, func.max(Delivery.claimed_at))
        .where(
            Delivery.kind == kind,
            col(Delivery.recipient_person_id).in_(list(recipients)),
            col(Delivery.status) == DeliveryStatus.SENT,
        )
        .group_by(col(Delivery.recipient_person_id))
    )
    return {person_id: at for person_id, at in session.exec(query) if at is not None}
