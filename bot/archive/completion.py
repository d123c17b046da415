"""The 指标完成情况表: each indicator's requirement, values, state, points, units and the
件号 of the material that proves it (佐证材料编号, as finance offices cite 附件编号).

Values come from what units already report: an item linked to one of the campaign's
indicators takes its latest value and gap from ``indicator_rows`` (the rule the Excel 汇总表
uses) and its first reported value as the 基线值; the raw value keeps numerator and
denominator ("12/20"). An item without a linked indicator or without any value says 无数据.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from sqlmodel import Session, col, select

from bot.archive.catalog import add_row, saved, sheet_heading, start_sheet
from bot.archive.frameworks import Node
from bot.archive.items import Archive
from bot.domain.periods import YearMonth
from bot.domain.summary import IndicatorRow, indicator_rows
from messages.render import Renderer
from storage.models import Submission, SubmissionIndicatorValue

COLUMNS = (
    ("ar_serial", 6), ("ar_level1", 16), ("ar_level2", 30), ("ar_requirement", 30),
    ("ar_baseline", 12), ("ar_current", 14), ("ar_gap", 8), ("ar_state", 8), ("ar_points", 6),
    ("ar_self_score", 7), ("ar_lead", 14), ("ar_cooperating", 18), ("ar_evidence_numbers", 16),
    ("ar_notes", 16),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CompletionRow:
    serial: int
    level1: str
    level2: str
    requirement: str
    baseline: tuple[str, str] | None  # (value as typed, month)
    current: tuple[str, str] | None
    gap: float | None
    state: str  # met, unmet, no_data
    points: float | None
    self_score: float | None
    lead: str
    cooperating: str
    evidence_numbers: str
    notes: tuple[tuple[str, dict[str, Any]], ...]  # label macros and their values


def completion_rows(*, session: Session, archive: Archive) -> list[CompletionRow]:
    """One row per indicator the archive files by (the framework's leaves), in its order."""
    tree = archive.tree
    values = {
        row.indicator.id: row
        for row in indicator_rows(session=session, period=YearMonth(archive.year, 12))
    }
    rows = []
    for serial, node in enumerate(tree.leaves(), 1):
        chain = tree.ancestors(node.id)
        found = values.get(node.item.indicator_id) if node.item.indicator_id else None
        numbers = archive.numbers_of(node.id)
        rows.append(
            CompletionRow(
                serial=serial,
                level1=chain[0].label if len(chain) > 1 else "",
                level2=" / ".join(n.label for n in chain[1:]) or chain[0].label,
                requirement=_requirement(node, found),
                baseline=_baseline(session, node.item.indicator_id),
                current=(found.value, found.period) if found and found.value else None,
                gap=found.gap if found else None,
                state=_state(found),
                points=node.item.points,
                self_score=node.item.self_score,
                lead=node.lead.display_name if node.lead else "",
                cooperating="、".join(
                    [*(u.display_name for u in node.cooperating), *node.item.groups]
                ),
                evidence_numbers=number_ranges(numbers),
                notes=_notes(node, bool(numbers)),
            )
        )
    return rows


def completion_book(*, session: Session, archive: Archive, renderer: Renderer) -> bytes:
    label = renderer.label
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    heading = sheet_heading(archive, renderer, "ar_completion")
    start_sheet(sheet, label("ar_completion"), heading, "", COLUMNS, renderer)
    for row in completion_rows(session=session, archive=archive):
        notes = "；".join(label(macro, **values) for macro, values in row.notes)
        state = label(f"ar_state_{row.state}")
        baseline, current = (
            label("ar_value_at", value=pair[0], period=pair[1]) if pair else ""
            for pair in (row.baseline, row.current)
        )
        add_row(
            sheet,
            [
                row.serial, row.level1, row.level2, row.requirement, baseline, current,
                row.gap, state, row.points, row.self_score, row.lead, row.cooperating,
                row.evidence_numbers, notes,
            ],
            COLUMNS,
        )  # fmt: skip
    return saved(book)


def number_ranges(numbers: list[int]) -> str:
    """件号 as the table cites them: runs joined ("0001-0003、0007")."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return "、".join(
        f"{run[0]:04d}" if len(run) == 1 else f"{run[0]:04d}-{run[-1]:04d}" for run in runs
    )


def _requirement(node: Node, found: IndicatorRow | None) -> str:
    if found is not None and found.indicator.target_raw:
        return found.indicator.target_raw
    item = node.item
    return item.target_raw or item.description or item.calculation


def _state(found: IndicatorRow | None) -> str:
    if found is None or found.gap is None:
        return "no_data"
    return "met" if found.gap == 0 else "unmet"


def _baseline(session: Session, indicator_id: int | None) -> tuple[str, str] | None:
    """The first value any unit reported for the indicator, with its month."""
    if indicator_id is None:
        return None
    first = session.exec(
        select(SubmissionIndicatorValue, Submission)
        .join(Submission, col(Submission.id) == col(SubmissionIndicatorValue.submission_id))
        .where(
            SubmissionIndicatorValue.indicator_id == indicator_id,
            col(SubmissionIndicatorValue.skipped).is_(False),
        )
        .order_by(col(Submission.period), col(Submission.version))
    ).first()
    return (first[0].raw, first[1].period) if first else None


def _notes(node: Node, has_evidence: bool) -> tuple[tuple[str, dict[str, Any]], ...]:
    item = node.item
    notes: list[tuple[str, dict[str, Any]]] = []
    if item.core:
        notes.append(("ar_core", {}))
    if item.bonus_points:
        notes.append(("ar_bonus", {"points": _plain_number(item.bonus_points)}))
    if item.difficult:
        notes.append(("ar_difficult", {}))
    if not has_evidence:
        notes.append(("ar_no_evidence", {}))
    return tuple(notes)


def _plain_number(value: float) -> object:
    return int(value) if value.is_integer() else value
