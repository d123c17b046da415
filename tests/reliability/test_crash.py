"""SIGKILL in the middle of a report that already has photos: after a restart the draft, the
photos and the step are all there, and the liaison just carries on.

The bot runs as a real subprocess (``liaison-bot run``) against the fake server in this
process; nothing is mocked, the kill is a real SIGKILL (no shutdown hook runs)."""

from __future__ import annotations

import asyncio
import io
import signal
from pathlib import Path
from typing import Any

from PIL import Image
from sqlmodel import select

from bot.config import Settings
from bot.deps import Deps
from bot.fakes.telegram import FakeTelegramServer, FakeUser, SentMessage
from storage.migrate import upgrade_database
from storage.models import Evidence, ReportDraft, ReportStep, Submission
from tests.conftest import TEST_TOKEN
from tests.e2e.seed import seed_liaison
from tests.e2e.test_cli import clean_env, cli_clock, command

WANG = 1001


def photo(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (shade, 100, 100)).save(out, format="JPEG")
    return out.getvalue()


async def start_bot(tmp_path: Path, telegram: FakeTelegramServer) -> asyncio.subprocess.Process:
    calls = len(telegram.world.calls)
    process = await asyncio.create_subprocess_exec(
        *command(), "run", cwd=tmp_path,
        env=clean_env(
            TELEGRAM_BOT_TOKEN=TEST_TOKEN, TELEGRAM_API_BASE_URL=telegram.api_base_url,
            TELEGRAM_FILE_BASE_URL=telegram.file_base_url, DATABASE_URL="sqlite:///data/bot.db",
            DATA_DIR="data", REMINDER_TICK_SECONDS="0",
        ),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    world = telegram.world
    await world.wait_until(lambda: "getupdates" in world.calls[calls:], timeout=30)
    return process


async def tap(
    telegram: FakeTelegramServer, user: FakeUser, message: SentMessage, label: str
) -> SentMessage:
    world = telegram.world
    since = len(world.messages_to(user.id))
    world.press_button(user, message, text=label)
    [reply] = await world.wait_for_messages(user.id, since=since, timeout=20)
    return reply


def database(tmp_path: Path) -> Deps:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'data' / 'bot.db'}",
                        data_dir=tmp_path / "data")  # fmt: skip
    return Deps.from_settings(settings, clock=cli_clock())  # just before the bot process starts


async def test_sigkill_mid_report_loses_nothing(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    (tmp_path / "data").mkdir()
    deps = database(tmp_path)
    upgrade_database(deps.db.engine)
    seed_liaison(deps, telegram_id=WANG, name="王芳", unit_names=["区卫生健康委"])
    world = telegram.world
    wang = world.user(WANG, "王芳")

    process = await start_bot(tmp_path, telegram)
    try:
        await world.say(wang, "/report", timeout=20)
        [ack] = await world.say(wang, "开展义诊一次，120人参加。", timeout=20)
        step = await tap(telegram, wang, ack, "✅ 完成")
        while "第5步" not in step.text:
            step = await tap(telegram, wang, step, "跳过")
        since = len(world.messages_to(WANG))
        world.send_album(wang, [photo(10), photo(200)], caption="9月5日·社区义诊")
        [received] = await world.wait_for_messages(WANG, since=since, timeout=20)
        assert "已收到 2 张照片" in received.text
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL

    with deps.db.session() as session:
        draft = session.exec(select(ReportDraft)).one()
        kept: list[Any] = list(session.exec(select(Evidence)))
    assert draft.step == ReportStep.EVIDENCE and "120人参加" in draft.work_done
    assert len(kept) == 2 and all(deps.files.exists(row.sha256) for row in kept)

    process = await start_bot(tmp_path, telegram)
    try:
        since = len(world.messages_to(WANG))
        world.send_album(wang, [photo(60)], caption="9月12日·健康讲座")
        [received] = await world.wait_for_messages(WANG, since=since, timeout=20)
        assert "共 3 张" in received.text or "3 张" in received.text
        [resumed] = await world.say(wang, "/report", timeout=20)
        assert "第5步" in resumed.text  # the same step, after the restart
        review = await tap(telegram, wang, resumed, "✅ 完成")
        assert "120人参加" in review.text and "照片 3 张" in review.text
        done = await tap(telegram, wang, review, "📨 提交")
        assert "已提交" in done.text
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    with deps.db.session() as session:
        [submission] = session.exec(select(Submission)).all()
    assert submission.photo_count == 3
    deps.close()
