"""The year's evidence as archive items (件, DA/T 22-2015), filed by indicator: the rows that
the ZIP's folders, every 归档文件目录 and the 000 总目录 are written from.

A stored file proves one or more items (``tags``); it becomes one 件 in each of their folders,
with its own 件号 (a file tagged to two indicators is in both folders, and once in the store;
each 件's 备注 points to the other). 件号 run on without a gap through the whole year, folder
after folder in the framework's order, so 起止件号 say where each indicator's material is and
the 指标完成情况表 can cite them. Files no indicator claims are kept in a last folder, 未归类.
Only months a unit submitted are the office's to file (``evidence_of``, as for the photo ZIP).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, tzinfo
from pathlib import PurePosixPath
from typing import Any

from sqlmodel import Session, col, select

from bot.archive import captions
from bot.archive.codes import ordinal, safe_name
from bot.archive.frameworks import Node, Tree
from bot.archive.probe import probe
from bot.archive.tags import effective_tags
from bot.domain.periods import YearMonth
from bot.domain.summary import evidence_of
from messages.render import Renderer
from storage.files import ContentStore
from storage.models import Evidence, EvidenceKind, MemberUnit, Person
from storage.models_archive import EvidenceFiling

log = logging.getLogger(__name__)
RETENTION = {"Y": "永久", "D30": "30年", "D10": "10年"}
DEFAULT_REFERENCE = "{fonds}-{year}-{retention}-{code}-{number}"
_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d{1,4}\s*号"
)
_GENERIC_NAME = re.compile(
    r"^(file|document|doc|scan|img|image|dsc|photo|新建|扫描|微信图片|未命名|文档|文件|[0-9a-f_\-]{8,}|\d+)",
    re.IGNORECASE,
)
MAX_TITLE = 100
MAX_FILE_TITLE = 40
UNFILED_FOLDER = "999"


@dataclass(frozen=True, slots=True)
class Options:
    """How the office numbers its archive: 全宗号, the 档号 pattern, the 保管期限 code."""

    fonds: str = ""
    reference: str = DEFAULT_REFERENCE
    retention: str = "D10"

    @property
    def retention_words(self) -> str:
        return RETENTION.get(self.retention, self.retention)


@dataclass(frozen=True, slots=True)
class ArchiveItem:
    """One 件: the 目录's columns, and where its file goes."""

    number: int  # 件号
    reference: str  # 档号
    doc_number: str  # 文号
    author: str  # 责任者
    title: str  # 题名
    day: date  # 日期
    pages: int | None  # 页数 (None: cannot be counted)
    remarks: str  # 备注
    path: str  # in the ZIP
    evidence_id: int
    sha256: str
    size: int
    kind: EvidenceKind
    item_id: int | None  # the indicator it proves (None: 未归类)
    secrecy: str = ""  # 密级: left blank

    @property
    def number_text(self) -> str:
        return f"{self.number:04d}"

    @property
    def date_text(self) -> str:
        return self.day.strftime("%Y%m%d")


@dataclass
class Shelf:
    """A folder of the archive: an indicator (二级, or a 一级 without any) and its 件."""

    node: Node | None  # None: 未归类
    parent: Node | None  # its 一级 (None for a 一级 itself or 未归类)
    folder: str
    code: str  # 问题代码 in the 档号
    items: list[ArchiveItem] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return sum(item.pages or 0 for item in self.items)

    @property
    def numbers(self) -> tuple[int, int] | None:
        return (self.items[0].number, self.items[-1].number) if self.items else None


@dataclass
class Archive:
    year: int
    tree: Tree
    options: Options
    shelves: list[Shelf]
    unit_count: int = 0

    @property
    def items(self) -> list[ArchiveItem]:
        return [item for shelf in self.shelves for item in shelf.items]

    def numbers_of(self, item_id: int) -> list[int]:
        """件号 of the material proving ``item_id`` (the 佐证材料编号 of its row)."""
        return [i.number for i in self.items if i.item_id == item_id]


@dataclass(frozen=True, slots=True)
class _File:
    evidence: Evidence
    unit: MemberUnit
    filing: EvidenceFiling
    sender: str


