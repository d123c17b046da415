"""Post a callback the way WeCom does: the message encrypted and signed, in its XML envelope,
with msg_signature, timestamp and nonce in the query (the demo and the tests use this)."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import aiohttp

from bot.wecom.crypto import WeComCrypto
from bot.wecom.messages import envelope_xml


async def post_callback(
    url: str,
    plain: bytes,
    crypto: WeComCrypto,
    *,
    timestamp: int | None = None,
    nonce: str = "1372623149",
    signature: str | None = None,
) -> int:
    """The HTTP status the bot answered; ``signature`` forges one, ``timestamp`` backdates."""
    stamp = str(timestamp or int(time.time()))
    payload, signed = crypto.encrypt(plain, nonce=nonce, timestamp=stamp)
    query = urlencode({"msg_signature": signature or signed, "timestamp": stamp, "nonce": nonce})
    async with (
        aiohttp.ClientSession() as client,
        client.post(f"{url}?{query}", data=envelope_xml(payload, signed, stamp, nonce)) as response,
    ):
        await response.read()
        return response.status


def member_message(corp_id: str, userid: str, fields: dict[str, str], msg_id: str = "") -> bytes:
    """A callback's plain XML from ``userid``: ``fields`` such as MsgType and Content (an
    event carries no MsgId)."""
    body = "".join(f"<{name}><![CDATA[{value}]]></{name}>" for name, value in fields.items())
    ident = f"<MsgId>{msg_id}</MsgId>" if msg_id else ""
    return (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><FromUserName><![CDATA[{userid}]]>"
        f"</FromUserName><CreateTime>{int(time.time())}</CreateTime>{body}{ident}"
        f"<AgentID>1000002</AgentID></xml>"
    ).encode()
