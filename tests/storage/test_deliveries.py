"""The delivery log's claim: exactly one taker per key, and a dead taker's claim expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.db import Database
from storage.models import Delivery, DeliveryStatus
from storage.repo_deliveries import STALE_CLAIM, DeliveryKey, claim, finish, logged
from storage.repo_people import add_person
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
NOW = datetime(2026, 9, 22, 1, 0, tzinfo=UTC)


def person(database: Database) -> int:
    with database.session() as session:
        person_id = add_person(session=session, name="李强").id
    assert person_id is not None
    return person_id


def test_a_key_is_claimed_once(database: Database) -> None:
    key = DeliveryKey("before", "u1", "2026-09", person(database))
    with database.session() as session:
        first = claim(session=session, key=key, at=NOW)
    with database.session() as session:
        second = claim(session=session, key=key, at=NOW + timedelta(seconds=1))
        assert key in logged(session=session, periods=["2026-09"])
    assert first is not None and second is None


def test_a_claim_left_by_a_dead_process_is_taken_over_once(database: Database) -> None:
    key = DeliveryKey("before", "u1", "2026-09", person(database))
    with database.session() as session:
        first = claim(session=session, key=key, at=NOW)
    later = NOW + STALE_CLAIM + timedelta(seconds=1)
    with database.session() as session:
        taken = claim(session=session, key=key, at=later)
    with database.session() as session:
        again = claim(session=session, key=key, at=later)
    assert taken == first and again is None


def test_a_finished_delivery_is_never_taken_again(database: Database) -> None:
    key = DeliveryKey("before", "u1", "2026-09", person(database))
    with database.session() as session:
        delivery_id = claim(session=session, key=key, at=NOW)
        assert delivery_id is not None
        finish(session=session, delivery_id=delivery_id, status=DeliveryStatus.SENT, detail="",
               at=NOW)  # fmt: skip
    with database.session() as session:
        assert claim(session=session, key=key, at=NOW + STALE_CLAIM * 10) is None
        row = session.get(Delivery, delivery_id)
        assert row is not None and row.status == DeliveryStatus.SENT
