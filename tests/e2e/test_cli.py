"""The ``liaison-bot`` command as a user runs it: a separate process, exit codes, output."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.clock import ManualClock
from bot.fakes.telegram import FakeTelegramServer
from tests.conftest import TEST_TOKEN


def command() -> list[str]:
    script = Path(sys.executable).with_name("liaison-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


# Every liaison-bot process a test starts begins at this instant (unless the test names
# another), so what it prints does not depend on the day the suite runs.
CLI_NOW = "2026-10-12T10:00:00+08:00"


def cli_clock() -> ManualClock:
    """For seeding a database a CLI process of a test will use: an hour before ``CLI_NOW``.
    A process pinned to ``CLI_NOW`` starts its clock there when it starts; a clock started
    earlier (before the migrations, say) would have run on, and what it dated — a liaison's
    registration — would lie in the bot's future, so the bot would not see it yet."""
    return ManualClock(datetime.fromisoformat(CLI_NOW) - timedelta(hours=1))


def clean_env(**values: str) -> dict[str, str]:
    """The caller's environment without any liaison-bot setting, plus ``values``; "now" is
    pinned to ``CLI_NOW``."""
    names = {
        "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "TELEGRAM_FILE_BASE_URL", "DATABASE_URL",
        "DATA_DIR", "OFFICE_ADMIN_IDS", "TIMEZONE", "LANGUAGE", "WEBHOOK_URL", "WEBHOOK_SECRET",
        "WEBHOOK_LISTEN", "WEBHOOK_PORT", "TRANSPORT", "TELEGRAM_PROXY", "HTTP_PROXY",
        "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
    }  # fmt: skip
    prefixes = ("BULLETIN_", "REMINDER_", "WECOM_", "WEB_", "LIAISON_BOT_")
    env = {
        k: v
        for k, v in os.environ.items()
        if k.upper() not in names and not k.upper().startswith(prefixes)
    }
    env["LIAISON_BOT_NOW"] = CLI_NOW
    env.update(values)
    return env


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command(), *args],
        cwd=cwd,
        env=clean_env(**(env or {})),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_version_and_help(tmp_path: Path) -> None:
    version = run_cli("--version", cwd=tmp_path)
    assert version.returncode == 0
    assert version.stdout.startswith("liaison-bot ")
    help_ = run_cli("--help", cwd=tmp_path)
    assert help_.returncode == 0
    for name in ("run", "demo", "db"):
        assert name in help_.stdout


def test_run_without_token_exits_2_with_one_line(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: TELEGRAM_BOT_TOKEN: not set; get a token from @BotFather and put it in .env"
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TIMEZONE", "Mars/Olympus"),
        ("OFFICE_ADMIN_IDS", "12,x"),
        ("DATABASE_URL", "oracle://x"),
        ("ARCHIVE_REFERENCE", "{year}-{unit}"),
        ("ARCHIVE_RETENTION", "D5"),
    ],
)
def test_malformed_setting_exits_2_naming_it(tmp_path: Path, variable: str, value: str) -> None:
    result = run_cli("run", cwd=tmp_path, env={variable: value, "TELEGRAM_BOT_TOKEN": TEST_TOKEN})
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {variable}: ")


def test_env_file_setting_errors_are_reported_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LANGUAGE=klingon\n", encoding="utf-8")
    result = run_cli("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: LANGUAGE: ")


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    result = run_cli("db", "upgrade", cwd=tmp_path, env={"DATABASE_URL": "sqlite:///state/bot.db"})
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout
    with sqlite3.connect(tmp_path / "state" / "bot.db") as connection:
        tables = {row[0] for row in connection.execute("select name from sqlite_master")}
        journal = connection.execute("pragma journal_mode").fetchone()[0]
    assert {"campaign", "member_unit", "liaison_assignment", "office_user"} <= tables
    assert journal == "wal"


