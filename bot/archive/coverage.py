"""Which indicators have no evidence yet this year, by 牵头单位 — and one private nudge to them.

Evidence counts as the archive would file it (``build_archive``'s tags, only months a unit
submitted), so what /coverage says missing is exactly what the year's 台账 would show empty.
The nudge goes through the normal reminder machinery: the delivery log (one per unit and
month, however often the office taps), working hours, the unit's current liaisons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from sqlmodel import Session

from bot.archive.frameworks import Node, Tree
from bot.archive.items import Archive
from bot.domain.outbox import Item, Planned, without_logged
from storage.repo_deliveries import DeliveryKey
from storage.repo_people import current_liaisons

NUDGE = "coverage"  # the delivery log's kind


@dataclass
class UnitGap:
    """A lead unit (None: items with no 牵头单位) and its indicators still without evidence."""

    unit_id: int | None
    unit: str
    items: list[Node] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Coverage:
    year: int
    total: int  # indicators the archive files by
    covered: int
    gaps: list[UnitGap]

    @property
    def missing(self) -> int:
        return self.total - self.covered


def coverage(archive: Archive) -> Coverage:
    """The framework's leaves without any 件 this year, grouped by their lead unit."""
    tree: Tree = archive.tree
    proven = {item.item_id for item in archive.items}
    gaps: dict[int | None, UnitGap] = {}
    leaves = tree.leaves()
    for node in leaves:
        if node.id in proven:
            continue
        lead = node.lead
        key = lead.id if lead else None
        gap = gaps.setdefault(key, UnitGap(key, lead.display_name if lead else ""))
        gap.items.append(node)
    ordered = sorted(gaps.values(), key=lambda g: (g.unit_id is None, g.unit))
    covered = sum(1 for node in leaves if node.id in proven)
    return Coverage(archive.year, len(leaves), covered, ordered)


def plan_nudges(
    *, session: Session, found: Coverage, unit_ids: Iterable[int] | None, now: datetime,
    tz: tzinfo,
) -> tuple[list[Planned], list[str]]:  # fmt: skip
    """One private message per lead unit listing its indicators without evidence, to its
    liaisons, at most once a month; also the units already nudged this month."""
    wanted = None if unit_ids is None else set(unit_ids)
    month = now.astimezone(tz).strftime("%Y-%m")
    liaisons: dict[int, list[int]] = {}
    for assignment, person in current_liaisons(session=session, at=now):
        if person.id is not None:
            liaisons.setdefault(assignment.unit_id, []).append(person.id)
    planned = []
    for gap in found.gaps:
        if gap.unit_id is None or (wanted is not None and gap.unit_id not in wanted):
            continue
        values = {
            "unit": gap.unit,
            "year": found.year,
            "indicators": [node.label for node in gap.items],
        }
        for person_id in liaisons.get(gap.unit_id, []):
            key = DeliveryKey(NUDGE, f"u{gap.unit_id}", f"{found.year}@{month}", person_id)
            planned.append(Planned(person_id, "archive_nudge", values, (Item(key),)))
    kept = without_logged(session=session, planned=planned)
    kept_units = {str(message.values["unit"]) for message in kept}
    skipped = sorted({str(m.values["unit"]) for m in planned} - kept_units)
    return kept, skipped
