"""The office's import as it is done on the server: the 永川 member list, then a duty table
with variants — check, import, confirm each name with the printed command, import again —
and the unit and campaign commands."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.e2e.test_cli import run_cli
from tests.seedfiles import write_member_list, write_rows, yongchuan_members

DUTIES = [
    ["具体内容", "牵头单位", "配合单位", "完成时限"],
    ["1.建设健康促进学校", "区教委会", "区卫生建康委、卫星湖街道办", "2023年"],
    ["2.建设健康社区", "区卫生健康局", "区120急救指挥中心、县医改办", "长期坚持"],
]


def units_in(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("select count(*) from member_unit").fetchone()[0])


def test_import_confirm_and_import_again(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    members = write_member_list(yongchuan_members(), tmp_path / "成员单位.xlsx")
    assert run_cli("import", str(members), cwd=tmp_path, env=env).returncode == 0
    duties = write_rows(DUTIES, tmp_path / "分工.docx")

    check = run_cli("import", "分工.docx", "--dry-run", cwd=tmp_path, env=env)
    assert check.returncode == 3, check.stderr
    for line in (
        "疑似：区教委会 → 区教委",
        "疑似：区卫生建康委 → 区卫生健康委",
        "疑似：区卫生健康局 → 区卫生健康委",
        "liaison-bot alias add 区教委会 区教委",
        "liaison-bot import 分工.docx --create 卫星湖街道办 --create 区120急救指挥中心"
        " --create 县医改办",
    ):
        assert line in check.stdout, check.stdout
    imported = run_cli("import", "分工.docx", cwd=tmp_path, env=env)
    assert imported.returncode == 3
    assert imported.stdout.split("\n", 1)[1] == check.stdout.split("\n", 1)[1].replace(
        "将新建", "新建"
    )  # the check said exactly what the import then did
    assert units_in(tmp_path / "c.db") == 29

    for name, unit in (("区教委会", "区教委"), ("区卫生建康委", "区卫生健康委"),
                       ("区卫生健康局", "区卫生健康委")):  # fmt: skip
        added = run_cli("alias", "add", name, unit, cwd=tmp_path, env=env)
        assert added.returncode == 0 and f"“{name}”就是 {unit}" in added.stdout
    ignored = run_cli("alias", "ignore", "县医改办", cwd=tmp_path, env=env)
    assert "不是单位" in ignored.stdout
    created = run_cli("import", "分工.docx", "--create", "卫星湖街道办", "--create",
                      "区120急救指挥中心", cwd=tmp_path, env=env)  # fmt: skip
    assert created.returncode == 0, created.stdout
    assert "新建的单位（2）：卫星湖街道办、区120急救指挥中心" in created.stdout
    assert "任务：新建 0，更新 2，未变 0" in created.stdout
    again = run_cli("import", str(duties), cwd=tmp_path, env=env)
    assert again.returncode == 0
    assert "疑似" not in again.stdout and "任务：新建 0，更新 0，未变 2" in again.stdout
    listed = run_cli("alias", "list", cwd=tmp_path, env=env).stdout.splitlines()
    assert listed[0] == "名称\t单位" and "县医改办\t（不是单位）" in listed
    tasks = run_cli("tasks", "--unit", "区教委", cwd=tmp_path, env=env).stdout
    assert "建设健康促进学校\t区教委\t区卫生健康委、卫星湖街道办" in tasks


def test_unit_and_campaign_commands(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    members = write_member_list(yongchuan_members(), tmp_path / "成员单位.csv")
    assert run_cli("import", str(members), cwd=tmp_path, env=env).returncode == 0
    shown = run_cli("campaign", cwd=tmp_path, env=env)
    assert "名称：（未设置）" in shown.stdout
    identity = run_cli("campaign", "--name", "永川区创建国家健康促进区", "--region", "永川区",
                       "--office", "永川区创建办", cwd=tmp_path, env=env)  # fmt: skip
    assert "区/县/市：区" in identity.stdout and "编发单位：永川区创建办" in identity.stdout
    assert run_cli("campaign", "--region-word", "省", cwd=tmp_path, env=env).returncode == 2

    renamed = run_cli("unit", "rename", "区教委", "永川区教育委员会", cwd=tmp_path, env=env)
    assert "原名保留为别名" in renamed.stdout
    retired = run_cli("unit", "retire", "区统计局", "--from", "2026-11-01", cwd=tmp_path, env=env)
    assert "自 2026-11-01 起不再提醒" in retired.stdout
    assert run_cli("unit", "restore", "区统计局", cwd=tmp_path, env=env).returncode == 0
    again = run_cli("unit", "restore", "区统计局", cwd=tmp_path, env=env)
    assert again.returncode == 1 and "没有被撤销" in again.stderr
    bad = run_cli("unit", "merge", "区妇联", "区残联", "区总工会", cwd=tmp_path, env=env)
    assert bad.returncode == 2
    merged = run_cli("unit", "merge", "区妇联", "INTO", "区总工会", cwd=tmp_path, env=env)
    assert "已将 区妇联 并入 区总工会" in merged.stdout
    assert "区妇联\t" not in run_cli("units", cwd=tmp_path, env=env).stdout  # no longer listed
    with sqlite3.connect(tmp_path / "c.db") as connection:
        actions = [row[0] for row in connection.execute("select action from audit_log")]
    for action in ("campaign_identity_set", "unit_renamed", "unit_retired", "unit_restored",
                   "unit_merged"):  # fmt: skip
        assert action in actions
    missing = run_cli("unit", "retire", "不存在", cwd=tmp_path, env=env)
    assert missing.returncode == 1
    assert (
        missing.stderr.strip()
        == "error: 没有名为“不存在”的单位（请用单位全称、简称或已确认的别名）。"
    )
