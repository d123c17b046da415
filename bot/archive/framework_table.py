"""Read an indicator framework table, in the layouts offices keep, into items (writes nothing).

Layouts (../shared/ARCHIVE.md):
- 健康县区: 一级指标 · 二级指标 · 指标说明 · 评估方式和数据来源 · 指标值计算方法 · 分值 · 责任单位;
- 健康促进县区: 一级指标 · 二级指标 · 指标解释 · 权重(分) · 评估办法 · 评分标准 · 得分;
- 慢病示范区 (2011): 项目 · 内容 · 总分 · 自评分 · 考核分 …;
- 慢病 (2016): 指标分类 · 指标内容 · 指标要求 · 评估方法 · 实施部门建议;
- 江苏 健康镇: 项目 · 指标 · 名词解释 · 口径范围 · 计算方法 · 数据来源 · 指标值.

Columns are found by their names, wherever the header sits. Merged cells repeat their text
(the readers fill them), so a 一级 cell spanning ten rows is one item; a row whose cells all
hold one text is a heading (the 一级 of what follows). The deepest level a row names gets its
details; a merged 二级 over several 评分标准 rows gathers them all.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.archive.codes import Label, parse_label, parse_points
from bot.domain.importing.plan import Where
from bot.domain.importing.readers import Block, Table

HEADER_SEARCH_ROWS = 15
LEVELS = ("level1", "level2", "level3")
COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标", "指标分类", "项目", "一级", "考核项目", "评估项目"),
    "level2": ("二级指标", "指标内容", "内容", "指标", "二级", "考核内容", "评估内容"),
    "level3": ("三级指标", "三级", "考核要点", "评估要点"),
    "code": ("指标编号", "编号", "序号"),
    "description": ("指标说明", "指标解释", "名词解释", "指标内涵"),
    "method": ("评估方式和数据来源", "评估方式", "评估办法", "评估方法", "考核方法", "数据来源",
               "口径范围"),
    "calculation": ("指标值计算方法", "计算方法", "评分标准", "评分细则", "考核标准"),
    "target": ("指标要求", "目标值", "指标值", "标准要求"),
    "points": ("分值", "权重(分)", "权重（分）", "权重", "总分", "标准分", "满分"),
    "self_score": ("自评分", "得分", "自评得分"),
    "units": ("责任单位", "牵头单位", "实施部门建议", "实施部门", "责任部门", "牵头部门"),
    "cooperating": ("配合单位", "配合部门", "协办单位"),
    "remarks": ("备注",),
}  # fmt: skip
DETAILS = ("description", "method", "calculation", "target", "remarks")
_DIFFICULT = re.compile(r"难点")


@dataclass
class ItemSpec:
    """One item as the table gives it; ``units``/``cooperating`` are cells, matched later."""

    level: int
    label: Label
    key: str
    parent_key: str
    ordinal: int
    where: Where
    details: dict[str, str] = field(default_factory=dict)
    points: float | None = None
    self_score: float | None = None
    units: str = ""
    cooperating: str = ""
    difficult: bool = False


@dataclass
class FrameworkTable:
    title: str = ""
    layout: str = ""
    items: list[ItemSpec] = field(default_factory=list)
    skipped: list[tuple[Where, str]] = field(default_factory=list)  # rows not understood

    def children(self, key: str) -> list[ItemSpec]:
        return [item for item in self.items if item.parent_key == key]


def read_framework(blocks: Sequence[Block]) -> FrameworkTable:
    """Every table of the file with a framework header, read into one list of items."""
    result = FrameworkTable()
    heading = ""
    for block in blocks:
        if isinstance(block, Table):
            _Reader(result).table(block)
            if result.items and not result.title:
                result.title = heading
        elif not heading and 4 <= len(block.text) <= 60:
            heading = block.text  # a .docx title above the table
    return result


def item_key(parent_key: str, label: Label) -> str:
    """A stable key: the parent's key and this item's code (or, without one, its title)."""
    own = label.code or "".join(unicodedata.normalize("NFKC", label.title).split())
    return hashlib.sha256(f"{parent_key}/{own}".encode()).hexdigest()[:40]


def layout_of(columns: dict[str, int]) -> str:
    """Which of the known layouts the header is (for the report; reading does not depend on it)."""
    names = set(columns)
    if {"description", "calculation", "units"} <= names and "method" in names:
        return "health_county"  # 健康县区评估细则
    if "points" in names and "calculation" in names and "description" in names:
        return "promotion_county"  # 健康促进县区综合评分标准
    if "self_score" in names and "points" in names:
        return "chronic_scoring"  # 慢病示范区现场考评表
    if "units" in names and "target" in names:
        return "chronic_plan"  # 慢病示范区分解表
    return "generic"


class _Reader:
    def __init__(self, result: FrameworkTable) -> None:
        self.result = result
        self.current: dict[int, ItemSpec] = {}  # the open item at each level
        self.raw: dict[int, str] = {}  # the cell text it came from (merged cells repeat it)

    def table(self, table: Table) -> None:
        found = _find_header(table.rows)
        if found is None:
            return
        header_row, columns = found
        if not self.result.title:
            self.result.title = _title_above(table.rows[:header_row])
        if not self.result.layout:
            self.result.layout = layout_of(columns)
        self.current, self.raw = {}, {}
        width = max(columns.values()) + 1
        for number, row in enumerate(table.rows[header_row + 1 :], header_row + 2):
            cells = [" ".join(str(c).split()) for c in row] + [""] * (width - len(row))
            self.row(Where(table.name, number), cells, columns)

    def row(self, where: Where, cells: list[str], columns: dict[str, int]) -> None:
        texts = {cell for cell in cells if cell}
        if not texts:
            return
        level_cells = {
            level: cells[columns[name]] for level, name in enumerate(LEVELS, 1) if name in columns
        }
        if len(texts) == 1 and len([c for c in cells if c]) > 1 and 1 in level_cells:
            self.open(1, texts.pop(), where)  # a heading row merged across the table
            return
        deepest = None
        for level, text in sorted(level_cells.items()):
            if not text:
                continue
            if self.raw.get(level) != text or level not in self.current:
                self.open(level, text, where, code=self._code(cells, columns, level, level_cells))
            deepest = self.current[level]
        if deepest is None:
            if any(cells[columns[name]] for name in DETAILS if name in columns):
                self.result.skipped.append((where, next(iter(texts))[:30]))
            return
        self.details(deepest, cells, columns)

    def _code(
        self, cells: list[str], columns: dict[str, int], level: int, level_cells: dict[int, str]
    ) -> str:
        """A separate 编号 column numbers the deepest level the row names."""
        if "code" not in columns:
            return ""
        deepest = max(lv for lv, text in level_cells.items() if text)
        return cells[columns["code"]] if level == deepest else ""

    def open(self, level: int, text: str, where: Where, code: str = "") -> None:
        label = parse_label(text)
        if code and not label.code:
            label = Label(code.rstrip("、.．"), label.title, label.points, label.bonus_points,
                          label.core, label.difficult)  # fmt: skip
        parent = self.current.get(level - 1)
        while parent is None and level > 1:  # a level skipped: hang it on the nearest one
            level -= 1
            parent = self.current.get(level - 1)
        parent_key = parent.key if parent else ""
        ordinal = len(self.result.children(parent_key)) + 1
        item = ItemSpec(level, label, item_key(parent_key, label), parent_key, ordinal, where,
                        points=label.points, difficult=label.difficult)  # fmt: skip
        known = next((i for i in self.result.items if i.key == item.key), None)
        if known is None:
            self.result.items.append(item)
        else:  # the same item again (a table split over pages): keep filling it
            item = known
        self.current = {lv: it for lv, it in self.current.items() if lv < level}
        self.raw = {lv: raw for lv, raw in self.raw.items() if lv < level}
        self.current[level], self.raw[level] = item, text

    def details(self, item: ItemSpec, cells: list[str], columns: dict[str, int]) -> None:
        for name in DETAILS:
            value = cells[columns[name]] if name in columns else ""
            if value and value not in item.details.get(name, "").split("\n"):
                joined = "\n".join(filter(None, (item.details.get(name, ""), value)))
                item.details[name] = joined
        if "points" in columns and cells[columns["points"]] and item.points is None:
            item.points = parse_points(cells[columns["points"]])
        if "self_score" in columns and cells[columns["self_score"]]:
            item.self_score = parse_points(cells[columns["self_score"]])
        for name in ("units", "cooperating"):
            if name in columns and cells[columns[name]] and not getattr(item, name):
                setattr(item, name, cells[columns[name]])
        item.difficult = item.difficult or any(_DIFFICULT.search(c) for c in cells if len(c) <= 4)


def _normal(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _column_of(cell: str) -> str | None:
    """The column a header cell names: the longest synonym it is, or nearly is."""
    text = _normal(cell)
    best: tuple[int, str] | None = None
    for key, synonyms in COLUMNS.items():
        for synonym in synonyms:
            plain = _normal(synonym)
            near = len(plain) > 2 and plain in text and len(text) <= len(plain) + 4
            if (text == plain or near) and (best is None or len(plain) > best[0]):
                best = (len(plain), key)
    return best[1] if best else None


def _find_header(rows: Sequence[Sequence[str]]) -> tuple[int, dict[str, int]] | None:
    """The first row naming a level column and at least one detail, unit or points column."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            key = _column_of(cell) if cell else None
            if key is not None and key not in columns:
                columns[key] = col
        levels = [name for name in LEVELS if name in columns]
        others = set(columns) - set(LEVELS) - {"code", "remarks"}
        if levels and others and (len(levels) >= 2 or len(others) >= 2):
            return index, columns
    return None


def _title_above(rows: Sequence[Sequence[str]]) -> str:
    for row in rows:
        for cell in row:
            text = " ".join(cell.split())
            if 4 <= len(text) <= 60 and not text.startswith("附件"):
                return text
    return ""
