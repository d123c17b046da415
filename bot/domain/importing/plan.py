"""Turn tables and paragraphs into an import plan: units, tasks, indicators, problems.

Nothing is written here. A 责任分工 table is read the way a person reads it: the header may
sit below a title; heading rows (一、… / 1.…) or category columns (分类, 类别) give each task
its place. A blank 牵头/配合/时限 cell is blank — except in a CSV, where Excel exports a merged
cell as one value and blanks below it: there it repeats the value above, within the same
sub-heading. Every row that is skipped and every name that matches nothing is reported with
where it was.

Units are never invented: a name that is not a unit's name, short name or confirmed alias is
*unresolved* — a suspicion with the units it may mean, or a name without any — and the plan
links nothing to it. Only a member list (a 单位名称/成员单位 column, or "成员单位：A、B、C")
creates the units it names that resemble no existing one. ``create`` names the office
confirmed as new units; ``create_all`` confirms every unresolved name that resembles no unit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.importing.cells import (
    DUTY_LINE,
    Target,
    category_from_text,
    chinese_number,
    looks_like_title,
    parse_target,
    title_above,
)
from bot.domain.importing.deadlines import Deadline, parse_deadline
from bot.domain.importing.readers import Block, Paragraph, Table
from bot.domain.importing.unit_names import (
    GroupRef,
    GroupScope,
    SplitCell,
    UnitIndex,
    looks_like_unit,
    name_key,
    plain,
    split_units,
)
from storage.models import UnitCategory

HEADER_SEARCH_ROWS = 15
COLUMN_SYNONYMS = {
    "content": ("具体内容", "工作任务", "重点任务", "工作内容", "任务内容", "主要任务", "任务"),
    "lead": ("牵头单位", "责任单位", "主责单位", "牵头部门", "责任部门"),
    "cooperating": ("配合单位", "协办单位", "参与单位", "配合部门"),
    "deadline": ("完成时限", "时限要求", "完成时间", "时间节点", "时限"),
    "remarks": ("备注",),
    "unit": ("单位名称", "成员单位", "单位全称", "单位"),
    "short_name": ("简称",),
    "aliases": ("别名", "其他名称"),
    "category": ("类别", "分类", "单位类别", "类型"),
    "duties": ("职责", "工作职责", "主要职责"),
    "indicator": ("指标名称", "指标", "指标内容"),
    "target": ("目标值", "目标", "指标要求"),
    "measure": ("计量单位",),
}
MEMBER_LIST_HEADERS = ("单位名称", "成员单位", "单位全称", "成员单位名称")
TOP_HEADING = re.compile(r"^([一二三四五六七八九十]+)\s*[、.．]|^(\d+)\s*、\s*\D")
SUB_HEADING = re.compile(r"^[（(]?([一二三四五六七八九十]+|\d+)[)）]?\s*[.、．]?\s*\D")
ITEM_NUMBER = re.compile(r"^(\d+)\s*[.、．]\s*")
MEMBER_LIST_LABELS = ("成员单位", "成员单位名单", "领导小组成员单位")
COMMON_DUTIES = re.compile(r"共性职责|共同职责")
SHORT_HEADING = 20  # a line this short without a colon is a heading, not duties


class Skip(StrEnum):
    """Why a row was not imported (the report words each one)."""

    NO_HEADER = "no_header"
    NO_CONTENT = "no_content"
    NO_UNIT_NAME = "no_unit_name"
    NOT_A_UNIT = "not_a_unit"
    NO_INDICATOR_NAME = "no_indicator_name"
    GROUP = "group"  # a duty line for 各乡镇 …: a group, not a unit to create


@dataclass(frozen=True, slots=True)
class Where:
    """A place in the file: table (sheet, 表N, file) and 1-based row, or a paragraph line."""

    table: str
    row: int

    def __str__(self) -> str:
        return f"{self.table}:{self.row}"


@dataclass
class UnitSpec:
    full_name: str
    short_name: str = ""
    aliases: tuple[str, ...] = ()
    category: UnitCategory | None = None
    duties: str = ""
    known: bool = False  # already in the database before this import


@dataclass
class Unresolved:
    """A name that is no unit's: ``candidates`` are the units it may mean, closest first (none:
    nothing alike); ``creatable`` when it reads like a unit's name; ``where`` every place."""

    name: str
    candidates: tuple[str, ...]
    creatable: bool
    where: list[Where] = field(default_factory=list)

    @property
    def suspected(self) -> bool:
        return bool(self.candidates)


