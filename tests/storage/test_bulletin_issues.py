"""The bulletin's 期号: counted per campaign and year, kept per month, never burnt by a re-export
— on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.bulletin_issues import IssueNumberTaken, bulletin_issue
from bot.domain.periods import YearMonth
from storage.db import Database
from storage.repo_units import create_campaign
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

NOW = datetime(2026, 10, 12, 1, 30, tzinfo=UTC)


def campaigns(db: Database, *names: str) -> list[int]:
    with db.session() as session:
        return [create_campaign(session=session, name=name).id or 0 for name in names]


def number(db: Database, campaign: int, period: str, requested: int | None = None) -> int:
    """One export, in its own transaction (as the chat and the CLI make them)."""
    with db.session() as session:
        return bulletin_issue(session=session, campaign_id=campaign, period=YearMonth.parse(period),
                              now=NOW, requested=requested)  # fmt: skip


def test_numbers_count_issues_and_a_re_export_keeps_its_number(database: Database) -> None:
    [campaign] = campaigns(database, "健康促进区")
    assert number(database, campaign, "2026-08") == 1
    assert number(database, campaign, "2026-09") == 2
    assert number(database, campaign, "2026-09") == 2  # again: same number, none burnt
    assert number(database, campaign, "2026-08") == 1
    assert number(database, campaign, "2026-07") == 3  # made later, numbered later
    assert number(database, campaign, "2026-10") == 4


def test_each_year_and_each_campaign_has_its_own_series(database: Database) -> None:
    first, second = campaigns(database, "健康促进区", "慢性病综合防控示范区")
    assert number(database, first, "2026-11") == 1
    assert number(database, first, "2026-12") == 2
    assert number(database, first, "2027-01") == 1  # the reported month's year
    assert number(database, first, "2026-10") == 3  # made in 2027, still 2026's series
    assert number(database, second, "2026-12") == 1


def test_the_office_sets_a_number_and_the_series_goes_on_from_it(database: Database) -> None:
    [campaign] = campaigns(database, "健康促进区")
    assert number(database, campaign, "2026-08") == 1
    assert number(database, campaign, "2026-09", requested=15) == 15  # the paper series' next
    assert number(database, campaign, "2026-09") == 15
    assert number(database, campaign, "2026-10") == 16
    assert number(database, campaign, "2026-08", requested=14) == 14  # renumbered
    assert number(database, campaign, "2026-08") == 14
    with pytest.raises(IssueNumberTaken) as taken:
        number(database, campaign, "2026-11", requested=16)
    assert (taken.value.year, taken.value.number, taken.value.period) == (2026, 16, "2026-10")
    assert number(database, campaign, "2026-11") == 17  # the refusal stored nothing
    assert number(database, campaign, "2026-12", requested=1) == 1  # a free number is fine
