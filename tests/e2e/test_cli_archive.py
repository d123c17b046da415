"""The clerk's year-end on the command line: import the framework (checked first), link the
责任分工 tasks by their 指标编号 column, then ``liaison-bot archive`` — run as processes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlmodel import select

from bot.clock import ManualClock
from bot.deps import Deps
from storage.migrate import upgrade_database
from storage.models import (
    Evidence,
    EvidenceKind,
    MemberUnit,
    Submission,
    SubmissionTaskStatus,
    Task,
    TaskStatus,
)
from storage.repo_units import add_unit, create_campaign
from tests.archive_files import SHORT, UNITS, county_xlsx, pdf, tasks_xlsx
from tests.e2e.test_cli import run_cli
from tests.e2e.test_summary import picture

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 9, 28, 10, tzinfo=TZ)


def seeded(make_settings: Any, tmp_path: Path) -> tuple[dict[str, str], Deps]:
    settings = make_settings()
    deps = Deps.from_settings(settings, clock=ManualClock(AT))
    upgrade_database(deps.db.engine)
    with deps.db.session() as session:
        campaign = create_campaign(session=session, name="永川区健康县区建设")
        assert campaign.id is not None
        for order, name in enumerate(UNITS):
            add_unit(session=session, campaign_id=campaign.id, full_name=name,
                     short_name=SHORT.get(name, ""), sort_order=order)  # fmt: skip
    (tmp_path / "细则.xlsx").write_bytes(county_xlsx())
    (tmp_path / "责任分工.xlsx").write_bytes(tasks_xlsx())
    env = {"DATABASE_URL": settings.database_url, "DATA_DIR": str(settings.data_dir)}
    return env, deps


def report_with_files(deps: Deps) -> None:
    """区民政局's September: task 1.1 按计划, a photo and a 3-page plan."""
    with deps.db.session() as session:
        unit = session.exec(select(MemberUnit).where(MemberUnit.full_name == "区民政局")).one()
        task = session.exec(select(Task).where(Task.code == "1.1")).one()
        submission = Submission(unit_id=unit.id or 0, period="2026-09", submitted_at=AT,
                                due_date=AT.date(), work_done="健康社区创建")  # fmt: skip
        session.add(submission)
        session.flush()
        session.add(SubmissionTaskStatus(submission_id=submission.id or 0, task_id=task.id or 0,
                                         status=TaskStatus.ON_TRACK))  # fmt: skip
        for data, name, caption, kind in (
            (picture(3), "p.jpg", "9月20日·卫星湖社区·健康社区创建推进会", EvidenceKind.PHOTO),
            (pdf(3), "健康社区创建方案.pdf", "", EvidenceKind.DOCUMENT),
        ):
            stored = deps.files.put_bytes(data)
            session.add(Evidence(unit_id=unit.id or 0, period="2026-09", sha256=stored.sha256,
                                 kind=kind, file_name=name, size=stored.size, caption=caption,
                                 received_at=AT))  # fmt: skip


def test_the_year_end_from_the_command_line(tmp_path: Path, make_settings: Any) -> None:
    env, deps = seeded(make_settings, tmp_path)
    checked = run_cli("framework", "import", "细则.xlsx", "--dry-run", cwd=tmp_path, env=env)
    assert checked.returncode == 0, checked.stderr
    assert "指标体系导入检查：健康县区评估细则 2024版" in checked.stdout
    assert "一级指标 2 项，二级指标 5 项，合计 9 分" in checked.stdout
    assert "评估细则:6：区文化旅游委" in checked.stdout  # reported with its row, not created
    listed = run_cli("framework", "list", cwd=tmp_path, env=env)
    assert "还没有导入指标体系" in listed.stdout  # the check wrote nothing

    imported = run_cli("framework", "import", "细则.xlsx", cwd=tmp_path, env=env)
    assert imported.returncode == 0 and "新增 7，更新 0，未变 0" in imported.stdout
    shown = run_cli("framework", "show", cwd=tmp_path, env=env)
    assert "2\t2.3\t健康社区建设\t3.0\t区民政局\t区卫健委" in shown.stdout.splitlines()
    tasks = run_cli("import", "责任分工.xlsx", cwd=tmp_path, env=env)
    assert tasks.returncode == 0, tasks.stderr
    linked = run_cli("framework", "link", "责任分工.xlsx", cwd=tmp_path, env=env)
    assert "已关联 2 处任务与指标" in linked.stdout and "9.9" in linked.stdout
    suggested = run_cli("framework", "suggest", cwd=tmp_path, env=env)
    assert "任务 1.3" in suggested.stdout and "2.5 全民健身" in suggested.stdout
    confirmed = run_cli("framework", "suggest", "--confirm", cwd=tmp_path, env=env)
    assert "已确认 1 条关联" in confirmed.stdout
    report_with_files(deps)
    deps.close()

    made = run_cli("archive", "--year", "2026", "--out", "out/台账.zip", cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines() == ["out/台账.zip", "out/2026年度指标完成情况表.xlsx"]
    assert "共 2 件（2 个文件，4 页）" in made.stderr
    bundle = zipfile.ZipFile(tmp_path / "out" / "台账.zip")
    folder = "2026/002 营造健康环境/001 2.3 健康社区建设"
    assert f"{folder}/0002 健康社区创建方案.pdf" in bundle.namelist()
    assert f"{folder}/0001 9月20日·卫星湖社区·健康社区创建推进会.jpg" in bundle.namelist()
    catalog = load_workbook(io.BytesIO(bundle.read(f"{folder}/000 归档文件目录.xlsx"))).active
    assert catalog is not None
    line = [c.value for c in catalog[5]][:8]
    assert line == [2, "2026-D10-2.3-0002", None, "区民政局", "健康社区创建方案", "20260928",
                    None, 3]  # fmt: skip
    table = load_workbook(tmp_path / "out" / "2026年度指标完成情况表.xlsx").active
    assert table is not None
    cited = {row[2]: row[12] for row in table.iter_rows(min_row=4, values_only=True)}
    assert cited["2.3 健康社区建设"] == "0001-0002"

    gaps = run_cli("coverage", "--year", "2026", cwd=tmp_path, env=env)
    assert "5 项指标中 1 项已有材料" in gaps.stdout and "在聊天中发送 /coverage" in gaps.stdout

    unknown = run_cli("archive", "--year", "2026", "--out", "x.zip", "--framework", "慢病",
                      cwd=tmp_path, env=env)  # fmt: skip
    assert unknown.returncode == 1 and "没有找到名为“慢病”的指标体系" in unknown.stderr
    (tmp_path / "说明.txt").write_text("这不是指标体系表", encoding="utf-8")
    refused = run_cli("framework", "import", "说明.txt", cwd=tmp_path, env=env)
    assert refused.returncode == 1 and "没有找到指标体系表头" in refused.stderr
    assert "Traceback" not in refused.stderr + unknown.stderr