@dataclass(frozen=True)
class TaskSpec:
    code: str
    category_path: tuple[str, ...]
    content: str
    responsible: tuple[str, ...]  # first one leads
    cooperating: tuple[str, ...]
    groups: tuple[tuple[str, GroupRef], ...]  # (role, group) as written
    deadline: Deadline
    remarks: str
    where: Where


@dataclass(frozen=True)
class IndicatorSpec:
    name: str
    target: Target
    responsible: tuple[str, ...]
    deadline: Deadline
    where: Where


@dataclass
class ImportPlan:
    title: str = ""
    units: dict[str, UnitSpec] = field(default_factory=dict)
    tasks: list[TaskSpec] = field(default_factory=list)
    indicators: list[IndicatorSpec] = field(default_factory=list)
    common_duties: str = ""  # 共性职责: duties of every member unit
    unresolved: dict[str, Unresolved] = field(default_factory=dict)
    ignored: list[tuple[Where, str]] = field(default_factory=list)
    unmatched: list[tuple[Where, str]] = field(default_factory=list)
    skipped: list[tuple[Where, Skip, str]] = field(default_factory=list)
    unclear_deadlines: list[tuple[Where, str]] = field(default_factory=list)
    unexpandable_groups: list[tuple[Where, str]] = field(default_factory=list)
    duplicate_codes: list[tuple[Where, str]] = field(default_factory=list)

    @property
    def new_units(self) -> list[UnitSpec]:
        return [unit for unit in self.units.values() if not unit.known]

    @property
    def suspected(self) -> list[Unresolved]:
        return [u for u in self.unresolved.values() if u.suspected]

    @property
    def unknown(self) -> list[Unresolved]:
        """Names like no unit's (each still to confirm before it is created)."""
        return [u for u in self.unresolved.values() if not u.suspected]

    @property
    def is_empty(self) -> bool:
        return not (
            self.units or self.tasks or self.indicators or self.unresolved or self.common_duties
        )


def build_plan(
    blocks: Sequence[Block],
    *,
    existing: Iterable[tuple[str, Sequence[str]]] = (),
    index: UnitIndex | None = None,
    create: Collection[str] = (),
    create_all: bool = False,
) -> ImportPlan:
    """Read every block against ``index`` (or an index of ``existing``: (full name, other
    names) of the units already stored); ``create``/``create_all`` as the module says."""
    builder = _Builder(index or UnitIndex.of(existing), create=create, create_all=create_all)
    for block in blocks:
        if isinstance(block, Table):
            builder.table(block)
        else:
            builder.paragraph(block)
    return builder.plan


