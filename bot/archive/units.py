"""Which stored units a framework's 责任单位 cell names — the one place the archive does this.

Responsible units in a framework are matched like any import and never invented: a name that
matches no stored unit (full name, short name, alias, the usual abbreviations) is reported
with its row, even when it looks like an institution. Group references (各成员单位, 各乡镇)
are kept as written. The names are matched exactly as the 责任分工 import matches them
(``bot.domain.importing.names.unit_index``): the office's confirmed aliases apply, names it
said are not units are skipped, and a name that only resembles a unit (疑似) is reported
like an unknown one until the office confirms it (``liaison-bot alias add``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.domain.importing.names import unit_index
from bot.domain.importing.plan import Where
from bot.domain.importing.unit_names import UnitIndex, split_units
from storage.models import MemberUnit
from storage.repo_units import list_units

_INDEX_KEY = "archive.unit_index"


@dataclass(frozen=True, slots=True)
class Resolution:
    """The units a cell names (in its order: the first leads), its group references, and
    the names that matched nothing, each with where it was."""

    units: tuple[MemberUnit, ...] = ()
    groups: tuple[str, ...] = ()
    unmatched: tuple[tuple[Where, str], ...] = ()


def resolve_unit_names(
    *, session: Session, campaign_id: int, cell: str, where: Where
) -> Resolution:
    """The stored units ``cell`` names; unknown names are reported, never created."""
    index, by_name = _index(session, campaign_id)
    split = split_units(cell, index)
    units: list[MemberUnit] = []
    unmatched: list[tuple[Where, str]] = []
    for name in split.units:
        unit = by_name.get(name.name) if name.known else None
        if unit is None:
            unmatched.append((where, name.name))
        elif unit not in units:
            units.append(unit)
    unmatched.extend((where, fragment) for fragment in (*split.unresolved, *split.unmatched))
    return Resolution(tuple(units), tuple(group.label for group in split.groups), tuple(unmatched))


def _index(session: Session, campaign_id: int) -> tuple[UnitIndex, dict[str, MemberUnit]]:
    """The campaign's active units as the import matches them, built once per session."""
    cached = session.info.get(_INDEX_KEY)
    if cached is not None and cached[0] == campaign_id:
        return cached[1], cached[2]
    units = list_units(session=session, campaign_id=campaign_id)
    index = unit_index(session=session, campaign_id=campaign_id)
    by_name = {u.full_name: u for u in units}
    session.info[_INDEX_KEY] = (campaign_id, index, by_name)
    return index, by_name
