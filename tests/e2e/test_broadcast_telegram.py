"""The broadcaster against the fake Bot API server's real flood limits."""

from __future__ import annotations

from telegram import Bot

from bot.broadcast import Broadcaster, Outcome, Outgoing
from bot.fakes.telegram import FakeTelegramServer
from handlers.broadcast_sender import TelegramSender
from tests.conftest import TEST_TOKEN


async def test_bulk_send_under_telegram_limits_loses_nothing(telegram: FakeTelegramServer) -> None:
    world = telegram.world
    users = [world.user(100 + n, f"联络员{n}") for n in range(20)]
    world.block_bot(users[0])
    batch = [
        Outgoing(str(user.id), f"第{round_}轮提醒", key=f"{user.id}:{round_}")
        for round_ in range(3)
        for user in users
    ]
    async with Bot(TEST_TOKEN, base_url=telegram.api_base_url) as bot:
        report = await Broadcaster(TelegramSender(bot)).deliver(batch)
    assert report.sent == 57
    assert report.blocked == 3
    assert report.failed == 0
    assert world.flood_429s <= len(batch) // 100  # at most 1 %
    for user in users[1:]:
        assert [m.text for m in world.messages_to(user.id)] == [
            "第0轮提醒",
            "第1轮提醒",
            "第2轮提醒",
        ]
    assert report.outcomes[f"{users[0].id}:0"] == Outcome.BLOCKED
