"""Which indicators a file proves — without asking the liaison for anything.

By default a file of unit U sent for month M proves the items linked to the tasks U reported
progress on in M (the work the photos show). When U reported on no linked task that month,
it proves the items linked to the tasks U leads and the items U itself is responsible for,
so nothing goes unfiled. Defaults are derived when the archive is made (a link confirmed in
December still files January's photos); nothing is stored until someone chooses: the liaison
with one tap after an album, or the office retagging a file. From then on the chosen tags
are the whole truth for that file (``EvidenceFiling.tags_set``), even when there are none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from bot.archive.frameworks import LEADING, Node, Tree
from storage.models import Evidence, Submission, SubmissionTaskStatus, TaskStatus, TaskUnit
from storage.models_archive import EvidenceFiling, EvidenceTag, TagSource, TaskIndicatorLink

MAX_CHOICES = 5  # buttons after an album: the unit's few indicators, best match first


def filing_of(*, session: Session, evidence_id: int) -> EvidenceFiling:
    """The file's filing record (created empty the first time it is needed)."""
    filing = session.get(EvidenceFiling, evidence_id)
    if filing is None:
        filing = EvidenceFiling(evidence_id=evidence_id)
        session.add(filing)
        session.flush()
    return filing


def default_tags(*, session: Session, tree: Tree, unit_id: int, period: str) -> list[int]:
    """The items a file of ``unit_id`` for ``period`` proves when nobody said otherwise."""
    reported = _items_of_tasks(session, tree, _reported_tasks(session, unit_id, period))
    if reported:
        return reported
    leading = session.exec(
        select(TaskUnit.task_id).where(TaskUnit.unit_id == unit_id, col(TaskUnit.role).in_(LEADING))
    ).all()
    items = _items_of_tasks(session, tree, list(leading))
    own = [node.id for node in tree.of_unit(unit_id)]
    return list(dict.fromkeys([*items, *own]))


def effective_tags(
    *, session: Session, tree: Tree, evidence: Sequence[Evidence]
) -> dict[int, list[int]]:
    """Each file's items in this framework: chosen tags where someone chose, else defaults."""
    ids = [e.id for e in evidence if e.id is not None]
    chosen: dict[int, list[int]] = {}
    decided = set(
        session.exec(
            select(EvidenceFiling.evidence_id).where(
                col(EvidenceFiling.evidence_id).in_(ids), col(EvidenceFiling.tags_set).is_(True)
            )
        )
    )
    for tag in session.exec(select(EvidenceTag).where(col(EvidenceTag.evidence_id).in_(ids))):
        if tag.evidence_id in decided and tag.item_id in tree.nodes:
            chosen.setdefault(tag.evidence_id, []).append(tag.item_id)
    defaults: dict[tuple[int, str], list[int]] = {}
    result: dict[int, list[int]] = {}
    for item in evidence:
        assert item.id is not None
        if item.id in decided:
            result[item.id] = _in_order(tree, chosen.get(item.id, []))
            continue
        key = (item.unit_id, item.period)
        if key not in defaults:
            defaults[key] = default_tags(session=session, tree=tree, unit_id=key[0], period=key[1])
        result[item.id] = defaults[key]
    return result


def set_tags(
    *, session: Session, evidence_ids: Iterable[int], item_ids: Sequence[int], source: TagSource,
    person_id: int | None, at: datetime,
) -> int:  # fmt: skip
    """Make ``item_ids`` the whole set of items these files prove; returns how many files."""
    count = 0
    for evidence_id in evidence_ids:
        for old in session.exec(select(EvidenceTag).where(EvidenceTag.evidence_id == evidence_id)):
            session.delete(old)
        session.flush()
        for item_id in dict.fromkeys(item_ids):
            session.add(EvidenceTag(evidence_id=evidence_id, item_id=item_id, source=source,
                                    tagged_at=at, tagged_by_person_id=person_id))  # fmt: skip
        filing = filing_of(session=session, evidence_id=evidence_id)
        filing.tags_set, filing.updated_at, filing.updated_by_person_id = True, at, person_id
        session.add(filing)
        count += 1
    session.flush()
    return count


def toggle_tag(
    *, session: Session, tree: Tree, evidence: Evidence, item_id: int, person_id: int | None,
    at: datetime,
) -> list[int]:  # fmt: skip
    """The office adds or removes one item (starting from what the file proves now)."""
    assert evidence.id is not None
    current = effective_tags(session=session, tree=tree, evidence=[evidence])[evidence.id]
    wanted = [i for i in current if i != item_id] if item_id in current else [*current, item_id]
    set_tags(session=session, evidence_ids=[evidence.id], item_ids=wanted,
             source=TagSource.OFFICE, person_id=person_id, at=at)  # fmt: skip
    return _in_order(tree, wanted)


def candidates(
    *, session: Session, tree: Tree, unit_id: int, period: str, text: str = ""
) -> list[Node]:
    """The unit's few indicators to choose from after an album, best match to ``text`` (the
    caption) first: items of tasks it reported on or leads, and its own items."""
    reported = _items_of_tasks(session, tree, _reported_tasks(session, unit_id, period))
    involved = session.exec(select(TaskUnit.task_id).where(TaskUnit.unit_id == unit_id)).all()
    ids = [*reported, *_items_of_tasks(session, tree, list(involved))]
    ids += [node.id for node in tree.of_unit(unit_id)]
    nodes = [tree.nodes[i] for i in dict.fromkeys(ids)]
    if text:
        nodes.sort(key=lambda node: -similarity(text, f"{node.item.title}{node.item.description}"))
    return nodes[:MAX_CHOICES]


def similarity(a: str, b: str) -> float:
    """How alike two Chinese texts are: the share of ``a``'s character pairs found in ``b``."""
    pairs_a, pairs_b = _bigrams(a), _bigrams(b)
    return len(pairs_a & pairs_b) / len(pairs_a) if pairs_a else 0.0


def _bigrams(text: str) -> set[str]:
    plain = re.sub(r"[\W\d_]+", "", unicodedata.normalize("NFKC", text))
    return {plain[i : i + 2] for i in range(len(plain) - 1)}


def _reported_tasks(session: Session, unit_id: int, period: str) -> list[int]:
    """Tasks the unit's latest report for the month gave progress on (not 本月无进展)."""
    latest = session.exec(
        select(Submission.id)
        .where(Submission.unit_id == unit_id, Submission.period == period)
        .order_by(col(Submission.version).desc())
    ).first()
    if latest is None:
        return []
    return list(
        session.exec(
            select(SubmissionTaskStatus.task_id).where(
                SubmissionTaskStatus.submission_id == latest,
                SubmissionTaskStatus.status != TaskStatus.NO_PROGRESS,
            )
        )
    )


def _items_of_tasks(session: Session, tree: Tree, task_ids: list[int]) -> list[int]:
    if not task_ids:
        return []
    linked = session.exec(
        select(TaskIndicatorLink.item_id).where(col(TaskIndicatorLink.task_id).in_(task_ids))
    ).all()
    return _in_order(tree, [i for i in linked if i in tree.nodes])


def _in_order(tree: Tree, item_ids: Iterable[int]) -> list[int]:
    """Items in the framework's order, each once."""
    wanted = set(item_ids)
    return [node.id for node in tree.walk() if node.id in wanted]
