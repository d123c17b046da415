"""Reading an indicator's cell as offices write it, and writing names Windows accepts.

A cell such as "二、经费保障(50分)附加分(20分)" or "*1.成立领导小组（15分）难点" carries,
besides its title, a numbering code (kept as written: ``二``, ``1``, ``2.3``, ``Ⅱ-1-1``,
``（一）``), its points, extra points (附加分), the core mark ``*`` and a 难点 flag.
``parse_label`` takes them apart; nothing is guessed beyond these marks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"
_CODE = re.compile(
    r"^(?P<code>[（(][一二三四五六七八九十\d]{1,3}[)）]"
    rf"|[{ROMAN}]+(?:\s*[-－—.．]\s*\d+)*(?:\s*[)）])?"
    r"|[一二三四五六七八九十]{1,3}(?=\s*[、.．])"
    r"|\d{1,2}(?:\s*[.．\-－]\s*\d{1,2})*(?![\d年月日%％个家次名人分岁所项万元倍])"
    r")\s*[、.．:：]?\s*"
)
_CORE = re.compile(r"^[*＊★]\s*|\s*[*＊★]$")
_POINTS = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")
_BONUS = re.compile(r"附加分\s*[（(]?\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]?")
_DIFFICULT = re.compile(r"\s*[（(【\[]?\s*难点\s*[)）】\]]?\s*$")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# What Windows refuses in a file or folder name, and the device names it reserves.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Label:
    """An indicator's cell taken apart."""

    code: str
    title: str
    points: float | None = None
    bonus_points: float | None = None
    core: bool = False
    difficult: bool = False


def parse_label(cell: str) -> Label:
    """ "一、组织保障(80分)" → (一, 组织保障, 80); "二、经费保障(50分)附加分(20分)" → bonus 20;
    "*1.成立领导小组" → core; "2.3 健康社区" → code 2.3; "Ⅱ-1-1 …" → code Ⅱ-1-1."""
    text = " ".join(unicodedata.normalize("NFC", cell).split())
    core = bool(_CORE.search(text))
    text = _CORE.sub("", text)
    bonus = _BONUS.search(text)
    if bonus:
        text = (text[: bonus.start()] + text[bonus.end() :]).strip()
    difficult = bool(_DIFFICULT.search(text))
    text = _DIFFICULT.sub("", text)
    points = None
    found = list(_POINTS.finditer(text))
    if found:
        last = found[-1]
        points = float(last[1])
        text = (text[: last.start()] + text[last.end() :]).strip()
    code, title = "", text
    match = _CODE.match(text)
    if match and match.end() < len(text):
        code = re.sub(r"\s+", "", match["code"]).replace("－", "-").replace("．", ".")
        title = text[match.end() :].strip()
    core = core or bool(_CORE.search(title))
    title = _CORE.sub("", title).strip(" 、,，")
    return Label(code, title, points, float(bonus[1]) if bonus else None, core, difficult)


def parse_points(cell: str) -> float | None:
    """A 分值/权重 cell: "1分", "15", "10.5" → the number; None when there is none."""
    match = _NUMBER.search(unicodedata.normalize("NFKC", cell))
    return float(match[0]) if match else None


def safe_name(text: str, limit: int = 40) -> str:
    """A folder or file name every Windows accepts: no reserved characters or device
    names, no trailing dot or space, at most ``limit`` characters (paths stay short)."""
    name = _UNSAFE.sub("_", " ".join(text.split())).strip(" ._")
    name = name[:limit].rstrip(" ._")
    if not name or _RESERVED.match(name):
        name = f"_{name}"
    return name


def ordinal(number: int, width: int = 3) -> str:
    """The ordering prefix of a folder: 1 → 001."""
    return f"{number:0{width}d}"
