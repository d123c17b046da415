"""How documents name the campaign: one rule for the bulletin's 红头 and the sheets' titles."""

from __future__ import annotations

from bot.domain.campaign import Identity
from messages.render import Renderer


def campaign_title(identity: Identity | None, renderer: Renderer) -> str:
    """The campaign's name with its region in front unless the name starts with it
    (永川区 + 创建国家健康促进区); "创建" and its kind when it has no name; "" when unknown."""
    if identity is None:
        return ""
    return renderer.label(
        "campaign_title", name=identity.name, kind=identity.kind, region=identity.region
    )
