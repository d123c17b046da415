"""The 工作简报 issue numbers (期号) already given, per campaign and month (keyword-only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.db import insert_unless_present, table_of
from storage.models import BulletinIssue

BULLETIN_ISSUE = table_of(BulletinIssue)


def issue_of(*, session: Session, campaign_id: int, period: str) -> int | None:
    """The number the month's bulletin already has, if it was made before."""
    return session.exec(
        select(BulletinIssue.number).where(
            BulletinIssue.campaign_id == campaign_id, BulletinIssue.period == period
        )
    ).first()


def month_with(*, session: Session, campaign_id: int, year: int, number: int) -> str | None:
    """The month holding a number of the year's series, if any."""
    return session.exec(
        select(BulletinIssue.period).where(
            BulletinIssue.campaign_id == campaign_id,
            BulletinIssue.year == year,
            BulletinIssue.number == number,
        )
    ).first()


def highest(*, session: Session, campaign_id: int, year: int) -> int:
    """The highest number of the year's series (0 before the first issue)."""
    found = session.exec(
        select(func.max(BulletinIssue.number)).where(
            BulletinIssue.campaign_id == campaign_id, BulletinIssue.year == year
        )
    ).one()
    return int(found or 0)


def claim_number(
    *, session: Session, campaign_id: int, period: str, year: int, number: int, at: datetime
) -> bool:
    """Record the month's number unless the month or the number is already taken (then
    False): of two exports racing for the same number, exactly one gets it."""
    values = {"campaign_id": campaign_id, "period": period, "year": year, "number": number,
              "issued_at": at}  # fmt: skip
    statement = insert_unless_present(session, BULLETIN_ISSUE).returning(BULLETIN_ISSUE.c.number)
    return session.execute(statement, values).scalar_one_or_none() is not None


def renumber(*, session: Session, campaign_id: int, period: str, number: int) -> None:
    session.execute(
        update(BulletinIssue)
        .where(col(BulletinIssue.campaign_id) == campaign_id, col(BulletinIssue.period) == period)
        .values(number=number)
    )
