"""The numbered choices last offered to a member on a platform without buttons."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import OfferedChoices


def offer_choices(
    *, session: Session, transport: str, external_id: str, choices: list[dict[str, object]],
    at: datetime,
) -> None:  # fmt: skip
    """Replace what the member's numbers mean (an empty list: nothing is on offer)."""
    row = session.get(OfferedChoices, (transport, external_id))
    if row is None:
        row = OfferedChoices(transport=transport, external_id=external_id)
    row.choices, row.offered_at = list(choices), at
    session.add(row)


def offered_choices(
    *, session: Session, transport: str, external_id: str
) -> list[dict[str, object]]:
    row = session.get(OfferedChoices, (transport, external_id))
    return list(row.choices) if row is not None else []
