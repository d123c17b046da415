"""The 期号 of the monthly 工作简报 (2026年第N期): counted, kept, never burnt by a re-export.

**The rule.** A campaign's bulletins form one series per year — the year of the month the
bulletin reports on, so December's issue stays in its year's series even when it is made in
January. The first time a month's bulletin is made it takes the next number of that series
(the highest so far + 1, starting at 1) and the number is stored; making the same month again
(another copy, or a fresh one after a late report came in) prints the number it already has.
Numbers follow the order in which months were first made, so a month made after a later one
comes after it.

The office can set a month's number itself (``liaison-bot export --issue N``, e.g. to go on
from a paper series): it is stored for that month, and months made afterwards count on from
the year's highest number. A number another month of the same year already holds is refused.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.domain.periods import YearMonth
from bot.errors import DomainError
from storage.repo_bulletins import claim_number, highest, issue_of, month_with, renumber

ATTEMPTS = 5  # claims lost to a concurrent export before giving up (each loss means progress)


class IssueNumberTaken(DomainError):
    """The office asked for a number another month of the same year already holds."""

    def __init__(self, year: int, number: int, period: str) -> None:
        super().__init__(f"{year} issue {number} is already {period}'s")
        self.year, self.number, self.period = year, number, period


def bulletin_issue(
    *,
    session: Session,
    campaign_id: int,
    period: YearMonth,
    now: datetime,
    requested: int | None = None,
) -> int:
    """The month's issue number: the one it already has, or the series' next one (stored).
    ``requested`` sets the number; raises IssueNumberTaken when another month holds it."""
    month = str(period)
    current = issue_of(session=session, campaign_id=campaign_id, period=month)
    if current is not None and requested in (None, current):
        return current
    if requested is not None:
        holder = month_with(
            session=session, campaign_id=campaign_id, year=period.year, number=requested
        )
        if holder is not None:
            raise IssueNumberTaken(period.year, requested, holder)
        if current is not None:
            renumber(session=session, campaign_id=campaign_id, period=month, number=requested)
            return requested
    for _ in range(ATTEMPTS):
        number = requested or highest(session=session, campaign_id=campaign_id,
                                      year=period.year) + 1  # fmt: skip
        if claim_number(session=session, campaign_id=campaign_id, period=month,
                        year=period.year, number=number, at=now):  # fmt: skip
            return number
        # Another export got there first: with this month (use its number) or this number.
        current = issue_of(session=session, campaign_id=campaign_id, period=month)
        if current is not None:
            return current
        if requested is not None:
            holder = month_with(session=session, campaign_id=campaign_id, year=period.year,
                                number=requested) or "?"  # fmt: skip
            raise IssueNumberTaken(period.year, requested, holder)
    raise DomainError(f"could not number the {month} bulletin: too many concurrent exports")
