"""Importing real office files (built from the seeds) into the database."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import col, select

from bot.domain.importing.apply import ImportResult, import_file
from bot.domain.importing.readers import ImportFileError
from storage.db import Database
from storage.models import (
    DeadlineKind,
    Indicator,
    IndicatorUnit,
    MemberUnit,
    Task,
    TaskUnit,
    UnitCategory,
)
from storage.repo_tasks import list_tasks
from storage.repo_units import add_unit, create_campaign, get_default_campaign
from tests.conftest import BACKENDS
from tests.seedfiles import seed_002, task_rows, write_csv, write_docx, write_xlsx

WRITERS = {"xlsx": write_xlsx, "docx": write_docx, "csv": write_csv}


def run_import(
    database: Database, path: Path, *, dry_run: bool = False, create_unmatched: bool = True
) -> ImportResult:
    """Import ``path``; by default confirming every new name, as the office does for a
    plan imported without a member list (``--create-unmatched``)."""
    with database.session() as session:
        return import_file(
            session=session, path=path, dry_run=dry_run, create_unmatched=create_unmatched
        )


def tasks_by_code(database: Database) -> dict[str, tuple[Task, list[str], list[str]]]:
    with database.session() as session:
        campaign = get_default_campaign(session=session)
        assert campaign is not None and campaign.id is not None
        return {
            entry.task.code: (
                entry.task,
                [u.full_name for u in entry.lead],
                [u.full_name for u in entry.cooperating],
            )
            for entry in list_tasks(session=session, campaign_id=campaign.id)
        }


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_seed_002_imports_completely(database: Database, tmp_path: Path, kind: str) -> None:
    seed = seed_002()
    path = WRITERS[kind](seed, tmp_path / f"责任分工细则.{kind}")
    result = run_import(database, path)
    numbered = [row for row in task_rows(seed) if row[2]]
    assert result.tasks.created == len(numbered) == 83
    assert result.plan.unmatched == []
    assert result.plan.unclear_deadlines == []
    assert result.campaign == ""  # set by the office, never taken from a file
    assert result.title == "平罗县全民健康水平提升行动"  # offered as a suggestion
    tasks = tasks_by_code(database)
    assert len(tasks) == 83

    task, lead, cooperating = tasks["1.1.1"]
    assert task.category_path == ["一、实施健康素养提升工程", "1.加强健康教育"]
    assert task.content.startswith("建立健康科普专家库")
    assert lead == ["卫健局"]
    assert cooperating == [
        "县委宣传部", "网信办", "总工会", "团委", "妇联", "融媒体中心", "科协", "教体局",
        "工信局", "民政局", "财政局", "科技局", "市场监管局", "文广局",
    ]  # fmt: skip
    assert (task.deadline_kind, task.deadline_date) == (DeadlineKind.DATE, date(2022, 12, 31))

    task, lead, cooperating = tasks["1.1.2"]  # blank 牵头/配合 under a merged block
    assert lead == ["卫健局"]
    assert len(cooperating) == 14
    assert task.deadline_kind == DeadlineKind.ONGOING

    _, lead, cooperating = tasks["2.4.2"]  # "市生态环境局\n平罗分局" is one unit
    assert lead == ["市生态环境局平罗分局"]
    assert cooperating == ["工业园区管委会", "财政局", "住建局"]

    task, lead, cooperating = tasks["2.5.4"]  # lead inherited: both responsible, first leads
    assert lead == ["县委宣传部", "卫健局"]
    assert task.groups == ["县直各部门", "各乡镇"]

    task, lead, _ = tasks["2.3.1"]  # an unnumbered first item is item 1
    assert task.content.startswith("加大城乡环境卫生综合整治")
    assert lead == ["住建局"]

    task, _, _ = tasks["9.25.1"]  # after the heading paragraph between tables
    assert task.category_path == ["九、实施重点领域改革创新工程", "25.全面推进疾病预防控制体系改革"]
    assert tasks["9.26.1"][0].groups == ["县医改领导小组成员单位"]
    assert [text for _, text in result.plan.unexpandable_groups] == ["县医改领导小组成员单位"] * 2

    _, lead, _ = tasks["10.29.1"]
    assert lead == ["卫健局", "民政局"]
    assert tasks["10.30.2"][0].deadline_date == date(2025, 12, 31)
    with database.session() as session:
        names = set(session.exec(select(MemberUnit.full_name)).all())
    assert "县卫健局" not in names  # the same unit as 卫健局
    assert len(names) == 32


def test_reimport_is_idempotent_and_changes_update(database: Database, tmp_path: Path) -> None:
    seed = seed_002()
    run_import(database, write_xlsx(seed, tmp_path / "a.xlsx"))
    again = run_import(database, write_csv(seed, tmp_path / "a.csv"))
    assert (again.tasks.created, again.tasks.updated, again.tasks.unchanged) == (0, 0, 83)
    assert (again.units.created, again.units.updated) == (0, 0)

    rows = task_rows(seed)
    rows[0][5] = "2023年6月20日前"  # the office moved one deadline
    rows[1][4] = "妇联"  # and named a co-operating unit; 1.1.3 below inherits it
    changed = run_import(database, write_csv(seed, tmp_path / "b.csv"))
    assert (changed.tasks.created, changed.tasks.updated) == (0, 3)
    tasks = tasks_by_code(database)
    assert tasks["1.1.1"][0].deadline_date == date(2023, 6, 20)
    assert tasks["1.1.2"][2] == ["妇联"]
    assert tasks["1.1.3"][2] == ["妇联"]
    with database.session() as session:
        assert (
            len(
                session.exec(select(TaskUnit).where(TaskUnit.task_id == tasks["1.1.2"][0].id)).all()
            )
            == 2
        )


def test_dry_run_writes_nothing(database: Database, tmp_path: Path) -> None:
    result = run_import(database, write_docx(seed_002(), tmp_path / "a.docx"), dry_run=True)
    assert result.dry_run
    assert result.tasks.created == 83
    assert len(result.units_created) == 32
    with database.session() as session:
        assert session.exec(select(Task)).all() == []
        assert session.exec(select(MemberUnit)).all() == []


def test_known_units_are_matched_and_groups_expand(database: Database, tmp_path: Path) -> None:
    with database.session() as session:
        campaign = create_campaign(session=session, name="平罗县")
        assert campaign.id is not None
        add_unit(
            session=session,
            campaign_id=campaign.id,
            full_name="平罗县卫生健康局",
            short_name="卫健局",
        )
        for town in ("城关镇", "黄渠桥镇"):
            add_unit(
                session=session,
                campaign_id=campaign.id,
                full_name=town,
                category=UnitCategory.TOWNSHIP,
            )
    result = run_import(database, write_xlsx(seed_002(), tmp_path / "a.xlsx"))
    assert "卫健局" not in result.units_created
    assert result.units.unchanged >= 1
    tasks = tasks_by_code(database)
    assert tasks["1.1.1"][1] == ["平罗县卫生健康局"]
    cooperating = tasks["2.5.4"][2]
    assert {"城关镇", "黄渠桥镇"} <= set(cooperating)  # 各乡镇 → every township
    with database.session() as session:
        via = session.exec(
            select(TaskUnit.via_group).where(TaskUnit.task_id == tasks["2.5.4"][0].id)
        ).all()
    assert "各乡镇" in via


def indicator_sheet(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["健康县区建设指标"])
    sheet.append(["指标名称", "目标值", "计量单位", "责任单位", "完成时限"])
    sheet.append(["健康促进学校比例", "≥50%", "%", "教体局、卫健局", "2025年"])
    sheet.append(["15岁以上人群吸烟率", "<25%", "%", "卫健局", "长期坚持"])
    sheet.append(["无烟单位", "每年新创建1家", "家", "卫健局", "每年"])
    workbook.save(path)
    return path


def test_indicator_sheet(database: Database, tmp_path: Path) -> None:
    result = run_import(database, indicator_sheet(tmp_path / "指标.xlsx"))
    assert result.indicators.created == 3
    with database.session() as session:
        indicators = {i.name: i for i in session.exec(select(Indicator)).all()}
        school = indicators["健康促进学校比例"]
        links = session.exec(
            select(IndicatorUnit.role, MemberUnit.full_name)
            .join(MemberUnit)
            .where(IndicatorUnit.indicator_id == school.id)
            .order_by(col(IndicatorUnit.position))
        ).all()
    assert (school.comparator, school.target_value, school.measure) == (">=", 50.0, "%")
    assert indicators["15岁以上人群吸烟率"].comparator == "<"
    assert indicators["无烟单位"].target_value == 1.0
    assert indicators["无烟单位"].deadline_kind == DeadlineKind.RECURRING
    assert [(str(role), name) for role, name in links] == [
        ("lead", "教体局"),
        ("responsible", "卫健局"),
    ]
    again = run_import(database, tmp_path / "指标.xlsx")
    assert again.indicators.unchanged == 3


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("plan.pdf", b"%PDF-1.4", "unsupported_type"),
        ("tasks.xlsx", b"not a zip at all", "corrupt"),
        ("tasks.xlsx", b"PK\x03\x04broken zip", "corrupt"),
        ("secret.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "encrypted_or_legacy"),
        ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "encrypted_or_legacy"),
        ("notes.csv", "随便写的,没有表头\n一,二\n".encode("gbk"), "nothing_recognised"),
        ("empty.txt", b"", "nothing_recognised"),
    ],
)
def test_unreadable_files_fail_with_a_reason_and_write_nothing(
    database: Database, name: str, data: bytes, reason: str
) -> None:
    with pytest.raises(ImportFileError) as caught, database.session() as session:
        import_file(session=session, name=name, data=data, dry_run=False)
    assert caught.value.reason == reason
    with database.session() as session:
        assert get_default_campaign(session=session) is None


def test_utf8_bom_and_gbk_csv_read_the_same(database: Database, tmp_path: Path) -> None:
    seed = seed_002()
    gbk = write_csv(seed, tmp_path / "gbk.csv", encoding="gbk")
    bom = write_csv(seed, tmp_path / "bom.csv", encoding="utf-8-sig")
    with database.session() as session:
        first = import_file(session=session, path=gbk, dry_run=True)
        second = import_file(session=session, path=bom, dry_run=True)
    assert [t.content for t in first.plan.tasks] == [t.content for t in second.plan.tasks]
    assert io.BytesIO(gbk.read_bytes()).read(3) != b"\xef\xbb\xbf"
