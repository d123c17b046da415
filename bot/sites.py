"""The ports the bot listens on, each an aiohttp application with ``/healthz`` beside its own
routes: the Telegram webhook (``WEBHOOK_LISTEN:WEBHOOK_PORT``), the WeCom callback
(``WECOM_CALLBACK_LISTEN:WECOM_CALLBACK_PORT``) — and whatever else serves HTTP later gets
its own ``Listener`` the same way.

A port that cannot be opened (in use, not allowed, an address this server does not have)
becomes a ``StartupError`` naming the setting, not an OSError traceback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_log import AccessLogger

from bot.deps import Deps
from bot.errors import StartupError
from bot.health import PATH as HEALTH_PATH
from bot.health import health_routes
from bot.startup import port_problem

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Listener:
    """Where one aiohttp application listens, and the settings that say so (for errors)."""

    host: str
    port: int
    port_setting: str  # e.g. WECOM_CALLBACK_PORT
    listen_setting: str  # e.g. WECOM_CALLBACK_LISTEN


class QuietAccessLogger(AccessLogger):
    """aiohttp's access log, without a line for every health check."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if request.path != HEALTH_PATH:
            super().log(request, response, time)


def application(
    routes: Sequence[web.RouteDef], deps: Deps, *, client_max_size: int = 1024**2
) -> web.Application:
    """An aiohttp application with ``routes`` and ``/healthz``."""
    app = web.Application(client_max_size=client_max_size)
    app.add_routes([*routes, *health_routes(deps)])
    return app


@asynccontextmanager
async def listening(
    app: web.Application,
    where: Listener,
    *,
    access_log: type[AbstractAccessLogger] = QuietAccessLogger,
) -> AsyncIterator[web.AppRunner]:
    """Serve ``app`` at ``where`` until the block ends."""
    runner = web.AppRunner(app, access_log_class=access_log)
    await runner.setup()
    try:
        await web.TCPSite(runner, where.host, where.port).start()
    except OSError as exc:
        await runner.cleanup()
        raise StartupError(
            port_problem(where.port_setting, where.listen_setting, where.host, where.port, exc)
        ) from None
    try:
        yield runner
    finally:
        await runner.cleanup()
