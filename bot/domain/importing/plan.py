"""Turn tables and paragraphs into an import plan: units, tasks, indicators, problems.

Nothing is written here. A 责任分工 table is read the way a person reads it: the header may
sit below a title; heading rows (一、… / 1.…) or category columns give each task its place;
a blank 牵头/配合/时限 cell under a merged block repeats the value above it, within the same
sub-heading. Every row that is skipped and every name that matches nothing is reported
with where it was.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.importing.deadlines import Deadline, parse_deadline
from bot.domain.importing.readers import Block, Paragraph, Table
from bot.domain.importing.unit_names import (
    GroupRef,
    UnitIndex,
    group_of,
    looks_like_unit,
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
    "category": ("类别", "单位类别", "类型"),
    "duties": ("职责", "工作职责", "主要职责"),
    "indicator": ("指标名称", "指标", "指标内容"),
    "target": ("目标值", "目标", "指标要求"),
    "measure": ("计量单位",),
}
TOP_HEADING = re.compile(r"^([一二三四五六七八九十]+)\s*[、.．]|^(\d+)\s*、\s*\D")
SUB_HEADING = re.compile(r"^[（(]?([一二三四五六七八九十]+|\d+)[)）]?\s*[.、．]?\s*\D")
ITEM_NUMBER = re.compile(r"^(\d+)\s*[.、．]\s*")
DUTY_LINE = re.compile(r"^(?P<names>[^:：。]{2,120})[:：](?P<rest>.*)$")
MEMBER_LIST_LABELS = ("成员单位", "成员单位名单", "领导小组成员单位")
CATEGORY_WORDS = {
    UnitCategory.TOWNSHIP: ("乡镇", "街道", "镇街"),
    UnitCategory.MEDICAL: ("医疗", "卫生机构", "医院"),
    UnitCategory.MASS_ORGANISATION: ("群团", "人民团体"),
    UnitCategory.ENTERPRISE: ("企业", "公司"),
    UnitCategory.DEPARTMENT: ("部门", "机关", "党政"),
}
MASS_ORGANISATIONS = ("总工会", "团委", "妇联", "红十字会", "残联", "科协", "工商联", "文联")
CHINESE_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九", 0)}
# What a document title adds after the campaign's name.
TITLE_SUFFIXES = (
    "责任分工细则", "责任分工方案", "重点任务分工", "任务分工表", "任务分工", "责任分工",
    "分工细则",
    "工作小组成员单位", "领导小组成员单位", "成员单位名单", "成员单位及职责", "成员单位职责",
    "成员单位", "实施方案", "工作方案", "指标体系", "指标",
)  # fmt: skip


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
class Target:
    raw: str
    comparator: str  # >=, <=, >, <, = or "" when not understood
    value: float | None
    measure: str


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
    unmatched: list[tuple[Where, str]] = field(default_factory=list)
    skipped: list[tuple[Where, Skip, str]] = field(default_factory=list)
    unclear_deadlines: list[tuple[Where, str]] = field(default_factory=list)
    unexpandable_groups: list[tuple[Where, str]] = field(default_factory=list)
    duplicate_codes: list[tuple[Where, str]] = field(default_factory=list)

    @property
    def new_units(self) -> list[UnitSpec]:
        return [unit for unit in self.units.values() if not unit.known]

    @property
    def is_empty(self) -> bool:
        return not (self.units or self.tasks or self.indicators)


def build_plan(
    blocks: Sequence[Block], *, existing: Iterable[tuple[str, Sequence[str]]] = ()
) -> ImportPlan:
    """Read every block; ``existing`` is (full name, other names) of units already stored."""
    builder = _Builder(existing)
    for block in blocks:
        if isinstance(block, Table):
            builder.table(block)
        else:
            builder.paragraph(block)
    return builder.plan


class _Builder:
    def __init__(self, existing: Iterable[tuple[str, Sequence[str]]]) -> None:
        self.plan = ImportPlan()
        self.index = UnitIndex()
        self.known_names: set[str] = set()
        for full_name, others in existing:
            self.index.add(full_name, *others)
            self.known_names.add(full_name)
        self.path: list[str] = []  # the current heading path, shared across tables
        self.in_task_tables = False
        self.codes: set[str] = set()

    # ------------------------------------------------------------------ units

    def plan_unit(self, name: str, *, known: bool = False, **details: object) -> UnitSpec:
        spec = self.plan.units.get(name)
        if spec is None:
            spec = UnitSpec(full_name=name, known=known or name in self.known_names)
            self.plan.units[name] = spec
            self.index.add(name)
        for key, value in details.items():
            if value:
                setattr(spec, key, value)
        return spec

    def units_in(self, cell: str, where: Where) -> tuple[list[str], list[GroupRef]]:
        split = split_units(cell, self.index)
        names = []
        for unit in split.units:
            self.plan_unit(unit.name, known=unit.known)
            names.append(unit.name)
        self.plan.unmatched.extend((where, fragment) for fragment in split.unmatched)
        for group in split.groups:
            if group.scope == "unknown":
                self.plan.unexpandable_groups.append((where, group.label))
        return names, list(split.groups)

    # -------------------------------------------------------------- paragraphs

    def paragraph(self, block: Paragraph) -> None:
        text = block.text.strip()
        if self.in_task_tables and TOP_HEADING.match(text):
            self.path = [text]
            return
        if not self.plan.title and not self.in_task_tables and _looks_like_title(text):
            self.plan.title = text
        match = DUTY_LINE.match(text)
        if match is None:
            return
        names, rest = match["names"].strip(), match["rest"].strip()
        where = Where("text", block.line)
        if names in MEMBER_LIST_LABELS:  # 成员单位：A、B、C。
            units, _ = self.units_in(rest.rstrip("。."), where)
            if not units:
                self.plan.skipped.append((where, Skip.NOT_A_UNIT, names))
            return
        split = split_units(names, self.index)
        if split.groups and not split.units and not split.unmatched:
            self.plan.skipped.append((where, Skip.GROUP, names))
            return
        if not split.units or split.unmatched:
            self.plan.skipped.append((where, Skip.NOT_A_UNIT, names[:30]))
            return
        for unit in split.units:
            spec = self.plan_unit(unit.name, known=unit.known)
            spec.duties = rest

    # ------------------------------------------------------------------ tables

    def table(self, table: Table) -> None:
        found = _find_header(table.rows)
        if found is None:
            if any(any(cell for cell in row) for row in table.rows):
                self.plan.skipped.append((Where(table.name, 1), Skip.NO_HEADER, table.name))
            return
        header_row, columns = found
        if not self.plan.title:
            self.plan.title = _title_above(table.rows[:header_row])
        body = list(enumerate(table.rows[header_row + 1 :], header_row + 2))
        if "content" in columns and "lead" in columns:
            self.in_task_tables = True
            self.tasks(table.name, columns, body)
        elif "indicator" in columns:
            self.indicators(table.name, columns, body)
        elif "unit" in columns:
            self.unit_rows(table.name, columns, body)
        else:
            self.plan.skipped.append(
                (Where(table.name, header_row + 1), Skip.NO_HEADER, table.name)
            )

    def tasks(
        self, name: str, columns: dict[str, int], body: list[tuple[int, tuple[str, ...]]]
    ) -> None:
        content_col, category_cols = _content_and_categories(columns)
        block_key: tuple[str, ...] | None = None
        inherited = {"lead": "", "cooperating": "", "deadline": ""}
        for row_number, row in body:
            where = Where(name, row_number)
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
            if tuple(self.path) != block_key:
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
        self, name: str, columns: dict[str, int], body: list[tuple[int, tuple[str, ...]]]
    ) -> None:
        def cell(row: tuple[str, ...], key: str) -> str:
            return row[columns[key]] if key in columns and columns[key] < len(row) else ""

        for row_number, row in body:
            where = Where(name, row_number)
            full_name = " ".join(cell(row, "unit").split())
            if not full_name:
                if any(row):
                    self.plan.skipped.append((where, Skip.NO_UNIT_NAME, ""))
                continue
            if group_of(full_name) is not None and self.index.lookup(full_name) is None:
                self.plan.unexpandable_groups.append((where, full_name))
                continue
            known = self.index.lookup(full_name)
            if known is None and not looks_like_unit(full_name):
                self.plan.skipped.append((where, Skip.NOT_A_UNIT, full_name))
                continue
            aliases = tuple(a for a in re.split(r"[、，,；;\s]+", cell(row, "aliases")) if a)
            short = cell(row, "short_name")
            spec = self.plan_unit(known or full_name, known=known is not None)
            spec.short_name = short or spec.short_name
            spec.aliases = aliases or spec.aliases
            spec.category = category_from_text(cell(row, "category")) or spec.category
            spec.duties = cell(row, "duties") or spec.duties
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


def chinese_number(text: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23 (enough for plan headings)."""
    if not text or any(c not in "零一二三四五六七八九十" for c in text):
        return None
    if "十" not in text:
        return CHINESE_DIGITS[text] if len(text) == 1 else None
    tens, _, units = text.partition("十")
    return (CHINESE_DIGITS.get(tens, 1) if tens else 1) * 10 + (
        CHINESE_DIGITS.get(units, 0) if units else 0
    )


