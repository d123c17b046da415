"""HTTP face of the fake Telegram: Bot API routes, file downloads, webhook pushes, control API.

Routes (``{token}`` must equal the world's token, as with Telegram, or the answer is 401):

- ``/bot{token}/{method}``          Bot API methods, form, multipart or JSON parameters
- ``/file/bot{token}/{file_path}``  file downloads after getFile
- ``/_control/...``                 act as a user from another process, read what the bot sent
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import ssl
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

from bot.fakes.telegram.world import ApiError, FakeTelegram

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 60 * 1024 * 1024
LONG_POLL_CAP_SECONDS = 50.0
Handler = Callable[["Params"], Awaitable[Any]]


class Params:
    """Bot API parameters as python-telegram-bot sends them (JSON-encoded complex values)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None else str(value)

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise ApiError(400, f"Bad Request: {name} is required")
        return value

    def integer(self, name: str) -> int:
        try:
            return int(self.required_text(name))
        except ValueError:
            raise ApiError(400, f"Bad Request: {name} must be an integer") from None

    def decoded(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
        return value

    def flag(self, name: str) -> bool:
        return str(self.values.get(name, "")).lower() in {"true", "1"}

    def upload(self, name: str, world: FakeTelegram) -> tuple[bytes, str]:
        """The bytes of an uploaded file (a multipart part or ``attach://``) or a known file_id."""
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.values.get(value.removeprefix("attach://"))
        if isinstance(value, web.FileField):
            return value.file.read(), value.filename or name
        if isinstance(value, str):
            try:
                return world.file_bytes(value), name
            except KeyError:
                raise ApiError(
                    400, "Bad Request: wrong file identifier/HTTP URL specified"
                ) from None
        raise ApiError(400, f"Bad Request: there is no {name} in the request")


class FakeTelegramServer:
    """Serves a :class:`FakeTelegram` world on 127.0.0.1 (a free port unless one is given)."""

    def __init__(
        self, world: FakeTelegram, *, long_poll_cap: float = LONG_POLL_CAP_SECONDS,
        latency: float = 0.0,
    ) -> None:  # fmt: skip
        """``long_poll_cap`` ends idle getUpdates calls early (Telegram may too), so a
        stopping bot is not kept waiting for its last long poll. ``latency`` delays every
        answer by that many seconds, as the network to Telegram's servers does (benchmarks)."""
        self.world = world
        self.long_poll_cap = long_poll_cap
        self.latency = latency
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self.url = ""
        self._methods: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendmediagroup": self._send_media_group,
            "getfile": self._get_file,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendchataction": self._true,
            "deletemessage": self._true,
            "close": self._true,
            "logout": self._true,
        }

    @property
    def api_base_url(self) -> str:
        """What ``TELEGRAM_API_BASE_URL`` must be set to."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        """What ``TELEGRAM_FILE_BASE_URL`` must be set to."""
        return f"{self.url}/file/bot"

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, ssl_context: ssl.SSLContext | None = None
    ) -> str:
        """Listen (over TLS with ``ssl_context``, as Telegram does, for proxy tests)."""
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        _add_control_routes(app, self.world)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, ssl_context=ssl_context)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"{'https' if ssl_context else 'http'}://{bound_host}:{bound_port}"
        return self.url

    async def stop(self) -> None:
        await self._stop_webhook()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegramServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ dispatch

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.world.token:
            return _error(ApiError(401, "Unauthorized"))
        name = request.match_info["method"].lower()
        self.world.record_call(name)
        handler = self._methods.get(name)
        if handler is None:
            return _error(ApiError(404, "Not Found"))
        params = Params(await _read_params(request))
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            result = await handler(params)
        except ApiError as exc:
            return _error(exc)
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.world.token:
            return web.Response(status=401)
        data = self.world.file_by_path(request.match_info["path"])
        return web.Response(status=404) if data is None else web.Response(body=data)

    # ---------------------------------------------------------------- methods

    async def _true(self, _params: Params) -> bool:
        return True

    async def _get_me(self, _params: Params) -> dict[str, Any]:
        return self.world.get_me()

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        if self.world.webhook_url is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        if params.text("offset"):
            self.world.confirm_updates(params.integer("offset"))
        limit = params.integer("limit") if params.text("limit") else 100
        timeout = float(params.text("timeout") or 0)
        if not self.world.pending_updates(limit) and timeout > 0:
            await self.world.wait_for_updates(min(timeout, self.long_poll_cap))
        return self.world.pending_updates(limit)

    async def _set_webhook(self, params: Params) -> bool:
        await self._stop_webhook()
        self.world.webhook_url = params.required_text("url")
        self.world.webhook_secret = params.text("secret_token")
        if params.flag("drop_pending_updates"):
            self.world.confirm_updates(10**12)
        self._webhook_task = asyncio.create_task(self._push_updates())
        return True

    async def _delete_webhook(self, params: Params) -> bool:
        await self._stop_webhook()
        if params.flag("drop_pending_updates"):
            self.world.confirm_updates(10**12)
        return True

    async def _get_webhook_info(self, _params: Params) -> dict[str, Any]:
        return {
            "url": self.world.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.pending_updates()),
        }

    async def _send_message(self, params: Params) -> dict[str, Any]:
        return self.world.send_message(
            params.integer("chat_id"),
            params.required_text("text"),
            parse_mode=params.text("parse_mode"),
            reply_markup=params.decoded("reply_markup"),
        )

    async def _edit_message_text(self, params: Params) -> dict[str, Any]:
        return self.world.edit_message(
            params.integer("chat_id"),
            params.integer("message_id"),
            text=params.required_text("text"),
            parse_mode=params.text("parse_mode"),
            reply_markup=params.decoded("reply_markup"),
        )

    async def _edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        return self.world.edit_message(
            params.integer("chat_id"),
            params.integer("message_id"),
            text=None,
            parse_mode=None,
            reply_markup=params.decoded("reply_markup"),
        )

    async def _answer_callback_query(self, params: Params) -> bool:
        self.world.answer_callback_query(
            params.required_text("callback_query_id"),
            params.text("text"),
            params.flag("show_alert"),
        )
        return True

    async def _send_photo(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "photo")

    async def _send_document(self, params: Params) -> dict[str, Any]:
        return await self._send_media(params, "document")

    async def _send_media(self, params: Params, kind: str) -> dict[str, Any]:
        data, file_name = params.upload(kind, self.world)
        return self.world.send_media(
            params.integer("chat_id"),
            kind,
            data,
            file_name=file_name,
            caption=params.text("caption"),
            parse_mode=params.text("parse_mode"),
            reply_markup=params.decoded("reply_markup"),
        )

    async def _send_media_group(self, params: Params) -> list[dict[str, Any]]:
        chat_id = params.integer("chat_id")
        media = params.decoded("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: media must include 2-10 items")
        self.world.admit_group(chat_id)
        sent = []
        for item in media:
            data, file_name = Params({**params.values, "media": item["media"]}).upload(
                "media", self.world
            )
            sent.append(
                self.world.send_media(
                    chat_id,
                    item["type"],
                    data,
                    file_name=file_name,
                    caption=item.get("caption"),
                    parse_mode=item.get("parse_mode"),
                    admit=False,
                )
            )
        return sent

    async def _get_file(self, params: Params) -> dict[str, Any]:
        return self.world.get_file(params.required_text("file_id"))

    async def _set_my_commands(self, params: Params) -> bool:
        self.world.commands[params.text("language_code") or ""] = params.decoded("commands")
        return True

    async def _get_my_commands(self, params: Params) -> list[dict[str, str]]:
        return self.world.commands.get(params.text("language_code") or "", [])

    async def _delete_my_commands(self, params: Params) -> bool:
        self.world.commands.pop(params.text("language_code") or "", None)
        return True

    # ------------------------------------------------------------------ webhook

    async def _push_updates(self) -> None:
        """Deliver updates to the webhook one at a time, retrying until it answers 2xx."""
        headers = {}
        if self.world.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.world.webhook_secret
        async with aiohttp.ClientSession() as session:
            while self.world.webhook_url:
                update = self.world.take_update()
                if update is None:
                    await self.world.wait_for_updates(1.0)
                    continue
                try:
                    async with session.post(
                        self.world.webhook_url, json=update, headers=headers
                    ) as response:
                        delivered = response.status < 300
                except aiohttp.ClientError:
                    delivered = False
                if not delivered:
                    self.world.requeue(update)
                    await asyncio.sleep(0.2)

    async def _stop_webhook(self) -> None:
        self.world.webhook_url = None
        self.world.webhook_secret = None
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None


async def _read_params(request: web.Request) -> dict[str, Any]:
    values: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        values.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
    elif request.can_read_body:
        values.update(await request.post())
    return values


def _error(exc: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.parameters:
        body["parameters"] = exc.parameters
    return web.json_response(body, status=exc.code)


# ---------------------------------------------------------------------- control API


def _add_control_routes(app: web.Application, world: FakeTelegram) -> None:
    """JSON routes for acting as users from another process (e.g. a bot run as a subprocess)."""

    def user_from(request: web.Request, body: Mapping[str, Any]) -> Any:
        user_id = int(request.match_info["user_id"])
        return world.user(user_id, str(body.get("first_name") or f"User{user_id}"))

    async def text(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response(world.send_text(user_from(request, body), str(body["text"])))

    async def photo(request: web.Request) -> web.Response:
        body = await request.json()
        message = world.send_photo(
            user_from(request, body),
            base64.b64decode(body["data_b64"]),
            caption=body.get("caption"),
            media_group_id=body.get("media_group_id"),
        )
        return web.json_response(message)

    async def document(request: web.Request) -> web.Response:
        body = await request.json()
        message = world.send_document(
            user_from(request, body),
            base64.b64decode(body["data_b64"]),
            file_name=str(body["file_name"]),
            mime_type=str(body["mime_type"]),
            caption=body.get("caption"),
        )
        return web.json_response(message)

    async def press(request: web.Request) -> web.Response:
        body = await request.json()
        user = user_from(request, body)
        message = next(
            m for m in world.messages_to(user.id) if m.message_id == int(body["message_id"])
        )
        query = world.press_button(user, message, text=body.get("text"), data=body.get("data"))
        return web.json_response(query)

    async def messages(request: web.Request) -> web.Response:
        chat_id = int(request.match_info["chat_id"])
        return web.json_response(  # a reply keyboard is not in the Bot API's echo: added here
            [{**m.raw, **({"reply_keyboard": m.reply_keyboard} if m.reply_keyboard else {})}
             for m in world.messages_to(chat_id)]
        )  # fmt: skip

    app.router.add_post("/_control/users/{user_id}/text", text)
    app.router.add_post("/_control/users/{user_id}/photo", photo)
    app.router.add_post("/_control/users/{user_id}/document", document)
    app.router.add_post("/_control/users/{user_id}/press", press)
    app.router.add_get("/_control/chats/{chat_id}/messages", messages)