class _Builder:
    def __init__(self, index: UnitIndex, *, create: Collection[str], create_all: bool) -> None:
        self.plan = ImportPlan()
        self.index = index
        self.known_names = set(index.canonical_names())
        self.create_all = create_all
        # Confirmed new units (only names that read like one): later variants match them.
        self.confirmed = {
            plain(n) for n in create if looks_like_unit(n) and index.lookup(n) is None
        }
        for name in create:
            if plain(name) in self.confirmed:
                index.add(name)
        self.path: list[str] = []  # the current heading path, shared across tables
        self.in_task_tables = False
        self.in_common_duties = False
        self.codes: set[str] = set()

    # ------------------------------------------------------------------ units

    def plan_unit(self, name: str, **details: object) -> UnitSpec:
        spec = self.plan.units.get(name)
        if spec is None:
            spec = UnitSpec(full_name=name, known=name in self.known_names)
            self.plan.units[name] = spec
            self.index.add(name)
        for key, value in details.items():
            if value:
                setattr(spec, key, value)
        return spec

    def names_in(self, split: SplitCell, where: Where, *, member_list: bool) -> list[str]:
        """The units a split cell names, as planned units; its unresolved names are recorded
        (or, in a member list or when confirmed, planned as new units)."""
        names = [self.plan_unit(unit.name).full_name for unit in split.units]
        for name in split.unresolved:
            if (created := self._resolve(name, where, member_list=member_list)) is not None:
                names.append(created)
        self.plan.unmatched.extend((where, fragment) for fragment in split.unmatched)
        self.plan.ignored.extend((where, name) for name in split.ignored)
        return list(dict.fromkeys(names))

    def _resolve(self, name: str, where: Where, *, member_list: bool) -> str | None:
        """A name no unit has: created when confirmed (or, resembling no unit, in a member
        list or with ``create_all``); otherwise recorded as unresolved. Its name if planned."""
        if (known := self.index.lookup(name)) is not None:
            return self.plan_unit(known).full_name
        candidates = self.index.suggest(name)
        creatable = looks_like_unit(name)
        if creatable and not candidates and (member_list or self.create_all):
            return self.plan_unit(name).full_name
        key = name_key(name)  # 县卫健局 and 卫健局 are one question
        entry = next((u for u in self.plan.unresolved.values() if name_key(u.name) == key), None)
        if entry is None:
            entry = self.plan.unresolved.setdefault(name, Unresolved(name, candidates, creatable))
        entry.where.append(where)
        return None

    def units_in(self, cell: str, where: Where) -> tuple[list[str], list[GroupRef]]:
        split = split_units(cell, self.index)
        names = self.names_in(split, where, member_list=False)
        for group in split.groups:
            if group.scope == GroupScope.UNKNOWN:
                self.plan.unexpandable_groups.append((where, group.label))
        return names, list(split.groups)

    # -------------------------------------------------------------- paragraphs

    def paragraph(self, block: Paragraph) -> None:
        text = block.text.strip()
        if self.in_task_tables and TOP_HEADING.match(text):
            self.path = [text]
            return
        match = DUTY_LINE.match(text)
        if COMMON_DUTIES.search(text) and (match or len(text) <= SHORT_HEADING):
            self.in_common_duties = match is None
            if match is not None:
                self._common(match["rest"].strip())
            return
        if self.in_common_duties and match is None and len(text) > SHORT_HEADING:
            self._common(text)
            return
        self.in_common_duties = False
        if not self.plan.title and not self.in_task_tables and looks_like_title(text):
            self.plan.title = text
        if match is None:
            return
        names, rest = match["names"].strip(), match["rest"].strip()
        where = Where("text", block.line)
        if names in MEMBER_LIST_LABELS:  # 成员单位：A、B、C。
            split = split_units(rest.rstrip("。."), self.index)
            units = self.names_in(split, where, member_list=True)
            self.plan.skipped.extend((where, Skip.GROUP, g.label) for g in split.groups)
            if not units and not split.unresolved and not split.groups:
                self.plan.skipped.append((where, Skip.NOT_A_UNIT, names))
            return
        self.duties(names, rest, where, member_list=False)

    def _common(self, text: str) -> None:
        if text:
            joined = "\n".join(part for part in (self.plan.common_duties, text) if part)
            self.plan.common_duties = joined

    def duties(self, names: str, duties: str, where: Where, *, member_list: bool) -> list[str]:
        """ "A、B：职责" (a paragraph, or a row of a 单位 | 职责 table): every unit named gets the
        duties; groups among them are reported, never created."""
        split = split_units(names, self.index)
        units = self.names_in(split, where, member_list=member_list)
        for unit in units:
            if duties:
                self.plan.units[unit].duties = duties
        for group in split.groups:
            self.plan.skipped.append((where, Skip.GROUP, group.label))
        if not units and not split.unresolved and not split.groups and not split.ignored:
            self.plan.skipped.append((where, Skip.NOT_A_UNIT, names[:30]))
        return units

    # ------------------------------------------------------------------ tables

    def table(self, table: Table) -> None:
        found = _find_header(table.rows)
        if found is None:
            if any(any(cell for cell in row) for row in table.rows):
                self.plan.skipped.append((Where(table.name, 1), Skip.NO_HEADER, table.name))
            return
        header_row, columns = found
        if not self.plan.title:
            self.plan.title = title_above(table.rows[:header_row])
        body = list(enumerate(table.rows[header_row + 1 :], header_row + 2))
        if "content" in columns and "lead" in columns:
            self.in_task_tables = True
            self.tasks(table, columns, body)
        elif "indicator" in columns:
            self.indicators(table.name, columns, body)
        elif "unit" in columns:
            header = _normal(table.rows[header_row][columns["unit"]])
            self.unit_rows(table.name, columns, body, member_list=header in MEMBER_LIST_HEADERS)
        else:
            self.plan.skipped.append(
                (Where(table.name, header_row + 1), Skip.NO_HEADER, table.name)
            )

    def tasks(
        self, table: Table, columns: dict[str, int], body: list[tuple[int, tuple[str, ...]]]
    ) -> None:
        content_col, category_cols = _content_and_categories(columns)
        if "category" in columns and columns["category"] < content_col:
            category_cols = sorted({columns["category"], *category_cols})
        block_key: tuple[str, ...] | None = None
        inherited = {"lead": "", "cooperating": "", "deadline": ""}
        for row_number, row in body:
            where = Where(table.name, row_number)
            cells = _pad(row, max(columns.values()) + 1)
            heading = _heading_text(cells, content_col)
            if heading is not None:
                self._set_heading(heading)
                continue
            for level, col in enumerate(category_cols):
                if cells[col] and (len(self.path) <= level or self.path[level] != cells[col]):
                    self.path = [*self.path[:level], cells[col]]
            content = cells[content_col]
            if not content:
                if any(cells):
                    self.plan.skipped.append((where, Skip.NO_CONTENT, ""))
                continue
            if tuple(self.path) != block_key or not table.fill_down:
                block_key, inherited = tuple(self.path), dict.fromkeys(inherited, "")
            for key in inherited:
                if key in columns and cells[columns[key]]:
                    inherited[key] = cells[columns[key]]
            self.task_row(
                where, content, inherited, cells[columns["remarks"]] if "remarks" in columns else ""
            )

    def _set_heading(self, text: str) -> None:
        if TOP_HEADING.match(text):
            self.path = [text]
        else:
            self.path = [*self.path[:1], text]

    def task_row(self, where: Where, content: str, values: dict[str, str], remarks: str) -> None:
        number = ITEM_NUMBER.match(content)
        text = content[number.end() :].strip() if number else content.strip()
        responsible, lead_groups = self.units_in(values["lead"], where)
        cooperating, co_groups = self.units_in(values["cooperating"], where)
        deadline = parse_deadline(values["deadline"])
        if values["deadline"] and not deadline.understood:
            self.plan.unclear_deadlines.append((where, deadline.raw))
        code = self._code(number.group(1) if number else None)
        if code in self.codes:  # two items numbered alike: keep both, say so
            self.plan.duplicate_codes.append((where, code))
            code = f"{code}@{where.row}"
        self.codes.add(code)
        groups = tuple(("responsible", g) for g in lead_groups) + tuple(
            ("cooperating", g) for g in co_groups
        )
        self.plan.tasks.append(
            TaskSpec(
                code=code,
                category_path=tuple(self.path),
                content=text,
                responsible=tuple(dict.fromkeys(responsible)),
                cooperating=tuple(n for n in dict.fromkeys(cooperating) if n not in responsible),
                groups=groups,
                deadline=deadline,
                remarks=remarks,
                where=where,
            )
        )

    def _code(self, item: str | None) -> str:
        """The task's place in the plan: heading numbers, then the item number."""
        numbers = [_heading_number(text) for text in self.path]
        prefix = ".".join(str(n) if n is not None else str(i + 1) for i, n in enumerate(numbers))
        siblings = sum(1 for t in self.plan.tasks if t.category_path == tuple(self.path))
        return f"{prefix}.{item or siblings + 1}" if prefix else (item or str(siblings + 1))

    def indicators(
        self, name: str, columns: dict[str, int], body: list[tuple[int, tuple[str, ...]]]
    ) -> None:
        for row_number, row in body:
            where = Where(name, row_number)
            cells = _pad(row, max(columns.values()) + 1)
            indicator = cells[columns["indicator"]]
            if not indicator:
                if any(cells):
                    self.plan.skipped.append((where, Skip.NO_INDICATOR_NAME, ""))
                continue
            responsible, _ = self.units_in(
                cells[columns["lead"]] if "lead" in columns else "", where
            )
            measure = cells[columns["measure"]] if "measure" in columns else ""
            deadline = parse_deadline(cells[columns["deadline"]] if "deadline" in columns else "")
            target = parse_target(cells[columns["target"]] if "target" in columns else "", measure)
            self.plan.indicators.append(
                IndicatorSpec(indicator, target, tuple(responsible), deadline, where)
            )

    def unit_rows(
        self,
        name: str,
        columns: dict[str, int],
        body: list[tuple[int, tuple[str, ...]]],
        *,
        member_list: bool,
    ) -> None:
        """A list of units (单位名称/简称/类别/职责 …). A cell naming several units is split
        as a duty paragraph's names are; short names and aliases only go with a single unit."""

        def cell(row: tuple[str, ...], key: str) -> str:
            return row[columns[key]] if key in columns and columns[key] < len(row) else ""

        for row_number, row in body:
            where = Where(name, row_number)
            written = " ".join(cell(row, "unit").split())
            if not written:
                if any(row):
                    self.plan.skipped.append((where, Skip.NO_UNIT_NAME, ""))
                continue
            split = split_units(written, self.index)
            units = self.duties(written, cell(row, "duties"), where, member_list=member_list)
            category = category_from_text(cell(row, "category"))
            for unit in units:
                spec = self.plan.units[unit]
                spec.category = category or spec.category
            if len(units) == 1 and len(split.units) + len(split.unresolved) == 1:
                aliases = tuple(a for a in re.split(r"[、，,；;\s]+", cell(row, "aliases")) if a)
                short = cell(row, "short_name")
                spec = self.plan.units[units[0]]
                spec.short_name = short or spec.short_name
                spec.aliases = aliases or spec.aliases
                self.index.add(spec.full_name, short, *aliases)


