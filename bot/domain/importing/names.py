"""Which stored unit a name written in an office's file means — the one rule every importer
uses (member lists, 责任分工 tables, indicator sheets, evaluation frameworks).

A name means a unit only when it is the unit's full name, short name or one of its aliases
(from the member list, or confirmed by the office with ``alias add`` or a chat answer), or
the same name with the usual abbreviation (县卫生健康局 = 卫健局) or without its 县/区 prefix.
Anything else is *suspected* — close to some units, which are listed closest first — or
*unknown*. Neither is ever turned into a unit here: the office confirms each (an alias, a new
unit, or "not a unit", which is remembered so the same name is not asked again).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from bot.domain.importing.unit_names import UnitIndex, plain
from storage.models import Campaign, MemberUnit, UnitAlias

REGION_HEAD = re.compile(r"^([\u4e00-\u9fff]{2,4}[县区市])")


@dataclass(frozen=True, slots=True)
class Suspect:
    """A name that is no unit's but close to some: their full names, closest first."""

    name: str
    candidates: tuple[str, ...]


@dataclass
class Resolution:
    """Names sorted by what they mean. ``matched`` maps a name as written to a unit's full
    name; ``ignored`` names the office said are not units."""

    matched: dict[str, str] = field(default_factory=dict)
    suspected: list[Suspect] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        """Every name is matched or ignored: nothing left for the office to confirm."""
        return not (self.suspected or self.unknown)


def resolve_unit_names(*, session: Session, campaign_id: int, names: Iterable[str]) -> Resolution:
    """Sort ``names`` (as written in a file; each once, in the order given) into matched,
    suspected, unknown and ignored, against the campaign's active units and confirmed
    aliases. Creates nothing: an importer reports suspects and unknown names for the office
    to confirm (``bot.domain.units.aliases``), and links only what is matched."""
    index = unit_index(session=session, campaign_id=campaign_id)
    resolution = Resolution()
    for name in dict.fromkeys(n.strip() for n in names):
        if not name:
            continue
        if (unit := index.lookup(name)) is not None:
            resolution.matched[name] = unit
        elif index.is_ignored(name):
            resolution.ignored.append(name)
        elif candidates := index.suggest(name):
            resolution.suspected.append(Suspect(name, candidates))
        else:
            resolution.unknown.append(name)
    return resolution


def unit_index(*, session: Session, campaign_id: int) -> UnitIndex:
    """The campaign's active units with their names and aliases, the names confirmed as not
    units, and the region prefixes its names carry (from the campaign's region and from
    prefixes most unit names share, e.g. 永川区)."""
    campaign = session.get(Campaign, campaign_id)
    units = list(
        session.exec(
            select(MemberUnit)
            .where(MemberUnit.campaign_id == campaign_id, col(MemberUnit.active).is_(True))
            .order_by(col(MemberUnit.sort_order), col(MemberUnit.id))
        )
    )
    index = UnitIndex(region_prefixes=region_prefixes(campaign, [u.full_name for u in units]))
    for unit in units:
        index.add(unit.full_name, unit.short_name, *unit.aliases)
    by_id = {unit.id: unit.full_name for unit in units}
    for alias in session.exec(select(UnitAlias).where(UnitAlias.campaign_id == campaign_id)):
        if alias.unit_id is None:
            index.ignore(alias.name)
        elif alias.unit_id in by_id:
            index.add(by_id[alias.unit_id], alias.name)
    return index


def region_prefixes(campaign: Campaign | None, full_names: list[str]) -> tuple[str, ...]:
    """The place names written in front of unit names: the campaign's region (永川区, and
    永川 without its 区) and any 县/区/市 head at least two units share."""
    found: list[str] = []
    region = plain(campaign.region) if campaign is not None else ""
    if region:
        found.append(region)
        if len(region) >= 3 and region[-1] in "县区市旗":
            found.append(region[:-1])
    heads = Counter(m.group(1) for name in full_names if (m := REGION_HEAD.match(plain(name))))
    found.extend(head for head, count in heads.items() if count >= 2)
    return tuple(dict.fromkeys(found))
