"""A fake WeCom API on 127.0.0.1: gettoken, message/send (text, file, image, template
cards), message/update_template_card, media/upload, media/get.

It behaves the way the real one does where it matters to us: tokens expire (42001) and are
checked (40014); each member may get at most ``per_member_per_minute`` messages a minute and
beyond that the message is dropped silently, answered "ok" like the real one (it lands in
``dropped``, where a test can see it; ``over_limit="error"`` answers 45009 instead, the code of
WeCom's app-wide limits); a member outside the app's visible range gets 81013; a card must be
a valid button_interaction card (unique task_id, 1–6 buttons) and its answer carries a
response_code, which — like the one a click brings — updates the card once; media/get answers
JSON on an unknown media_id; ``fail_next`` makes the next call answer any errcode (60020 …).

Duplicates as WeCom treats them: a message/send with ``enable_duplicate_check: 1`` whose request
JSON repeats one delivered to the member less than ``duplicate_check_interval`` seconds (1800
unless given) before is answered "ok" and not delivered (it lands in ``duplicates``). Its time
is ``clock``'s, so a test moves it on instead of waiting. ``late_answers`` delivers the next
message/send but answers only after that many (real) seconds: a timeout whose message arrived.
gettoken answers 40013 for a wrong corp id, 40001 for a wrong Secret and, with
``trusted_ips`` set, 60020 to any other caller, each as WeCom words it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

DUPLICATE_CHECK_DEFAULT = 1800.0  # seconds, when a send asks for the check without an interval


@dataclass
class FakeWeCom:
    corp_id: str = "ww-fake-corp"
    secret: str = "fake-secret"
    token_lifetime: int = 7200
    per_member_per_minute: int = 30
    rate_window_seconds: float = 60.0  # tests shorten "a minute"
    over_limit: str = "drop"  # or "error": answer 45009
    visible: set[str] | None = None  # None: every member can be reached
    sent: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    card_updates: list[dict[str, Any]] = field(default_factory=list)
    response_codes: dict[str, str] = field(default_factory=dict)  # code: the card's task_id
    token_requests: int = 0
    media: dict[str, tuple[bytes, str, str]] = field(default_factory=dict)  # id: data, type, name
    fail_next: list[int] = field(default_factory=list)
    late_answers: list[float] = field(default_factory=list)  # seconds, one per message/send
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # accepted, not delivered
    clock: Callable[[], float] = time.monotonic  # seconds: tokens, rate and duplicate windows
    _delivered_at: dict[str, float] = field(default_factory=dict)  # request JSON: last delivery
    trusted_ips: set[str] | None = None  # None: any caller; else others get 60020
    _tokens: dict[str, float] = field(default_factory=dict)
    _recent: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def expire_tokens(self) -> None:
        self._tokens.clear()

    def messages_to(self, userid: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m.get("touser") == userid]

    def cards_to(self, userid: str) -> list[dict[str, Any]]:
        return [m["template_card"] for m in self.messages_to(userid) if "template_card" in m]

    def click(self, userid: str, key: str) -> dict[str, str]:
        """The member taps the button ``key`` on the latest card showing it: the callback's
        event fields, with a fresh response_code (as WeCom sends with every click)."""
        for card in reversed(self.cards_to(userid)):
            if any(button["key"] == key for button in card["button_list"]):
                code = f"RC{next(self._ids)}"
                self.response_codes[code] = card["task_id"]
                return {"Event": "template_card_event", "EventKey": key,
                        "TaskId": card["task_id"], "CardType": card["card_type"],
                        "ResponseCode": code}  # fmt: skip
        raise AssertionError(f"no card for {userid} shows a button {key!r}")

    def add_media(self, data: bytes, content_type: str, name: str) -> str:
        media_id = f"MEDIA{next(self._ids)}"
        self.media[media_id] = (data, content_type, name)
        return media_id

    def _token_error(self, token: str) -> dict[str, Any] | None:
        if token not in self._tokens:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        if self._tokens[token] < self.clock():
            return {"errcode": 42001, "errmsg": "access_token expired"}
        return None


class FakeWeComServer:
    def __init__(
        self, world: FakeWeCom, *, host: str = "127.0.0.1", port: int = 0,
        extra_routes: Sequence[web.RouteDef] = (),
    ) -> None:  # fmt: skip
        """``extra_routes``: more routes on the same server (``python -m bot.fakes.wecom``
        adds its control routes for acting as members)."""
        self.world = world
        self.host, self.port, self.extra_routes = host, port, extra_routes
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> FakeWeComServer:
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.add_routes(self.extra_routes)
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._send)
        app.router.add_post("/cgi-bin/message/update_template_card", self._update_card)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            raise
        port = self._runner.addresses[0][1]
        self.base_url = f"http://{self.host}:{port}"
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
        caller = request.remote or ""
        if world.trusted_ips is not None and caller not in world.trusted_ips:
            return web.json_response({"errcode": 60020, "errmsg": (
                "not allow to access from your ip, hint: [1700000000000000001], from ip: "
                f"{caller}, more info at https://open.work.weixin.qq.com/devtool/query?e=60020"
            )})  # fmt: skip
        if query.get("corpid") != world.corp_id:
            return web.json_response({"errcode": 40013, "errmsg": "invalid corpid"})
        if query.get("corpsecret") != world.secret:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        token = f"TOKEN{next(world._ids)}"
        world._tokens[token] = world.clock() + world.token_lifetime
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
        now, recent = world.clock(), world._recent[member]
        content = _content(body)
        if body.get("enable_duplicate_check") == 1:
            interval = float(body.get("duplicate_check_interval", DUPLICATE_CHECK_DEFAULT))
            last = world._delivered_at.get(content)
            if last is not None and now - last < interval:
                world.duplicates.append(body)  # WeCom's rule: "ok", and nothing arrives again
                return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": "DUPLICATE"})
        while recent and now - recent[0] > world.rate_window_seconds:
            recent.popleft()
        if len(recent) >= world.per_member_per_minute:
            if world.over_limit == "error":
                return web.json_response({"errcode": 45009, "errmsg": "api freq out of limit"})
            world.dropped.append(body)  # what the real WeCom does: "ok", and nothing arrives
            return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": "DROPPED"})
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
        if body.get("msgtype") == "template_card":
            refused = self._card_problem(body.get("template_card") or {})
            if refused:
                return web.json_response({"errcode": 40058, "errmsg": refused})
            code = f"RC{next(world._ids)}"
            world.response_codes[code] = body["template_card"]["task_id"]
            answer["response_code"] = code
        recent.append(now)
        world.sent.append(body)
        world._delivered_at[content] = now
        if world.late_answers:
            await asyncio.sleep(world.late_answers.pop(0))
        return web.json_response({**answer, "msgid": f"MSG{len(world.sent)}"})

    def _card_problem(self, card: dict[str, Any]) -> str:
        """What WeCom would refuse in a button_interaction card (empty: nothing)."""
        task_id = str(card.get("task_id", ""))
        buttons = card.get("button_list") or []
        if card.get("card_type") != "button_interaction":
            return "card_type: only button_interaction is faked"
        if not re.fullmatch(r"[A-Za-z0-9_\-@]{1,128}", task_id):
            return "invalid task_id"
        if any(c["task_id"] == task_id for m in self.world.sent if (c := m.get("template_card"))):
            return "task_id exists"
        if not (card.get("main_title") or {}).get("title"):
            return "main_title.title missing"
        if not 1 <= len(buttons) <= 6:
            return "button_list: 1 to 6 buttons"
        if any(not b.get("text") or len(str(b.get("key", "")).encode()) > 1024 for b in buttons):
            return "button text or key invalid"
        return ""

    async def _update_card(self, request: web.Request) -> web.Response:
        world = self.world
        problem = world._token_error(request.query.get("access_token", ""))
        if problem is not None:
            return web.json_response(problem)
        body: dict[str, Any] = await request.json()
        if world.response_codes.pop(str(body.get("response_code", "")), None) is None:
            return web.json_response({"errcode": 40058, "errmsg": "invalid response_code"})
        world.card_updates.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

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


def _content(body: dict[str, Any]) -> str:
    """What WeCom compares for a duplicate: the request JSON, less the check's own fields."""
    compared = {k: v for k, v in body.items()
                if k not in ("enable_duplicate_check", "duplicate_check_interval")}  # fmt: skip
    return json.dumps(compared, sort_keys=True, ensure_ascii=False)