def build_archive(
    *, session: Session, tree: Tree, year: int, files: ContentStore, tz: tzinfo,
    renderer: Renderer, options: Options = Options(),
) -> Archive:  # fmt: skip
    """The year's 件 in the framework's folders (reading each new file once for its pages)."""
    found = _year_files(session, tree.framework.campaign_id, year, files, tz)
    tags = effective_tags(session=session, tree=tree, evidence=[f.evidence for f in found])
    placed: dict[int | None, list[tuple[int, _File, int | None]]] = defaultdict(list)
    order = {node.id: position for position, node in enumerate(tree.walk())}
    for file in found:
        assert file.evidence.id is not None
        chosen = tags.get(file.evidence.id, [])
        shelves_used: set[int] = set()
        for item_id in chosen:
            shelf_id = tree.shelf(item_id).id
            if shelf_id not in shelves_used:  # once per folder, under its first item there
                shelves_used.add(shelf_id)
                placed[shelf_id].append((order[item_id], file, item_id))
        if not chosen:
            placed[None].append((0, file, None))
    shelves = [_shelf(tree, node, year) for node in tree.shelves()]
    if placed.get(None):
        unfiled = safe_name(renderer.label("ar_unfiled"))
        shelves.append(Shelf(None, None, f"{year}/{UNFILED_FOLDER} {unfiled}", "00"))
    number = 0
    for shelf in shelves:
        key = shelf.node.id if shelf.node else None
        rows = sorted(
            placed.get(key, []), key=lambda r: (r[0], _day(r[1], year, tz), r[1].evidence.id or 0)
        )
        for _, file, tagged in rows:
            number += 1
            shelf.items.append(
                _item(number, file, tagged, shelf, tree, year, tz, options, renderer)
            )
    _cross_reference(shelves, renderer)
    units = {f.unit.id for f in found}
    return Archive(year, tree, options, shelves, len(units))


def reference(options: Options, *, year: int, code: str, number: int) -> str:
    """档号, default 全宗号-年度-保管期限-问题代码-件号; empty parts (no 全宗号) drop out."""
    text = options.reference.format(
        fonds=options.fonds, year=year, retention=options.retention, code=code,
        number=f"{number:04d}",
    )  # fmt: skip
    return re.sub(r"-{2,}", "-", text).strip("-")


def title_of(
    evidence: Evidence, unit: MemberUnit, filing: EvidenceFiling, renderer: Renderer
) -> str:
    """题名: the office's, else the caption (photo) or the document's name; what the file does
    not say is written by the archivist in square brackets, as DA/T 22 asks."""
    if filing.title:
        return filing.title
    period = YearMonth.parse(evidence.period)
    when: dict[str, Any] = {"unit": unit.display_name, "year": period.year, "month": period.month}
    if evidence.kind == EvidenceKind.PHOTO:
        caption = " ".join(evidence.caption.split())
        return caption[:MAX_TITLE] if caption else renderer.label("ar_photo_title", **when)
    stem = PurePosixPath(evidence.file_name).stem.strip()
    if stem and not _GENERIC_NAME.match(stem):
        return stem[:MAX_TITLE]
    return renderer.label("ar_document_title", **when)


def doc_number_of(evidence: Evidence, filing: EvidenceFiling) -> str:
    """文号: the office's, else one written in the file's name or caption (花政办〔2024〕19号)."""
    if filing.doc_number:
        return filing.doc_number
    for text in (evidence.file_name, evidence.caption):
        match = _DOC_NUMBER.search(text)
        if match:
            return " ".join(match[0].split())
    return ""


def _year_files(
    session: Session, campaign_id: int, year: int, files: ContentStore, tz: tzinfo
) -> list[_File]:
    months = [YearMonth(year, month) for month in range(1, 13)]
    kept = {p.evidence_id for p in evidence_of(session=session, periods=months).items}
    rows = session.exec(
        select(Evidence, MemberUnit)
        .join(MemberUnit, col(MemberUnit.id) == col(Evidence.unit_id))
        .where(col(Evidence.id).in_(kept), MemberUnit.campaign_id == campaign_id)
        .order_by(col(Evidence.id))
    ).all()
    ids = [e.id for e, _ in rows]
    query = select(EvidenceFiling).where(col(EvidenceFiling.evidence_id).in_(ids))
    filings = {f.evidence_id: f for f in session.exec(query)}
    senders = {
        p.id: p.name
        for p in session.exec(
            select(Person).where(col(Person.id).in_({e.received_by_person_id for e, _ in rows}))
        )
    }
    found = []
    for evidence, unit in rows:
        assert evidence.id is not None
        if not files.exists(evidence.sha256):  # the store lost it: list only what is there
            log.error("evidence %s (%s) is missing from the file store", evidence.id,
                      evidence.sha256)  # fmt: skip
            continue
        filing = filings.get(evidence.id) or EvidenceFiling(evidence_id=evidence.id)
        if not filing.probed:
            learned = probe(files.read_bytes(evidence.sha256), evidence.file_name,
                            EvidenceKind(evidence.kind), tz)  # fmt: skip
            filing.pages, filing.pages_exact = learned.pages, learned.exact
            filing.taken_at, filing.probed = learned.taken_at, True
            session.add(filing)
        sender = senders.get(evidence.received_by_person_id, "")
        found.append(_File(evidence, unit, filing, sender))
    session.flush()
    return found


