"""Split a 牵头单位/配合单位 cell into units, as a person reading the table would.

Cells name several units separated by spaces, 、，,；; or line breaks, but a line break (or a
space) can also wrap ONE long name ("市生态环境局\\n平罗分局"). So: punctuation always
separates; whitespace separates unless joining the pieces gives a known name, a branch
("…分局") of the piece before, or turns an unfinished piece into a finished name.

A piece is a unit only when it names one: its full name, short name, an alias the office
confirmed, or the same name written with the usual abbreviation (县卫生健康局 = 卫健局) or
without its 县/区 prefix. Anything else that reads like a unit name — or is close to one —
is *unresolved*: the import reports it with the units it may mean (``similar``) and creates
nothing for it until the office confirms. A name the office said is not a unit is ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.importing import similar

HARD_SEPARATORS = re.compile(r"[、，,；;/／|]+")
WHITESPACE = re.compile(r"[\s\u3000\xa0]+")
# Endings of institution names; longer ones first so 分局 is seen before 局.
SUFFIXES = (
    "人民政府", "政府", "办事处", "委员会", "管委会", "分局", "支队", "大队", "中心", "公司",
    "街道", "医院", "学校",
    "局", "委", "办", "部", "院", "会", "所", "站", "联", "协", "社", "馆", "室", "乡", "镇", "处",
    "校", "队", "团", "台",
)  # fmt: skip
BRANCH = re.compile(r"^[\u4e00-\u9fff]{0,8}(分局|分院|分所|分中心|分公司|支队|大队)$")
# Sentence marks, or a date or a share: not a name (digits alone are fine: 县120急救指挥中心).
NOT_A_NAME = re.compile(r"[。！？：:“”\"《》（）()【】]|\d+\s*[年月日%％]|第\d|^\d+$")
MAX_NAME_LENGTH = 25
# Long official wording → the abbreviation offices write (applied to both sides of a match).
ABBREVIATIONS = (
    ("卫生健康", "卫健"), ("卫生和健康", "卫健"), ("教育体育", "教体"), ("教育和体育", "教体"),
    ("发展和改革", "发改"), ("发展改革", "发改"), ("工业和信息化", "工信"),
    ("经济和信息化", "经信"),
    ("市场监督管理", "市场监管"), ("人力资源和社会保障", "人社"), ("人力资源社会保障", "人社"),
    ("住房和城乡建设", "住建"), ("住房城乡建设", "住建"), ("医疗保障", "医保"),
    ("文化广电和旅游", "文广"), ("文化和旅游", "文旅"), ("行政审批服务", "审批"),
    ("机构编制委员会办公室", "编办"), ("委编办", "编办"), ("交通运输", "交通"),
    ("应急管理", "应急"), ("退役军人事务", "退役军人"), ("住房城乡建", "住建"),
    ("人力社保", "人社"), ("经济信息", "经信"), ("文化旅游", "文旅"), ("城市管理", "城管"),
    ("教育委员会", "教委"), ("管理委员会", "管委会"), ("妇女联合会", "妇联"),
    ("残疾人联合会", "残联"), ("科学技术协会", "科协"), ("文学艺术界联合会", "文联"),
    ("归国华侨联合会", "侨联"), ("工商业联合会", "工商联"), ("科学技术", "科技"),
    ("委员会", "委"),
)  # fmt: skip


class GroupScope(StrEnum):
    """Which units a group reference stands for."""

    ALL = "all"  # 各成员单位
    DEPARTMENTS = "departments"  # 县直各部门
    TOWNSHIPS = "townships"  # 各乡镇（街道）
    MEDICAL = "medical"  # 各医疗机构
    UNKNOWN = "unknown"  # 县医改领导小组成员单位: a group we cannot expand


_GROUPS = (
    (re.compile(r"^各(乡镇|镇|乡|镇街|街镇|街道|乡镇街道)(\(?街道\)?|、?街道|办事处)?(人民政府)?$"),
     GroupScope.TOWNSHIPS),
    (re.compile(r"^(县|区|市)?(直)?(各|有关)(部门|单位)$"), GroupScope.DEPARTMENTS),
    (re.compile(r"^各(成员单位|有关单位|相关单位|责任单位)$"), GroupScope.ALL),
    (re.compile(r"^各(级|类)?(医疗机构|医疗卫生机构|医院|卫生院|医疗卫生单位)$"),
     GroupScope.MEDICAL),
    (re.compile(r"^各.{1,8}$|成员单位$"), GroupScope.UNKNOWN),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class UnitName:
    """A unit named in a cell: ``known`` if it matched the index, else a name to resolve."""

    name: str
    known: bool


@dataclass(frozen=True, slots=True)
class GroupRef:
    label: str
    scope: GroupScope


@dataclass(frozen=True, slots=True)
class SplitCell:
    """What a cell names: known units, names still to resolve (unit-like, or close to a
    unit), groups, fragments that are not names at all, and names the office ignores."""

    units: tuple[UnitName, ...] = ()
    groups: tuple[GroupRef, ...] = ()
    unmatched: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()


def plain(name: str) -> str:
    """Width-folded, without spaces: how a name is compared letter for letter."""
    return WHITESPACE.sub("", unicodedata.normalize("NFKC", name))


def name_key(name: str) -> str:
    """A comparison key: width-folded, no spaces, abbreviated, without a 县/区 prefix."""
    key = plain(name)
    for long, short in ABBREVIATIONS:
        key = key.replace(long, short)
    if len(key) > 2 and key[0] in "县区" and key[1] not in "委直政域":
        key = key[1:]
    return key


@dataclass
class UnitIndex:
    """Names the import can match: existing units, confirmed aliases and ignored names, plus
    the units this import creates. ``region_prefixes`` (永川区, 永川) are loosened away when
    looking for similar units."""

    _exact: dict[str, str] = field(default_factory=dict)
    _keys: dict[str, list[str]] = field(default_factory=dict)
    _loose: dict[str, set[str]] = field(default_factory=dict)  # canonical → loosened names
    _ignored: set[str] = field(default_factory=set)
    region_prefixes: tuple[str, ...] = ()

    @classmethod
    def of(cls, units: Iterable[tuple[str, Iterable[str]]]) -> UnitIndex:
        """Build from (full name, other names) pairs."""
        index = cls()
        for full_name, others in units:
            index.add(full_name, *others)
        return index

    def add(self, canonical: str, *other_names: str) -> None:
        loose = self._loose.setdefault(canonical, set())
        for name in (canonical, *other_names):
            if name:
                self._exact.setdefault(plain(name), canonical)
                same_key = self._keys.setdefault(name_key(name), [])
                if canonical not in same_key:
                    same_key.append(canonical)
                loose |= self._loosened(name)

    def canonical_names(self) -> list[str]:
        """The units' full names, in the order they were added."""
        return list(self._loose)

    def ignore(self, name: str) -> None:
        """A name the office said is not a unit: skipped without a question (also when
        written with or without its 县/区 prefix, or abbreviated)."""
        self._ignored.add(name_key(name))

    def is_ignored(self, name: str) -> bool:
        return name_key(name) in self._ignored

    def lookup(self, name: str) -> str | None:
        """The canonical (full) name for ``name``, or None (also when two units share its
        abbreviated key: that is for the office to say)."""
        found = self._exact.get(plain(name))
        if found is not None:
            return found
        same_key = self._keys.get(name_key(name), [])
        return same_key[0] if len(same_key) == 1 else None

    def suggest(self, name: str, limit: int = similar.MAX_CANDIDATES) -> tuple[str, ...]:
        """Units ``name`` may mean, closest first (ties in the order the units were added)."""
        written = self._loosened(name)
        ranked = []
        for order, (canonical, loose) in enumerate(self._loose.items()):
            found = similar.best(written, loose)
            if found is not None:
                ranked.append((found.tier, found.distance, order, canonical))
        return tuple(canonical for *_, canonical in sorted(ranked)[:limit])

    def _loosened(self, name: str) -> frozenset[str]:
        return similar.loose_keys(name_key(name), plain(name), self.region_prefixes)

    def segment(self, text: str) -> list[UnitName] | None:
        """Cut ``text`` written without separators into names: known ones, the last of which
        may be an unknown institution-like name ("卫健局教体局" → 卫健局 + 教体局)."""
        for end in range(len(text) - 1, 1, -1):
            head = self.lookup(text[:end])
            if head is None:
                continue
            rest = text[end:]
            if (whole := self.lookup(rest)) is not None:
                return [UnitName(head, True), UnitName(whole, True)]
            if (more := self.segment(rest)) is not None:
                return [UnitName(head, True), *more]
            if looks_like_unit(rest):
                return [UnitName(head, True), UnitName(rest, False)]
        return None


