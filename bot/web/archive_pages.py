"""What the console shows of the evaluation archive (台账), gathered from the functions chat's
/archive and /evidence use (``bot.archive``): which years and frameworks can be downloaded,
the indicators each photo or file is filed under, and the choices for retagging one.

Who may do what follows chat: the archive's download is allowed to whoever chat's /archive
allows (its row in ``bot.chat.archive.COMMANDS``), retagging to whoever /evidence allows.
Each function runs in a worker thread with its own database session (``Console.in_thread``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.archive import retag
from bot.archive.frameworks import Node, Tree, choose_framework, frameworks_of
from bot.archive.scope import NoFramework, tree_of
from bot.archive.tags import effective_tags
from bot.chat.archive import COMMANDS as ARCHIVE_COMMANDS
from bot.web.pages import ReportBlock
from messages.render import Renderer, strip_markup
from storage.models import Evidence, MemberUnit, Submission
from storage.models_archive import Framework
from storage.repo_units import get_default_campaign

# Chat's /archive permission, read from its row, so the two can never disagree.
ARCHIVE = next(permission for names, permission, _ in ARCHIVE_COMMANDS if "archive" in names)
# Chat's /evidence permission (who may change a file's indicators there), read the same way.
RETAG = next(permission for names, permission, _ in ARCHIVE_COMMANDS if "evidence" in names)
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years /archive accepts


@dataclass(frozen=True, slots=True)
class Offered:
    """A framework the downloads page offers the archive by (``key``: its name for
    ``make_archive``, "" for the default one, as /archive uses it)."""

    id: int
    name: str
    key: str


def no_framework_text(renderer: Renderer, name: str = "") -> str:
    """What /archive answers when there is no framework to file by, as plain text."""
    return strip_markup(renderer.render("archive_no_framework", name=name))


def archive_offers(*, session: Session, renderer: Renderer) -> dict[str, Any]:
    """The years that have reports (newest first) and the frameworks to file them by."""
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return {"archive_years": [], "frameworks": [], "no_framework": ""}
    years = {
        int(period[:4])
        for period in session.exec(
            select(Submission.period)
            .join(MemberUnit, col(MemberUnit.id) == col(Submission.unit_id))
            .where(MemberUnit.campaign_id == campaign.id)
            .distinct()
        )
        if period[:4].isdigit() and FIRST_YEAR <= int(period[:4]) <= LAST_YEAR
    }
    offered = _offered(session, campaign.id)
    return {
        "archive_years": sorted(years, reverse=True),
        "frameworks": offered,
        "no_framework": "" if offered else no_framework_text(renderer),
    }


def framework_key(*, session: Session, framework_id: str) -> str | None:
    """The name ``make_archive`` takes for the framework ``framework_id`` ("" when none is
    given: the default one); None for an id the downloads page does not offer."""
    if not framework_id:
        return ""
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None or not framework_id.isdigit():
        return None
    found = [f for f in _offered(session, campaign.id) if str(f.id) == framework_id]
    return found[0].key if found else None


def _offered(session: Session, campaign_id: int) -> list[Offered]:
    """Each framework that its own name chooses (two imports under one name and version: the
    later, as chat's ``--framework`` would); the last imported needs no name."""
    frameworks = frameworks_of(session=session, campaign_id=campaign_id)
    offered = []
    for framework in frameworks:
        assert framework.id is not None
        key = "" if framework is frameworks[-1] else _name(framework)
        chosen = choose_framework(session=session, campaign_id=campaign_id, name=key)
        if chosen is not None and chosen.id == framework.id:
            offered.append(Offered(framework.id, _name(framework), key))
    return offered


def _name(framework: Framework) -> str:
    return f"{framework.name} {framework.version}".strip()


# ------------------------------------------------------------------------------- tags


def tree_or_none(session: Session) -> Tree | None:
    try:
        return tree_of(session=session)
    except NoFramework:
        return None


def tags_of(*, session: Session, blocks: Iterable[ReportBlock]) -> dict[str, Any]:
    """``tags``: each shown photo's and file's indicators (labels) by evidence id, as the
    archive files them now; None without a framework (then there is nothing to show)."""
    tree = tree_or_none(session)
    if tree is None:
        return {"tags": None}
    ids = [item.evidence_id for b in blocks for item in (*b.photos, *b.documents)]
    rows = session.exec(select(Evidence).where(col(Evidence.id).in_(ids))).all() if ids else []
    found = effective_tags(session=session, tree=tree, evidence=rows)
    return {"tags": {e: [tree.nodes[i].label for i in items] for e, items in found.items()}}


def published(*, session: Session, evidence_id: int) -> Evidence | None:
    """The file of this campaign, if its unit submitted the month it belongs to (a draft's
    files are not the office's yet: the rule of the photo pages)."""
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return None
    evidence = retag.find_evidence(session=session, token=str(evidence_id),
                                   campaign_id=campaign.id)  # fmt: skip
    if evidence is None:
        return None
    submitted = session.exec(
        select(Submission.id).where(
            Submission.unit_id == evidence.unit_id, Submission.period == evidence.period
        )
    ).first()
    return evidence if submitted is not None else None


@dataclass(frozen=True, slots=True)
class Choice:
    node: Node
    on: bool


def evidence_page(*, session: Session, evidence_id: int, renderer: Renderer) -> dict[str, Any]:
    """A file's filing as /evidence shows it, with every indicator of the framework to tick:
    the choices chat's buttons offer (its indicators, then the unit's) first, then the rest."""
    evidence = published(session=session, evidence_id=evidence_id)
    if evidence is None:
        return {}
    tree = tree_or_none(session)
    shown = retag.view(session=session, tree=tree, evidence=evidence, renderer=renderer)
    tagged = {node.id for node in shown.tags}
    first = [Choice(node, node.id in tagged) for node in shown.choices]
    offered = {node.id for node in shown.choices}
    rest = [] if tree is None else [Choice(n, n.id in tagged) for n in tree.walk()
                                    if n.id not in offered]  # fmt: skip
    return {
        "evidence": evidence, "shown": shown, "first": first, "rest": rest,
        "no_framework": "" if tree is not None else no_framework_text(renderer),
    }  # fmt: skip


def set_indicators(
    *, session: Session, evidence_id: int, item_ids: list[int], person_id: int | None,
    at: datetime,
) -> str | None:  # fmt: skip
    """The admin's ticks become the file's indicators (``retag.retag_items``, audited as
    chat's /evidence … 指标 is). Returns the unit's name; None when there is no such file or
    no framework. ValueError for an item not in the framework (nothing changes then)."""
    evidence = published(session=session, evidence_id=evidence_id)
    tree = tree_or_none(session)
    if evidence is None or tree is None:
        return None
    unknown = retag.retag_items(session=session, tree=tree, evidence=evidence, item_ids=item_ids,
                                person_id=person_id, at=at)  # fmt: skip
    if unknown:
        raise ValueError(f"not items of the framework: {unknown}")
    unit = session.get(MemberUnit, evidence.unit_id)
    return unit.display_name if unit is not None else ""
