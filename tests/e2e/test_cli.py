"""The ``liaison-bot`` command as a user runs it: a separate process, exit codes, output."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.fakes.telegram import FakeTelegramServer
from tests.conftest import TEST_TOKEN


def command() -> list[str]:
    script = Path(sys.executable).with_name("liaison-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def clean_env(**values: str) -> dict[str, str]:
    """The caller's environment without any liaison-bot setting, plus ``values``."""
    names = {
        "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "TELEGRAM_FILE_BASE_URL", "DATABASE_URL",
        "DATA_DIR", "OFFICE_ADMIN_IDS", "TIMEZONE", "LANGUAGE", "WEBHOOK_URL", "WEBHOOK_SECRET",
        "WEBHOOK_LISTEN", "WEBHOOK_PORT",
    }  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
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
    [("TIMEZONE", "Mars/Olympus"), ("OFFICE_ADMIN_IDS", "12,x"), ("DATABASE_URL", "oracle://x")],
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
    assert "王芳，您好！您是以下单位的联络员" in transcript
    assert "没有“/baosong”这个命令" in transcript
    assert "陈静，您好！您是创建办管理员" in transcript
    assert "抱歉" not in transcript  # no error replies anywhere in the scenario
    assert transcript.strip() in result.stdout


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
