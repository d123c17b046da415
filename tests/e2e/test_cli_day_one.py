"""The command line's small day-one fixes, each as the IT person or the clerk runs it: a
subprocess with its clock pinned (LIAISON_BOT_NOW)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_cli import run_cli, seeded_database
from tests.e2e.test_cli_exports import seeded
from tests.e2e.test_wecom_callback import CRYPTO

PIN = {"LIAISON_BOT_NOW": "2026-09-15T10:00:00+08:00"}
WECOM = {
    **PIN, "TRANSPORT": "wecom", "WECOM_CORP_ID": CRYPTO.receive_id, "WECOM_AGENT_ID": "1000002",
    "WECOM_SECRET": "s", "WECOM_TOKEN": CRYPTO.token,
    "WECOM_ENCODING_AES_KEY": CRYPTO.encoding_aes_key,
}  # fmt: skip


def test_the_bot_username_may_be_given_with_its_at(tmp_path: Path) -> None:
    url = seeded_database(tmp_path)
    result = run_cli(
        "invite", "区教委", "--bot-username", "@liaison_demo_bot", cwd=tmp_path,
        env={**PIN, "DATABASE_URL": url},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    link = result.stdout.splitlines()[1].split("\t")[2]
    assert link.startswith("https://t.me/liaison_demo_bot?start=")


def test_a_named_settings_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    result = run_cli("units", "--env-file", "/etc/liaison-bot/typo.env", cwd=tmp_path, env=PIN)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --env-file /etc/liaison-bot/typo.env: no such file"
    ]
    assert not (tmp_path / "data").exists()  # no fresh, empty database made instead


def test_relative_paths_are_taken_from_the_settings_file_folder(tmp_path: Path) -> None:
    office = tmp_path / "opt" / "liaison-bot"
    office.mkdir(parents=True)
    (office / ".env").write_text("DATABASE_URL=sqlite:///state/bot.db\nDATA_DIR=files\n")
    home = tmp_path / "home"
    home.mkdir()
    upgraded = run_cli("db", "upgrade", "--env-file", str(office / ".env"), cwd=home, env=PIN)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (office / "state" / "bot.db").is_file()
    assert not (home / "state").exists()
    here = run_cli("units", cwd=office, env=PIN)  # .env found in the working directory
    assert here.returncode == 0 and here.stdout.startswith("单位全称")
    assert sorted(p.name for p in (office / "state").iterdir()) == ["bot.db"]


@pytest.mark.parametrize(
    ("now", "year"),
    [("2026-07-01T10:00:00+08:00", "2026"), ("2025-12-31T23:59:00+08:00", "2025"),
     ("2025-12-31T16:30:00+00:00", "2026")],  # 00:30 on New Year's Day in Shanghai
)  # fmt: skip
def test_deadlines_default_to_this_year_in_office_time(tmp_path: Path, now: str, year: str) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "LIAISON_BOT_NOW": now}
    result = run_cli("deadlines", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    months = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert months == [f"{year}-{month:02d}" for month in range(1, 13)]
    rule = run_cli("rule", cwd=tmp_path, env=env)
    assert f"{year}-01\t" in rule.stdout


@pytest.mark.parametrize(
    ("now", "month"),
    [("2026-10-02T10:00:00+08:00", "2026-09"),  # 国庆: September is still being chased
     ("2026-10-26T10:00:00+08:00", "2026-10")],  # long after September's digest
)  # fmt: skip
def test_summary_and_export_default_to_the_month_the_office_is_chasing(
    tmp_path: Path, make_settings: Any, now: str, month: str
) -> None:
    env = {**seeded(make_settings), "LIAISON_BOT_NOW": now}
    summary = run_cli("summary", cwd=tmp_path, env=env)
    assert summary.returncode == 0, summary.stderr
    assert summary.stdout.startswith(f"📊 {month} 汇总")
    folder = tmp_path / "out"
    folder.mkdir()
    export = run_cli("export", "--xlsx", "out", cwd=tmp_path, env=env)
    assert export.returncode == 0, export.stderr
    assert [p.name for p in folder.iterdir()] == [f"{month}_汇总表.xlsx"]


def test_invite_on_wecom_prints_the_line_to_send(tmp_path: Path) -> None:
    url = seeded_database(tmp_path)
    wecom = run_cli("invite", "--all", cwd=tmp_path, env={**WECOM, "DATABASE_URL": url})
    assert wecom.returncode == 0, wecom.stderr  # no Telegram token asked for
    header, *rows = wecom.stdout.strip().splitlines()
    assert header.split("\t") == ["单位", "角色", "企业微信发送", "登记码", "有效期至"]
    for row in rows:
        _unit, _role, line, code, _expires = row.split("\t")
        assert line == f"绑定 {code}"
    assert "t.me" not in wecom.stdout
    both = run_cli(
        "invite", "区教委", "--bot-username", "liaison_demo_bot", cwd=tmp_path,
        env={**WECOM, "TRANSPORT": "both", "DATABASE_URL": url},
    )  # fmt: skip
    assert both.returncode == 0, both.stderr
    header, row = both.stdout.strip().splitlines()
    assert header.split("\t") == ["单位", "角色", "登记链接", "企业微信发送", "登记码", "有效期至"]
    _unit, _role, link, line, code, _expires = row.split("\t")
    assert link.endswith(f"?start={code}") and line == f"绑定 {code}"


def test_office_roles_for_wecom_members(tmp_path: Path) -> None:
    url = seeded_database(tmp_path)
    env = {**PIN, "DATABASE_URL": url}
    added = run_cli(
        "office", "add", "--wecom-userid", "chenjing", "--name", "陈静", "--role", "admin",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "陈静" in added.stdout
    with sqlite3.connect(tmp_path / "office.db") as connection:
        [(transport, external_id, chat_id, role)] = connection.execute(
            "select i.transport, i.external_id, i.chat_id, o.role from chat_identity i "
            "join office_user o on o.person_id = i.person_id"
        ).fetchall()
    assert (transport, external_id, chat_id, role) == ("wecom", "chenjing", "chenjing", "admin")
    removed = run_cli("office", "remove", "--wecom-userid", "chenjing", cwd=tmp_path, env=env)
    assert removed.returncode == 0, removed.stderr
    for wrong in (
        ["office", "add", "--name", "陈静"],
        ["office", "add", "--name", "陈静", "--telegram-id", "7", "--wecom-userid", "chenjing"],
        ["office", "add", "--name", "陈静", "--wecom-userid", "chen jing"],
    ):
        refused = run_cli(*wrong, cwd=tmp_path, env=env)
        assert refused.returncode == 2
        assert len(refused.stderr.strip().splitlines()) == 1
