"""Assemble the Telegram application from Settings; run it by polling or webhook."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Bot, BotCommand, Update
from telegram.constants import MessageLimit
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults

from bot.config import Settings
from bot.deps import Deps
from bot.domain.calendar_admin import load_calendar
from bot.scheduler import Channel, Dispatcher
from handlers import all_handlers, schedule
from handlers.broadcast_sender import TelegramSender
from handlers.context import AppData, CustomContext
from handlers.errors import on_error
from messages.render import LOCALES
from storage.migrate import upgrade_database
from storage.models import Transport
from storage.repo_updates import mark_processed, was_processed

TELEGRAM = Transport.TELEGRAM.value

log = logging.getLogger(__name__)

# PTB's AIORateLimiter gives up on the first 429 by default (max_retries=0): a lost message.
RATE_LIMIT_RETRIES = 5

BotApplication = Application[Any, CustomContext, Any, Any, AppData, Any]


class OnceApplication(Application[Any, CustomContext, Any, Any, AppData, Any]):
    """Processes each update once: one delivered again (a webhook retry, or polling after a
    crash before the offset was confirmed) is recognised by its update_id and skipped.

    An update is recorded when its handling is finished, so a crash in the middle of one
    handles it again on redelivery rather than losing it (every report step is saved with a
    compare-and-set on the draft's step, so a repeated button press changes nothing). While
    it is being handled, a second copy arriving at the same time is skipped."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._in_flight: set[int] = set()

    async def process_update(self, update: object) -> None:
        deps = self.bot_data.deps
        if not isinstance(update, Update) or deps is None:
            await super().process_update(update)
            return
        key = update.update_id
        with deps.db.session() as session:
            seen = was_processed(session=session, transport=TELEGRAM, key=str(key))
        if seen or key in self._in_flight:
            log.info("update %d delivered again: already handled, skipped", key)
            return
        self._in_flight.add(key)
        try:
            await super().process_update(update)
        finally:
            self._in_flight.discard(key)
        with deps.db.session() as session:
            mark_processed(session=session, transport=TELEGRAM, key=str(key), at=deps.clock.now())


def create_app(settings: Settings, *, deps: Deps | None = None) -> BotApplication:
    """Build the application; ``deps`` defaults to the real services for ``settings``."""
    context_types = ContextTypes(context=CustomContext, bot_data=AppData)
    application: BotApplication = (
        ApplicationBuilder()
        .application_class(OnceApplication)
        .token(settings.require_token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .context_types(context_types)
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .defaults(Defaults(tzinfo=settings.tz))  # the job queue's scheduler runs in office time
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
    if application.bot_data.sender_bot is not None:
        await application.bot_data.sender_bot.shutdown()
    if application.bot_data.deps is not None:
        application.bot_data.deps.close()


def _bot_commands(rendered: str) -> list[BotCommand]:
    """Parse the ``bot_commands`` template: one ``command description`` per line."""
    pairs = (line.split(maxsplit=1) for line in rendered.splitlines() if line.strip())
    return [BotCommand(command, description) for command, description in pairs]


@asynccontextmanager
async def running_application(
    application: BotApplication, *, poll_timeout: float = 1.0
) -> AsyncIterator[BotApplication]:
    """Poll for updates inside the caller's event loop, with the same start-up and shut-down
    hooks as ``run_polling`` (which owns the loop and so cannot serve the demo or tests)."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0, timeout=int(poll_timeout), allowed_updates=Update.ALL_TYPES
    )
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def run_bot(settings: Settings) -> None:
    """Migrate the database, then serve until SIGINT/SIGTERM (polling, or webhook if set)."""
    deps = Deps.from_settings(settings)
    upgrade_database(deps.db.engine)
    application = create_app(settings, deps=deps)
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
