"""Serving the console beside the bot, in the bot's own event loop."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.deps import Deps
from bot.scheduler import Dispatcher
from bot.web.app import MaskedAccessLogger, build_web_app

log = logging.getLogger(__name__)


@asynccontextmanager
async def running_console(
    deps: Deps, dispatcher: Dispatcher | None
) -> AsyncIterator[web.Application | None]:
    """The console listening on WEB_LISTEN:WEB_PORT while the block runs (nothing, and None,
    when WEB_PORT is unset or 0)."""
    settings = deps.settings
    if not settings.web_enabled:
        yield None
        return
    app = build_web_app(deps, dispatcher=dispatcher)
    runner = web.AppRunner(app, access_log_class=MaskedAccessLogger)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.web_listen, settings.web_port).start()
        log.info(
            "web console on %s:%d, links point at %s", settings.web_listen, settings.web_port,
            settings.web_base_url,
        )  # fmt: skip
        yield app
    finally:
        await runner.cleanup()
