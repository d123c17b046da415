"""Assemble the Telegram application from Settings; run it by polling or webhook."""

from __future__ import annotations

import contextlib
import gc
import hmac
import logging
import multiprocessing
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, BotCommand, Update
from telegram.constants import MessageLimit
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.deps import Deps
from bot.domain.calendar_admin import load_calendar
from bot.ordering import PerChatOrder
from bot.scheduler import Channel, Dispatcher
from handlers import all_handlers, schedule
from handlers.broadcast_sender import TelegramSender
from handlers.context import TELEGRAM, AppData, CustomContext
from handlers.errors import on_error
from messages.render import LOCALES
from storage.models import Transport
from storage.repo_updates import highest_processed, mark_processed, was_processed

log = logging.getLogger(__name__)

# PTB's AIORateLimiter gives up on the first 429 by default (max_retries=0): a lost message.
RATE_LIMIT_RETRIES = 5

BotApplication = Application[Any, CustomContext, Any, Any, AppData, Any]


class OnceApplication(Application[Any, CustomContext, Any, Any, AppData, Any]):
    """Processes each update once: one delivered again (a webhook retry, or polling after a
    crash before the offset was confirmed) is recognised by its update_id and skipped.

    An update is recorded when its handling is finished, so a crash in the middle of one
    handles it again on redelivery rather than losing it (every report step is saved with a
    compare-and-set on the draft's step, so a repeated button press changes nothing). Text
    appended to a report is the exception: its handler records the update in the append's own
    transaction (``handlers.context.handled_once``), so it cannot be appended twice. While it
    is being handled, a second copy arriving at the same time is skipped."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._in_flight: set[int] = set()
        self._highest: int | None = None  # update ids only grow: above this, nothing to check

    async def process_update(self, update: object) -> None:
        deps = self.bot_data.deps
        if not isinstance(update, Update) or deps is None:
            await super().process_update(update)
            return
        key = update.update_id
        if self._seen_before(deps, key) or key in self._in_flight:
            log.info("update %d delivered again: already handled, skipped", key)
            return
        self._in_flight.add(key)
        try:
            await super().process_update(update)
        finally:
            self._in_flight.discard(key)
        if key in self.bot_data.recorded:  # recorded with the handler's own change
            self.bot_data.recorded.discard(key)
        else:
            self._remember(deps, key)
        self._highest = max(self._highest or -1, key)

    def _seen_before(self, deps: Deps, key: int) -> bool:
        """Whether the update was handled before; if the database cannot say, assume not
        (handling twice beats losing a liaison's message, and this must never raise: an
        exception here would stop PTB fetching updates altogether)."""
        if self._highest is not None and key > self._highest:
            return False  # update ids only grow: a new one needs no lookup
        try:
            with deps.db.session() as session:
                if self._highest is None:
                    self._highest = highest_processed(session=session, transport=TELEGRAM)
                if key > self._highest:
                    return False
                return was_processed(session=session, transport=TELEGRAM, key=str(key))
        except SQLAlchemyError:
            log.warning("could not check whether update %d was handled before", key, exc_info=True)
            return False

    def _remember(self, deps: Deps, key: int) -> None:
        try:
            with deps.db.connection() as connection:
                mark_processed(db=connection, transport=TELEGRAM, key=str(key), at=deps.clock.now())
        except SQLAlchemyError:
            log.warning("could not record update %d as handled", key, exc_info=True)


def create_app(
    settings: Settings, *, deps: Deps | None = None, rate_limit: bool = True,
    dispatcher: Dispatcher | None = None, tick: bool = True,
) -> BotApplication:  # fmt: skip
    """Build the application; ``deps`` defaults to the real services for ``settings``.
    ``rate_limit=False`` only for bench/throughput.py, which measures processing cost.
    ``dispatcher``: one shared with another transport (``bot.serve``), which then also drives
    the schedule (``tick=False``: the application's job queue does not)."""
    context_types = ContextTypes(context=CustomContext, bot_data=AppData)
    builder: Any = (  # its type parameters change with the rate limiter
        ApplicationBuilder()
        .application_class(OnceApplication)
        .token(settings.require_token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .context_types(context_types)
        .concurrent_updates(PerChatOrder())
    )
    if settings.telegram_proxy:  # otherwise httpx follows HTTPS_PROXY / ALL_PROXY
        builder = builder.proxy(settings.telegram_proxy).get_updates_proxy(settings.telegram_proxy)
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
    application: BotApplication = (
        builder.defaults(
            Defaults(tzinfo=settings.tz)
        )  # the job queue's scheduler runs in office time
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data.deps = deps or Deps.from_settings(settings)
    application.bot_data.dispatcher = dispatcher
    application.bot_data.ticks = tick
    application.add_handlers(all_handlers())
    application.add_error_handler(on_error)
    return application


def telegram_request(settings: Settings) -> HTTPXRequest:
    """The HTTP client of a Bot made outside the application (the broadcaster's, the command
    line's), through the same proxy."""
    return HTTPXRequest(proxy=settings.telegram_proxy)


async def _post_init(application: BotApplication) -> None:
    """Publish the command menu in every locale (the configured language is the default) and
    start the scheduled messages."""
    deps = application.bot_data.deps
    assert deps is not None
    await _start_dispatcher(application, deps)
    for locale in LOCALES:
        commands = _bot_commands(deps.renderer.render("bot_commands", locale=locale))
        language = locale.split("-")[0]
        await application.bot.set_my_commands(commands, language_code=language)
        if locale == deps.settings.language:
            await application.bot.set_my_commands(commands)
    log.info("bot @%s ready", application.bot.username)


async def _start_dispatcher(application: BotApplication, deps: Deps) -> None:
    """Bulk and scheduled messages go through the broadcaster on a Bot of their own: the
    broadcaster paces them, so they must not also queue behind the handlers' rate limiter."""
    settings = deps.settings
    sender = Bot(
        settings.require_token(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_file_base_url,
        request=telegram_request(settings),
    )
    await sender.initialize()
    application.bot_data.sender_bot = sender
    channel = Channel(TelegramSender(sender, deps.renderer), MessageLimit.MAX_TEXT_LENGTH)
    shared = application.bot_data.dispatcher
    if shared is None:
        application.bot_data.dispatcher = Dispatcher(deps, {Transport.TELEGRAM: channel})
    else:
        shared.start_channel(Transport.TELEGRAM, channel)
    _warn_uncovered_years(deps)
    ticks = application.bot_data.ticks
    if ticks and settings.reminder_tick_seconds and application.job_queue is not None:
        application.job_queue.run_repeating(
            schedule.tick,
            interval=settings.reminder_tick_seconds,
            first=1,
            name="scheduled-messages",
        )


def _warn_uncovered_years(deps: Deps) -> None:
    """Say it in the log at start-up, too: deadlines of a year without holiday data are
    computed with weekends only (office admins also get a message, from November on)."""
    today = deps.clock.now().astimezone(deps.settings.tz).date()
    with deps.db.session() as session:
        calendar = load_calendar(session=session)
    for year in (today.year, today.year + 1):
        if not calendar.covered(year):
            log.warning(
                "no holiday data for %d: deadlines use weekends only until the office enters "
                "the State Council notice (liaison-bot calendar set …)",
                year,
            )


async def _post_shutdown(application: BotApplication) -> None:
    shared = application.bot_data.dispatcher
    if shared is not None:
        shared.stop_channel(Transport.TELEGRAM)
    if application.bot_data.sender_bot is not None:
        await application.bot_data.sender_bot.shutdown()
    if application.bot_data.deps is not None and application.bot_data.ticks:
        application.bot_data.deps.close()  # shared services (``bot.serve``) are closed there


def _bot_commands(rendered: str) -> list[BotCommand]:
    """Parse the ``bot_commands`` template: one ``command description`` per line."""
    pairs = (line.split(maxsplit=1) for line in rendered.splitlines() if line.strip())
    return [BotCommand(command, description) for command, description in pairs]


@dataclass(frozen=True, slots=True)
class Webhook:
    """Where a webhook-mode bot listens, the URL the platform posts to, and its secret."""

    port: int
    url: str
    secret: str
    listen: str = "127.0.0.1"
    path: str = "hook"


@asynccontextmanager
async def running_application(
    application: BotApplication, *, poll_timeout: float = 1.0, webhook: Webhook | None = None
) -> AsyncIterator[BotApplication]:
    """Poll (or serve ``webhook``) inside the caller's event loop, with the same start-up and
    shut-down hooks as ``run_polling`` (which owns the loop and so cannot serve the demo or
    tests). Whatever has started is stopped again if a later step fails (a rejected token,
    an unreachable API, a busy port), so the caller can report it and carry on."""
    async with contextlib.AsyncExitStack() as stack:
        try:
            await application.initialize()  # getMe: the token and the network, checked
        except BaseException:
            await _close_requests(application.bot)
            raise
        stack.push_async_callback(_shut_down, application)
        if webhook is not None:  # the port, checked before anything else happens
            await stack.enter_async_context(_webhook_listener(application, webhook))
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        stack.push_async_callback(application.stop)
        assert application.updater is not None
        if webhook is None:
            await application.updater.start_polling(
                poll_interval=0, timeout=int(poll_timeout), allowed_updates=Update.ALL_TYPES
            )
            stack.push_async_callback(application.updater.stop)
        else:
            await application.bot.set_webhook(
                url=webhook.url, secret_token=webhook.secret or None,
                allowed_updates=Update.ALL_TYPES,
            )  # fmt: skip
            log.info("Telegram webhook listening on %s:%d/%s", webhook.listen, webhook.port,
                     webhook.path)  # fmt: skip
        yield application  # on the way out: stop fetching, finish handling, shut down


async def _shut_down(application: BotApplication) -> None:
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


async def _close_requests(bot: Bot) -> None:
    """A Bot whose initialize() failed is not 'initialized', so its shutdown() does nothing:
    close its HTTP clients here."""
    for request in (bot.request, getattr(bot, "_request", (None,))[0]):
        if request is not None:
            with contextlib.suppress(Exception):
                await request.shutdown()


@asynccontextmanager
async def _webhook_listener(application: BotApplication, webhook: Webhook) -> AsyncIterator[None]:
    """Telegram's webhook as a route of our own aiohttp server (``bot.sites``, with
    ``/healthz`` beside it): requests without the secret header get 403; accepted updates
    go to the application's queue, as PTB's own webhook server would put them (Telegram
    sends none before ``set_webhook``)."""
    from aiohttp import web

    from bot.sites import Listener, listening
    from bot.sites import application as web_application

    deps = application.bot_data.deps
    assert deps is not None

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), webhook.secret.encode()):
            log.warning("webhook request without the right secret token refused")
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except ValueError:
            return web.Response(status=400)
        await application.update_queue.put(update)
        return web.Response()

    app = web_application([web.post("/" + webhook.path, receive)], deps)
    where = Listener(webhook.listen, webhook.port, "WEBHOOK_PORT", "WEBHOOK_LISTEN")
    async with listening(app, where):
        yield


def migrate_in_child_process(database_url: str) -> None:
    """Bring the schema up to date in a short-lived child process, so the bot that then runs
    for months never holds Alembic and Mako in memory (about 15 MiB of an idle bot's RSS).
    If the child fails, the migration runs here to raise the real error."""
    child = multiprocessing.get_context("spawn").Process(
        target=_upgrade_quietly, args=(database_url,), name="liaison-bot-migrate"
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        _upgrade(database_url)


def _upgrade_quietly(database_url: str) -> None:
    """The child's work: on failure it only exits non-zero (the parent, running the same
    migration again, reports the error as one line; a traceback here would precede it)."""
    try:
        _upgrade(database_url)
    except BaseException:
        sys.exit(1)


def _upgrade(database_url: str) -> None:
    from storage.db import Database
    from storage.migrate import upgrade_database

    database = Database.from_url(database_url)
    try:
        upgrade_database(database.engine)
    finally:
        database.dispose()


def settle_heap() -> None:
    """Collect start-up garbage, then exempt everything alive from future full collections.

    Everything built at start-up (modules, SQLAlchemy mappers and caches, PTB, templates)
    lives as long as the process. The cyclic garbage collector nevertheless walks all of it —
    about 170 000 objects — in every full collection, one per few hundred messages: an 80 ms
    pause each time (measured under bench/throughput.py's load). Frozen (``gc.freeze``),
    those objects are skipped and a full collection takes a few milliseconds. Collecting
    first means no start-up garbage is frozen with them.
    """
    gc.collect()
    gc.freeze()


def run_bot(settings: Settings) -> None:
    """Migrate the database, then serve until SIGINT/SIGTERM (``bot.serve``: Telegram by
    polling or webhook, WeCom's callback, or both). Start-up problems raise StartupError."""
    import asyncio

    from bot.serve import serve

    migrate_in_child_process(settings.database_url)
    settle_heap()
    asyncio.run(serve(settings))
