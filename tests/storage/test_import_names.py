"""Importing a duty table written by someone else against the 永川 member list (seed 003):
nothing is created without confirmation, every variant is proposed with the right unit
first, confirmations hold for the next import, and the check reports what the import does."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.domain.campaign import set_identity
from bot.domain.importing.apply import ImportResult, import_file
from bot.domain.importing.names import resolve_unit_names
from bot.domain.importing.plan import Skip
from bot.domain.office import task_list
from bot.domain.task_progress import open_tasks
from bot.domain.units.aliases import add_alias, ignore_name
from storage.db import Database
from storage.models import AuditEntry, Campaign, MemberUnit, Task, TaskUnit, UnitCategory
from storage.repo_units import get_default_campaign
from tests.conftest import BACKENDS
from tests.seedfiles import seed_path, write_member_list, write_rows, yongchuan_members

HEADER = ["具体内容", "牵头单位", "配合单位", "完成时限"]
VARIANT_ROWS = [
    HEADER,
    ["1.建设健康促进学校", "区教委会", "区卫生建康委、卫星湖街道办", "2023年"],
    ["2.建设健康社区", "区卫生健康局", "区发展和改革局、区住房和城乡建设局", "2023年"],
    ["3.开展健康宣传", "永川区民政局", "区财政局。、区120急救指挥中心", "每年"],
    ["4.控烟", "区统计局", "区医疗保障局", "每年"],
]
SUSPECTED = {
    "区教委会": "区教委",
    "区卫生建康委": "区卫生健康委",
    "区卫生健康局": "区卫生健康委",
    "区发展和改革局": "区发展改革委",
    "区住房和城乡建设局": "区住房城乡建委",
    "永川区民政局": "区民政局",
    "区财政局。": "区财政局",
}
UNKNOWN = ["卫星湖街道办", "区120急救指挥中心"]


def run(database: Database, path: Path, **options: object) -> ImportResult:
    with database.session() as session:
        return import_file(session=session, path=path, **{"dry_run": False, **options})  # type: ignore[arg-type]


def unit_names(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.exec(select(MemberUnit.full_name).order_by(col(MemberUnit.id))))


def links(database: Database, code: str) -> list[tuple[str, str]]:
    with database.session() as session:
        rows = session.exec(
            select(TaskUnit.role, MemberUnit.full_name)
            .join(MemberUnit, col(MemberUnit.id) == col(TaskUnit.unit_id))
            .join(Task, col(Task.id) == col(TaskUnit.task_id))
            .where(Task.code == code)
            .order_by(col(TaskUnit.position))
        ).all()
    return [(str(role), name) for role, name in rows]


def counts(result: ImportResult) -> tuple[tuple[int, int, int], ...]:
    return tuple(
        (c.created, c.updated, c.unchanged) for c in (result.units, result.tasks, result.indicators)
    )


def yongchuan(database: Database, tmp_path: Path, kind: str = "csv") -> None:
    result = run(database, write_member_list(yongchuan_members(), tmp_path / f"成员单位.{kind}"))
    assert result.units.created == 29 and not result.unresolved


@pytest.mark.parametrize("kind", ["xlsx", "docx", "csv"])
def test_variants_are_suspected_never_created_and_confirmations_hold(
    database: Database, tmp_path: Path, kind: str
) -> None:
    yongchuan(database, tmp_path, kind)
    path = write_rows(VARIANT_ROWS, tmp_path / f"分工.{kind}", title="永川区创建健康区重点任务分工")
    check = run(database, path, dry_run=True)
    assert {u.name: u.candidates[0] for u in check.plan.suspected} == SUSPECTED
    assert [u.name for u in check.plan.unknown] == UNKNOWN
    assert check.units.created == 0 and check.units_created == []

    done = run(database, path)
    assert counts(done) == counts(check)  # the check is the import
    assert len(unit_names(database)) == 29  # nothing invented
    assert links(database, "1") == []  # 区教委会, 区卫生建康委, 卫星湖街道办: not yet known
    assert links(database, "4") == [("lead", "区统计局"), ("cooperating", "区医保局")]

    with database.session() as session:
        campaign = get_default_campaign(session=session)
        assert campaign is not None and campaign.id is not None
        for name, unit in SUSPECTED.items():
            add_alias(session=session, campaign_id=campaign.id, name=name, unit_name=unit,
                      actor_person_id=None)  # fmt: skip
    confirmed = run(database, path, create=UNKNOWN)
    assert not confirmed.unresolved
    assert confirmed.units_created == UNKNOWN
    assert (confirmed.tasks.created, confirmed.tasks.updated) == (0, 3)
    assert links(database, "1") == [
        ("lead", "区教委"), ("cooperating", "区卫生健康委"), ("cooperating", "卫星湖街道办"),
    ]  # fmt: skip
    assert unit_names(database)[29:] == UNKNOWN

    again = run(database, path, dry_run=True)  # the same file again: nothing to ask, no change
    assert not again.unresolved
    assert counts(again) == ((0, 0, 10), (0, 0, 4), (0, 0, 0))
    with database.session() as session:
        township = session.exec(
            select(MemberUnit).where(MemberUnit.full_name == "卫星湖街道办")
        ).one()
        assert township.category == UnitCategory.TOWNSHIP  # so 各镇街 finds it
        logged = session.exec(
            select(AuditEntry).where(AuditEntry.action == "unit_alias_added")
        ).all()
    assert len(logged) == len(SUSPECTED)


def test_ignored_names_and_unmatched_creation(database: Database, tmp_path: Path) -> None:
    yongchuan(database, tmp_path)
    path = write_rows(VARIANT_ROWS, tmp_path / "分工.csv")
    with database.session() as session:
        campaign = get_default_campaign(session=session)
        assert campaign is not None and campaign.id is not None
        ignore_name(session=session, campaign_id=campaign.id, name="区120急救指挥中心",
                    actor_person_id=None)  # fmt: skip
    result = run(database, path, create_unmatched=True)
    assert result.units_created == ["卫星湖街道办"]  # like no unit: created when told to
    assert [w for w, _ in result.plan.ignored] and len(result.plan.suspected) == 7  # still asked
    assert len(unit_names(database)) == 30


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_dry_run_counts_equal_the_import_and_reordering_is_no_update(
    database: Database, tmp_path: Path
) -> None:
    yongchuan(database, tmp_path)
    rows = [HEADER, *[[f"{n}.任务{n}", "区教委", "区妇联", "2026年"] for n in range(1, 6)]]
    run(database, write_rows(rows, tmp_path / "a.csv"))
    changed = [rows[0], rows[3], rows[1], rows[5], rows[4], ["2.任务2", "区教委", "区残联", "每年"]]
    path = write_rows(changed, tmp_path / "b.csv")
    check = run(database, path, dry_run=True)
    done = run(database, path)
    assert counts(check) == counts(done) == ((0, 0, 3), (0, 1, 4), (0, 0, 0))
    reordered = write_rows([rows[0], *reversed(changed[1:])], tmp_path / "c.csv")
    assert counts(run(database, reordered))[1] == (0, 0, 5)  # order kept, nothing "updated"
    with database.session() as session:
        orders = dict(session.exec(select(Task.code, Task.sort_order)).all())
    assert orders["2"] == 0  # …but the office's new order is what lists show


def test_tasks_missing_from_a_new_plan_are_listed_then_retired(
    database: Database, tmp_path: Path
) -> None:
    yongchuan(database, tmp_path)
    rows = [HEADER, *[[f"{n}.任务{n}", "区教委", "", "每年"] for n in range(1, 4)]]
    run(database, write_rows(rows, tmp_path / "a.csv"))
    shorter = write_rows(rows[:3], tmp_path / "b.csv")
    listed = run(database, shorter)
    assert listed.missing_tasks == [("3", "任务3")] and listed.tasks_retired == 0
    retired = run(database, shorter, retire_missing=True)
    assert retired.tasks_retired == 1
    with database.session() as session:
        unit = session.exec(select(MemberUnit).where(MemberUnit.full_name == "区教委")).one()
        assert unit.id is not None
        asked = [t.code for t in open_tasks(session=session, unit_id=unit.id, period="2026-11")]
        listed_rows = task_list(session=session, unit_name=None)
    assert asked == ["1", "2"]  # no longer asked
    assert listed_rows is not None and [r["code"] for r in listed_rows] == ["1", "2"]
    back = run(database, write_rows(rows, tmp_path / "c.csv"))
    assert (back.tasks.updated, back.missing_tasks) == (1, [])  # in the plan again: asked again


def test_a_group_before_its_units_is_reported_then_completed(
    database: Database, tmp_path: Path
) -> None:
    yongchuan(database, tmp_path)
    rows = [HEADER, ["1.建设健康社区", "区卫生健康委", "各镇街", "长期坚持"]]
    first = run(database, write_rows(rows, tmp_path / "分工.csv"))
    assert first.empty_groups == [("1", "各镇街")]
    towns = write_rows(
        [["单位名称", "类别"], ["卫星湖街道", "乡镇街道"], ["胜利路街道", "乡镇街道"]],
        tmp_path / "镇街.csv",
    )
    later = run(database, towns)
    assert later.links_completed == [("1", "各镇街")]
    assert links(database, "1") == [
        ("lead", "区卫生健康委"), ("cooperating", "卫星湖街道"), ("cooperating", "胜利路街道"),
    ]  # fmt: skip
    again = run(database, write_rows(rows, tmp_path / "分工.csv"))
    assert (again.tasks.unchanged, again.empty_groups) == (1, [])


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_an_empty_cell_of_a_table_stays_empty(
    database: Database, tmp_path: Path, kind: str
) -> None:
    """Only CSV fills a blank from above (Excel exports a merged cell so); an .xlsx or .docx
    says what is merged, so a blank cell there gives no co-operating unit."""
    yongchuan(database, tmp_path)
    rows = [
        ["类别", *HEADER],
        ["健康场所", "1.建设健康促进学校", "区教委", "区卫生健康委", "2023年"],
        ["", "2.建设健康促进医院", "区卫生健康委", "", ""],
    ]
    run(database, write_rows(rows, tmp_path / f"分工.{kind}"))
    assert links(database, "1.2") == [("lead", "区卫生健康委")]
    with database.session() as session:
        task = session.exec(select(Task).where(Task.code == "1.2")).one()
    assert task.category_path == ["健康场所"]  # 类别 is the task's category, like 分类
    assert task.deadline_raw == ""
    as_csv = run(database, write_rows(rows, tmp_path / "分工.csv"))
    assert as_csv.tasks.updated == 1  # the CSV repeats 区卫生健康委 and 2023年 down the block
    assert links(database, "1.2") == [("lead", "区卫生健康委")]


def test_duties_common_to_all_units_are_kept_and_listed(database: Database, tmp_path: Path) -> None:
    text = seed_path("000").read_text(encoding="utf-8")
    path = tmp_path / "职责.txt"
    path.write_text(text, encoding="utf-8")
    check = run(database, path, dry_run=True)
    assert len(check.plan.unknown) == 25 and check.units.created == 0  # a duty list asks first
    result = run(database, path, create_unmatched=True)
    assert result.units.created == 25 and result.common_duties_changed
    with database.session() as session:
        rows = task_list(session=session, unit_name=None)
        campaign = session.exec(select(Campaign)).one()
    assert rows is not None and rows[0]["common"] is True
    assert str(rows[0]["content"]).startswith("各成员单位结合工作职责")
    assert campaign.name == ""  # never taken from a file
    assert (Skip.GROUP, "各乡镇人民政府") in [(r, t) for _, r, t in result.plan.skipped]


def test_the_campaign_identity_is_set_not_guessed(database: Database, tmp_path: Path) -> None:
    path = write_member_list(yongchuan_members(), tmp_path / "成员单位.xlsx")
    first = run(database, path)
    assert first.campaign == "" and first.title == "永川区创建健康区"  # offered, not applied
    with database.session() as session:
        changes = {"name": "永川区创建国家健康促进区", "region": "永川区", "office_name": "创建办"}
        set_identity(session=session, changes=changes, actor_person_id=None)
    again = run(database, path, dry_run=True)
    assert again.identity.name == "永川区创建国家健康促进区"
    assert again.identity.region_word == "区"


def test_resolve_unit_names_for_other_importers(database: Database, tmp_path: Path) -> None:
    yongchuan(database, tmp_path)
    with database.session() as session:
        campaign = get_default_campaign(session=session)
        assert campaign is not None and campaign.id is not None
        ignore_name(session=session, campaign_id=campaign.id, name="县医改办",
                    actor_person_id=None)  # fmt: skip
        found = resolve_unit_names(
            session=session, campaign_id=campaign.id,
            names=["区教委", "区卫生健康委员会", "区教委会", "县医改办", "卫星湖街道", "区教委"],
        )  # fmt: skip
        assert session.exec(select(MemberUnit)).all().__len__() == 29
    assert found.matched == {"区教委": "区教委", "区卫生健康委员会": "区卫生健康委"}
    assert [(s.name, s.candidates[0]) for s in found.suspected] == [("区教委会", "区教委")]
    assert found.ignored == ["县医改办"] and found.unknown == ["卫星湖街道"]
    assert not found.resolved