def _shelf(tree: Tree, node: Node, year: int) -> Shelf:
    chain = tree.ancestors(node.id)
    parts = [f"{ordinal(n.item.ordinal)} {safe_name(_folder_label(n))}" for n in chain]
    code = node.item.code or ".".join(f"{n.item.ordinal:02d}" for n in chain)
    return Shelf(node, chain[0] if len(chain) > 1 else None, "/".join([str(year), *parts]), code)


def _folder_label(node: Node) -> str:
    """A folder's name: the title, with the code when it is a real indicator number (2.3, Ⅱ-1)."""
    code = node.item.code
    structured = bool(re.search(r"[.\-ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]", code))
    return f"{code} {node.item.title}" if structured else node.item.title


def _day(file: _File, year: int, tz: tzinfo) -> date:
    evidence = file.evidence
    return captions.photo_date(
        evidence.caption, file.filing.taken_at if evidence.kind == EvidenceKind.PHOTO else None,
        _aware(evidence.received_at), YearMonth.parse(evidence.period).year, tz,
    )  # fmt: skip


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _item(
    number: int, file: _File, item_id: int | None, shelf: Shelf, tree: Tree, year: int, tz: tzinfo,
    options: Options, renderer: Renderer,
) -> ArchiveItem:  # fmt: skip
    evidence, filing, label = file.evidence, file.filing, renderer.label
    assert evidence.id is not None
    title = title_of(evidence, file.unit, filing, renderer)
    suffix = PurePosixPath(evidence.file_name).suffix.lower() or (
        ".jpg" if evidence.kind == EvidenceKind.PHOTO else ".bin"
    )
    remarks = []
    if item_id is not None and shelf.node is not None and item_id != shelf.node.id:
        remarks.append(label("ar_note_item", label=tree.nodes[item_id].label))
    if evidence.kind == EvidenceKind.PHOTO:
        photographer = file.sender if "摄影者" not in captions.present(evidence.caption) else ""
        remarks.append(label("ar_note_photo", photographer=photographer))
    elif filing.pages is None:
        remarks.append(label("ar_note_pages_unknown"))
    elif not filing.pages_exact:
        remarks.append(label("ar_note_pages_estimated"))
    if filing.remarks:
        remarks.append(filing.remarks)
    return ArchiveItem(
        number=number,
        reference=reference(options, year=year, code=shelf.code, number=number),
        doc_number=doc_number_of(evidence, filing),
        author=file.unit.full_name,
        title=title,
        day=_day(file, year, tz),
        pages=filing.pages,
        remarks="；".join(remarks),
        path=f"{shelf.folder}/{number:04d} {safe_name(title, MAX_FILE_TITLE)}{suffix}",
        evidence_id=evidence.id,
        sha256=evidence.sha256,
        size=evidence.size,
        kind=EvidenceKind(evidence.kind),
        item_id=item_id,
    )


def _cross_reference(shelves: list[Shelf], renderer: Renderer) -> None:
    """A file filed under several indicators: each 件's 备注 names the others (同见)."""
    numbers: dict[int, list[int]] = defaultdict(list)
    for shelf in shelves:
        for item in shelf.items:
            numbers[item.evidence_id].append(item.number)
    for shelf in shelves:
        for position, item in enumerate(shelf.items):
            others = [f"{n:04d}" for n in numbers[item.evidence_id] if n != item.number]
            if others:
                note = renderer.label("ar_note_also", numbers=others)
                remarks = "；".join(filter(None, (item.remarks, note)))
                shelf.items[position] = replace(item, remarks=remarks)
