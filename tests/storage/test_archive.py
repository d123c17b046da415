"""Frameworks imported into a campaign (every layout, units matched never invented, idempotent,
versions), tasks linked to indicators, and the year's archive built from stored reports: 件号,
folders, defaults and chosen tags, the completion table and coverage — on SQLite and
PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from bot.archive import links
from bot.archive.completion import completion_book, completion_rows
from bot.archive.coverage import coverage
from bot.archive.framework_import import import_framework
from bot.archive.frameworks import Tree, choose_framework, load_tree
from bot.archive.items import build_archive
from bot.archive.tags import set_tags
from bot.domain.importing.apply import import_file
from messages.render import Renderer
from storage.db import Database
from storage.files import ContentStore
from storage.models import (
    Evidence,
    EvidenceKind,
    Indicator,
    IndicatorUnit,
    MemberUnit,
    Responsibility,
    Submission,
    SubmissionIndicatorValue,
    SubmissionTaskStatus,
    Task,
    TaskStatus,
)
from storage.models_archive import Framework, TagSource
from storage.repo_units import add_unit, create_campaign
from tests.archive_files import (
    SHORT,
    UNITS,
    chronic_docx,
    county_xlsx,
    pdf,
    promotion_csv,
    tasks_xlsx,
)
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 20, 10, tzinfo=TZ)


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.session() as session:
        campaign = create_campaign(session=session, name="永川区健康县区建设")
        assert campaign.id is not None
        for order, name in enumerate(UNITS):
            add_unit(session=session, campaign_id=campaign.id, full_name=name,
                     short_name=SHORT.get(name, ""), sort_order=order)  # fmt: skip
        yield session


def _tree(session: Session, name: str = "") -> Tree:
    framework = choose_framework(session=session, campaign_id=1, name=name)
    assert framework is not None
    return load_tree(session=session, framework=framework)


def test_a_framework_is_imported_with_its_units_matched_and_never_invented(
    session: Session,
) -> None:
    units_before = len(session.exec(select(MemberUnit)).all())
    report = import_framework(session=session, file_name="细则.xlsx", data=county_xlsx())
    assert (report.name, report.version, report.layout) == ("健康县区评估细则", "2024版",
                                                            "health_county")  # fmt: skip
    assert report.levels == {1: 2, 2: 5} and report.created == 7 and report.points == 9.0
    assert [(str(w), name) for w, name in report.unmatched] == [("评估细则:6", "区文化旅游委")]
    assert [name for _, name in report.groups] == ["各成员单位"]
    assert len(session.exec(select(MemberUnit)).all()) == units_before  # nothing created
    tree = _tree(session)
    [plan] = tree.by_code("1")[:1]
    assert plan.lead is not None and plan.lead.full_name == "区政府办公室"
    assert [u.display_name for u in plan.cooperating] == ["区发改委", "区卫健委"]
    assert plan.item.groups == [] and tree.by_code("2.4")[0].lead.full_name == "区教育委员会"  # type: ignore[union-attr]

    again = import_framework(session=session, file_name="细则.xlsx", data=county_xlsx())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    newer = import_framework(session=session, file_name="细则.xlsx", data=county_xlsx(),
                             version="2025版")  # fmt: skip
    assert newer.created == 7
    assert [f.version for f in session.exec(select(Framework))] == ["2024版", "2025版"]
    assert _tree(session).framework.version == "2025版"  # the last imported is the default
    assert _tree(session, "健康县区评估细则2024版").framework.version == "2024版"


def test_every_layout_goes_into_one_campaign(session: Session) -> None:
    chronic = import_framework(session=session, file_name="考评表.docx", data=chronic_docx())
    assert chronic.name == "慢性病综合防控示范区现场考评表" and chronic.core == 1
    promotion = import_framework(session=session, file_name="健康促进县区评分标准.csv",
                                 data=promotion_csv())  # fmt: skip
    assert promotion.levels == {1: 2, 2: 2, 3: 3}
    tree = _tree(session, "健康促进县区评分标准")
    [node] = tree.by_code("Ⅱ-1-1")
    assert [n.item.code for n in tree.ancestors(node.id)] == ["Ⅱ", "Ⅱ-1", "Ⅱ-1-1"]
    assert tree.shelf(node.id).item.code == "Ⅱ-1"
    chronic_tree = _tree(session, "慢性病综合防控示范区现场考评表")
    funds = next(n for n in chronic_tree.walk() if n.item.title == "经费保障")
    assert (funds.item.points, funds.item.bonus_points) == (50.0, 20.0)


def _seed_tasks(session: Session) -> Tree:
    import_framework(session=session, file_name="细则.xlsx", data=county_xlsx())
    import_file(session=session, name="责任分工.xlsx", data=tasks_xlsx(), dry_run=False)
    return _tree(session)


def test_tasks_link_to_indicators_from_a_code_column_or_confirmed_suggestions(
    session: Session,
) -> None:
    tree = _seed_tasks(session)
    report = links.links_from_table(session=session, campaign_id=1, tree=tree,
                                    file_name="责任分工.xlsx", data=tasks_xlsx())  # fmt: skip
    assert report.linked == [("1.1", "2.3 健康社区建设"), ("1.2", "2.4 健康促进学校")]
    assert [code for _, code in report.unknown_codes] == ["9.9"]
    [suggested] = links.suggest(session=session, campaign_id=1, tree=tree)
    assert (suggested.task.code, suggested.node.label) == ("1.3", "2.5 全民健身")
    assert links.confirm(session=session, suggestions=[suggested]) == 1
    assert links.suggest(session=session, campaign_id=1, tree=tree) == []


def _report(
    session: Session, files: ContentStore, unit: str, period: str,
    evidence: list[tuple[bytes, str, str, EvidenceKind]],
    statuses: tuple[tuple[str, TaskStatus], ...] = (),
) -> list[int]:  # fmt: skip
    """A submitted month with its files (name, caption) and task statuses; the evidence ids."""
    found = session.exec(select(MemberUnit).where(MemberUnit.full_name == unit)).one()
    submission = Submission(unit_id=found.id or 0, period=period, submitted_at=AT,
                            due_date=AT.date(), work_done="x")  # fmt: skip
    session.add(submission)
    session.flush()
    for code, status in statuses:
        task = session.exec(select(Task).where(Task.code == code)).one()
        session.add(SubmissionTaskStatus(submission_id=submission.id or 0, task_id=task.id or 0,
                                         status=status))  # fmt: skip
    ids = []
    for data, name, caption, kind in evidence:
        stored = files.put_bytes(data)
        arrived = datetime(int(period[:4]), int(period[5:]), 20, 10, tzinfo=TZ)
        row = Evidence(unit_id=found.id or 0, period=period, sha256=stored.sha256, kind=kind,
                       file_name=name, size=stored.size, caption=caption,
                       received_at=arrived)  # fmt: skip
        session.add(row)
        session.flush()
        ids.append(row.id or 0)
    return ids


def test_the_year_is_filed_by_indicator_with_continuous_numbers(
    session: Session, tmp_path: Path
) -> None:
    tree = _seed_tasks(session)
    links.links_from_table(session=session, campaign_id=1, tree=tree, file_name="责任分工.xlsx",
                           data=tasks_xlsx())  # fmt: skip
    files, renderer = ContentStore(tmp_path / "files"), Renderer()
    photo = (b"\xff\xd8photo-1", "a.jpg", "11月5日·卫星湖社区·健康讲座", EvidenceKind.PHOTO)
    plan = (pdf(3), "健康社区创建方案.pdf", "", EvidenceKind.DOCUMENT)
    [photo_id, plan_id] = _report(session, files, "区民政局", "2026-11", [photo, plan],
                                  (("1.1", TaskStatus.ON_TRACK),))  # fmt: skip
    school = (pdf(2), "永教发〔2026〕3号 学校通知.pdf", "", EvidenceKind.DOCUMENT)
    [school_id] = _report(session, files, "区教育委员会", "2026-03", [school])
    stray = (b"\xff\xd8photo-2", "b.jpg", "", EvidenceKind.PHOTO)
    [stray_id] = _report(session, files, "区总工会", "2026-05", [stray])  # no indicator
    [shared] = tree.by_code("2.3")
    [schools] = tree.by_code("2.4")
    set_tags(session=session, evidence_ids=[school_id], item_ids=[schools.id, shared.id],
             source=TagSource.OFFICE, person_id=None, at=AT)  # fmt: skip

    archive = build_archive(session=session, tree=tree, year=2026, files=files, tz=TZ,
                            renderer=renderer)  # fmt: skip
    items = archive.items
    assert [i.number for i in items] == list(range(1, len(items) + 1))  # no gap
    paths = {i.path for i in items}
    assert paths == {
        "2026/002 营造健康环境/001 2.3 健康社区建设/0001 永教发〔2026〕3号 学校通知.pdf",
        "2026/002 营造健康环境/001 2.3 健康社区建设/0002 11月5日·卫星湖社区·健康讲座.jpg",
        "2026/002 营造健康环境/001 2.3 健康社区建设/0003 健康社区创建方案.pdf",
        "2026/002 营造健康环境/002 2.4 健康促进学校/0004 永教发〔2026〕3号 学校通知.pdf",
        "2026/999 未归类/0005 [区总工会2026年5月工作照片].jpg",
    }
    by_number = {i.number: i for i in items}
    assert by_number[1].sha256 == by_number[4].sha256  # one stored file, two folders
    assert (by_number[1].remarks, by_number[4].remarks) == ("同见0004", "同见0001")
    assert (by_number[1].doc_number, by_number[1].date_text) == ("永教发〔2026〕3号", "20260320")
    assert by_number[2].date_text == "20261105" and by_number[2].pages == 1
    assert by_number[3].pages == 3 and by_number[3].reference == "2026-D10-2.3-0003"
    assert by_number[5].evidence_id == stray_id and by_number[5].title.startswith("[")
    assert {photo_id, plan_id} == {by_number[2].evidence_id, by_number[3].evidence_id}
    assert [s.numbers for s in archive.shelves if s.items] == [(1, 3), (4, 4), (5, 5)]

    found = coverage(archive)
    assert (found.total, found.covered) == (5, 2)
    assert {g.unit: [n.label for n in g.items] for g in found.gaps} == {
        "区政府办": ["1 纳入县区发展规划"], "区卫健委": ["2 制定健康县区实施方案"],
        "区体育局": ["2.5 全民健身"],
    }  # fmt: skip


def test_the_completion_table_cites_numbers_and_reported_values(
    session: Session, tmp_path: Path
) -> None:
    tree = _seed_tasks(session)
    indicator = Indicator(campaign_id=1, name="健康社区建设", target_raw="≥20%", comparator=">=",
                          target_value=20.0, measure="%")  # fmt: skip
    session.add(indicator)
    session.flush()
    assert indicator.id is not None
    civil = session.exec(select(MemberUnit).where(MemberUnit.full_name == "区民政局")).one()
    session.add(IndicatorUnit(indicator_id=indicator.id, unit_id=civil.id or 0,
                              role=Responsibility.LEAD))  # fmt: skip
    import_framework(session=session, file_name="细则.xlsx", data=county_xlsx(), version="新")
    tree = _tree(session)
    files = ContentStore(tmp_path / "files")
    for period, value in (("2026-03", "3/20"), ("2026-11", "5/20")):
        _report(session, files, "区民政局", period, [])
        submission = session.exec(select(Submission).where(Submission.period == period)).one()
        session.add(SubmissionIndicatorValue(submission_id=submission.id or 0,
                                             indicator_id=indicator.id, raw=value,
                                             value=float(value.split("/")[0]) * 5))  # fmt: skip
    [shared] = tree.by_code("2.3")
    ids = _report(session, files, "区民政局", "2026-06",
                  [(pdf(1), "社区.pdf", "", EvidenceKind.DOCUMENT)])  # fmt: skip
    set_tags(session=session, evidence_ids=ids, item_ids=[shared.id], source=TagSource.OFFICE,
             person_id=None, at=AT)  # fmt: skip
    archive = build_archive(session=session, tree=tree, year=2026, files=files, tz=TZ,
                            renderer=Renderer())  # fmt: skip
    rows = {row.level2: row for row in completion_rows(session=session, archive=archive)}
    community = rows["2.3 健康社区建设"]
    assert (community.baseline, community.current) == (("3/20", "2026-03"), ("5/20", "2026-11"))
    assert (community.gap, community.state, community.evidence_numbers) == (0.0, "met", "0001")
    assert (community.lead, community.cooperating, community.points) == (
        "区民政局",
        "区卫健委",
        3.0,
    )
    assert rows["2.5 全民健身"].state == "no_data" and rows["2.5 全民健身"].evidence_numbers == ""

    sheet = load_workbook(io.BytesIO(completion_book(session=session, archive=archive,
                                                      renderer=Renderer()))).active  # fmt: skip
    assert sheet is not None
    header = [c.value for c in sheet[3]]
    assert header == ["序号", "一级指标", "二级指标", "指标要求/目标值", "基线值", "当前值(日期)",
                      "差距", "完成状态", "分值", "自评分", "牵头单位", "配合单位",
                      "佐证材料编号", "备注/存在问题"]  # fmt: skip
    lines = {row[2]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert lines["2.3 健康社区建设"][4:8] == ("3/20（2026-03）", "5/20（2026-11）", 0, "达标")
    assert lines["2.3 健康社区建设"][12] == "0001"
    assert lines["2.5 全民健身"][7] == "无数据" and lines["2.5 全民健身"][13] == "暂无佐证材料"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
