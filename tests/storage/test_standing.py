"""The rule for who owes a period, read straight from the database on both backends.

November 2026 is due Monday 11-30; its prompt was due Monday 11-23 at 09:00 (T-5 workdays).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.periods import YearMonth
from bot.domain.standing import Standing, period_standing
from storage.db import Database
from storage.models import ExceptionKind, MemberUnit, ReportingException, Submission
from storage.repo_units import add_unit, create_campaign
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

TZ = ZoneInfo("Asia/Shanghai")
NOVEMBER = YearMonth(2026, 11)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def units(db: Database, **created: str) -> dict[str, int]:
    """Units by name, each created at the given office time."""
    ids = {}
    with db.session() as session:
        campaign = create_campaign(session=session, name="健康促进区")
        assert campaign.id is not None
        for name, when in created.items():
            unit = add_unit(session=session, campaign_id=campaign.id, full_name=name)
            unit.created_at = at(when)
            session.add(unit)
            assert unit.id is not None
            ids[name] = unit.id
    return ids


def submit(db: Database, unit_id: int, when: str, *, late: int = 0) -> None:
    with db.session() as session:
        session.add(
            Submission(unit_id=unit_id, period=str(NOVEMBER), submitted_at=at(when),
                       due_date=date(2026, 11, 30), workdays_late=late)
        )  # fmt: skip


def standings(db: Database, when: str, period: YearMonth = NOVEMBER) -> dict[str, Standing]:
    with db.session() as session:
        found = period_standing(session=session, period=period, at=at(when), tz=TZ)
    return {unit.full_name: unit.standing for unit in found.units}


def test_joining_before_the_prompt_owes_the_month_after_it_is_new(database: Database) -> None:
    ids = units(database, 早=("2026-11-23 08:59"), 准=("2026-11-23 09:00"), 晚=("2026-11-23 09:01"),
                报=("2026-11-30 08:00"))  # fmt: skip
    submit(database, ids["报"], "2026-11-30 09:00")
    assert standings(database, "2026-11-30 10:00") == {
        "早": Standing.NO_LIAISON, "准": Standing.NO_LIAISON, "晚": Standing.NEW,
        "报": Standing.ON_TIME,  # joined after the prompt, but it submitted: it counts
    }  # fmt: skip


def test_the_due_day_is_open_until_its_last_minute(database: Database) -> None:
    ids = units(database, 卫健委="2026-11-01 10:00", 教委="2026-11-01 10:00")
    submit(database, ids["卫健委"], "2026-11-30 09:00")
    with database.session() as session:
        for when, is_open in (("2026-11-30 00:00", True), ("2026-11-30 23:59", True),
                              ("2026-12-01 00:00", False)):  # fmt: skip
            found = period_standing(session=session, period=NOVEMBER, at=at(when), tz=TZ)
            assert found.open is is_open, when
            assert found.on_time_rate == (None if is_open else 0.5), when
            assert (found.expected, found.reported) == (2, 1)


def test_an_extended_unit_stays_pending_and_out_of_the_rate_until_its_own_day(
    database: Database,
) -> None:
    ids = units(database, 卫健委="2026-11-01 10:00", 教委="2026-11-01 10:00")
    submit(database, ids["卫健委"], "2026-11-30 09:00")
    with database.session() as session:
        session.add(
            ReportingException(unit_id=ids["教委"], period=str(NOVEMBER),
                               kind=ExceptionKind.EXTENSION, due_date=date(2026, 12, 4))
        )  # fmt: skip
    with database.session() as session:
        found = period_standing(session=session, period=NOVEMBER, at=at("2026-12-02 10:00"), tz=TZ)
        [extended] = [u for u in found.units if u.full_name == "教委"]
        assert extended.open and extended.deadline == date(2026, 12, 4)
        assert found.decided == 1 and found.on_time_rate == 1.0
        later = period_standing(session=session, period=NOVEMBER, at=at("2026-12-07 10:00"), tz=TZ)
        assert later.decided == 2 and later.on_time_rate == 0.5


def test_a_retired_unit_keeps_its_past_and_owes_nothing_after(database: Database) -> None:
    ids = units(
        database, 卫健委="2026-01-01 10:00", 旧局="2026-01-01 10:00", 并局="2026-01-01 10:00"
    )
    with database.session() as session:
        retired = session.get(MemberUnit, ids["旧局"])
        merged = session.get(MemberUnit, ids["并局"])
        assert retired is not None and merged is not None
        retired.retired_on = date(2026, 11, 15)
        merged.active = False  # merged into another unit: its history moved there
        session.add_all([retired, merged])
    october = standings(database, "2026-12-10 10:00", YearMonth(2026, 10))
    assert october == {"卫健委": Standing.NO_LIAISON, "旧局": Standing.NO_LIAISON}
    assert standings(database, "2026-12-10 10:00") == {"卫健委": Standing.NO_LIAISON}
    submit(database, ids["旧局"], "2026-11-16 10:00")  # it reported all the same: it counts
    assert standings(database, "2026-12-10 10:00")["旧局"] == Standing.ON_TIME
