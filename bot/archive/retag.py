"""The office's corrections to one stored file: its indicators, 题名, caption and 文号.

Domain functions, so chat (/evidence) and the web console call the same ones. A file is
named by its number (``#123`` in the review); every change is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.archive import captions
from bot.archive.frameworks import Node, Tree
from bot.archive.items import title_of
from bot.archive.tags import candidates, effective_tags, filing_of, set_tags, toggle_tag
from bot.domain.text_input import clean_text
from messages.render import Renderer
from storage.models import Evidence, MemberUnit
from storage.models_archive import TagSource
from storage.repo_audit import add_audit_entry

MAX_TITLE = 200
MAX_DOC_NUMBER = 100


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """A file as the office sees it when filing: what it is and which indicators it proves."""

    evidence: Evidence
    unit: str
    title: str
    doc_number: str
    tags: list[Node]
    choices: list[Node]  # the unit's indicators, and those the file already proves
    chosen: bool  # someone chose its indicators (else they are the defaults)


def find_evidence(*, session: Session, token: str, campaign_id: int) -> Evidence | None:
    """The file ``#123`` (or ``123``) of this campaign, if there is one."""
    number = token.lstrip("#＃")
    if not number.isdigit():
        return None
    evidence = session.get(Evidence, int(number))
    if evidence is None:
        return None
    unit = session.get(MemberUnit, evidence.unit_id)
    return evidence if unit is not None and unit.campaign_id == campaign_id else None


def view(
    *, session: Session, tree: Tree | None, evidence: Evidence, renderer: Renderer
) -> EvidenceView:
    assert evidence.id is not None
    unit = session.get(MemberUnit, evidence.unit_id)
    assert unit is not None
    filing = filing_of(session=session, evidence_id=evidence.id)
    tags: list[Node] = []
    choices: list[Node] = []
    if tree is not None:
        current = effective_tags(session=session, tree=tree, evidence=[evidence])[evidence.id]
        tags = [tree.nodes[i] for i in current]
        offered = candidates(session=session, tree=tree, unit_id=evidence.unit_id,
                             period=evidence.period, text=evidence.caption)  # fmt: skip
        choices = [*tags, *(n for n in offered if n not in tags)]
    return EvidenceView(evidence, unit.display_name, title_of(evidence, unit, filing, renderer),
                        filing.doc_number, tags, choices, filing.tags_set)  # fmt: skip


def retag(
    *, session: Session, tree: Tree, evidence: Evidence, codes: list[str], person_id: int | None,
    at: datetime,
) -> list[str]:  # fmt: skip
    """Make the items named by ``codes`` the file's indicators ("无"/"none": none at all).
    Returns the codes that named no item (nothing is changed then)."""
    assert evidence.id is not None
    if [c.lower() for c in codes] in (["无"], ["none"]):
        codes = []
    found: list[int] = []
    unknown = []
    for code in codes:
        nodes = tree.by_code(code)
        if len(nodes) == 1:
            found.append(nodes[0].id)
        else:
            unknown.append(code)
    if unknown:
        return unknown
    _set_tags(session, evidence, found, person_id, at, ",".join(codes) or "-")
    return []


def retag_items(
    *, session: Session, tree: Tree, evidence: Evidence, item_ids: list[int],
    person_id: int | None, at: datetime,
) -> list[int]:  # fmt: skip
    """Make the items ``item_ids`` the file's indicators (none: the file goes to 未归类), as
    ``retag`` does for codes — the web console's checkboxes name items, not codes. Returns
    the ids that are no item of the framework (nothing is changed then)."""
    unknown = [item_id for item_id in item_ids if item_id not in tree.nodes]
    if unknown:
        return unknown
    wanted = set(item_ids)
    chosen = [node.id for node in tree.walk() if node.id in wanted]
    codes = ",".join(tree.nodes[item_id].item.code for item_id in chosen)
    _set_tags(session, evidence, chosen, person_id, at, codes or "-")
    return []


def _set_tags(
    session: Session, evidence: Evidence, item_ids: list[int], person_id: int | None,
    at: datetime, detail: str,
) -> None:  # fmt: skip
    """The office's choice becomes the file's whole set of indicators, in the audit log."""
    assert evidence.id is not None
    set_tags(session=session, evidence_ids=[evidence.id], item_ids=item_ids,
             source=TagSource.OFFICE, person_id=person_id, at=at)  # fmt: skip
    _audit(session, "evidence_retagged", evidence, person_id, detail)


def toggle(
    *, session: Session, tree: Tree, evidence: Evidence, item_id: int, person_id: int | None,
    at: datetime,
) -> None:  # fmt: skip
    toggle_tag(session=session, tree=tree, evidence=evidence, item_id=item_id,
               person_id=person_id, at=at)  # fmt: skip
    _audit(session, "evidence_retagged", evidence, person_id, f"toggle {item_id}")


def set_title(
    *, session: Session, evidence: Evidence, title: str, person_id: int | None, at: datetime
) -> None:
    """题名 as the office writes it ("" goes back to the derived one)."""
    _set_filing(session, evidence, "title", title, MAX_TITLE, person_id, at)


def set_doc_number(
    *, session: Session, evidence: Evidence, number: str, person_id: int | None, at: datetime
) -> None:
    _set_filing(session, evidence, "doc_number", number, MAX_DOC_NUMBER, person_id, at)


_FILING_ACTIONS = {"title": "evidence_titled", "doc_number": "evidence_numbered"}


def _set_filing(
    session: Session, evidence: Evidence, field: str, text: str, limit: int,
    person_id: int | None, at: datetime,
) -> None:  # fmt: skip
    """One of the filing's written fields, tidied (one space between words, cut to its
    column), with who changed it and when, and an audit row."""
    assert evidence.id is not None
    filing = filing_of(session=session, evidence_id=evidence.id)
    value = " ".join(clean_text(text).split())[:limit]
    setattr(filing, field, value)
    filing.updated_at, filing.updated_by_person_id = at, person_id
    session.add(filing)
    _audit(session, _FILING_ACTIONS[field], evidence, person_id, value)


def set_caption(
    *, session: Session, evidence: Evidence, caption: str, person_id: int | None
) -> None:
    """The office corrects a photo's caption (the liaison's words are in the audit log)."""
    before = evidence.caption
    evidence.caption = " ".join(clean_text(caption).split())[: captions.MAX_CAPTION]
    session.add(evidence)
    _audit(session, "evidence_captioned", evidence, person_id, before[:200])


def _audit(
    session: Session, action: str, evidence: Evidence, person_id: int | None, detail: str
) -> None:
    add_audit_entry(
        session=session, action=action, actor_person_id=person_id, unit_id=evidence.unit_id,
        evidence=str(evidence.id), detail=detail,
    )  # fmt: skip
    session.flush()