def looks_like_unit(name: str) -> bool:
    """A new name we may create a unit for: short, no digits or sentence marks, a usual ending."""
    return (
        2 <= len(name) <= MAX_NAME_LENGTH
        and not NOT_A_NAME.search(name)
        and name.endswith(SUFFIXES)
        and name not in SUFFIXES
    )


def group_of(fragment: str) -> GroupRef | None:
    plain = unicodedata.normalize("NFKC", fragment)
    for pattern, scope in _GROUPS:
        if pattern.search(plain):
            return GroupRef(fragment, scope)
    return None


def split_units(cell: str, index: UnitIndex) -> SplitCell:
    """Every unit, group and stray fragment a cell names (the same for a table cell and for
    the names before a duty paragraph's colon)."""
    units: list[UnitName] = []
    groups: list[GroupRef] = []
    unmatched: list[str] = []
    unresolved: list[str] = []
    ignored: list[str] = []
    for chunk in HARD_SEPARATORS.split(cell):
        for fragment in _join_wrapped(WHITESPACE.split(chunk.strip()), index):
            if not fragment:
                continue
            if (known := index.lookup(fragment)) is not None:
                units.append(UnitName(known, True))
            elif index.is_ignored(fragment):
                ignored.append(fragment)
            elif (group := group_of(fragment)) is not None:
                groups.append(group)
            elif (parts := index.segment(fragment)) is not None:
                units.extend(part for part in parts if part.known)
                unresolved.extend(part.name for part in parts if not part.known)
            elif looks_like_unit(fragment) or index.suggest(fragment, limit=1):
                unresolved.append(fragment)
            else:
                unmatched.append(fragment)
    unique = tuple(dict.fromkeys(units))  # a unit named twice in one cell counts once
    return SplitCell(
        unique, tuple(groups), tuple(unmatched), tuple(dict.fromkeys(unresolved)), tuple(ignored)
    )


def _join_wrapped(pieces: list[str], index: UnitIndex) -> list[str]:
    """Undo line wraps and stray spaces inside one name."""
    joined: list[str] = []
    for piece in pieces:
        if joined and _continues(joined[-1], piece, index):
            joined[-1] += piece
        else:
            joined.append(piece)
    return joined


def _continues(before: str, piece: str, index: UnitIndex) -> bool:
    merged = before + piece
    if index.lookup(merged) is not None:
        return True
    if index.lookup(before) is not None and index.lookup(piece) is not None:
        return False
    if BRANCH.match(piece) and index.lookup(piece) is None:
        return True
    return not looks_like_unit(before) and group_of(before) is None and looks_like_unit(merged)
