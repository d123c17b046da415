"""A unit's life after import: merged into another, retired, restored, renamed — and every
month already closed keeps exactly the numbers (and lists) it had."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.domain.importing.apply import import_file
from bot.domain.outbox import digest_values
from bot.domain.periods import YearMonth
from bot.domain.standing import period_standing
from bot.domain.units.lifecycle import rename_unit, restore_unit, retire_unit
from bot.domain.units.lookup import UnitActionRefused
from bot.domain.units.merge import first_open_period, merge_units
from storage.db import Database
from storage.models import (
    AssignmentRole,
    AuditEntry,
    Evidence,
    EvidenceKind,
    LiaisonAssignment,
    MemberUnit,
    Responsibility,
    Submission,
    SubmissionKind,
    Task,
    TaskUnit,
    Transport,
    UnitAlias,
)
from storage.repo_people import add_person_with_identity, assign_liaison, current_liaisons
from storage.repo_units import add_unit, create_campaign
from tests.conftest import BACKENDS

TZ = ZoneInfo("Asia/Shanghai")
JOINED = datetime(2026, 6, 1, 9, tzinfo=TZ)
NOW = datetime(2026, 10, 20, 10, tzinfo=TZ)  # October still open (due 10-30), September closed
CLOSED = [YearMonth(2026, m) for m in (7, 8, 9)]
UNITS = ("区教委", "区教委会", "区卫生健康委", "区民政局")  # 区教委会: a phantom an old import made


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=TZ)


def report(
    session: Session, unit: MemberUnit, period: str, when: datetime, late: int = 0, **extra: Any
) -> Submission:
    assert unit.id is not None
    submission = Submission(
        unit_id=unit.id, period=period, submitted_at=when, due_date=when.date(),
        workdays_late=late, work_done=f"{unit.full_name} {period}", **extra,
    )  # fmt: skip
    session.add(submission)
    session.flush()
    return submission


@pytest.fixture
def campaign(database: Database) -> dict[str, int]:
    """Four units since June, a liaison each; July–October reported as below."""
    with database.session() as session:
        created = create_campaign(session=session, name="永川区创建国家健康促进区")
        assert created.id is not None
        units = {}
        for order, name in enumerate(UNITS):
            unit = add_unit(session=session, campaign_id=created.id, full_name=name,
                            sort_order=order)  # fmt: skip
            unit.created_at = JOINED
            person = add_person_with_identity(
                session=session, name=f"联络员{order}", transport=Transport.TELEGRAM,
                external_id=str(1000 + order), chat_id=str(1000 + order),
            )  # fmt: skip
            assert unit.id is not None and person.id is not None
            assign_liaison(session=session, unit_id=unit.id, person_id=person.id,
                           role=AssignmentRole.MAIN, valid_from=JOINED)  # fmt: skip
            units[name] = unit
        jw, jwh, wj, mz = (units[n] for n in UNITS)
        report(session, jwh, "2026-07", at(7, 28))
        report(session, wj, "2026-07", at(8, 4), late=2)
        report(session, mz, "2026-07", at(7, 29))
        report(session, jw, "2026-08", at(8, 27))
        report(session, wj, "2026-08", at(8, 28), kind=SubmissionKind.NO_PROGRESS)
        report(session, jwh, "2026-09", at(9, 25))
        report(session, wj, "2026-09", at(9, 29))
        report(session, mz, "2026-09", at(10, 9), late=3)
        report(session, jwh, "2026-10", at(10, 15))
        kept = report(session, jw, "2026-10", at(10, 16))
        assert jwh.id is not None
        session.add(
            Evidence(unit_id=jwh.id, period="2026-10", sha256="a" * 64, kind=EvidenceKind.PHOTO,
                     received_at=at(10, 15))
        )  # fmt: skip
        task = Task(campaign_id=created.id, code="1.1", content="建设健康促进学校")
        session.add(task)
        session.flush()
        assert task.id is not None
        session.add(TaskUnit(task_id=task.id, unit_id=jwh.id, role=Responsibility.LEAD))
        return {
            "campaign": created.id, "kept": kept.id or 0,
            **{name: unit.id or 0 for name, unit in units.items()},
        }  # fmt: skip


def numbers(database: Database, periods: list[YearMonth]) -> dict[str, dict[str, Any]]:
    """What /digest shows for each month: counts, rates and every list."""
    with database.session() as session:
        return {
            str(period): digest_values(
                period_standing(session=session, period=period, at=NOW, tz=TZ)
            )
            for period in periods
        }


def test_the_scenario_is_as_described(database: Database, campaign: dict[str, int]) -> None:
    with database.session() as session:
        assert first_open_period(session=session, now=NOW, tz=TZ) == YearMonth(2026, 10)
    before = numbers(database, CLOSED)
    assert before["2026-07"]["total"] == 4 and before["2026-07"]["reported"] == 3
    assert before["2026-08"]["missing"] == ["区教委会", "区民政局"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_merging_keeps_every_closed_month_and_hands_over_the_open_one(
    database: Database, campaign: dict[str, int]
) -> None:
    before = numbers(database, CLOSED)
    with database.session() as session, pytest.raises(UnitActionRefused) as refused:
        merge_units(
            session=session, campaign_id=campaign["campaign"], source_name="区教委会",
            target_name="区教委", keep=None, actor_person_id=None, now=NOW, tz=TZ,
        )  # fmt: skip
    assert refused.value.reason == "merge_conflict"
    assert refused.value.values["months"] == ["2026-10"]  # both reported October: say which
    assert numbers(database, CLOSED) == before  # refused: nothing changed
    with database.session() as session:
        done = merge_units(
            session=session, campaign_id=campaign["campaign"], source_name="区教委会",
            target_name="区教委", keep="区教委", actor_person_id=None, now=NOW, tz=TZ,
        )  # fmt: skip
    assert (done.from_period, done.months_kept_apart, done.months_moved) == (
        "2026-10",
        ["2026-10"],
        [],
    )

    assert numbers(database, CLOSED) == before  # every closed month exactly as it was
    october = numbers(database, [YearMonth(2026, 10)])["2026-10"]
    assert "区教委会" not in str(october)  # from October on it is 区教委
    assert october["total"] == 3
    with database.session() as session:
        source = session.get(MemberUnit, campaign["区教委会"])
        assert source is not None
        assert (source.active, source.merged_into_id) == (False, campaign["区教委"])
        counted = session.exec(
            select(Submission).where(Submission.unit_id == campaign["区教委"],
                                     Submission.period == "2026-10")
        ).all()  # fmt: skip
        assert [s.id for s in counted] == [campaign["kept"]]
        people = current_liaisons(session=session, at=NOW, unit_id=campaign["区教委"])
        assert sorted(str(a.role) for a, _ in people) == ["backup", "main"]  # the phantom's too
        assert current_liaisons(session=session, at=NOW, unit_id=campaign["区教委会"]) == []
        link = session.exec(select(TaskUnit)).one()
        assert (link.unit_id, link.role) == (campaign["区教委"], Responsibility.LEAD)
        alias = session.exec(select(UnitAlias).where(UnitAlias.name == "区教委会")).one()
        assert alias.unit_id == campaign["区教委"]
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "unit_merged")).one()


def test_merging_moves_an_open_month_and_keeps_the_chosen_report(
    database: Database, campaign: dict[str, int]
) -> None:
    before = numbers(database, CLOSED)
    with database.session() as session:
        done = merge_units(
            session=session, campaign_id=campaign["campaign"], source_name="区教委会",
            target_name="区教委", keep="区教委会", actor_person_id=None, now=NOW, tz=TZ,
        )  # fmt: skip
        october = session.exec(
            select(Submission).where(Submission.unit_id == campaign["区教委"],
                                     Submission.period == "2026-10")
        ).one()  # fmt: skip
        photos = session.exec(select(Evidence.unit_id)).all()
    assert done.months_kept_apart == ["2026-10"]
    assert october.work_done == "区教委会 2026-10"  # the phantom's report is the one kept
    assert photos == [campaign["区教委"]]  # with its photo
    assert numbers(database, CLOSED) == before


def test_merging_a_phantom_without_reports_into_the_real_unit(
    database: Database, campaign: dict[str, int]
) -> None:
    before = numbers(database, [*CLOSED, YearMonth(2026, 10)])
    with database.session() as session:
        done = merge_units(
            session=session, campaign_id=campaign["campaign"], source_name="区卫生健康委",
            target_name="区民政局", keep=None, actor_person_id=None, now=NOW, tz=TZ,
        )  # fmt: skip
    assert done.months_moved == [] and done.months_kept_apart == []
    after = numbers(database, [*CLOSED, YearMonth(2026, 10)])
    assert {k: v for k, v in after.items() if k != "2026-10"} == {
        k: v for k, v in before.items() if k != "2026-10"
    }


def test_retiring_keeps_earlier_months_and_stops_owing(
    database: Database, campaign: dict[str, int]
) -> None:
    periods = [*CLOSED, YearMonth(2026, 10), YearMonth(2026, 11)]
    before = numbers(database, periods)
    assert "区民政局" in before["2026-11"]["pending"] + before["2026-11"]["no_liaison"]
    with database.session() as session:
        retire_unit(session=session, campaign_id=campaign["campaign"], name="区民政局",
                    on=date(2026, 10, 20), actor_person_id=None)  # fmt: skip
    after = numbers(database, periods)
    for period in ("2026-07", "2026-08", "2026-09"):
        assert after[period] == before[period]
    for period in ("2026-10", "2026-11"):  # prompts after the 20th: owes nothing, not listed
        assert "区民政局" not in str(after[period])
        assert after[period]["total"] == before[period]["total"] - 1
    with database.session() as session:
        restore_unit(session=session, campaign_id=campaign["campaign"], name="区民政局",
                     actor_person_id=None)  # fmt: skip
        with pytest.raises(UnitActionRefused) as again:
            restore_unit(session=session, campaign_id=campaign["campaign"], name="区民政局",
                         actor_person_id=None)  # fmt: skip
        actions = session.exec(select(AuditEntry.action)).all()
    assert again.value.reason == "not_retired"
    assert numbers(database, periods) == before
    assert [a for a in actions if a.startswith("unit_")] == ["unit_retired", "unit_restored"]


def test_a_merged_unit_cannot_be_restored_or_merged_again(
    database: Database, campaign: dict[str, int]
) -> None:
    with database.session() as session:
        merge_units(session=session, campaign_id=campaign["campaign"], source_name="区民政局",
                    target_name="区卫生健康委", keep=None, actor_person_id=None, now=NOW,
                    tz=TZ)  # fmt: skip
    for act, reason in (
        (lambda s: restore_unit(session=s, campaign_id=campaign["campaign"], name="区民政局",
                                actor_person_id=None), "merged_cannot_restore"),
        (lambda s: merge_units(session=s, campaign_id=campaign["campaign"],
                               source_name="区卫生健康委", target_name="区民政局", keep=None,
                               actor_person_id=None, now=NOW, tz=TZ), "merge_self"),
    ):  # fmt: skip
        with database.session() as session, pytest.raises(UnitActionRefused) as refused:
            act(session)
        assert refused.value.reason == reason


def test_renaming_keeps_the_old_name_for_imports(
    database: Database, campaign: dict[str, int]
) -> None:
    with database.session() as session:
        old, unit = rename_unit(session=session, campaign_id=campaign["campaign"],
                                name="区民政局", new_name="永川区民政局",
                                actor_person_id=None)  # fmt: skip
        assert (old, unit.full_name) == ("区民政局", "永川区民政局")
        with pytest.raises(UnitActionRefused) as taken:
            rename_unit(session=session, campaign_id=campaign["campaign"], name="区教委",
                        new_name="区民政局", actor_person_id=None)  # fmt: skip
        assert taken.value.reason == "name_taken"
        rows = "具体内容,牵头单位,配合单位,完成时限\n1.1.建设健康促进学校,区民政局,,2026年\n"
        result = import_file(session=session, name="分工.csv", data=rows.encode(), dry_run=True)
    assert result.units_matched == ["永川区民政局"] and not result.unresolved
    assert numbers(database, CLOSED)["2026-09"]["late"] == [("永川区民政局", 3)]


def test_liaison_history_survives_a_merge(database: Database, campaign: dict[str, int]) -> None:
    with database.session() as session:
        merge_units(session=session, campaign_id=campaign["campaign"], source_name="区教委会",
                    target_name="区教委", keep="区教委", actor_person_id=None, now=NOW,
                    tz=TZ)  # fmt: skip
        closed = session.exec(
            select(LiaisonAssignment).where(LiaisonAssignment.unit_id == campaign["区教委会"])
        ).one()
    assert closed.valid_to is not None and closed.reason == "merged"
