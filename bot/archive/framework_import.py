"""Import an indicator framework file into a campaign, idempotently, and say what it did.

Items are keyed by their codes (or titles) down the tree, so importing the same file again
changes nothing and a corrected file updates its items in place; items that disappear are
set inactive (their evidence tags are kept). A new version (another ``version``) is another
framework: a campaign can hold several. Units are matched through ``resolve_unit_names``:
nothing is created, and every unmatched name is reported with its row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from bot.archive.framework_table import FrameworkTable, ItemSpec, read_framework
from bot.archive.units import resolve_unit_names
from bot.domain.importing.plan import Where
from bot.domain.importing.readers import ImportFileError, read_blocks
from storage.models import Indicator, Responsibility
from storage.models_archive import Framework, FrameworkItem, FrameworkItemUnit
from storage.repo_audit import add_audit_entry
from storage.repo_units import get_default_campaign

_VERSION = re.compile(r"[（(]?\s*((?:19|20)\d{2})\s*(?:年)?\s*版\s*[)）]?")


@dataclass
class FrameworkReport:
    """What an import did (or, for a dry run, would do)."""

    name: str
    version: str
    layout: str
    levels: dict[int, int] = field(default_factory=dict)  # items per level
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    units_matched: list[str] = field(default_factory=list)
    unmatched: list[tuple[Where, str]] = field(default_factory=list)
    groups: list[tuple[Where, str]] = field(default_factory=list)
    skipped: list[tuple[Where, str]] = field(default_factory=list)
    indicators_linked: list[str] = field(default_factory=list)
    core: int = 0
    points: float = 0.0
    dry_run: bool = False


def name_and_version(title: str, file_name: str) -> tuple[str, str]:
    """ "健康县区评估细则（2024版）" → (健康县区评估细则, 2024版); the file's stem when
    there is no title."""
    text = " ".join((title or Path(file_name).stem).split())
    match = _VERSION.search(text)
    if match is None:
        return text, ""
    name = (text[: match.start()] + text[match.end() :]).strip(" -_（()）")
    return name or text, f"{match[1]}版"


def import_framework(
    *, session: Session, file_name: str, data: bytes, name: str = "", version: str | None = None,
    dry_run: bool = False,
) -> FrameworkReport:  # fmt: skip
    """Read the file and (unless ``dry_run``) write it; ImportFileError if it is unusable."""
    table = read_framework(read_blocks(file_name, data))
    if not table.items:
        raise ImportFileError("nothing_recognised", file_name)
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        raise ImportFileError("no_campaign", file_name)
    found_name, found_version = name_and_version(table.title, file_name)
    report = FrameworkReport(
        name or found_name, found_version if version is None else version, table.layout,
        skipped=list(table.skipped), dry_run=dry_run,
    )  # fmt: skip
    resolved = {item.key: _units_of(session, campaign.id, item, report) for item in table.items}
    for item in table.items:
        report.levels[item.level] = report.levels.get(item.level, 0) + 1
        report.core += item.label.core
        if item.level == 1 or not table.children(item.key):
            report.points += item.points or 0.0
    report.units_matched = sorted({u for links in resolved.values() for u, _ in links})
    if dry_run:
        report.created = len(table.items)
        return report
    framework = _framework(session, campaign.id, report, file_name)
    _write_items(session, campaign.id, framework, table, resolved, report)
    add_audit_entry(
        session=session, action="framework_imported", file=file_name,
        framework=f"{report.name} {report.version}".strip(),
        items=f"{report.created}/{report.updated}/{report.unchanged}",
    )  # fmt: skip
    return report


def _units_of(
    session: Session, campaign_id: int, item: ItemSpec, report: FrameworkReport
) -> list[tuple[str, tuple[int, str]]]:
    """(full name, (unit id, role)) for the item's 责任单位 (first leads) and 配合单位."""
    links: list[tuple[str, tuple[int, str]]] = []
    for cell, cooperating in ((item.units, False), (item.cooperating, True)):
        if not cell:
            continue
        found = resolve_unit_names(session=session, campaign_id=campaign_id, cell=cell,
                                   where=item.where)  # fmt: skip
        report.unmatched.extend(found.unmatched)
        report.groups.extend((item.where, group) for group in found.groups)
        for unit in found.units:
            if unit.id is None or any(unit.id == uid for _, (uid, _) in links):
                continue
            role = (
                Responsibility.COOPERATING if cooperating
                else Responsibility.LEAD if not links else Responsibility.RESPONSIBLE
            )  # fmt: skip
            links.append((unit.full_name, (unit.id, role.value)))
    return links


