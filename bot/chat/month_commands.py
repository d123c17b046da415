"""The office's month controls in chat: /lock and /unlock a month, /extend a unit's deadline
and /exempt a unit from a month (延期 / 免报), each as ``bot.domain.review`` decides."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date

from bot.chat.call import Answer, Call, answer
from bot.domain import review
from bot.domain.periods import YearMonth
from bot.domain.replies import Reply
from storage.models import ExceptionKind

Run = Callable[[Call], Awaitable[Answer]]
DAY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def _month(word: str) -> YearMonth | None:
    try:
        return YearMonth.parse(word)
    except ValueError:
        return None


def locker(locked: bool) -> Run:
    async def run(call: Call) -> Answer:
        """YYYY-MM: no more reports (or corrections) for that month; /unlock reopens it."""
        period = _month(call.words[0]) if len(call.words) == 1 else None
        if period is None:
            return answer(Reply("review_usage"))
        with call.deps.db.session() as session:
            return answer(
                review.set_lock(session=session, who=call.who, period=period, locked=locked)
            )

    return run


def _day(word: str) -> date | None:
    if not DAY.match(word):
        return None
    try:
        year, month, day = (int(part) for part in word.split("-"))
        return date(year, month, day)
    except ValueError:
        return None


def excepter(kind: ExceptionKind) -> Run:
    async def run(call: Call) -> Answer:
        """延期: 单位 YYYY-MM YYYY-MM-DD 原因 · 免报: 单位 YYYY-MM 原因."""
        words = call.words
        needed = 4 if kind == ExceptionKind.EXTENSION else 3
        period = _month(words[1]) if len(words) >= needed else None
        due = None
        if kind == ExceptionKind.EXTENSION and period is not None:
            due = _day(words[2])
            if due is None or due < period.day(1):
                period = None
        if period is None:
            return answer(Reply("review_usage"))
        reason = " ".join(words[needed - 1 :])
        with call.deps.db.session() as session:
            units = review.units_named(session=session, names=[words[0]])
            if len(units) != 1:
                return answer(Reply("invite_no_unit", {"name": words[0]}))
            return answer(
                review.grant(
                    session=session,
                    who=call.who,
                    unit=units[0],
                    period=period,
                    kind=kind,
                    reason=reason,
                    due=due,
                )
            )

    return run
