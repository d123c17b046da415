"""Which month a liaison's /report (and /status) is about, by the rule in ``standing``.

A report is written for the month whose deadline is coming: normally this month; early in a
month, last month while its deadline (holiday shifts and extensions included) is still ahead
— January 2025 was due on 02-05. When last month is owed, unreported and overdue, the liaison
chooses between catching it up (so the late report lands in its own month, counted late, not
missing) and this month. A month the unit does not owe (新加入), has reported, or that the
office locked is never offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlmodel import Session

from bot.domain import review
from bot.domain.periods import YearMonth
from bot.domain.standing import unit_standing
from storage.models import MemberUnit


@dataclass(frozen=True, slots=True)
class MonthChoice:
    period: YearMonth  # the month to open
    catch_up: YearMonth | None = None  # an overdue month the liaison may write instead


def report_month(*, session: Session, unit: MemberUnit, now: datetime, tz: tzinfo) -> MonthChoice:
    current = YearMonth.of(now.astimezone(tz).date())
    previous = current.previous()
    found = unit_standing(session=session, unit=unit, period=previous, at=now, tz=tz)
    if found is None or not found.owing or review.is_locked(session=session, period=str(previous)):
        return MonthChoice(current)
    if found.open:
        return MonthChoice(previous)  # its deadline is still ahead: this is the month to write
    return MonthChoice(current, catch_up=previous)
