"""Updates already handled, so a redelivered one is processed once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Connection, cast, delete, func, select
from sqlmodel import Session, col

from storage.db import insert_unless_present, table_of
from storage.models import ProcessedUpdate

PROCESSED = table_of(ProcessedUpdate)


def was_processed(*, session: Session, transport: str, key: str) -> bool:
    return session.get(ProcessedUpdate, (transport, key)) is not None


def mark_processed(*, db: Session | Connection, transport: str, key: str, at: datetime) -> None:
    values = {"transport": transport, "update_key": key, "processed_at": at}
    db.execute(insert_unless_present(db, PROCESSED), values)


def forget_processed(*, session: Session, before: datetime) -> None:
    """Platforms redeliver within minutes or hours; a week of keys is plenty."""
    session.execute(delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < before))


def highest_processed(*, session: Session, transport: str) -> int:
    """The largest numeric update id handled on ``transport`` (-1 when none)."""
    query = select(func.max(cast(col(ProcessedUpdate.update_key), BigInteger))).where(
        col(ProcessedUpdate.transport) == transport
    )
    highest = session.execute(query).scalar_one_or_none()
    return int(highest) if highest is not None else -1
