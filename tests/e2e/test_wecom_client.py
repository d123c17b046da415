"""The WeCom API client against the fake WeCom server: token caching and refresh, and every
error a bulk send can meet translated for the broadcaster, which then loses nothing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.broadcast import Broadcaster, Limits, Outcome, Outgoing, Rejected, RetryLater, Unreachable
from bot.clock import ManualClock
from bot.fakes.wecom import FakeWeCom, FakeWeComServer
from bot.wecom.client import MemberLimit, WeComClient, WeComError


@dataclass
class Harness:
    world: FakeWeCom
    client: WeComClient


@pytest.fixture
async def wecom() -> AsyncIterator[Harness]:
    world = FakeWeCom(per_member_per_minute=3)
    async with FakeWeComServer(world) as server, aiohttp.ClientSession() as session:
        client = WeComClient(
            base_url=server.base_url, corp_id=world.corp_id, agent_id=1000002,
            secret=world.secret, session=session, rate_limit_wait=0.05,
        )  # fmt: skip
        yield Harness(world, client)


async def test_the_token_is_fetched_once_and_refreshed_when_wecom_says_so(wecom: Harness) -> None:
    for n in range(3):
        await wecom.client.send_text(f"member{n}", "提醒")
    assert wecom.world.token_requests == 1
    wecom.world.expire_tokens()  # WeCom answers 40014 for the cached token now
    await wecom.client.send_text("member9", "提醒")
    assert wecom.world.token_requests == 2
    assert [m["touser"] for m in wecom.world.sent] == ["member0", "member1", "member2", "member9"]


async def test_errors_are_translated_for_the_broadcaster(
    wecom: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    wecom.world.fail_next = [45009]
    with pytest.raises(RetryLater):
        await wecom.client.send_text("wangfang", "x")
    wecom.world.visible = {"wangfang"}
    with pytest.raises(Unreachable):
        await wecom.client.send_text("outsider", "x")
    wecom.world.fail_next = [60020]
    with caplog.at_level(logging.ERROR), pytest.raises(Rejected, match="60020"):
        await wecom.client.send_text("wangfang", "x")
    assert "企业可信IP" in caplog.text
    wecom.world.fail_next = [40058]
    with pytest.raises(Rejected, match="40058"):
        await wecom.client.send_text("wangfang", "x")


async def test_media_is_downloaded_and_a_json_error_is_not_stored(wecom: Harness) -> None:
    media_id = wecom.world.add_media(b"\xff\xd8 jpeg bytes", "image/jpeg", "现场.jpg")
    data, name = await wecom.client.download(media_id)
    assert (data, name) == (b"\xff\xd8 jpeg bytes", "现场.jpg")
    with pytest.raises(WeComError, match="40007"):
        await wecom.client.download("MEDIA-expired")


async def test_a_45009_is_waited_out_and_nothing_is_lost(wecom: Harness) -> None:
    """WeCom's app-wide limits answer 45009: of 6 messages to one member with room for 3 a
    "minute" (shortened to 0.4 s), the last three are put back by the broadcaster and go out
    in the next window — none dropped, none sent twice."""
    wecom.world.rate_window_seconds, wecom.world.over_limit = 0.4, "error"
    wecom.client.member_limit = None  # let the requests reach the limit

    async def send(message: Outgoing) -> None:
        await wecom.client.send_text(message.chat_id, message.text)

    limits = Limits(per_second=100, per_chat_interval=0.0)
    report = await Broadcaster(send, limits).deliver(
        [Outgoing("wangfang", f"第{n}条", key=str(n)) for n in range(6)]
    )
    assert (report.sent, report.failed, report.blocked) == (6, 0, 0)
    assert report.retries_after_429 >= 3
    contents = [m["text"]["content"] for m in wecom.world.sent]
    assert sorted(contents) == sorted(f"第{n}条" for n in range(6))  # each exactly once
    assert set(report.outcomes.values()) == {Outcome.SENT}


async def burst(client: WeComClient) -> None:
    """Ten messages at once: seven to 王芳, three to 李强."""
    await asyncio.gather(
        *(client.send_text("wangfang", f"王{n}") for n in range(7)),
        *(client.send_text("liqiang", f"李{n}") for n in range(3)),
    )


async def test_the_silent_per_member_limit_is_never_reached(wecom: Harness) -> None:
    """Beyond 30 messages a minute to one member WeCom answers "ok" and delivers nothing. The
    fake does the same (3 a "minute" of 0.4 s here): without the client's own per-member
    window a burst loses messages without a trace; with it, every message arrives, once."""
    world = wecom.world
    world.rate_window_seconds = 0.4
    wecom.client.member_limit = None
    await burst(wecom.client)
    assert len(world.dropped) == 4  # the loss the limit guards against, as WeCom would cause

    for kept in (world.sent, world.dropped, world._recent):
        kept.clear()
    wecom.client.member_limit = MemberLimit(messages=3, seconds=0.4)
    await burst(wecom.client)
    assert world.dropped == []
    contents = sorted(m["text"]["content"] for m in world.sent)
    assert contents == sorted([*(f"王{n}" for n in range(7)), *(f"李{n}" for n in range(3))])
    wang = [m["text"]["content"] for m in world.messages_to("wangfang")]
    assert wang == [f"王{n}" for n in range(7)]  # in the order they were sent


async def test_replies_go_without_the_duplicate_check_and_the_fake_applies_it(
    wecom: Harness,
) -> None:
    """WeCom's rule, as the fake applies it: with ``enable_duplicate_check`` a message whose
    JSON repeats one delivered less than ``duplicate_check_interval`` (1800 s) before is
    answered "ok" and not delivered. The client asks for it only when told to."""
    world, client = wecom.world, wecom.client
    clock = ManualClock(datetime(2026, 9, 22, 9, 0, tzinfo=UTC))
    world.clock = lambda: clock.now().timestamp()
    await client.send_text("wangfang", "您是区卫生健康委的主联络员。")
    clock.advance(timedelta(seconds=30))
    await client.send_text("wangfang", "您是区卫生健康委的主联络员。")
    assert len(world.messages_to("wangfang")) == 2  # a reply: asked twice, answered twice
    assert all("enable_duplicate_check" not in m for m in world.sent)

    answer = await client.send_text("liqiang", "请报送9月进展", duplicate_check=True)
    assert answer["errcode"] == 0 and world.sent[-1]["duplicate_check_interval"] == 1800
    clock.advance(timedelta(seconds=1799))
    again = await client.send_text("liqiang", "请报送9月进展", duplicate_check=True)
    assert again["errcode"] == 0  # accepted …
    assert len(world.messages_to("liqiang")) == 1 and len(world.duplicates) == 1  # … not delivered
    await client.send_text("liqiang", "请报送10月进展", duplicate_check=True)  # other content
    await client.send_text("zhaomin", "请报送9月进展", duplicate_check=True)  # another member
    clock.advance(timedelta(seconds=1))  # 1800 s after the first: the window has passed
    await client.send_text("liqiang", "请报送9月进展", duplicate_check=True)
    assert [m["text"]["content"] for m in world.messages_to("liqiang")] == [
        "请报送9月进展", "请报送10月进展", "请报送9月进展",
    ]  # fmt: skip
    assert len(world.messages_to("zhaomin")) == 1 and len(world.duplicates) == 1
