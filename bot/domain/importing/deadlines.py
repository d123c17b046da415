"""Parse a 完成时限 cell: keep the raw text, read a kind and a date where there is one."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from storage.models import DeadlineKind

_ONGOING = ("长期坚持", "持续推进", "长期", "持续", "常态化")
_RECURRING = ("每年", "每季度", "每半年", "每月", "年度", "每学期")
_YEAR = r"(?P<year>20\d\d)\s*年"
_DAY = re.compile(_YEAR + r"\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日")
_MONTH = re.compile(_YEAR + r"\s*(?P<month>\d{1,2})\s*月")
_HALF = re.compile(_YEAR + r"\s*(?P<half>上半年|下半年|年中|年底|年末)")
_QUARTER = re.compile(_YEAR + r"\s*(?:第)?(?P<q>[一二三四1-4])\s*季度")
_YEAR_ONLY = re.compile(_YEAR)
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True, slots=True)
class Deadline:
    raw: str
    kind: DeadlineKind
    date: date | None = None

    @property
    def understood(self) -> bool:
        return self.kind != DeadlineKind.UNKNOWN


def parse_deadline(raw: str) -> Deadline:
    """ "2022年" → 2022-12-31; "2023年10月底前" → 2023-10-31; "2023年6月20日前" → 2023-06-20;
    "长期坚持" → ongoing; "2023年底完成并长期坚持" → 2023-12-31 then ongoing; "每年" → recurring."""
    text = " ".join(raw.split())
    plain = unicodedata.normalize("NFKC", text)
    if not plain:
        return Deadline(text, DeadlineKind.UNKNOWN)
    when = _first_date(plain)
    ongoing = any(word in plain for word in _ONGOING)
    if when is not None:
        kind = DeadlineKind.DATE_THEN_ONGOING if ongoing else DeadlineKind.DATE
        return Deadline(text, kind, when)
    if ongoing:
        return Deadline(text, DeadlineKind.ONGOING)
    if any(word in plain for word in _RECURRING):
        return Deadline(text, DeadlineKind.RECURRING)
    return Deadline(text, DeadlineKind.UNKNOWN)


def _first_date(text: str) -> date | None:
    try:
        if match := _DAY.search(text):
            return date(int(match["year"]), int(match["month"]), int(match["day"]))
        if match := _MONTH.search(text):
            return _month_end(int(match["year"]), int(match["month"]))
        if match := _HALF.search(text):
            month = 6 if match["half"] in ("上半年", "年中") else 12
            return _month_end(int(match["year"]), month)
        if match := _QUARTER.search(text):
            return _month_end(int(match["year"]), _QUARTERS[match["q"]] * 3)
        if match := _YEAR_ONLY.search(text):
            return date(int(match["year"]), 12, 31)
    except ValueError:  # 2023年13月, 2月30日: not a date, so not understood
        return None
    return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
