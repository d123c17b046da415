"""Shared fixtures: settings, databases (SQLite always, PostgreSQL with TEST_DATABASE_URL),
the fake Telegram server, and the real bot application running against it."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app import BotApplication, create_app, running_application
from bot.clock import ManualClock, set_now_source
from bot.config import Settings
from bot.deps import Deps
from bot.fakes.telegram import FakeTelegram, FakeTelegramServer, FloodLimits
from storage.db import Database, create_db_engine
from storage.migrate import upgrade_database

TEST_TOKEN = "123456789:test-token-for-the-fake-server"
BACKENDS = ["sqlite", "postgres"]


def postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


@contextmanager
def fresh_database_url(backend: str, folder: Path, name: str = "test") -> Iterator[str]:
    """An empty database: a SQLite file in ``folder``, or a private schema on PostgreSQL
    (dropped afterwards; the test is skipped without TEST_DATABASE_URL)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'{name}.db'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("TEST_DATABASE_URL is not set; PostgreSQL tests skipped")
    base = Settings(_env_file=None, database_url=base).database_url  # normalise the driver
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a private schema on PostgreSQL.

    Parametrize indirectly with "sqlite"/"postgres"; unparametrized tests get SQLite, or the
    backend named by TEST_DEFAULT_BACKEND (CI runs the bot tests once more on PostgreSQL).
    """
    backend = getattr(request, "param", os.environ.get("TEST_DEFAULT_BACKEND", "sqlite"))
    with fresh_database_url(backend, tmp_path) as url:
        yield url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated database (the schema comes from Alembic, as in production)."""
    db = Database.from_url(database_url)
    upgrade_database(db.engine)
    yield db
    db.dispose()


@pytest.fixture
def make_settings(tmp_path: Path, database_url: str) -> Any:
    """Build Settings for a test: no .env, data under tmp_path, overrides as keywords."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "telegram_bot_token": TEST_TOKEN,
            "database_url": database_url,
            "data_dir": tmp_path / "data",
            "reminder_tick_seconds": 0,  # tests drive the schedule's tick themselves
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return build


@pytest.fixture
def flood_limits() -> FloodLimits:
    """Telegram's real limits; override in a module to test other ones."""
    return FloodLimits()


@pytest.fixture
async def telegram(flood_limits: FloodLimits) -> AsyncIterator[FakeTelegramServer]:
    """The fake Bot API server on a free 127.0.0.1 port."""
    world = FakeTelegram(token=TEST_TOKEN, limits=flood_limits)
    async with FakeTelegramServer(world, long_poll_cap=0.05) as server:
        yield server


@dataclass
class BotHarness:
    """The running bot plus the fake world it talks to."""

    world: FakeTelegram
    server: FakeTelegramServer
    deps: Deps
    settings: Settings
    application: BotApplication


# Where every test's bot starts, whatever day the suite runs: a plain workday morning. Tests
# about other days move ``deps.clock`` (a ManualClock) there before they seed anything.
DEFAULT_NOW = datetime(2026, 1, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _default_timestamps_follow_the_real_clock() -> Iterator[None]:
    """A bot built in one test must not leave its clock in charge of the next one's rows."""
    yield
    set_now_source(None)


@asynccontextmanager
async def running_bot(
    telegram: FakeTelegramServer, settings: Settings
) -> AsyncIterator[BotHarness]:
    """A fresh Application on ``settings`` (call twice on one database to test a restart),
    with the web console beside it when WEB_PORT is set, as ``liaison-bot run`` starts it."""
    deps = Deps.from_settings(settings, clock=ManualClock(DEFAULT_NOW))
    upgrade_database(deps.db.engine)
    async with AsyncExitStack() as stack:
        application = await stack.enter_async_context(
            running_application(create_app(settings, deps=deps))
        )
        if settings.web_enabled:
            from bot.web.serve import running_console

            await stack.enter_async_context(running_console(deps, application.bot_data.dispatcher))
        yield BotHarness(telegram.world, telegram, deps, settings, application)


@pytest.fixture
def bot_settings(
    telegram: FakeTelegramServer, make_settings: Any, request: pytest.FixtureRequest
) -> Settings:
    """Settings pointing at the fake server; extra values via ``@pytest.mark.bot_settings``."""
    marker = request.node.get_closest_marker("bot_settings")
    return make_settings(  # type: ignore[no-any-return]
        telegram_api_base_url=telegram.api_base_url,
        telegram_file_base_url=telegram.file_base_url,
        **(marker.kwargs if marker else {}),
    )


@pytest.fixture
async def bot(telegram: FakeTelegramServer, bot_settings: Settings) -> AsyncIterator[BotHarness]:
    """The real application polling the fake server."""
    async with running_bot(telegram, bot_settings) as harness:
        yield harness
