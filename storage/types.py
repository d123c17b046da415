"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from bot.clock import current_now


def utcnow() -> datetime:
    """The current instant, tz-aware in UTC, from the clock in charge of the process (the
    running bot's, so a pinned test or demo writes pinned timestamps): see ``bot.clock``."""
    return current_now()


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that refuses naive datetimes and always reads back tz-aware UTC.

    SQLite has no time-zone type and returns naive values; PostgreSQL returns values in the
    session's zone. Normalising both to UTC keeps comparisons and tests backend-independent.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]
