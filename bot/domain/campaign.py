"""Who the campaign is: its name, kind, place and office, as the office set them.

Documents print these (the bulletin's 红头 title, "全县…", the 编发单位), so they are set
explicitly by the office and never taken from whichever file happened to be imported first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.errors import DomainError
from storage.models import AuditEntry, Campaign
from storage.repo_units import create_campaign, get_default_campaign

REGION_WORDS = ("区", "县", "市", "旗")


@dataclass(frozen=True, slots=True)
class Identity:
    name: str  # e.g. 永川区创建国家健康促进区
    kind: str  # 健康促进区, 健康县区, 慢性病综合防控示范区 … ("" until set)
    region: str  # 永川区 ("" until set)
    region_word: str  # 区, 县, 市 or 旗; "" when neither set nor evident from the region
    office_name: str  # 编发单位 ("" until set)


def identity_of(campaign: Campaign) -> Identity:
    """The campaign's identity; the region word falls back to the region's own last character
    (永川区 → 区), never to a guess."""
    word = campaign.region_word
    if not word and campaign.region.endswith(REGION_WORDS):
        word = campaign.region[-1]
    return Identity(campaign.name, campaign.kind, campaign.region, word, campaign.office_name)


def campaign_identity(*, session: Session) -> Identity | None:
    campaign = get_default_campaign(session=session)
    return None if campaign is None else identity_of(campaign)


FIELDS = ("name", "kind", "region", "region_word", "office_name")
MAX_LENGTHS = {"name": 200, "kind": 50, "region": 50, "region_word": 4, "office_name": 200}


class IdentityRefused(DomainError):
    """A campaign field the office typed cannot be stored (``field``: which one)."""

    template = "campaign_refused"

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field}: {value!r}")
        self.field = field
        self.value = value


def set_identity(
    *, session: Session, changes: dict[str, str], actor_person_id: int | None
) -> Identity:
    """Set some of the campaign's name, kind, region, region word and office (creating the
    campaign if nothing was imported yet); audit-logged. Refused field by field, before
    anything is written."""
    for field, value in changes.items():
        if field not in FIELDS or len(value) > MAX_LENGTHS[field]:
            raise IdentityRefused(field, value)
        if field == "region_word" and value not in ("", *REGION_WORDS):
            raise IdentityRefused(field, value)
    campaign = get_default_campaign(session=session) or create_campaign(session=session, name="")
    for field, value in changes.items():
        setattr(campaign, field, value.strip())
    session.add(campaign)
    details = {f"set_{field}": value.strip() for field, value in changes.items()}
    session.add(
        AuditEntry(action="campaign_identity_set", actor_person_id=actor_person_id, details=details)
    )
    session.flush()
    return identity_of(campaign)


def common_duties(*, session: Session) -> str:
    """共性职责: what every member unit does, as the imported plan words it."""
    campaign = get_default_campaign(session=session)
    return campaign.common_duties if campaign is not None else ""
