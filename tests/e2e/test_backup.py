"""Backup, restore and verify, with the commands the README gives (`liaison-bot backup FILE`,
`liaison-bot restore FILE`, `liaison-bot verify`), on SQLite and PostgreSQL.

The round trip: a backup taken while the bot runs and 王芳 is in the middle of September's
report with photos restores to the same units, submissions, drafts and byte-identical files —
and 王芳 carries on with her report on the restored copy."""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.config import Settings
from bot.deps import Deps
from bot.fakes.telegram import FakeTelegramServer
from storage.db import table_of
from storage.models import Evidence, MemberUnit, ReportDraft, Submission
from tests.conftest import TEST_TOKEN, fresh_database_url, running_bot
from tests.e2e.seed import seed_liaison, seed_report
from tests.e2e.test_cli import run_cli
from tests.e2e.test_report_files import PDF, _tap, jpeg, to_photo_step
from tests.e2e.test_schedule import moment

PINNED = "2026-11-23T10:30:00+08:00"  # the day to_photo_step sets
ROUND_TRIPS = [("sqlite", "sqlite"), ("postgres", "postgres"), ("sqlite", "postgres")]


def cli_env(settings: Settings) -> dict[str, str]:
    return {"DATABASE_URL": settings.database_url, "DATA_DIR": str(settings.data_dir),
            "LIAISON_BOT_NOW": PINNED}  # fmt: skip


def settings_file(path: Path, settings: Settings) -> Path:
    """The office's .env, as README "Running for real" passes it (--env-file)."""
    path.write_text(f"DATABASE_URL={settings.database_url}\nDATA_DIR={settings.data_dir}\n")
    return path


def snapshot(deps: Deps) -> dict[str, list[tuple[Any, ...]]]:
    """What must survive: units, submissions, drafts and evidence, field by field."""

    def rows(session: Session, model: Any) -> list[tuple[Any, ...]]:
        table = table_of(model)
        found = session.execute(sa_select(table).order_by(table.c.id)).all()
        return [tuple(row) for row in found]

    with deps.db.session() as session:
        return {
            "units": rows(session, MemberUnit),
            "submissions": rows(session, Submission),
            "drafts": rows(session, ReportDraft),
            "evidence": rows(session, Evidence),
        }


def stored_bytes(deps: Deps) -> dict[str, bytes]:
    with deps.db.session() as session:
        digests = session.exec(select(Evidence.sha256)).all()
    return {digest: deps.files.read_bytes(digest) for digest in digests}


@pytest.mark.parametrize(("database_url", "target"), ROUND_TRIPS, indirect=["database_url"])
async def test_a_backup_taken_mid_report_restores_everything(
    tmp_path: Path, telegram: FakeTelegramServer, bot_settings: Settings, target: str
) -> None:
    world = telegram.world
    wang = world.user(1001, "王芳")
    archive = tmp_path / "liaison-2026-11-23.tar"
    async with running_bot(telegram, bot_settings) as bot:
        seed_liaison(bot.deps, telegram_id=2002, name="李强", unit_names=["区教委"])
        prompt = await to_photo_step(bot, wang)
        assert "照片" in prompt.text
        seed_report(
            bot.deps, unit_name="区教委", period="2026-10",
            submitted_at=moment("2026-10-29 16:00"), photos=((jpeg(5), "宣传栏"),),
        )  # fmt: skip
        since = len(world.messages_to(wang.id))
        world.send_album(wang, [jpeg(40), jpeg(80)], caption="11月20日·卫星湖社区·义诊")
        world.send_document(wang, PDF, file_name="活动方案.pdf", mime_type="application/pdf")
        [ack] = await world.wait_for_messages(wang.id, since=since)
        assert "已收到 2 张照片 1 份文件" in ack.text
        office = settings_file(tmp_path / "office.env", bot_settings)
        made = run_cli("backup", "--env-file", str(office), str(archive), cwd=tmp_path,
                       env={"LIAISON_BOT_NOW": PINNED})  # fmt: skip
        assert made.returncode == 0, made.stderr  # taken while the bot runs
        assert made.stdout.startswith(f"backup written: {archive} (2 units, 1 submissions, 4 files")
        before, files = snapshot(bot.deps), stored_bytes(bot.deps)
    assert len(before["drafts"]) == 1 and len(before["evidence"]) == 4

    with fresh_database_url(target, tmp_path, "restored") as restored_url:
        restored = Settings(_env_file=None, telegram_bot_token=TEST_TOKEN,
                            telegram_api_base_url=telegram.api_base_url,
                            telegram_file_base_url=telegram.file_base_url,
                            database_url=restored_url, data_dir=tmp_path / "restored",
                            reminder_tick_seconds=0)  # fmt: skip
        target_env = settings_file(tmp_path / "restored.env", restored)
        pinned = {"LIAISON_BOT_NOW": PINNED}
        done = run_cli("restore", "--env-file", str(target_env), str(archive), cwd=tmp_path,
                       env=pinned)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"restored {archive} (2 units, 1 submissions, 4 files")
        in_archive = run_cli("verify", "--backup", str(archive), "--env-file", str(target_env),
                             cwd=tmp_path, env=pinned)  # fmt: skip
        assert in_archive.returncode == 0, in_archive.stderr
        checked = run_cli("verify", "--env-file", str(target_env), cwd=tmp_path, env=pinned)
        assert checked.returncode == 0, checked.stderr
        assert checked.stdout.startswith("ok: 4 referenced files present and intact")
        async with running_bot(telegram, restored) as bot:
            bot.deps.clock = ManualClock(moment("2026-11-23 10:40"))  # the same day, later
            assert snapshot(bot.deps) == before
            assert stored_bytes(bot.deps) == files  # byte-identical
            [review] = await _tap(bot, wang, ack, "✅ 完成")  # 王芳 carries on, from the ack
            assert "照片 2 张、文件 1 份" in review.text
            [submitted] = await _tap(bot, wang, review, "📨 提交")
            assert "已提交" in submitted.text
            with bot.deps.db.session() as session:
                periods = sorted(s.period for s in session.exec(select(Submission)))
            assert periods == ["2026-10", "2026-11"]  # new ids continue after the restored ones


