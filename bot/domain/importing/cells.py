"""Reading single cells and lines of an office's file: numbers in headings, a target
("≥80%"), a unit's kind, a document's title. No state; the plan builder uses these."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from storage.models import UnitCategory

DUTY_LINE = re.compile(r"^(?P<names>[^:：。]{2,120})[:：](?P<rest>.*)$")
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


@dataclass(frozen=True)
class Target:
    raw: str
    comparator: str  # >=, <=, >, <, = or "" when not understood
    value: float | None
    measure: str


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


def looks_like_title(text: str) -> bool:
    return 4 <= len(text) <= 60 and text != "附件" and not DUTY_LINE.match(text)


def title_above(rows: Sequence[Sequence[str]]) -> str:
    for row in rows:
        for cell in row:
            if cell and looks_like_title(cell.strip()) and not cell.startswith("附件"):
                return cell.strip()
            for line in cell.splitlines():
                if looks_like_title(line.strip()) and line.strip() != "附件":
                    return line.strip()
    return ""


def category_from_text(text: str) -> UnitCategory | None:
    for category, words in CATEGORY_WORDS.items():
        if any(word in text for word in words):
            return category
    return None


def infer_category(name: str) -> UnitCategory:
    """A unit's kind from its name, for units created without a 类别 column."""
    if name.endswith(("乡", "镇", "街道", "街道办", "街道办事处", "乡人民政府", "镇人民政府")):
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