def _framework(session: Session, campaign_id: int, report: FrameworkReport, file: str) -> Framework:
    framework = session.exec(
        select(Framework).where(
            Framework.campaign_id == campaign_id,
            Framework.name == report.name,
            Framework.version == report.version,
        )
    ).first()
    if framework is None:
        framework = Framework(campaign_id=campaign_id, name=report.name, version=report.version)
    framework.layout, framework.source_file = report.layout, Path(file).name[:200]
    session.add(framework)
    session.flush()
    return framework


def _write_items(
    session: Session,
    campaign_id: int,
    framework: Framework,
    table: FrameworkTable,
    resolved: dict[str, list[tuple[str, tuple[int, str]]]],
    report: FrameworkReport,
) -> None:
    assert framework.id is not None
    stored = {
        item.key: item
        for item in session.exec(
            select(FrameworkItem).where(FrameworkItem.framework_id == framework.id)
        )
    }
    indicators = _indicators_by_name(session, campaign_id)
    ids: dict[str, int] = {}
    for order, spec in enumerate(table.items):
        fields = _fields(spec, order, ids)
        if fields["indicator_id"] is None:
            fields["indicator_id"] = indicators.get(_plain(spec.label.title))
        if fields["indicator_id"] is not None:
            report.indicators_linked.append(spec.label.title)
        item = stored.pop(spec.key, None)
        links = resolved[spec.key]
        if item is None:
            item = FrameworkItem(framework_id=framework.id, key=spec.key, **fields)
            report.created += 1
        elif _same(session, item, fields, links):
            report.unchanged += 1
            ids[spec.key] = item.id or 0
            continue
        else:
            for key, value in fields.items():
                if key != "indicator_id" or item.indicator_id is None:  # kept if set by hand
                    setattr(item, key, value)
            report.updated += 1
        session.add(item)
        session.flush()
        assert item.id is not None
        ids[spec.key] = item.id
        _write_units(session, item.id, links)
    for gone in stored.values():
        if gone.active:
            gone.active = False
            session.add(gone)
            report.retired += 1
    session.flush()


def _fields(spec: ItemSpec, order: int, ids: dict[str, int]) -> dict[str, Any]:
    return {
        "parent_id": ids.get(spec.parent_key),
        "level": spec.level,
        "ordinal": spec.ordinal,
        "code": spec.label.code[:40],
        "title": spec.label.title,
        "description": spec.details.get("description", ""),
        "method": spec.details.get("method", ""),
        "calculation": spec.details.get("calculation", ""),
        "target_raw": spec.details.get("target", ""),
        "remarks": spec.details.get("remarks", ""),
        "points": spec.points,
        "bonus_points": spec.label.bonus_points,
        "self_score": spec.self_score,
        "core": spec.label.core,
        "difficult": spec.difficult,
        "active": True,
        "sort_order": order,
        "indicator_id": None,
    }


def _same(
    session: Session, item: FrameworkItem, fields: dict[str, Any],
    links: list[tuple[str, tuple[int, str]]],
) -> bool:  # fmt: skip
    current = [
        (link.unit_id, link.role)
        for link in session.exec(
            select(FrameworkItemUnit)
            .where(FrameworkItemUnit.item_id == item.id)
            .order_by(col(FrameworkItemUnit.position))
        )
    ]
    same_fields = all(
        getattr(item, key) == value for key, value in fields.items() if key != "indicator_id"
    )
    return same_fields and current == [pair for _, pair in links]


def _write_units(session: Session, item_id: int, links: list[tuple[str, tuple[int, str]]]) -> None:
    for old in session.exec(select(FrameworkItemUnit).where(FrameworkItemUnit.item_id == item_id)):
        session.delete(old)
    session.flush()
    for position, (_, (unit_id, role)) in enumerate(links):
        session.add(
            FrameworkItemUnit(item_id=item_id, unit_id=unit_id, role=role, position=position)
        )
    session.flush()


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).strip("。.")


def _indicators_by_name(session: Session, campaign_id: int) -> dict[str, int]:
    """The campaign's indicators (from the indicator sheet), by name, to link items whose
    title is the same indicator: their values then come from the units' reports."""
    query = select(Indicator).where(Indicator.campaign_id == campaign_id)
    return {_plain(ind.name): ind.id for ind in session.exec(query) if ind.id is not None}
