"""What an archive is made of: the campaign's framework and the office's numbering settings.

Kept apart from the writers (openpyxl, the ZIP) so chat commands can find a framework and
count coverage without loading them.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.archive.frameworks import Tree, choose_framework, load_tree
from bot.archive.items import Archive, Options, build_archive
from bot.config import Settings
from bot.deps import Deps
from bot.errors import DomainError
from storage.repo_units import get_default_campaign


class NoFramework(DomainError):
    """The campaign has no indicator framework (or none of that name) to file by."""

    template = "archive_no_framework"

    def __init__(self, name: str = "") -> None:
        super().__init__(name or "no framework")
        self.name = name


def options_of(settings: Settings) -> Options:
    return Options(settings.archive_fonds, settings.archive_reference, settings.archive_retention)


def tree_of(*, session: Session, name: str = "") -> Tree:
    """The campaign's framework (the one named, or the last imported), loaded."""
    campaign = get_default_campaign(session=session)
    framework = (
        choose_framework(session=session, campaign_id=campaign.id, name=name)
        if campaign is not None and campaign.id is not None
        else None
    )
    if framework is None:
        raise NoFramework(name)
    return load_tree(session=session, framework=framework)


def archive_of(deps: Deps, *, session: Session, year: int, framework: str = "") -> Archive:
    """The year's 件, filed by the framework (reading new files once for pages and EXIF)."""
    return build_archive(
        session=session, tree=tree_of(session=session, name=framework), year=year,
        files=deps.files, tz=deps.settings.tz, renderer=deps.renderer,
        options=options_of(deps.settings),
    )  # fmt: skip
