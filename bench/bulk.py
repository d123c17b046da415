"""Fast bulk data for the benchmarks: a campaign's units, each with a registered liaison,
written with core INSERTs (the ORM would make generating 1 000 units the slow part)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert

from storage.db import table_of
from storage.models import (
    AssignmentRole,
    Campaign,
    ChatIdentity,
    LiaisonAssignment,
    MemberUnit,
    Person,
)

FIRST_CHAT_ID = 10_000


def insert_campaign_with_liaisons(db: Connection, units: int, start: datetime) -> None:
    """Campaign 1 with units 1..N; unit n's main liaison is person n (chat 10 000 + n)."""
    numbers = range(1, units + 1)
    db.execute(
        insert(table_of(Campaign)),
        [{"id": 1, "name": "健康促进区", "office_name": "创建办", "created_at": start}],
    )
    db.execute(
        insert(table_of(MemberUnit)),
        [
            {"id": n, "campaign_id": 1, "full_name": f"单位{n:04d}", "short_name": "",
             "aliases": [], "category": "department", "sort_order": n, "duties": "",
             "active": True, "created_at": start}
            for n in numbers
        ],
    )  # fmt: skip
    db.execute(
        insert(table_of(Person)),
        [{"id": n, "name": f"联络员{n}", "phone": None, "created_at": start} for n in numbers],
    )
    db.execute(
        insert(table_of(ChatIdentity)),
        [
            {"person_id": n, "transport": "telegram", "external_id": str(FIRST_CHAT_ID + n),
             "chat_id": str(FIRST_CHAT_ID + n), "created_at": start}
            for n in numbers
        ],
    )  # fmt: skip
    db.execute(
        insert(table_of(LiaisonAssignment)),
        [
            {"unit_id": n, "person_id": n, "role": AssignmentRole.MAIN, "valid_from": start,
             "valid_to": None, "reason": ""}
            for n in numbers
        ],
    )  # fmt: skip
