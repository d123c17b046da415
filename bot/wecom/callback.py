"""The WeCom callback endpoint (aiohttp): URL verification and encrypted message POSTs.

GET  ?msg_signature&timestamp&nonce&echostr — verify, decrypt echostr, answer it in plain text.
POST ?msg_signature&timestamp&nonce, XML body — verify, decrypt, parse; answer an empty 200
at once (WeCom waits 5 s, then retries) and handle the message in the background. A retry of
something already received (same MsgId, or same sender and time for events) is acknowledged
and dropped. Anything that fails a check gets 403 and is logged with the reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.deps import Deps
from bot.wecom.crypto import WeComCrypto, WeComCryptoError
from bot.wecom.messages import Incoming, envelope, incoming
from storage.models import Transport
from storage.repo_updates import mark_processed, was_processed

log = logging.getLogger(__name__)
WECOM = Transport.WECOM.value
MAX_BODY_BYTES = 256 * 1024

Handler = Callable[[Incoming], Awaitable[None]]


class CallbackReceiver:
    def __init__(self, deps: Deps, crypto: WeComCrypto, handle: Handler) -> None:
        self.deps = deps
        self.crypto = crypto
        self.handle = handle
        self._tasks: set[asyncio.Task[None]] = set()

    def routes(self, path: str) -> list[web.RouteDef]:
        return [web.get(path, self.verify_url), web.post(path, self.receive)]

    async def verify_url(self, request: web.Request) -> web.Response:
        """The console's 'save' of the callback URL: prove we hold the token and key."""
        query = request.query
        try:
            echo = self.crypto.decrypt(
                query.get("msg_signature", ""), query.get("timestamp", ""),
                query.get("nonce", ""), query.get("echostr", ""),
            )  # fmt: skip
        except WeComCryptoError as exc:
            log.warning("WeCom URL verification refused: %s", exc.reason)
            raise web.HTTPForbidden from exc
        return web.Response(text=echo.decode())

    async def receive(self, request: web.Request) -> web.Response:
        query = request.query
        body = await request.content.read(MAX_BODY_BYTES + 1)
        try:
            if len(body) > MAX_BODY_BYTES:
                raise WeComCryptoError("body too large")
            plain = self.crypto.decrypt(
                query.get("msg_signature", ""), query.get("timestamp", ""),
                query.get("nonce", ""), envelope(body),
            )  # fmt: skip
            message = incoming(plain)
        except WeComCryptoError as exc:
            log.warning("WeCom callback refused: %s", exc.reason)
            raise web.HTTPForbidden from exc
        if self._first_time(message):
            task = asyncio.create_task(self._handle(message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            log.info("WeCom retry of %s dropped: already received", message.dedupe_key)
        return web.Response(text="")

    def _first_time(self, message: Incoming) -> bool:
        """Record the message on receipt (we have already answered 200, so WeCom will not send
        it again unless that answer was lost); if the database cannot say, handle it."""
        key = message.dedupe_key
        try:
            with self.deps.db.session() as session:
                if was_processed(session=session, transport=WECOM, key=key):
                    return False
                mark_processed(db=session, transport=WECOM, key=key, at=self.deps.clock.now())
        except SQLAlchemyError:
            log.warning("could not record WeCom message %s", key, exc_info=True)
        return True

    async def _handle(self, message: Incoming) -> None:
        try:
            await self.handle(message)
        except Exception:
            log.exception("WeCom message %s from %s failed", message.dedupe_key, message.from_user)

    async def drain(self) -> None:
        """Wait for messages still being handled (shutdown, tests)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def callback_app(receiver: CallbackReceiver, path: str) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.add_routes(receiver.routes(path))
    return app
