"""TRANSPORT=both: one bot, one database, two platforms. A decision taken on WeCom reaches a
liaison who reports on Telegram, through the one dispatcher that knows both (as
``bot.serve`` wires it)."""

from __future__ import annotations

import itertools

import aiohttp
import pytest

from bot.clock import ManualClock
from bot.fakes.wecom import FakeWeCom, FakeWeComServer
from bot.wecom.client import WeComClient
from bot.wecom.messages import Incoming
from handlers.wecom import WeComAdapter
from storage.models import Transport
from tests.conftest import BotHarness
from tests.e2e.test_review import reporting_month, submit_report
from tests.e2e.test_schedule import ADMIN, WANG, moment, texts

REVIEWER = "zhoumin"  # an office admin who works in WeCom


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_a_report_sent_back_on_wecom_reaches_the_liaison_on_telegram(
    bot: BotHarness,
) -> None:
    await reporting_month(bot)
    bot.deps.clock = ManualClock(moment("2026-09-28 10:00"))
    await submit_report(bot, WANG, "开展义诊一次。")
    before = len(texts(bot, WANG))
    world = FakeWeCom()
    ids = itertools.count(1)
    async with FakeWeComServer(world) as api, aiohttp.ClientSession() as http:
        client = WeComClient(base_url=api.base_url, corp_id=world.corp_id, agent_id=1000002,
                             secret=world.secret, session=http)  # fmt: skip
        adapter = WeComAdapter(bot.deps, client, admin_userids=(REVIEWER,), cards=False)
        dispatcher = bot.application.bot_data.dispatcher
        assert dispatcher is not None
        dispatcher.channels[Transport.WECOM] = adapter.channel  # what bot.serve does
        adapter.dispatcher = dispatcher

        async def say(text: str) -> str:
            await adapter.handle(
                Incoming(REVIEWER, 1_790_000_000, "text", content=text, msg_id=str(next(ids)))
            )
            return str(world.messages_to(REVIEWER)[-1]["text"]["content"])

        assert "区卫生健康委" in await say("审核")
        assert "开展义诊一次。" in await say("1")  # open it
        assert "请回复退回" in await say("2")  # 退回补充
        assert "已退回补充" in await say("请补充参加人数")
    [told] = await bot.world.wait_for_messages(WANG, since=before)
    assert "请补充参加人数" in told.text and "修改报告" in " ".join(told.button_texts)