async def test_restore_touches_only_an_empty_database_and_store(
    tmp_path: Path, make_settings: Any
) -> None:
    settings = make_settings()
    deps = Deps.from_settings(settings)
    from storage.migrate import upgrade_database

    upgrade_database(deps.db.engine)
    seed_liaison(deps, telegram_id=1001, name="王芳", unit_names=["区卫生健康委"])
    seed_report(deps, unit_name="区卫生健康委", period="2026-10",
                submitted_at=moment("2026-10-29 16:00"), photos=((jpeg(5), "义诊"),))  # fmt: skip
    deps.close()
    env = cli_env(settings)
    assert run_cli("backup", "b.tar.gz", cwd=tmp_path, env=env).returncode == 0
    again = run_cli("backup", "b.tar.gz", cwd=tmp_path, env=env)
    assert again.returncode == 1 and "b.tar.gz already exists" in again.stderr

    into_itself = run_cli("restore", "b.tar.gz", cwd=tmp_path, env=env)
    assert into_itself.returncode == 1
    [line] = into_itself.stderr.strip().splitlines()
    assert line.startswith("error: DATABASE_URL: the database is not empty (")
    assert "restore only into an empty database" in line

    empty_db = {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    into_used_store = run_cli("restore", "b.tar.gz", cwd=tmp_path, env=empty_db)
    assert into_used_store.returncode == 1
    assert into_used_store.stderr.startswith("error: DATA_DIR: ")
    assert "already holds stored files" in into_used_store.stderr

    fresh = {**empty_db, "DATA_DIR": str(tmp_path / "fresh")}
    assert run_cli("restore", "b.tar.gz", cwd=tmp_path, env=fresh).returncode == 0  # gzip too
    missing = run_cli("restore", "nope.tar", cwd=tmp_path, env=fresh)
    assert missing.returncode == 1 and "nope.tar: no such file" in missing.stderr


async def test_verify_names_missing_and_damaged_files(tmp_path: Path, make_settings: Any) -> None:
    from storage.migrate import upgrade_database

    settings = make_settings()
    deps = Deps.from_settings(settings)
    upgrade_database(deps.db.engine)
    seed_liaison(deps, telegram_id=1001, name="王芳", unit_names=["区卫生健康委"])
    seed_report(deps, unit_name="区卫生健康委", period="2026-10",
                submitted_at=moment("2026-10-29 16:00"),
                photos=((jpeg(5), "义诊"), (jpeg(9), "讲座"), (jpeg(13), "宣传")))  # fmt: skip
    digests = sorted(stored_bytes(deps))
    env = cli_env(settings)
    assert run_cli("backup", "good.tar", cwd=tmp_path, env=env).returncode == 0
    deps.files.path_for(digests[0]).unlink()
    deps.files.path_for(digests[1]).write_bytes(b"not the photo any more")
    deps.close()
    result = run_cli("verify", cwd=tmp_path, env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    store = f"{settings.data_dir}/files"
    assert f"problem: evidence: file {digests[0]} is missing from {store}" in lines
    assert f"problem: evidence: file {digests[1]} is damaged (its bytes changed)" in lines
    assert lines[-1] == f"error: 2 problems in {settings.data_dir}/files"
    assert run_cli("verify", "--backup", "good.tar", cwd=tmp_path, env=env).returncode == 0

    archive = tmp_path / "good.tar"
    with tarfile.open(archive) as tar:
        photo = tar.getmember(f"files/{digests[2][:2]}/{digests[2][2:4]}/{digests[2]}")
        offset = photo.offset_data
    with archive.open("r+b") as raw:  # one byte of one photo flips in the archive
        raw.seek(offset + 100)
        byte = raw.read(1)
        raw.seek(offset + 100)
        raw.write(bytes([byte[0] ^ 0xFF]))
    tampered = run_cli("verify", "--backup", "good.tar", cwd=tmp_path, env=env)
    assert tampered.returncode == 1
    assert f"problem: {photo.name} is damaged or missing" in tampered.stderr
    target = {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
              "DATA_DIR": str(tmp_path / "r")}  # fmt: skip
    refused = run_cli("restore", "good.tar", cwd=tmp_path, env=target)
    assert refused.returncode == 1
    assert f"{photo.name} is damaged" in refused.stderr
    assert not any((tmp_path / "r" / "files").glob("??/??/*"))  # nothing half-restored
    assert run_cli("units", cwd=tmp_path, env=target).stdout.count("\n") == 1  # header only
