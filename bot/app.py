"""Assemble the Telegram application from Settings; run it by polling or webhook."""

from __future__ import annotations

import gc
import logging
import multiprocessing
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, BotCommand, Update
from telegram.constants import MessageLimit
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults

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
    settings: Settings, *, deps: Deps | None = None, rate_limit: bool = True
) -> BotApplication:
    """Build the application; ``deps`` defaults to the real services for ``settings``.
    ``rate_limit=False`` only for bench/throughput.py, which measures processing cost."""
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
    application.add_handlers(all_handlers())
    application.add_error_handler(on_error)
    return application


async def _post_init(application: BotApplication) -> None:
    """Publish the command menu in every locale (the configured language is the default) and
    start the scheduled messages."""
    deps = application.bot_data.deps
    assert deps is not None
    await _start_dispatcher(application, deps)
    if deps.settings.web_enabled:  # the web console (bot.web), in this loop, until shutdown
        from bot.web.serve import running_console

        await application.bot_data.web.enter_async_context(
            running_console(deps, application.bot_data.dispatcher)
        )
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
    )
    await sender.initialize()
    channel = Channel(TelegramSender(sender, deps.renderer), MessageLimit.MAX_TEXT_LENGTH)
    application.bot_data.dispatcher = Dispatcher(deps, {Transport.TELEGRAM: channel})
    application.bot_data.sender_bot = sender
    _warn_uncovered_years(deps)
    if settings.reminder_tick_seconds and application.job_queue is not None:
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
    await application.bot_data.web.aclose()
    if application.bot_data.sender_bot is not None:
        await application.bot_data.sender_bot.shutdown()
    if application.bot_data.deps is not None:
        application.bot_data.deps.close()


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
    tests)."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    assert application.updater is not None
    if webhook is None:
        await application.updater.start_polling(
            poll_interval=0, timeout=int(poll_timeout), allowed_updates=Update.ALL_TYPES
        )
    else:
        await application.updater.start_webhook(
            listen=webhook.listen, port=webhook.port, url_path=webhook.path,
            webhook_url=webhook.url, secret_token=webhook.secret,
            allowed_updates=Update.ALL_TYPES,
        )  # fmt: skip
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def migrate_in_child_process(database_url: str) -> None:
    """Bring the schema up to date in a short-lived child process, so the bot that then runs
    for months never holds Alembic and Mako in memory (about 15 MiB of an idle bot's RSS).
    If the child fails, the migration runs here to raise the real error."""
    child = multiprocessing.get_context("spawn").Process(
        target=_upgrade, args=(database_url,), name="liaison-bot-migrate"
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        _upgrade(database_url)


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
    """Migrate the database, then serve until SIGINT/SIGTERM (polling, or webhook if set;
    with TRANSPORT=wecom or both, ``bot.serve`` runs the WeCom callback too)."""
    migrate_in_child_process(settings.database_url)
    if settings.uses_wecom:
        import asyncio

        from bot.serve import serve

        settle_heap()
        asyncio.run(serve(settings))
        return
    application = create_app(settings, deps=Deps.from_settings(settings))
    settle_heap()
    if settings.webhook_mode:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=settings.webhook_path,
            webhook_url=settings.webhook_url,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
