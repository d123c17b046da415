"""Repository functions for campaigns and member units (keyword-only, one query each)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from storage.models import Campaign, MemberUnit, UnitCategory


def create_campaign(*, session: Session, name: str, office_name: str = "") -> Campaign:
    campaign = Campaign(name=name, office_name=office_name)
    session.add(campaign)
    session.flush()
    return campaign


def get_default_campaign(*, session: Session) -> Campaign | None:
    """The oldest campaign: most deployments run exactly one."""
    return session.exec(select(Campaign).order_by(col(Campaign.id))).first()


def add_unit(
    *,
    session: Session,
    campaign_id: int,
    full_name: str,
    short_name: str = "",
    aliases: Sequence[str] = (),
    category: UnitCategory = UnitCategory.DEPARTMENT,
    sort_order: int = 0,
) -> MemberUnit:
    unit = MemberUnit(
        campaign_id=campaign_id,
        full_name=full_name,
        short_name=short_name,
        aliases=list(aliases),
        category=category,
        sort_order=sort_order,
    )
    session.add(unit)
    session.flush()
    return unit


def list_units(*, session: Session, campaign_id: int, active_only: bool = True) -> list[MemberUnit]:
    """Units in the office's order (sort_order, then the order they were added)."""
    query = select(MemberUnit).where(MemberUnit.campaign_id == campaign_id)
    if active_only:
        query = query.where(col(MemberUnit.active).is_(True))
    return list(session.exec(query.order_by(col(MemberUnit.sort_order), col(MemberUnit.id))))
