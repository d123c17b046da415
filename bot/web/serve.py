"""Serving the console beside the bot, in the bot's own event loop (one of ``bot.serve``'s
starters: its port is checked, and a failure is one line naming WEB_PORT)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.deps import Deps
from bot.health import health_routes
from bot.scheduler import Dispatcher
from bot.sites import Listener, listening
from bot.web.app import MaskedAccessLogger, build_web_app

log = logging.getLogger(__name__)


@asynccontextmanager
async def running_console(
    deps: Deps, dispatcher: Dispatcher | None
) -> AsyncIterator[web.Application]:
    """The console (with ``/healthz``) listening on WEB_LISTEN:WEB_PORT while the block runs."""
    settings = deps.settings
    app = build_web_app(deps, dispatcher=dispatcher)
    app.add_routes(health_routes(deps))
    where = Listener(settings.web_listen, settings.web_port, "WEB_PORT", "WEB_LISTEN")
    async with listening(app, where, access_log=MaskedAccessLogger):
        log.info(
            "web console on %s:%d, links point at %s", settings.web_listen, settings.web_port,
            settings.web_base_url,
        )  # fmt: skip
        yield app
