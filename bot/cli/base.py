"""What every command shares: the Typer application, ``--env-file``, one-line failures, a
database session, the clock.

Every command reads settings through ``settings_from``; a bad setting prints one line naming
the environment variable and exits with status 2 (never a traceback). A named ``--env-file``
that does not exist is such an error too: carrying on with defaults would quietly create a
fresh, empty database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from bot import __version__
from bot.clock import Clock, SystemClock
from bot.config import Settings, load_settings
from bot.errors import ConfigError

cli = typer.Typer(
    name="liaison-bot",
    help="Monthly reporting for health-campaign member units, over chat.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
cli.add_typer(db_cli, name="db")

EnvFile = Annotated[
    Path | None,
    typer.Option(
        "--env-file",
        help="Settings file read after the environment (default: .env here, if present). "
        "Relative paths in it are taken from its folder.",
    ),
]


def main() -> None:
    """Console-script entry point."""
    cli()


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def settings_from(env_file: Path | None) -> Settings:
    """Settings from the environment and ``env_file`` (``.env`` here when not named)."""
    try:
        if env_file is None:
            return load_settings(".env")
        return load_settings(env_file, required=True)
    except ConfigError as exc:
        fail(str(exc))


def clock() -> Clock:
    """This process's clock (pinned by LIAISON_BOT_NOW, if set): a bad value is one line."""
    try:
        return SystemClock()
    except ConfigError as exc:
        fail(str(exc))


def database_problem(settings: Settings, exc: OperationalError) -> str:
    from sqlalchemy.engine import make_url

    where = make_url(settings.database_url).render_as_string(hide_password=True)
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return f"DATABASE_URL: cannot use {where}: {reason}"


@contextmanager
def session_for(settings: Settings) -> Iterator[Session]:
    """A session on the upgraded database; a database that cannot be used is one line."""
    from storage.db import Database
    from storage.migrate import upgrade_database

    database = Database.from_url(settings.database_url)
    try:
        upgrade_database(database.engine)
        with database.session() as session:
            yield session
    except OperationalError as exc:
        fail(database_problem(settings, exc), code=1)
    finally:
        database.dispose()


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"liaison-bot {__version__}")
        raise typer.Exit


@cli.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Monthly reporting for health-campaign member units, over chat."""