# ------------------------------------------------------------------------- helpers


def _normal(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _find_header(rows: Sequence[Sequence[str]]) -> tuple[int, dict[str, int]] | None:
    """The first row naming at least two known columns, and which column is which."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            text = _normal(cell)
            for key, synonyms in COLUMN_SYNONYMS.items():
                if text and any(_names_column(text, s) for s in synonyms):
                    if key == "content" and key in columns:
                        columns["content_last"] = col  # a header merged across columns
                    columns.setdefault(key, col)
                    break
        meaningful = set(columns) - {"content_last", "remarks"}
        if len(meaningful) >= 2 or "unit" in meaningful:
            return index, columns
    return None


def _names_column(cell: str, synonym: str) -> bool:
    """A header cell is the column name, or a short variant of it ("牵头单位（部门）");
    a title row that merely mentions it ("…工作小组成员单位") is not."""
    return cell == synonym or (
        len(synonym) > 2 and synonym in cell and len(cell) <= len(synonym) + 6
    )


def _content_and_categories(columns: dict[str, int]) -> tuple[int, list[int]]:
    """With 具体内容 spanning several columns (merged, or blank headers to its right), the last
    column before 牵头单位 holds the task and the ones before it hold headings."""
    first = columns["content"]
    lead = columns["lead"]
    last = lead - 1 if lead > first else columns.get("content_last", first)
    others = {v for k, v in columns.items() if k not in ("content", "content_last")}
    span = [c for c in range(first, last + 1) if c not in others]
    return span[-1], span[:-1]


def _pad(row: Sequence[str], width: int) -> list[str]:
    return [" ".join(str(c).split()) if c else "" for c in row] + [""] * (width - len(row))


def _heading_text(cells: Sequence[str], content_col: int) -> str | None:
    """A row that is only a heading: one text in the first column, alone or repeated across a
    merged row. A lone text in the task column is a task whose other cells repeat above."""
    texts = {cell for cell in cells if cell}
    if len(texts) != 1 or not cells[0]:
        return None
    text = texts.pop()
    if content_col > 0 and cells[content_col] == text and not all(cells):
        return None
    if TOP_HEADING.match(text) or (SUB_HEADING.match(text) and len(text) <= 20):
        return text
    return None


def _heading_number(text: str) -> int | None:
    match = TOP_HEADING.match(text) or SUB_HEADING.match(text)
    if match is None:
        return None
    token = next(group for group in match.groups() if group)
    return int(token) if token.isdigit() else chinese_number(token)
