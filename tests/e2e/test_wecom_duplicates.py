"""WeCom's duplicate check against what members see: a question asked twice is answered twice
(text and card), and a scheduled reminder the broadcaster sends again after a timeout reaches
the member once. The fake WeCom applies WeCom's rule (identical JSON with the check on, within
its interval: "ok", not delivered) on a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import aiohttp
from sqlmodel import select

from bot.broadcast import Limits
from bot.clock import ManualClock
from bot.deps import Deps
from bot.fakes.ports import free_port
from bot.fakes.wecom import FakeWeCom, FakeWeComServer
from bot.scheduler import Dispatcher
from bot.wecom.client import WeComClient
from handlers.wecom import WeComAdapter
from storage.models import Delivery, DeliveryStatus, Transport
from tests.e2e.seed import seed_units
from tests.e2e.test_wecom_callback import CRYPTO
from tests.e2e.test_wecom_flow import OFFICE, Member, register, submit_quickly, wecom_running
from tests.e2e.test_wecom_run import prompted_liaison


def on_the_bots_clock(world: FakeWeCom, deps: Deps) -> ManualClock:
    """The fake WeCom's seconds follow the bot's ManualClock, which the test moves."""
    clock = deps.clock
    assert isinstance(clock, ManualClock)
    world.clock = lambda: clock.now().timestamp()
    return clock


async def test_a_question_asked_twice_within_a_minute_is_answered_twice(
    make_settings: Any,
) -> None:
    async with wecom_running(make_settings) as (deps, world, endpoint):
        clock = on_the_bots_clock(world, deps)
        [unit_id] = seed_units(deps, "区卫生健康委")
        wang, stranger = Member("wangfang", endpoint, world), Member("zhaomin", endpoint, world)
        await register(wang, deps, unit_id)
        for member, question, expected in (
            (wang, "我是谁", "区卫生健康委（主联络员）"),
            (wang, "帮助", "报送"),
            (stranger, "你好", "绑定"),  # the same hint for free text, twice
        ):
            first = await member.say(question)
            clock.advance(timedelta(seconds=40))
            second = await member.say(question)
            assert first == second and expected in first[0], (question, first, second)
        assert world.duplicates == [] and world.dropped == []


async def test_an_unchanged_summary_asked_twice_comes_twice_with_its_card(
    make_settings: Any,
) -> None:
    async with wecom_running(make_settings, cards=True) as (deps, world, endpoint):
        clock = on_the_bots_clock(world, deps)
        seed_units(deps, "区卫生健康委", "区教委")
        office = Member(OFFICE, endpoint, world)
        first = await office.say("汇总 2026-09")
        clock.advance(timedelta(seconds=30))
        second = await office.say("汇总 2026-09")
        assert first == second and first[-1] == "［template_card］"
        assert "2026-09 汇总" in first[0]
        texts, cards = first[:-1], world.cards_to(OFFICE)
        assert len(cards) == 2 and cards[0]["button_list"] == cards[1]["button_list"]
        assert len(texts) == 1 and world.duplicates == []


@asynccontextmanager
async def wecom_with_timeout(
    make_settings: Any,
) -> AsyncIterator[tuple[Deps, FakeWeCom, Dispatcher]]:
    """王芳 on WeCom on the day of September's T-5 reminder (the month's prompt, with two
    choices: text and card); the bot's WeCom client gives up on an answer after 1 s."""
    world = FakeWeCom(corp_id=CRYPTO.receive_id)
    timeout = aiohttp.ClientTimeout(total=1.0)
    async with FakeWeComServer(world) as api, aiohttp.ClientSession(timeout=timeout) as http:
        deps = await prompted_liaison(api.base_url, free_port(), make_settings)
        on_the_bots_clock(world, deps)
        client = WeComClient(base_url=api.base_url, corp_id=world.corp_id, agent_id=1000002,
                             secret=world.secret, session=http)  # fmt: skip
        adapter = WeComAdapter(deps, client, (), cards=True)
        fast = Limits(per_second=100, per_chat_interval=0.0, backoff=0.01)  # retry at once
        channel = replace(adapter.channel, limits=fast)
        try:
            yield deps, world, Dispatcher(deps, {Transport.WECOM: channel})
        finally:
            deps.close()


def delivery_statuses(deps: Deps) -> list[str]:
    with deps.db.session() as session:
        return [row.status for row in session.exec(select(Delivery)).all()]


async def test_a_reminder_sent_again_after_a_timeout_reaches_the_member_once(
    make_settings: Any,
) -> None:
    """The text arrives but its answer does not: the broadcaster sends the whole reminder
    again, and WeCom's duplicate check keeps the text from arriving twice."""
    async with wecom_with_timeout(make_settings) as (deps, world, dispatcher):
        world.late_answers = [3.0]  # the reminder's text: delivered, answered too late
        await dispatcher.tick()
        text, card = world.messages_to("wangfang")
        assert "2026-09 工作进展开始报送" in text["text"]["content"]
        assert text["enable_duplicate_check"] == 1
        assert [b["text"] for b in card["template_card"]["button_list"]] == [
            "📝 开始填报", "本月无新进展",
        ]  # fmt: skip
        [retried] = world.duplicates  # sent again, accepted, not delivered
        assert retried["text"] == text["text"]
        assert delivery_statuses(deps) == [DeliveryStatus.SENT]


async def test_a_reminder_whose_card_timed_out_is_not_sent_again(make_settings: Any) -> None:
    """The card arrives but its answer does not: sent again it would be a second card (a new
    task_id, which the duplicate check cannot catch), so the reminder counts as sent."""
    async with wecom_with_timeout(make_settings) as (deps, world, dispatcher):
        world.late_answers = [0.0, 3.0]  # the text answered at once, the card too late
        await dispatcher.tick()
        assert [m["msgtype"] for m in world.messages_to("wangfang")] == ["text", "template_card"]
        assert world.duplicates == []
        assert delivery_statuses(deps) == [DeliveryStatus.SENT]
        await dispatcher.tick()  # the next tick finds nothing owed
        assert len(world.messages_to("wangfang")) == 2


async def test_a_report_returned_twice_with_the_same_comment_is_told_twice(
    make_settings: Any,
) -> None:
    """A notice after a decision is no scheduled message: the same decision taken again
    within 30 minutes is news to the liaison, and arrives."""
    async with wecom_running(make_settings) as (deps, world, endpoint):
        clock = on_the_bots_clock(world, deps)
        [unit_id] = seed_units(deps, "区卫生健康委")
        wang, office = Member("wangfang", endpoint, world), Member(OFFICE, endpoint, world)
        await register(wang, deps, unit_id)
        await submit_quickly(wang)
        for round_ in range(2):
            if round_:  # the liaison sends the returned report in again, unchanged
                review = (await wang.say("报送"))[-1]
                [submitted] = await wang.choose(review, "📨 提交")
                assert "已提交" in submitted
            await office.say("审核")
            [opened] = await office.say("1")
            await office.choose(opened, "↩️ 退回补充")
            [returned] = await office.say("请补充参加人数")
            assert "已退回补充" in returned
            clock.advance(timedelta(minutes=10))
        told = [m for m in world.messages_to("wangfang") if "请补充参加人数" in str(m)]
        assert len(told) == 2 and told[0] == told[1]
        assert world.duplicates == []
