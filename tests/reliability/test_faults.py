"""A full disk and a locked database: the liaison is told what happened in plain words, nothing
saved is lost or half-written, and the same message works once the fault is gone."""

from __future__ import annotations

import errno
import io
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image
from sqlalchemy.engine import make_url
from sqlmodel import select

import storage.db
from bot.config import Settings
from bot.fakes.telegram import FakeTelegramServer
from storage.files import StoredFile
from storage.models import Evidence, ReportDraft, ReportStep
from tests.conftest import BotHarness, running_bot
from tests.e2e.seed import seed_liaison

WANG = 1001


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 150), (90, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


async def to_photo_step(bot: BotHarness) -> None:
    wang = bot.world.user(WANG, "王芳")
    await bot.world.say(wang, "/report")
    [ack] = await bot.world.say(wang, "开展义诊一次。")
    step = ack
    while "第5步" not in step.text:
        label = "✅ 完成" if "✅ 完成" in step.button_texts else "跳过"
        since = len(bot.world.messages_to(WANG))
        bot.world.press_button(wang, step, text=label)
        [step] = await bot.world.wait_for_messages(WANG, since=since)


async def test_a_full_disk_is_said_plainly_and_nothing_is_half_saved(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_liaison(bot.deps, telegram_id=WANG, name="王芳", unit_names=["区卫生健康委"])
    await to_photo_step(bot)
    wang = bot.world.users[WANG]

    def no_space(_data: bytes) -> StoredFile:
        raise OSError(errno.ENOSPC, "No space left on device")

    real_put: Callable[[bytes], StoredFile] = bot.deps.files.put_bytes
    monkeypatch.setattr(bot.deps.files, "put_bytes", no_space)
    since = len(bot.world.messages_to(WANG))
    bot.world.send_photo(wang, picture(), caption="义诊现场")
    [told] = await bot.world.wait_for_messages(WANG, since=since)
    assert "存储空间已满" in told.text and "已经保存的内容都还在" in told.text
    with bot.deps.db.session() as session:
        assert session.exec(select(Evidence)).all() == []
        draft = session.exec(select(ReportDraft)).one()
    assert draft.step == ReportStep.EVIDENCE and draft.work_done == "开展义诊一次。"
    assert not any(
        path.suffix == ".tmp" for path in bot.deps.files.root.rglob("*")
    )  # no half-written file

    monkeypatch.setattr(bot.deps.files, "put_bytes", real_put)  # space freed: send again
    since = len(bot.world.messages_to(WANG))
    bot.world.send_photo(wang, picture(), caption="义诊现场")
    [ack] = await bot.world.wait_for_messages(WANG, since=since)
    assert "已收到 1 张照片" in ack.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # SQLite's lock, by design
async def test_a_locked_database_is_said_plainly_and_the_resend_works(
    telegram: FakeTelegramServer, bot_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_MS", 300)  # wait 0.3 s, not 30 s
    async with running_bot(telegram, bot_settings) as bot:
        seed_liaison(bot.deps, telegram_id=WANG, name="王芳", unit_names=["区卫生健康委"])
        wang = bot.world.user(WANG, "王芳")
        await bot.world.say(wang, "/report")
        await bot.world.say(wang, "第一条")
        path = make_url(bot_settings.database_url).database
        assert path is not None
        holder: Any = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
            [told] = await bot.world.say(wang, "第二条", timeout=20)
            assert "系统正忙" in told.text
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        [ack] = await bot.world.say(wang, "第二条")
        assert "已记录" in ack.text
        with bot.deps.db.session() as session:
            draft = session.exec(select(ReportDraft)).one()
        assert draft.work_done == "第一条\n第二条"  # once, in order, nothing lost
