"""Who the campaign is: its name, kind, place and office, as the office set them.

Documents print these (the bulletin's 红头 title, "全县…", the 编发单位), so they are set
explicitly by the office and never taken from whichever file happened to be imported first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from storage.models import Campaign
from storage.repo_units import get_default_campaign

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
