"""The WeCom API client: access_token, message/send, media upload and download.

- ``gettoken`` is called once and the token cached until shortly before it expires; a reply
  saying the token is invalid or expired (40014, 42001, 40001) refreshes it once and retries.
- Sending fits the one broadcaster (``bot.broadcast``): 45009 and friends (rate limits) become
  ``RetryLater``; 81013 (the member is outside the app's visible range) becomes
  ``Unreachable``; anything else ``Rejected`` with WeCom's errcode and errmsg.
- WeCom's duplicate check (``enable_duplicate_check``: a message whose request JSON repeats
  one sent within ``duplicate_check_interval`` is answered "ok" and *not delivered*) is off
  unless the caller asks for it. A reply must always arrive — a member who asks 我是谁 twice
  gets two answers — so only scheduled sends ask (``handlers.wecom.WeComSender`` says which
  and why).
- 60020 (our server's IP is not in the app's trusted IPs) is logged as an error that says
  exactly what the admin must do; retrying cannot help, so the message is given up.
- ``media/get`` answers JSON instead of bytes on error: the Content-Type is checked before
  anything is stored.
- WeCom lets an app send one member at most 30 messages a minute and drops the excess
  *silently* (no error to react to): every send waits, per member, until it fits under
  ``member_limit`` — replies as much as scheduled messages.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.broadcast import Rejected, RetryLater, Unreachable

log = logging.getLogger(__name__)

TOKEN_INVALID = {40014, 42001, 40001}
RATE_LIMITED = {45009, 45033, 45047, 45011}
OUT_OF_RANGE = {81013, 60111}
NOT_TRUSTED = 60020
TOKEN_MARGIN_SECONDS = 300  # refresh this long before WeCom says the token expires
RATE_LIMIT_WAIT_SECONDS = 60.0  # WeCom gives no retry-after; its limits are per minute
DUPLICATE_CHECK_SECONDS = 1800  # WeCom's default window; longer than a stale claim's 15 minutes


@dataclass(frozen=True, slots=True)
class MemberLimit:
    """At most ``messages`` to one member in any ``seconds`` (WeCom: 30 a minute; we keep one
    in hand for clock differences)."""

    messages: int = 29
    seconds: float = 60.0


@dataclass
class _MemberWindow:
    """The member's recent send times, and a lock so concurrent sends queue in order."""

    sent: deque[float] = field(default_factory=deque)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


WECOM_MEMBER_LIMIT = MemberLimit()


