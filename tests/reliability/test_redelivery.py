"""The same update delivered twice is handled once; webhook requests without the secret are
refused. Runs the real application in webhook mode against the fake server, which pushes
updates the way Telegram does (and retries them)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from sqlmodel import select
from telegram import Update

from bot.app import BotApplication, OnceApplication, Webhook, create_app, running_application
from bot.config import Settings
from bot.deps import Deps
from bot.fakes.ports import free_port
from bot.fakes.telegram import FakeTelegram, FakeTelegramServer
from storage.migrate import upgrade_database
from storage.models import ProcessedUpdate, ReportDraft
from tests.conftest import BotHarness
from tests.e2e.seed import seed_liaison

SECRET = "s3cret-Token_for-tests"
WANG = 1001


@asynccontextmanager
async def webhook_bot(
    telegram: FakeTelegramServer, make_settings: object, port: int
) -> AsyncIterator[BotApplication]:
    """The application serving a webhook on 127.0.0.1:port, registered with the fake."""
    settings: Settings = make_settings(  # type: ignore[operator]
        telegram_api_base_url=telegram.api_base_url,
        telegram_file_base_url=telegram.file_base_url,
    )
    deps = Deps.from_settings(settings)
    upgrade_database(deps.db.engine)
    webhook = Webhook(port=port, url=f"http://127.0.0.1:{port}/hook", secret=SECRET)
    async with running_application(create_app(settings, deps=deps), webhook=webhook) as app:
        yield app


def draft_text(deps: Deps) -> str:
    with deps.db.session() as session:
        return session.exec(select(ReportDraft.work_done)).one()


async def wang_writes_his_report(world: FakeTelegram, application: BotApplication) -> Deps:
    """王芳, liaison of 区卫生健康委, opens /report and types one line of 本月完成工作."""
    deps = application.bot_data.deps
    assert deps is not None
    seed_liaison(deps, telegram_id=WANG, name="王芳", unit_names=["区卫生健康委"])
    wang = world.user(WANG, "王芳")
    await world.say(wang, "/report")
    [ack] = await world.say(wang, "开展义诊一次，120人参加。")
    assert "已记录" in ack.text
    return deps


async def deliver_again(world: FakeTelegram, update: dict[str, Any]) -> None:
    """Telegram did not see our 200 in time and sends the same update again."""
    world.requeue(update)
    for _ in range(50):  # the fake pushes it to the webhook again
        if not world.pending_updates():
            break
        await asyncio.sleep(0.1)
    assert not world.pending_updates()
    await asyncio.sleep(0.5)  # time for a second reply, if there were one


async def test_a_webhook_retry_is_handled_once(
    telegram: FakeTelegramServer, make_settings: object
) -> None:
    world = telegram.world
    async with webhook_bot(telegram, make_settings, free_port()) as application:
        deps = await wang_writes_his_report(world, application)
        since = len(world.messages_to(WANG))
        await deliver_again(world, world.delivered[-1])
        assert len(world.messages_to(WANG)) == since
        assert draft_text(deps).count("开展义诊一次") == 1


async def test_a_text_step_is_recorded_with_its_change(
    telegram: FakeTelegramServer, make_settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Appending text is not idempotent: the step and the update's record commit together, so
    a crash right after the step (before the application's own bookkeeping, simulated by
    switching that off) cannot make the redelivered update append the text a second time."""
    monkeypatch.setattr(OnceApplication, "_remember", lambda *_: None)
    world = telegram.world
    async with webhook_bot(telegram, make_settings, free_port()) as application:
        deps = await wang_writes_his_report(world, application)
        step = world.delivered[-1]
        with deps.db.session() as session:
            assert session.get(ProcessedUpdate, ("telegram", str(step["update_id"])))
        await deliver_again(world, step)
        assert draft_text(deps).count("开展义诊一次") == 1


async def test_webhook_requests_without_the_secret_get_403(
    telegram: FakeTelegramServer, make_settings: object
) -> None:
    port = free_port()
    world = telegram.world
    async with webhook_bot(telegram, make_settings, port) as application:
        deps = application.bot_data.deps
        assert deps is not None
        forged = {
            "update_id": 999_999,
            "message": {
                "message_id": 1, "date": 0, "text": "/start",
                "chat": {"id": 1003, "type": "private", "first_name": "赵敏"},
                "from": {"id": 1003, "is_bot": False, "first_name": "赵敏"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }  # fmt: skip
        world.user(1003, "赵敏")
        async with aiohttp.ClientSession() as client:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with client.post(
                    f"http://127.0.0.1:{port}/hook", json=forged, headers=headers
                ) as response:
                    assert response.status == 403
        await asyncio.sleep(0.3)
        assert world.messages_to(1003) == []  # nothing was processed
        with deps.db.session() as session:
            assert session.exec(select(ProcessedUpdate)).all() == []


async def test_the_same_update_twice_at_once_or_later_is_handled_once(bot: BotHarness) -> None:
    """Polling after a crash can fetch an update again; two copies may even overlap."""
    seed_liaison(bot.deps, telegram_id=WANG, name="王芳", unit_names=["区卫生健康委"])
    wang = bot.world.user(WANG, "王芳")
    await bot.world.say(wang, "/report")
    [ack] = await bot.world.say(wang, "开展义诊一次。")
    assert "已记录" in ack.text
    update = Update.de_json(bot.world.delivered[-1], bot.application.bot)
    assert update is not None
    since = len(bot.world.messages_to(WANG))
    await asyncio.gather(
        bot.application.process_update(update), bot.application.process_update(update)
    )
    await bot.application.process_update(update)
    assert len(bot.world.messages_to(WANG)) == since
    assert draft_text(bot.deps).count("开展义诊一次") == 1

    fresh = bot.world.send_text(wang, "第二条")  # a new update is still handled
    assert fresh is not None
    await bot.world.wait_for_messages(WANG, since=since)
    assert "第二条" in draft_text(bot.deps)


async def test_processed_ids_are_recorded_once_handled(bot: BotHarness) -> None:
    user = bot.world.user(1003, "赵敏")
    for _ in range(2):
        await bot.world.say(user, "/start")
    wanted = sorted(str(u["update_id"]) for u in bot.world.delivered)

    def keys() -> list[str]:
        with bot.deps.db.session() as session:
            return sorted(row.update_key for row in session.exec(select(ProcessedUpdate)))

    for _ in range(50):  # recorded right after the reply went out
        if keys() == wanted:
            break
        await asyncio.sleep(0.05)
    assert keys() == wanted
