"""Indicator values in the monthly report, one indicator at a time (derived from the draft)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from storage.models import DraftIndicatorValue, Indicator, IndicatorUnit, SubmissionIndicatorValue

_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)\s*(%)?$")
_FRACTION = re.compile(r"^(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)$")


@dataclass(frozen=True, slots=True)
class Value:
    raw: str
    value: float
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True, slots=True)
class Pending:
    indicator: Indicator
    position: int
    total: int


def parse_value(text: str) -> Value | None:
    """ "12", "45%", "45.5％", "12/20" (→ 60 %); None for anything else (negative, words, x/0)."""
    plain = "".join(unicodedata.normalize("NFKC", text).split()).replace("／", "/")
    if match := _NUMBER.match(plain):
        return Value(plain, float(match[1]))
    if (match := _FRACTION.match(plain)) and float(match[2]) > 0:
        numerator, denominator = float(match[1]), float(match[2])
        return Value(plain, round(100 * numerator / denominator, 2), numerator, denominator)
    return None


def unit_indicators(*, session: Session, unit_id: int) -> list[Indicator]:
    linked = select(IndicatorUnit.indicator_id).where(IndicatorUnit.unit_id == unit_id)
    query = (
        select(Indicator).where(col(Indicator.id).in_(linked)).order_by(col(Indicator.sort_order))
    )
    return list(session.exec(query))


def pending(*, session: Session, draft_id: int, unit_id: int) -> Pending | None:
    indicators = unit_indicators(session=session, unit_id=unit_id)
    answered = set(
        session.exec(
            select(DraftIndicatorValue.indicator_id).where(DraftIndicatorValue.draft_id == draft_id)
        )
    )
    for position, indicator in enumerate(indicators, 1):
        if indicator.id not in answered:
            return Pending(indicator, position, len(indicators))
    return None


def record(*, session: Session, draft_id: int, indicator_id: int, value: Value | None) -> None:
    """Store a value, or a skip when ``value`` is None."""
    row = session.get(DraftIndicatorValue, (draft_id, indicator_id)) or DraftIndicatorValue(
        draft_id=draft_id, indicator_id=indicator_id
    )
    row.raw = value.raw if value else ""
    row.value = value.value if value else None
    row.numerator, row.denominator = (value.numerator, value.denominator) if value else (None, None)
    row.skipped = value is None
    session.add(row)
    session.flush()


def summary(*, session: Session, draft_id: int) -> list[dict[str, object]]:
    """The draft's values as the review shows them."""
    return _listing(session, DraftIndicatorValue, col(DraftIndicatorValue.draft_id) == draft_id)


def submitted(*, session: Session, submission_id: int) -> list[dict[str, object]]:
    """A submission's values, for the office's review."""
    where = col(SubmissionIndicatorValue.submission_id) == submission_id
    return _listing(session, SubmissionIndicatorValue, where)


def _listing(
    session: Session, model: type[DraftIndicatorValue] | type[SubmissionIndicatorValue], where: Any
) -> list[dict[str, object]]:
    rows = session.exec(
        select(model, Indicator)
        .join(Indicator, col(Indicator.id) == col(model.indicator_id))
        .where(where)
        .order_by(col(Indicator.sort_order))
    )
    return [
        {"name": ind.name, "raw": value.raw, "skipped": value.skipped, "measure": ind.measure}
        for value, ind in rows
        if isinstance(value, DraftIndicatorValue | SubmissionIndicatorValue)
    ]


def clear(*, session: Session, draft_id: int) -> None:
    for row in session.exec(
        select(DraftIndicatorValue).where(DraftIndicatorValue.draft_id == draft_id)
    ):
        session.delete(row)
    session.flush()


def snapshot(*, session: Session, draft_id: int, submission_id: int) -> None:
    for row in session.exec(
        select(DraftIndicatorValue).where(DraftIndicatorValue.draft_id == draft_id)
    ):
        session.add(
            SubmissionIndicatorValue(
                submission_id=submission_id, indicator_id=row.indicator_id, raw=row.raw,
                value=row.value, numerator=row.numerator, denominator=row.denominator,
                skipped=row.skipped,
            )
        )  # fmt: skip
    session.flush()


def restore(*, session: Session, submission_id: int, draft_id: int) -> None:
    query = select(SubmissionIndicatorValue).where(
        SubmissionIndicatorValue.submission_id == submission_id
    )
    for row in session.exec(query):
        session.add(
            DraftIndicatorValue(
                draft_id=draft_id, indicator_id=row.indicator_id, raw=row.raw, value=row.value,
                numerator=row.numerator, denominator=row.denominator, skipped=row.skipped,
            )
        )  # fmt: skip
    session.flush()
