"""Tasks linked to the indicators they serve — so a task's photos are filed there by default.

Two cheap ways: a code column in the 责任分工 table (指标编号, 对应指标 …: "2.3、Ⅱ-1-1"), read
against the tasks the table already imported; or the bot's suggestions from the texts (which
of the framework's indicators a task's wording is most like), which the office confirms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from bot.archive.frameworks import Node, Tree
from bot.archive.tags import similarity
from bot.domain.importing.plan import Where, build_plan
from bot.domain.importing.readers import Table, read_blocks
from storage.models import Task
from storage.models_archive import LinkSource, TaskIndicatorLink
from storage.repo_units import list_units

CODE_COLUMNS = ("指标编号", "对应指标", "指标代码", "关联指标", "评估指标", "对应指标编号")
_SEPARATORS = re.compile(r"[、，,；;\s]+")
SUGGEST_AT = 0.35  # share of the task's character pairs found in the indicator's wording


@dataclass
class LinkReport:
    linked: list[tuple[str, str]] = field(default_factory=list)  # (task code, item label)
    unknown_codes: list[tuple[Where, str]] = field(default_factory=list)
    unknown_tasks: list[tuple[Where, str]] = field(default_factory=list)
    no_column: bool = False


@dataclass(frozen=True, slots=True)
class Suggestion:
    task: Task
    node: Node
    score: float


def links_from_table(
    *, session: Session, campaign_id: int, tree: Tree, file_name: str, data: bytes,
    dry_run: bool = False,
) -> LinkReport:  # fmt: skip
    """Read a 责任分工 table's indicator-code column and link each of its tasks."""
    blocks = read_blocks(file_name, data)
    units = list_units(session=session, campaign_id=campaign_id)
    plan = build_plan(blocks, existing=[(u.full_name, [u.short_name, *u.aliases]) for u in units])
    columns = {b.name: _code_column(b) for b in blocks if isinstance(b, Table)}
    tables = {b.name: b for b in blocks if isinstance(b, Table)}
    report = LinkReport(no_column=not any(c is not None for c in columns.values()))
    for spec in plan.tasks:
        column = columns.get(spec.where.table)
        if column is None:
            continue
        row = tables[spec.where.table].rows[spec.where.row - 1]
        cell = row[column] if column < len(row) else ""
        codes = [c for c in _SEPARATORS.split(unicodedata.normalize("NFC", cell)) if c]
        if not codes:
            continue
        task = session.exec(
            select(Task).where(Task.campaign_id == campaign_id, Task.code == spec.code)
        ).first()
        if task is None or task.id is None:
            report.unknown_tasks.append((spec.where, spec.code))
            continue
        for code in codes:
            nodes = tree.by_code(code)
            if len(nodes) != 1:
                report.unknown_codes.append((spec.where, code))
                continue
            report.linked.append((task.code, nodes[0].label))
            if not dry_run:
                link(session=session, task_id=task.id, item_id=nodes[0].id, source=LinkSource.TABLE)
    session.flush()
    return report


def suggest(
    *, session: Session, campaign_id: int, tree: Tree, at_least: float = SUGGEST_AT
) -> list[Suggestion]:
    """For each task with no link yet, the indicator its wording is most like (if alike enough)."""
    linked = set(session.exec(select(TaskIndicatorLink.task_id)))
    leaves = tree.leaves()
    found = []
    query = select(Task).where(Task.campaign_id == campaign_id).order_by(col(Task.sort_order))
    for task in session.exec(query):
        if task.id in linked or not leaves:
            continue
        scored = [
            (similarity(task.content, f"{n.item.title}{n.item.description}"), n) for n in leaves
        ]
        score, best = max(scored, key=lambda pair: pair[0])
        if score >= at_least:
            found.append(Suggestion(task, best, round(score, 2)))
    return found


def confirm(*, session: Session, suggestions: Sequence[Suggestion]) -> int:
    """The office accepts the suggestions: they become links."""
    for suggestion in suggestions:
        assert suggestion.task.id is not None
        link(session=session, task_id=suggestion.task.id, item_id=suggestion.node.id,
             source=LinkSource.SUGGESTED)  # fmt: skip
    session.flush()
    return len(suggestions)


def link(*, session: Session, task_id: int, item_id: int, source: LinkSource) -> bool:
    """Link a task to an item (once); False when the link was already there."""
    if session.get(TaskIndicatorLink, (task_id, item_id)) is not None:
        return False
    session.add(TaskIndicatorLink(task_id=task_id, item_id=item_id, source=source))
    return True


def _code_column(table: Table) -> int | None:
    for row in table.rows[:15]:
        for position, cell in enumerate(row):
            plain = "".join(unicodedata.normalize("NFKC", cell).split())
            if plain in CODE_COLUMNS:
                return position
    return None