def campaign_name(title: str) -> str:
    """The campaign a document title is about: "平罗县全民健康水平提升行动责任分工细则" →
    "平罗县全民健康水平提升行动"."""
    name = title.strip()
    changed = True
    while changed:
        changed = False
        for suffix in TITLE_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                name, changed = name.removesuffix(suffix).rstrip("的及和、 "), True
    return name


def _looks_like_title(text: str) -> bool:
    return 4 <= len(text) <= 60 and text != "附件" and not DUTY_LINE.match(text)


def _title_above(rows: Sequence[Sequence[str]]) -> str:
    for row in rows:
        for cell in row:
            if cell and _looks_like_title(cell.strip()) and not cell.startswith("附件"):
                return cell.strip()
            for line in cell.splitlines():
                if _looks_like_title(line.strip()) and line.strip() != "附件":
                    return line.strip()
    return ""


def category_from_text(text: str) -> UnitCategory | None:
    for category, words in CATEGORY_WORDS.items():
        if any(word in text for word in words):
            return category
    return None


def infer_category(name: str) -> UnitCategory:
    """A unit's kind from its name, for units created without a 类别 column."""
    if name.endswith(("乡", "镇", "街道", "街道办事处", "乡人民政府", "镇人民政府")):
        return UnitCategory.TOWNSHIP
    if name.endswith(
        ("医院", "卫生院", "疾病预防控制中心", "疾控中心", "卫生服务中心", "保健院", "健康总院")
    ):
        return UnitCategory.MEDICAL
    if name.endswith(MASS_ORGANISATIONS):
        return UnitCategory.MASS_ORGANISATION
    if name.endswith("公司"):
        return UnitCategory.ENTERPRISE
    return UnitCategory.DEPARTMENT


