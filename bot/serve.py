"""Serving WeCom (alone, or beside Telegram) in one event loop until SIGINT/SIGTERM.

Telegram alone runs through ``Application.run_polling``/``run_webhook`` (``bot.app``). With
WeCom, this module owns the loop: the callback endpoint (aiohttp), the API client, the chat
adapter, and the schedule — through PTB's job queue when Telegram runs too (one dispatcher
with both channels), or through a plain periodic task when WeCom runs alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from bot.app import Webhook, create_app, running_application
from bot.broadcast import Outcome
from bot.config import Settings
from bot.deps import Deps
from bot.scheduler import Channel, Dispatcher
from bot.wecom.callback import CallbackReceiver, callback_app
from bot.wecom.client import WeComClient
from bot.wecom.crypto import WeComCrypto
from handlers.wecom import WeComAdapter
from storage.models import Transport

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WeComService:
    adapter: WeComAdapter
    receiver: CallbackReceiver
    channel: Channel


def _secret(value: object) -> str:
    getter = getattr(value, "get_secret_value", None)
    return str(getter() if getter else value)


@asynccontextmanager
async def running_wecom(deps: Deps) -> AsyncIterator[WeComService]:
    """The callback endpoint listening, and the client and adapter behind it."""
    settings = deps.settings
    crypto = WeComCrypto(
        _secret(settings.wecom_token), _secret(settings.wecom_encoding_aes_key),
        settings.wecom_corp_id,
    )  # fmt: skip
    async with aiohttp.ClientSession() as http:
        client = WeComClient(
            base_url=settings.wecom_api_base_url, corp_id=settings.wecom_corp_id,
            agent_id=settings.wecom_agent_id, secret=_secret(settings.wecom_secret), session=http,
        )  # fmt: skip
        adapter = WeComAdapter(deps, client, settings.wecom_admin_userids)
        receiver = CallbackReceiver(deps, crypto, adapter.handle)
        runner = web.AppRunner(callback_app(receiver, settings.wecom_callback_path))
        await runner.setup()
        await web.TCPSite(
            runner, settings.wecom_callback_listen, settings.wecom_callback_port
        ).start()
        log.info(
            "WeCom callback listening on %s:%d%s", settings.wecom_callback_listen,
            settings.wecom_callback_port, settings.wecom_callback_path,
        )  # fmt: skip
        try:
            yield WeComService(adapter, receiver, adapter.channel)
        finally:
            await receiver.drain()
            await runner.cleanup()


async def serve(settings: Settings) -> None:
    """Run WeCom (and Telegram, with TRANSPORT=both) until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    deps = Deps.from_settings(settings)
    async with running_wecom(deps) as wecom:
        if settings.uses_telegram:
            application = create_app(settings, deps=deps)
            async with running_application(application, webhook=_webhook(settings)):
                dispatcher = application.bot_data.dispatcher
                assert dispatcher is not None
                dispatcher.channels[Transport.WECOM] = wecom.channel
                wecom.adapter.dispatcher = dispatcher  # notices and 催报 reach both platforms
                await stop.wait()
        else:
            dispatcher = wecom.adapter.dispatcher
            ticking = asyncio.create_task(_tick_forever(dispatcher, settings))
            async with _web_console(deps, dispatcher):  # with Telegram: started in post_init
                await stop.wait()
            ticking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticking
            deps.close()


def _web_console(deps: Deps, dispatcher: Dispatcher) -> AbstractAsyncContextManager[object]:
    """The web console (bot.web) when WEB_PORT is set; imported only then."""
    if not deps.settings.web_enabled:
        return contextlib.nullcontext()
    from bot.web.serve import running_console

    return running_console(deps, dispatcher)


def _webhook(settings: Settings) -> Webhook | None:
    if not settings.webhook_mode or settings.webhook_url is None:
        return None
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    return Webhook(
        port=settings.webhook_port, url=settings.webhook_url, secret=secret,
        listen=settings.webhook_listen, path=settings.webhook_path,
    )  # fmt: skip


async def _tick_forever(dispatcher: Dispatcher, settings: Settings) -> None:
    """WeCom alone has no PTB job queue: the same tick, on a plain timer."""
    if not settings.reminder_tick_seconds:
        return
    while True:
        try:
            report = await dispatcher.tick()
            if report.claimed:
                log.info(
                    "scheduled messages: %d sent, %d blocked, %d failed",
                    report.count(Outcome.SENT), report.count(Outcome.BLOCKED),
                    report.count(Outcome.FAILED),
                )  # fmt: skip
        except Exception:
            log.exception("scheduled messages: tick failed; the next tick retries")
        await asyncio.sleep(settings.reminder_tick_seconds)
