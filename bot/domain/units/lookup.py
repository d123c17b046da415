"""Find the unit an office admin names in a command: exactly by one of its names (full name,
short name, alias, confirmed alias) or by the same name abbreviated — never by a guess."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from bot.domain.importing.names import unit_index
from bot.errors import DomainError
from storage.models import MemberUnit
from storage.repo_units import get_default_campaign


class UnitActionRefused(DomainError):
    """A unit change the office asked for cannot be done; ``reason`` names why (a macro of
    ``unit_refused.j2``), ``values`` fill it in."""

    template = "unit_refused"

    def __init__(self, reason: str, **values: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values: dict[str, Any] = values


@dataclass(frozen=True, slots=True)
class CampaignRef:
    id: int


def campaign_of(session: Session) -> CampaignRef:
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        raise UnitActionRefused("no_campaign")
    return CampaignRef(campaign.id)


def unit_named(session: Session, campaign_id: int, name: str) -> MemberUnit:
    """The one active unit ``name`` means; refused when none or several do."""
    wanted = name.strip()
    if not wanted:
        raise UnitActionRefused("unit_not_found", name=name)
    units = session.exec(
        select(MemberUnit).where(
            MemberUnit.campaign_id == campaign_id, col(MemberUnit.active).is_(True)
        )
    ).all()
    exact = [u for u in units if wanted in (u.full_name, u.short_name, *u.aliases)]
    if len(exact) > 1:
        raise UnitActionRefused("unit_ambiguous", name=wanted, names=[u.full_name for u in exact])
    if exact:
        return exact[0]
    full_name = unit_index(session=session, campaign_id=campaign_id).lookup(wanted)
    found = [u for u in units if u.full_name == full_name]
    if not found:
        raise UnitActionRefused("unit_not_found", name=wanted)
    return found[0]
