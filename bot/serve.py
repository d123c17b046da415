"""``liaison-bot run``: serve every transport ``TRANSPORT`` names until SIGINT/SIGTERM.

Each transport starts by proving it can work before anything is served: Telegram asks getMe
(the token, the network, the proxy), WeCom asks gettoken (corp id, Secret, trusted IP), and
each opens its port (``bot.sites``, with ``/healthz``). A failure is a ``StartupError``: one
line naming the setting. With one transport that ends the run (exit status 1); with
``TRANSPORT=both`` the other one serves and the failed one is tried again in the background,
5 s, 10 s, 20 s … up to every 5 minutes, until it starts — liaisons on WeCom are not left
without the bot because Telegram is unreachable from the office's network.

One ``Dispatcher`` knows every running transport, so notices and 催报 reach people on either
platform. The schedule's tick runs on Telegram's job queue when Telegram runs alone, and on a
plain timer (``bot.ticker``) otherwise, so it never waits for a transport that is retrying.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.config import Settings
from bot.deps import Deps
from bot.errors import StartupError
from bot.scheduler import Channel, Dispatcher
from bot.startup import telegram_problem
from bot.ticker import tick_forever
from storage.models import Transport

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 10.0  # getUpdates long poll, as PTB's run_polling
RETRY_FIRST_SECONDS = 5.0
RETRY_MAX_SECONDS = 300.0
WECOM_CHECK_SECONDS = 15.0
RUNNING = "running"
WEB = "web"

Starter = Callable[[], AbstractAsyncContextManager[Any]]


@dataclass(frozen=True, slots=True)
class WeComService:
    adapter: Any  # handlers.wecom.WeComAdapter (imported with aiohttp, only when used)
    receiver: Any  # bot.wecom.callback.CallbackReceiver
    channel: Channel


def _secret(value: object) -> str:
    getter = getattr(value, "get_secret_value", None)
    return str(getter() if getter else value)


@asynccontextmanager
async def running_wecom(
    deps: Deps, dispatcher: Dispatcher | None = None
) -> AsyncIterator[WeComService]:
    """WeCom's credentials checked (gettoken), then the callback endpoint listening, with the
    client and adapter behind it; ``dispatcher`` (shared with Telegram) learns the channel."""
    import aiohttp

    from bot.sites import Listener, application, listening
    from bot.startup import wecom_problem
    from bot.wecom.callback import MAX_BODY_BYTES, CallbackReceiver
    from bot.wecom.client import WeComClient, WeComError
    from bot.wecom.crypto import WeComCrypto
    from handlers.wecom import WeComAdapter

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
        try:
            async with asyncio.timeout(WECOM_CHECK_SECONDS):
                await client.access_token()
        except (WeComError, aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            raise StartupError(wecom_problem(settings, exc)) from None
        adapter = WeComAdapter(deps, client, settings.wecom_admin_userids)
        receiver = CallbackReceiver(deps, crypto, adapter.handle)
        app = application(
            receiver.routes(settings.wecom_callback_path), deps, client_max_size=MAX_BODY_BYTES
        )
        where = Listener(
            settings.wecom_callback_listen, settings.wecom_callback_port,
            "WECOM_CALLBACK_PORT", "WECOM_CALLBACK_LISTEN",
        )  # fmt: skip
        async with listening(app, where):
            log.info(
                "WeCom callback listening on %s:%d%s", settings.wecom_callback_listen,
                settings.wecom_callback_port, settings.wecom_callback_path,
            )  # fmt: skip
            if dispatcher is not None:
                dispatcher.start_channel(Transport.WECOM, adapter.channel)
                adapter.dispatcher = dispatcher  # notices and 催报 reach both platforms
            try:
                yield WeComService(adapter, receiver, adapter.channel)
            finally:
                if dispatcher is not None:
                    dispatcher.stop_channel(Transport.WECOM)
                await receiver.drain()


@asynccontextmanager
async def running_telegram(deps: Deps, dispatcher: Dispatcher, *, tick: bool) -> AsyncIterator[Any]:
    """The Telegram application started (getMe, commands, polling or the webhook), or a
    StartupError saying why not."""
    from telegram.error import TelegramError

    from bot.app import create_app, running_application

    settings = deps.settings
    application = create_app(settings, deps=deps, dispatcher=dispatcher, tick=tick)
    started = False
    try:
        async with running_application(
            application, poll_timeout=POLL_TIMEOUT_SECONDS, webhook=_webhook(settings)
        ) as running:
            started = True
            yield running
    except TelegramError as exc:
        if started:
            raise
        raise StartupError(telegram_problem(settings, exc)) from None


def _console(deps: Deps, dispatcher: Dispatcher) -> AbstractAsyncContextManager[Any]:
    from bot.web.serve import running_console  # aiohttp and the pages: only when enabled

    return running_console(deps, dispatcher)


def _webhook(settings: Settings) -> Any:
    from bot.app import Webhook

    if not settings.webhook_mode or settings.webhook_url is None:
        return None
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    return Webhook(
        port=settings.webhook_port, url=settings.webhook_url, secret=secret,
        listen=settings.webhook_listen, path=settings.webhook_path,
    )  # fmt: skip


async def serve(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM; raise StartupError if nothing could start."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    deps = Deps.from_settings(settings)
    dispatcher = Dispatcher(deps, {})
    starters: dict[str, Starter] = {}
    if settings.uses_telegram:
        alone = not settings.uses_wecom  # then Telegram's job queue drives the schedule

        def telegram() -> AbstractAsyncContextManager[Any]:
            return running_telegram(deps, dispatcher, tick=alone)

        starters[Transport.TELEGRAM.value] = telegram
    if settings.uses_wecom:
        starters[Transport.WECOM.value] = lambda: running_wecom(deps, dispatcher)
    if settings.web_enabled:  # the office's web console (bot.web), on its own port
        starters[WEB] = lambda: _console(deps, dispatcher)
    # Every service is started, checked and retried the same way; only chat transports are
    # waited for by the dispatcher.
    dispatcher.waiting_for.update(Transport(name) for name in starters if name in set(Transport))
    try:
        await _serve_until(stop, starters, dispatcher, ticker=settings.uses_wecom)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        deps.close()


async def _serve_until(
    stop: asyncio.Event, starters: dict[str, Starter], dispatcher: Dispatcher, *, ticker: bool
) -> None:
    deps = dispatcher.deps
    loop = asyncio.get_running_loop()
    ready = {name: loop.create_future() for name in starters}
    tasks = [
        asyncio.create_task(_hold(name, start, stop, ready[name], deps))
        for name, start in starters.items()
    ]
    await asyncio.wait(ready.values())
    failed = {name: error for name, f in ready.items() if (error := f.exception()) is not None}
    unexpected = [error for error in failed.values() if not isinstance(error, StartupError)]
    chats = {name for name in starters if name != WEB}
    if unexpected or chats <= failed.keys():  # the console alone is no bot: stop and say why
        stop.set()
        await asyncio.gather(*tasks)
        raise unexpected[0] if unexpected else StartupError("; ".join(map(str, failed.values())))
    for name, error in failed.items():
        log.warning("%s cannot start: %s; trying again in the background", name, error)
        tasks.append(asyncio.create_task(_retry(name, starters[name], stop, deps, str(error))))
    ticking = asyncio.create_task(tick_forever(dispatcher)) if ticker else None
    await stop.wait()
    if ticking is not None:
        ticking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticking
    await asyncio.gather(*tasks)


async def _hold(
    name: str, start: Starter, stop: asyncio.Event, ready: asyncio.Future[None], deps: Deps
) -> None:
    """Start the transport, say so through ``ready``, and keep it running until ``stop``."""
    try:
        async with start():
            deps.heartbeat.transports[name] = RUNNING
            ready.set_result(None)
            await stop.wait()
    except BaseException as exc:
        if ready.done():
            raise
        ready.set_exception(exc)


async def _retry(name: str, start: Starter, stop: asyncio.Event, deps: Deps, reason: str) -> None:
    """Try again with a growing pause until the transport starts (or the bot stops)."""
    delay = RETRY_FIRST_SECONDS
    while True:
        deps.heartbeat.transports[name] = f"retrying: {reason}"
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            return
        try:
            async with start():
                log.info("%s started", name)
                deps.heartbeat.transports[name] = RUNNING
                await stop.wait()
                return
        except StartupError as exc:
            reason = str(exc)
            log.warning("%s still cannot start: %s", name, reason)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            log.exception("%s failed to start", name)
        delay = min(delay * 2, RETRY_MAX_SECONDS)