def test_unreachable_database_is_one_line_exit_1(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody:hunter2@127.0.0.1:1/none"
    result = run_cli("db", "upgrade", cwd=tmp_path, env={"DATABASE_URL": url})
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: DATABASE_URL: cannot use postgresql+psycopg://nobody:***@")
    assert "hunter2" not in result.stderr


def test_demo_runs_offline_and_writes_a_transcript(tmp_path: Path) -> None:
    result = run_cli("demo", "--output", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    transcript = (tmp_path / "out" / "transcript.txt").read_text(encoding="utf-8")
    assert "您还没有登记为联络员" in transcript
    assert "［文件］成员单位.csv" in transcript
    assert "任务：新建 5，更新 0，未变 0" in transcript
    assert "已有单位（已匹配）（4）：永川区教育委员会、永川区卫生健康委员会" in transcript
    assert "这个登记码无效" in transcript
    assert "登记完成！王芳，您已是 区卫生健康委 的联络员" in transcript
    assert "登记完成！李强，您已是 区教委 的联络员" in transcript
    assert "已同意：周磊 现为 区教委 的联络员" in transcript
    assert "区教委 已更换联络员，您不再代表该单位报送" in transcript
    assert "联络员名册（已登记 2/4 个单位）" in transcript
    assert "没有“/baosong”这个命令" in transcript
    assert "已提交：区卫生健康委" in transcript
    assert "已收到 3 张照片" in transcript
    assert "任务进度 第 1/" in transcript
    assert "滞后（宣传栏更新经费待落实）" in transcript
    assert "已记录：区教委" in transcript and "本月无新进展" in transcript
    reviewed = transcript.split("创建办审核")[1].split("联络员名册")[0]
    assert "意见：请补充义诊的参加人数" in reviewed and "第 2 版（已补充）" in reviewed
    assert "已通过：区卫生健康委" in reviewed and "王芳：✅ 创建办已审核通过" in reviewed.replace(
        "机器人 → ", ""
    )
    month = transcript.split("── 快进到 ")[1]  # next month on a fast clock
    assert "工作进展开始报送" in month.split("截止前3个工作日")[0]
    assert month.count("机器人 → 周磊：⏰") == 0  # 周磊 answered the prompt: no reminders
    assert month.count("机器人 → 王芳：⏰") == 3  # T-3, T-1, T
    assert month.count("机器人 → 王芳：❗") == 1  # overdue, once
    assert "未报：区卫生健康委" in month and "区总工会、卫星湖街道" in month
    closing = transcript.split("── 创建办汇总 2026-09")[1]  # the month it narrated
    assert "应报 4 个单位，已报 2 / 4：按时 2，逾期 0，未报 0，未登记联络员 2" in closing
    files = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_file())
    month = "2026-09"  # the month the demo narrates, whatever day it runs
    assert files == [f"{month}_工作简报.docx", f"{month}_汇总表.xlsx", f"{month}_照片.zip",
                     "bot.log", "transcript.txt"]  # fmt: skip
    bulletin = Document(str(tmp_path / "out" / f"{month}_工作简报.docx"))
    assert len(bulletin.inline_shapes) == 2  # 王芳's album: two photos in the bulletin
    sheet = load_workbook(tmp_path / "out" / f"{month}_汇总表.xlsx")["本月进展"]
    assert [row[0].value for row in sheet.iter_rows(min_row=4)][:2] == ["区卫生健康委", "区教委"]
    assert "抱歉" not in transcript  # no error replies anywhere in the scenario
    assert transcript.strip() in result.stdout


def test_the_wecom_demo_registers_and_reports_over_encrypted_callbacks(tmp_path: Path) -> None:
    result = run_cli("demo", "--transport", "wecom", "--output", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    transcript = (tmp_path / "out" / "transcript-wecom.txt").read_text(encoding="utf-8")
    assert "登记完成" in transcript and "回复数字选择" in transcript
    assert "已收到 1 张照片" in transcript and "已提交：区卫生健康委" in transcript
    assert "抱歉" not in transcript
    wrong = run_cli("demo", "--transport", "smoke-signals", cwd=tmp_path)
    assert wrong.returncode == 2


async def test_run_talks_to_the_api_base_url_from_settings(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    process = await asyncio.create_subprocess_exec(
        *command(),
        "run",
        cwd=tmp_path,
        env=clean_env(
            TELEGRAM_BOT_TOKEN=TEST_TOKEN,
            TELEGRAM_API_BASE_URL=telegram.api_base_url,
            TELEGRAM_FILE_BASE_URL=telegram.file_base_url,
            DATABASE_URL="sqlite:///data/bot.db",
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        world = telegram.world
        await world.wait_until(lambda: "getupdates" in world.calls, timeout=30)
        [reply] = await world.say(world.user(1, "赵敏"), "/start", timeout=20)
        assert "您还没有登记为联络员" in reply.text
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert TEST_TOKEN not in stderr.decode()  # the token never reaches the log
    assert (tmp_path / "data" / "bot.db").exists()


def seeded_database(tmp_path: Path) -> str:
    """A migrated SQLite database with three units, as after an import."""
    from storage.db import Database
    from storage.migrate import upgrade_database
    from storage.repo_units import add_unit, create_campaign

    url = f"sqlite:///{tmp_path / 'office.db'}"
    database = Database.from_url(url)
    upgrade_database(database.engine)
    with database.session() as session:
        campaign = create_campaign(session=session, name="健康促进区")
        assert campaign.id is not None
        for order, (full, short) in enumerate(
            [("永川区教育委员会", "区教委"), ("卫星湖街道办事处", "卫星湖街道"), ("区总工会", "")]
        ):
            add_unit(
                session=session,
                campaign_id=campaign.id,
                full_name=full,
                short_name=short,
                sort_order=order,
            )
    database.dispose()
    return url


def test_invite_all_prints_a_tsv_of_links(tmp_path: Path) -> None:
    url = seeded_database(tmp_path)
    result = run_cli(
        "invite", "--all", "--bot-username", "liaison_demo_bot", cwd=tmp_path,
        env={"DATABASE_URL": url},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.strip().splitlines()
    assert header.split("\t") == ["单位", "角色", "登记链接", "登记码", "有效期至"]
    assert [row.split("\t")[0] for row in rows] == ["区教委", "卫星湖街道", "区总工会"]
    for row in rows:
        _unit, role, link, code, _expires = row.split("\t")
        assert role == "主"
        assert link == f"https://t.me/liaison_demo_bot?start={code}"
    with sqlite3.connect(tmp_path / "office.db") as connection:
        stored = [r[0] for r in connection.execute("select code_sha256 from invite")]
    assert len(stored) == 3
    assert not {row.split("\t")[3] for row in rows} & set(stored)  # only digests are kept


def test_invite_named_units_and_errors(tmp_path: Path) -> None:
    url = seeded_database(tmp_path)
    env = {"DATABASE_URL": url}
    backup = run_cli(
        "invite", "卫星湖街道", "--backup", "--bot-username", "b", cwd=tmp_path, env=env
    )
    assert backup.returncode == 0, backup.stderr
    assert backup.stdout.splitlines()[1].startswith("卫星湖街道\t备用\t")
    unknown = run_cli("invite", "不存在", "--bot-username", "b", cwd=tmp_path, env=env)
    assert unknown.returncode == 1
    assert "unit '不存在' matches 0 units" in unknown.stderr
    nothing = run_cli("invite", "--bot-username", "b", cwd=tmp_path, env=env)
    assert nothing.returncode == 2
    no_token = run_cli("invite", "--all", cwd=tmp_path, env=env)
    assert no_token.returncode == 2
    assert "TELEGRAM_BOT_TOKEN: not set" in no_token.stderr
    assert "--bot-username" in no_token.stderr


async def test_invite_learns_the_bot_username_from_the_api(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    url = seeded_database(tmp_path)
    process = await asyncio.create_subprocess_exec(
        *command(),
        "invite",
        "区教委",
        cwd=tmp_path,
        env=clean_env(
            DATABASE_URL=url,
            TELEGRAM_BOT_TOKEN=TEST_TOKEN,
            TELEGRAM_API_BASE_URL=telegram.api_base_url,
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    assert f"https://t.me/{telegram.world.bot_username}?start=" in stdout.decode()


def test_office_add_and_remove(tmp_path: Path) -> None:
    url = seeded_database(tmp_path)
    env = {"DATABASE_URL": url}
    added = run_cli(
        "office", "add", "--telegram-id", "77", "--name", "刘洋", "--role", "admin", cwd=tmp_path,
        env=env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "已设置：刘洋 为创建办管理员" in added.stdout
    bad = run_cli("office", "add", "--telegram-id", "78", "--name", "123", cwd=tmp_path, env=env)
    assert bad.returncode == 2
    removed = run_cli("office", "remove", "--telegram-id", "77", cwd=tmp_path, env=env)
    assert removed.returncode == 0
    with sqlite3.connect(tmp_path / "office.db") as connection:
        [(role, revoked)] = connection.execute(
            "select role, revoked_at from office_user"
        ).fetchall()
    assert role == "admin"
    assert revoked is not None


def test_import_units_and_tasks_from_the_command_line(tmp_path: Path) -> None:
    from tests.seedfiles import seed_002, write_docx

    path = write_docx(seed_002(), tmp_path / "细则.docx")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    dry = run_cli("import", str(path), "--dry-run", cwd=tmp_path, env=env)
    assert dry.returncode == 3, dry.stderr  # names no unit has yet: to confirm
    assert "试运行，未写入任何内容" in dry.stdout
    assert "没有相近单位的名称（32，未创建，待确认）" in dry.stdout
    assert f"liaison-bot import {path} --create-unmatched" in dry.stdout
    assert "<b>" not in dry.stdout
    assert run_cli("units", cwd=tmp_path, env=env).stdout.strip().count("\n") == 0  # header only
    done = run_cli("import", str(path), "--create-unmatched", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "任务：新建 83，更新 0，未变 0" in done.stdout
    units = run_cli("units", cwd=tmp_path, env=env).stdout.strip().splitlines()
    assert units[0].split("\t") == ["单位全称", "简称", "类别", "联络员"]
    assert len(units) == 33
    assert "总工会\t\t群团\t未登记" in units
    listed = run_cli("tasks", "--unit", "民政局", cwd=tmp_path, env=env).stdout.strip().splitlines()
    assert listed[0].startswith("编号\t分类\t具体内容")
    assert all("民政局" in row for row in listed[1:])
    assert len(listed) > 5
    missing = run_cli("tasks", "--unit", "不存在", cwd=tmp_path, env=env)
    assert missing.returncode == 1

    code = listed[1].split("\t")[0]  # the office closes a task, then reopens it
    closed = run_cli("tasks", "close", code, cwd=tmp_path, env=env)
    assert closed.returncode == 0 and f"已关闭任务 {code}" in closed.stdout, closed.stderr
    rows = run_cli("tasks", cwd=tmp_path, env=env).stdout.splitlines()[1:]
    asked = {row.split("\t")[0]: row.split("\t")[-1] for row in rows}
    assert asked[code] == "否（已关闭）"
    assert "否（时限已过）" in asked.values() and "是" in asked.values()  # 2022 tasks, 长期 ones
    assert "已重新开放" in run_cli("tasks", "reopen", code, cwd=tmp_path, env=env).stdout
    unknown = run_cli("tasks", "close", "99.99", cwd=tmp_path, env=env)
    assert unknown.returncode == 1 and "没有编号为 99.99 的任务" in unknown.stderr
    cooperating = run_cli("tasks", "cooperating", "on", cwd=tmp_path, env=env)
    assert "配合单位也逐项填报" in cooperating.stdout, cooperating.stderr
    assert run_cli("tasks", "cooperating", "maybe", cwd=tmp_path, env=env).returncode == 2


def test_import_errors_are_one_line_exit_1(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    locked = run_cli("import", "locked.xlsx", cwd=tmp_path, env=env)
    assert locked.returncode == 1
    [line] = locked.stderr.strip().splitlines()
    assert "文件设有密码" in line
    missing = run_cli("import", "nope.xlsx", cwd=tmp_path, env=env)
    assert missing.returncode == 1
    assert "no such file" in missing.stderr


def test_deadlines_for_a_year(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    result = run_cli("deadlines", "--year", "2026", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 12
    assert lines[1] == "2026-02\t2026-02-28"
    assert lines[4] == "2026-05\t2026-06-01\t5月30日为周六，顺延至下一个工作日"
    assert lines[7].startswith("2026-08\t2026-08-31\t")
    assert result.stderr == ""
    early = run_cli("deadlines", "--year", "2025", cwd=tmp_path, env=env).stdout.splitlines()
    assert early[0] == "2025-01\t2025-02-05\t1月30日为春节假日，顺延至下一个工作日"
    assert early[2].startswith("2025-03\t2025-03-31\t")


def test_a_new_year_is_flagged_until_the_office_enters_the_notice(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    bare = run_cli("deadlines", "--year", "2027", cwd=tmp_path, env=env)
    assert bare.returncode == 0
    assert "2027 年没有法定节假日数据" in bare.stderr
    assert run_cli("calendar", "set", "2027-01-29..2027-02-04", "holiday", "--note", "春节",
                   cwd=tmp_path, env=env).returncode == 0  # fmt: skip
    assert run_cli("calendar", "set", "2027-01-31", "workday", "--note", "调休", cwd=tmp_path,
                   env=env).returncode == 0  # fmt: skip
    entered = run_cli("deadlines", "--year", "2027", cwd=tmp_path, env=env)
    assert entered.stderr == ""
    assert (
        entered.stdout.splitlines()[0]
        == "2027-01\t2027-01-31\t1月30日为春节假日，顺延至下一个工作日"
    )
    shown = run_cli("calendar", "show", "2027", cwd=tmp_path, env=env).stdout
    assert "2027-01-31\t班\t调休（创建办录入）" in shown
    removed = run_cli("calendar", "unset", "2027-01-29..2027-02-04", cwd=tmp_path, env=env)
    assert "已删除 7 天" in removed.stdout
    bad = run_cli("calendar", "set", "2027-02-30", "holiday", cwd=tmp_path, env=env)
    assert bad.returncode == 2


def test_the_office_changes_the_reporting_rule(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    none = run_cli("rule", "--day", "25", cwd=tmp_path, env=env)
    assert none.returncode == 1 and "import the member units first" in none.stderr
    units = Path(__file__).parents[2] / "bot" / "demo_data" / "成员单位.csv"
    assert run_cli("import", str(units), cwd=tmp_path, env=env).returncode == 0
    shown = run_cli("rule", "--year", "2026", cwd=tmp_path, env=env).stdout.splitlines()
    assert shown[0].startswith("报送规则：每月30日前") and "顺延" in shown[0]
    assert shown[5] == "2026-05\t2026-06-01\t5月30日为周六，顺延至下一个工作日"
    changed = run_cli("rule", "--shift", "previous", "--year", "2026", cwd=tmp_path, env=env)
    assert "提前至上一个工作日" in changed.stdout.splitlines()[0]
    assert "2026-05\t2026-05-29\t5月30日为周六，提前至上一个工作日" in changed.stdout
    again = run_cli("deadlines", "--year", "2026", cwd=tmp_path, env=env).stdout
    assert "2026-05\t2026-05-29" in again  # stored: every later command uses it
    bad = run_cli("rule", "--shift", "sideways", cwd=tmp_path, env=env)
    assert bad.returncode == 2 and "next or previous" in bad.stderr
