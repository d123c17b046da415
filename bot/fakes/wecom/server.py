"""A fake WeCom API on 127.0.0.1: gettoken, message/send, media/upload, media/get.

It behaves the way the real one does where it matters to us: tokens expire (42001) and are
checked (40014); each member may get at most ``per_member_per_minute`` messages a minute —
beyond that the real WeCom drops messages silently, which a test cannot observe, so this
fake answers 45009 instead, the code WeCom uses for app-wide frequency limits; a member
outside the app's visible range gets 81013; media/get answers JSON on an unknown media_id;
``fail_next`` makes the next call answer any errcode (60020 …).
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web


@dataclass
class FakeWeCom:
    corp_id: str = "ww-fake-corp"
    secret: str = "fake-secret"
    token_lifetime: int = 7200
    per_member_per_minute: int = 30
    rate_window_seconds: float = 60.0  # tests shorten "a minute"
    visible: set[str] | None = None  # None: every member can be reached
    sent: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0
    media: dict[str, tuple[bytes, str, str]] = field(default_factory=dict)  # id: data, type, name
    fail_next: list[int] = field(default_factory=list)
    _tokens: dict[str, float] = field(default_factory=dict)
    _recent: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def expire_tokens(self) -> None:
        self._tokens.clear()

    def messages_to(self, userid: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m.get("touser") == userid]

    def add_media(self, data: bytes, content_type: str, name: str) -> str:
        media_id = f"MEDIA{next(self._ids)}"
        self.media[media_id] = (data, content_type, name)
        return media_id

    def _token_error(self, token: str) -> dict[str, Any] | None:
        if token not in self._tokens:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        if self._tokens[token] < time.monotonic():
            return {"errcode": 42001, "errmsg": "access_token expired"}
        return None


class FakeWeComServer:
    def __init__(self, world: FakeWeCom) -> None:
        self.world = world
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> FakeWeComServer:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._send)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        if self._runner is not None:
            await self._runner.cleanup()

    def _injected(self) -> web.Response | None:
        if self.world.fail_next:
            errcode = self.world.fail_next.pop(0)
            return web.json_response({"errcode": errcode, "errmsg": f"injected {errcode}"})
        return None

    async def _gettoken(self, request: web.Request) -> web.Response:
        world = self.world
        world.token_requests += 1
        query = request.query
        if query.get("corpid") != world.corp_id or query.get("corpsecret") != world.secret:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        token = f"TOKEN{next(world._ids)}"
        world._tokens[token] = time.monotonic() + world.token_lifetime
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token,
                                  "expires_in": world.token_lifetime})  # fmt: skip

    async def _send(self, request: web.Request) -> web.Response:
        world = self.world
        problem = world._token_error(request.query.get("access_token", "")) or None
        if problem is not None:
            return web.json_response(problem)
        injected = self._injected()
        if injected is not None:
            return injected
        body: dict[str, Any] = await request.json()
        member = str(body.get("touser", ""))
        if world.visible is not None and member not in world.visible:
            return web.json_response({"errcode": 81013, "errmsg": "user not in app visible range"})
        now, recent = time.monotonic(), world._recent[member]
        while recent and now - recent[0] > world.rate_window_seconds:
            recent.popleft()
        if len(recent) >= world.per_member_per_minute:
            return web.json_response({"errcode": 45009, "errmsg": "api freq out of limit"})
        recent.append(now)
        world.sent.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": f"MSG{len(world.sent)}"})

    async def _upload(self, request: web.Request) -> web.Response:
        problem = self.world._token_error(request.query.get("access_token", ""))
        if problem is not None:
            return web.json_response(problem)
        form = await request.post()
        upload = form.get("media")
        if not isinstance(upload, web.FileField):
            return web.json_response({"errcode": 41001, "errmsg": "media missing"})
        media_id = self.world.add_media(
            upload.file.read(), upload.content_type, upload.filename or "file"
        )
        return web.json_response({"errcode": 0, "errmsg": "ok", "media_id": media_id,
                                  "type": request.query.get("type", "file")})  # fmt: skip

    async def _media_get(self, request: web.Request) -> web.Response:
        problem = self.world._token_error(request.query.get("access_token", ""))
        if problem is not None:
            return web.json_response(problem)
        found = self.world.media.get(request.query.get("media_id", ""))
        if found is None:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        data, content_type, name = found
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return web.Response(body=data, content_type=content_type, headers=headers)
