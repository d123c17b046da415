"""Which existing units a name that matches none exactly may mean, best first.

A name in an office's file that is not a unit's full name, short name or confirmed alias is
never taken for a unit on its own: it is a suspicion, shown with the units it most likely
means. Both sides are loosened the way such names drift — the campaign's own region in
front (永川区…), a 县/区/市 prefix, punctuation (乡村振兴局。), 办/办公室/办事处, 局/委/委员会,
街道/街道办, an inserted or dropped 和/与, the usual abbreviations (住房和城乡建设局 = 住建局)
— and then compared: the same after loosening, then one or two characters added or dropped
(教委会 for 教委, 住建交通委 for 住建委), or, in a name of four characters or more, one short
run changed (a typo such as 卫生建康委) that is at most a third of it — so 民政局 is never
proposed for 财政局, 妇联 for 侨联, nor 教育委 for 卫健委.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

PUNCTUATION = re.compile(r"[\W_]+")  # after NFKC: every mark, bracket and space
CONJUNCTIONS = re.compile(r"[和与及]")
PARTY_PREFIX = "中共"
# Endings that name the same kind of body; longest first, the first that matches applies.
SUFFIX_FAMILIES = (
    ("街道办事处", "街道"), ("街道办", "街道"), ("镇人民政府", "镇"), ("乡人民政府", "乡"),
    ("镇政府", "镇"), ("乡政府", "乡"), ("委员会", "委"), ("办公室", "办"), ("办事处", "办"),
    ("局", "委"),
)  # fmt: skip
REGION_HEAD = re.compile(r"^[\u4e00-\u9fff]{1,4}[县区市]$")
REGION_START = re.compile(r"^[\u4e00-\u9fff]{1,3}?[县区市]")
MAX_CANDIDATES = 3


@dataclass(frozen=True, slots=True)
class Closeness:
    """How close a written name is to a unit: ``tier`` 0 (the same once loosened), 1 or 2
    (characters apart); lower is closer."""

    tier: int
    distance: int


def loose_keys(key: str, plain: str, region_prefixes: Iterable[str]) -> frozenset[str]:
    """The loosened forms of a name, from its matching key (abbreviated) and its plain form."""
    return frozenset(_loosen(text, region_prefixes) for text in (key, plain) if text)


def _loosen(text: str, region_prefixes: Iterable[str]) -> str:
    text = PUNCTUATION.sub("", unicodedata.normalize("NFKC", text))
    text = text.removeprefix(PARTY_PREFIX)
    for prefix in sorted(region_prefixes, key=len, reverse=True):
        if prefix and text.startswith(prefix) and len(text) > len(prefix) + 1:
            text = text[len(prefix) :]
            break
    if len(text) > 2 and text[0] in "县区市" and text[1] not in "委直政域场":
        text = text[1:]
    text = CONJUNCTIONS.sub("", text)
    for long, short in SUFFIX_FAMILIES:
        if text.endswith(long) and len(text) > len(long):
            return text[: -len(long)] + short
    return text


def closeness(written: str, unit: str) -> Closeness | None:
    """How close two loosened names are, or None when they are not plausibly the same."""
    if written == unit:
        return Closeness(0, 0)
    if _prefixed(written, unit) or _prefixed(unit, written):
        return Closeness(0, 0)
    shorter, longer = sorted((written, unit), key=len)
    if len(shorter) < 2:
        return None
    gap = len(longer) - len(shorter)
    if 1 <= gap <= 2 and _is_subsequence(shorter, longer):
        return Closeness(gap, gap)
    changed = _substituted(written, unit)
    return Closeness(changed, changed) if changed is not None else None


def _prefixed(longer: str, shorter: str) -> bool:
    """``longer`` is ``shorter`` with a place in front (沙坡头区爱卫办 / 爱卫办)."""
    if len(shorter) < 2 or not longer.endswith(shorter):
        return False
    return REGION_HEAD.match(longer[: -len(shorter)]) is not None


def _is_subsequence(shorter: str, longer: str) -> bool:
    rest = iter(longer)
    return all(char in rest for char in shorter)


def _substituted(a: str, b: str) -> int | None:
    """A typo: the names differ in one run of at most two characters (卫生建康委 / 卫生健康委),
    and that run is at most a third of the name without its place, which has four characters
    or more (永川区教育委 and 永川区卫健委 differ in 教育/卫健: two thirds of 教育委; 财政局 and
    民政局 are three characters: neither is a typo of the other). The run's length, or None."""
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    core = max(len(a) - prefix - suffix, len(b) - prefix - suffix)
    if min(len(a), len(b)) - prefix - suffix <= 0 or core > 2:
        return None
    longer = max(a, b, key=len)
    head = REGION_START.match(longer)
    base = len(longer) - (len(head.group()) if head and len(head.group()) <= prefix else 0)
    return core if base >= 4 and 3 * core <= base else None


def best(written: Iterable[str], unit: Iterable[str]) -> Closeness | None:
    """The closest pair among the loosened forms of a written name and of a unit's names."""
    found = [
        c for w in written for u in unit if (c := closeness(w, u)) is not None
    ]  # fmt: skip
    return min(found, key=lambda c: (c.tier, c.distance), default=None)