class WeComError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeCom error {errcode}: {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg


class WeComNotTrusted(WeComError):
    """60020: tell the office admin to add this server's egress IP to the app's trusted IPs."""


@dataclass
class _Token:
    value: str
    expires_at: float


class WeComClient:
    def __init__(
        self,
        *,
        base_url: str,
        corp_id: str,
        agent_id: int,
        secret: str,
        session: aiohttp.ClientSession,
        rate_limit_wait: float = RATE_LIMIT_WAIT_SECONDS,
        member_limit: MemberLimit | None = WECOM_MEMBER_LIMIT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.rate_limit_wait = rate_limit_wait
        self.corp_id, self.agent_id, self.secret = corp_id, agent_id, secret
        self.session = session
        self._token: _Token | None = None
        self._lock = asyncio.Lock()
        self.member_limit = member_limit
        self._windows: defaultdict[str, _MemberWindow] = defaultdict(_MemberWindow)

    async def access_token(self, *, refresh: bool = False) -> str:
        async with self._lock:
            if refresh or self._token is None or time.monotonic() >= self._token.expires_at:
                data = await self._json(
                    "GET",
                    "/cgi-bin/gettoken",
                    params={"corpid": self.corp_id, "corpsecret": self.secret},
                )
                lifetime = float(data.get("expires_in", 7200))
                self._token = _Token(
                    str(data["access_token"]), time.monotonic() + lifetime - TOKEN_MARGIN_SECONDS
                )
            return self._token.value

    async def send_text(
        self, userid: str, text: str, *, duplicate_check: bool = False
    ) -> dict[str, Any]:
        message = {"touser": userid, "msgtype": "text", "text": {"content": text}}
        return await self.send(message, duplicate_check=duplicate_check)

    async def send_card(
        self, userid: str, card: dict[str, Any], *, duplicate_check: bool = False
    ) -> dict[str, Any]:
        """A template card; the answer's ``response_code`` may update it once."""
        message = {"touser": userid, "msgtype": "template_card", "template_card": card}
        return await self.send(message, duplicate_check=duplicate_check)

    async def update_card_buttons(self, userid: str, response_code: str, replace_name: str) -> None:
        """Grey out a clicked card's buttons with ``replace_name`` ("已选择：完成"), using the
        response_code its click came with (usable once, for 72 hours)."""
        body = {"userids": [userid], "agentid": self.agent_id, "response_code": response_code,
                "button": {"replace_name": replace_name}}  # fmt: skip
        await self._authorised("POST", "/cgi-bin/message/update_template_card", json=body)

    async def send(
        self, message: dict[str, Any], *, duplicate_check: bool = False
    ) -> dict[str, Any]:
        """message/send, translated for the broadcaster; with ``duplicate_check``, WeCom drops
        it silently if the same JSON went out within the window (see the module docstring)."""
        body = {**message, "agentid": self.agent_id}
        if duplicate_check:
            body |= {"enable_duplicate_check": 1,
                     "duplicate_check_interval": DUPLICATE_CHECK_SECONDS}  # fmt: skip
        try:
            await self._wait_for_room(str(message.get("touser", "")))
            return await self._authorised("POST", "/cgi-bin/message/send", json=body)
        except WeComError as exc:
            if exc.errcode in RATE_LIMITED:
                raise RetryLater(self.rate_limit_wait) from exc
            if exc.errcode in OUT_OF_RANGE:
                raise Unreachable(str(exc)) from exc
            if isinstance(exc, WeComNotTrusted):
                log.error(
                    "WeCom refused this server (60020): add its egress IP to the app's "
                    "企业可信IP in the WeCom admin console (应用管理 → the app → 企业可信IP)"
                )
            raise Rejected(str(exc)) from exc

    async def _wait_for_room(self, userid: str) -> None:
        """Hold this send until the member's window has room (see the module docstring)."""
        limit = self.member_limit
        if limit is None or not userid:
            return
        window = self._windows[userid]
        async with window.lock:
            while True:
                now = time.monotonic()
                while window.sent and now - window.sent[0] >= limit.seconds:
                    window.sent.popleft()
                if len(window.sent) < limit.messages:
                    window.sent.append(now)
                    return
                await asyncio.sleep(limit.seconds - (now - window.sent[0]) + 0.01)

    async def send_file(self, userid: str, data: bytes, name: str) -> dict[str, Any]:
        """Upload a file (media/upload, type file) and send it to the member."""
        return await self._send_media(userid, data, name, "file")

    async def send_image(self, userid: str, data: bytes, name: str) -> dict[str, Any]:
        """Upload a picture (media/upload, type image) and send it to the member."""
        return await self._send_media(userid, data, name, "image")

    async def _send_media(self, userid: str, data: bytes, name: str, kind: str) -> dict[str, Any]:
        uploaded = await self._upload(data, name, kind)
        return await self.send(
            {"touser": userid, "msgtype": kind, kind: {"media_id": uploaded["media_id"]}}
        )

    async def _upload(self, data: bytes, name: str, kind: str) -> dict[str, Any]:
        """media/upload; a multipart body cannot be sent twice, so it is rebuilt for the one
        retry after a token refresh."""
        for refresh in (False, True):
            form = aiohttp.FormData(quote_fields=False)  # WeCom keeps UTF-8 file names as sent
            form.add_field("media", data, filename=name, content_type="application/octet-stream")
            token = await self.access_token(refresh=refresh)
            params = {"access_token": token, "type": kind}
            try:
                return await self._json("POST", "/cgi-bin/media/upload", params=params, data=form)
            except WeComError as exc:
                if exc.errcode not in TOKEN_INVALID or refresh:
                    raise
        raise AssertionError("unreachable")

    async def download(self, media_id: str) -> tuple[bytes, str]:
        """A member's photo or file, with its file name (download at once: media expire in
        3 days)."""
        token = await self.access_token()
        async with self.session.get(
            f"{self.base_url}/cgi-bin/media/get",
            params={"access_token": token, "media_id": media_id},
        ) as response:
            content_type = response.headers.get("Content-Type", "")
            if "json" in content_type or "text/plain" in content_type:
                self._raise_for(await response.json(content_type=None))
            data = await response.read()
            disposition = response.headers.get("Content-Disposition", "")
        name = disposition.split("filename=")[-1].strip('"') if "filename=" in disposition else ""
        return data, name

    async def _authorised(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        token = await self.access_token()
        try:
            return await self._json(method, path, params={"access_token": token}, **kwargs)
        except WeComError as exc:
            if exc.errcode not in TOKEN_INVALID:
                raise
        token = await self.access_token(refresh=True)  # once, then whatever happens happens
        return await self._json(method, path, params={"access_token": token}, **kwargs)

    async def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        async with self.session.request(method, f"{self.base_url}{path}", **kwargs) as response:
            data: dict[str, Any] = await response.json(content_type=None)
        self._raise_for(data)
        return data

    @staticmethod
    def _raise_for(data: dict[str, Any]) -> None:
        errcode = int(data.get("errcode", 0))
        if errcode == 0:
            return
        errmsg = str(data.get("errmsg", ""))
        if errcode == NOT_TRUSTED:
            raise WeComNotTrusted(errcode, errmsg)
        raise WeComError(errcode, errmsg)
