"""The WeCom callback endpoint over HTTP, posted to exactly as WeCom does: URL verification,
encrypted messages answered at once with an empty 200, retries dropped, forgeries refused."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web

from bot.deps import Deps
from bot.fakes.ports import free_port
from bot.fakes.wecom.callbacks import post_callback
from bot.wecom.callback import CallbackReceiver, callback_app
from bot.wecom.crypto import WeComCrypto
from bot.wecom.messages import Incoming
from storage.migrate import upgrade_database

CRYPTO = WeComCrypto(
    "wecomtoken", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "ww1436e0e65a779aee"
)
PATH = "/wecom/callback"


def wall_clock() -> int:
    """Seconds now: WeCom stamps and signs callbacks with the wall clock, and the receiver
    refuses stale ones, so these tests use it too."""
    return int(time.time())  # clock-ok


class Endpoint:
    def __init__(self, url: str, receiver: CallbackReceiver, received: list[Incoming]) -> None:
        self.url, self.receiver, self.received = url, receiver, received

    async def post(
        self,
        plain: bytes,
        *,
        crypto: WeComCrypto = CRYPTO,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> int:
        status = await post_callback(
            self.url, plain, crypto, timestamp=timestamp, signature=signature
        )
        await self.receiver.drain()
        return status


@pytest.fixture
async def endpoint(make_settings: Any) -> AsyncIterator[Endpoint]:
    deps = Deps.from_settings(make_settings())
    upgrade_database(deps.db.engine)
    received: list[Incoming] = []

    async def handle(message: Incoming) -> None:
        received.append(message)

    receiver = CallbackReceiver(deps, CRYPTO, handle)
    runner = web.AppRunner(callback_app(receiver, PATH))
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield Endpoint(f"http://127.0.0.1:{port}{PATH}", receiver, received)
    finally:
        await runner.cleanup()
        deps.close()


def text_message(content: str, msg_id: str, user: str = "wangfang") -> bytes:
    return (
        f"<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName><FromUserName>"
        f"<![CDATA[{user}]]></FromUserName><CreateTime>{wall_clock()}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID></xml>"
    ).encode()


async def test_the_console_can_verify_the_url(endpoint: Endpoint) -> None:
    stamp, nonce = str(wall_clock()), "1372623149"
    echostr, signature = CRYPTO.encrypt(b"1616140317555161061", nonce=nonce, timestamp=stamp)
    query = {"msg_signature": signature, "timestamp": stamp, "nonce": nonce, "echostr": echostr}
    async with aiohttp.ClientSession() as client:
        async with client.get(f"{endpoint.url}?{urlencode(query)}") as response:
            assert response.status == 200
            assert await response.text() == "1616140317555161061"
        query["msg_signature"] = "0" * 40
        async with client.get(f"{endpoint.url}?{urlencode(query)}") as response:
            assert response.status == 403


async def test_a_message_is_received_once_however_often_it_is_retried(endpoint: Endpoint) -> None:
    plain = text_message("绑定 ABCDEF", "7001")
    assert await endpoint.post(plain) == 200
    assert await endpoint.post(plain) == 200  # WeCom's retry: acknowledged, not handled again
    assert [(m.from_user, m.content) for m in endpoint.received] == [("wangfang", "绑定 ABCDEF")]
    assert await endpoint.post(text_message("第二条", "7002")) == 200
    assert [m.content for m in endpoint.received] == ["绑定 ABCDEF", "第二条"]


async def test_forged_foreign_and_replayed_posts_are_refused(endpoint: Endpoint) -> None:
    plain = text_message("伪造", "7100")
    assert await endpoint.post(plain, signature="0" * 40) == 403
    foreign = WeComCrypto(CRYPTO.token, CRYPTO.encoding_aes_key, "ww-another-corp")
    assert await endpoint.post(plain, crypto=foreign) == 403
    assert await endpoint.post(plain, timestamp=wall_clock() - 3600) == 403
    assert endpoint.received == []