_TARGET = re.compile(
    r"(?P<pre>≥|>=|≤|<=|＞|>|＜|<|不低于|不少于|达到|至少|不高于|不超过|低于|少于|高于|超过)?\s*"
    r"(?P<value>\d+(?:\.\d+)?)\s*(?P<measure>%|％|个百分点|家|所|个|人|次|户|项)?\s*(?P<post>以上|以下|以内)?"
)
_COMPARATORS = {
    "≥": ">=", ">=": ">=", "不低于": ">=", "不少于": ">=", "达到": ">=", "至少": ">=",
    "≤": "<=", "<=": "<=", "不高于": "<=", "不超过": "<=",
    "＞": ">", ">": ">", "高于": ">", "超过": ">",
    "＜": "<", "<": "<", "低于": "<", "少于": "<",
}  # fmt: skip


def parse_target(raw: str, measure: str = "") -> Target:
    """Read a target: "≥80%" → (>=, 80, %); "100%" → (>=, 100, %) since a bare figure is the
    level to reach; "每年新创建1家" → (>=, 1, 家); "<25%" → (<, 25, %)."""
    text = " ".join(raw.split())
    match = _TARGET.search(unicodedata.normalize("NFKC", text)) if text else None
    if match is None:
        return Target(text, "", None, measure)
    comparator = _COMPARATORS.get(match["pre"] or "", "")
    if not comparator:
        comparator = {"以上": ">=", "以下": "<=", "以内": "<="}.get(match["post"] or "", ">=")
    found_measure = (match["measure"] or "").replace("％", "%")
    return Target(text, comparator, float(match["value"]), measure or found_measure)
