"""The ``liaison-bot`` command line: run the bot, run the demo, manage the database.

Every command reads settings through ``load_settings``; a bad setting prints one line naming
the environment variable and exits with status 2 (never a traceback).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy.exc import OperationalError

from bot import __version__
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
    Path, typer.Option("--env-file", help="Settings file read after the environment.")
]


def main() -> None:
    """Console-script entry point."""
    cli()


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _settings(env_file: Path) -> Settings:
    try:
        return load_settings(env_file)
    except ConfigError as exc:
        _fail(str(exc))


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


@cli.command()
def run(env_file: EnvFile = Path(".env")) -> None:
    """Run the bot: upgrade the database, then poll Telegram (or serve the webhook)."""
    from bot.app import run_bot

    settings = _settings(env_file)
    try:
        settings.require_token()
    except ConfigError as exc:
        _fail(str(exc))
    _configure_logging()
    try:
        run_bot(settings)
    except OperationalError as exc:
        _fail(_database_problem(settings, exc), code=1)


@cli.command()
def demo(
    output: Annotated[
        Path, typer.Option("--output", help="Where the transcript and files go.")
    ] = Path("demo-output"),
) -> None:
    """Play a scripted month on a local fake Telegram: no token, no network."""
    from bot.demo import run_demo

    transcript = asyncio.run(run_demo(output, echo=typer.echo))
    typer.echo(f"\nTranscript written to {transcript}")


@db_cli.command("upgrade")
def db_upgrade(env_file: EnvFile = Path(".env")) -> None:
    """Create or upgrade the schema to the latest revision."""
    from storage.db import Database
    from storage.migrate import current_revision, upgrade_database

    settings = _settings(env_file)
    database = Database.from_url(settings.database_url)
    try:
        upgrade_database(database.engine)
        typer.echo(f"database at revision {current_revision(database.engine)}")
    except OperationalError as exc:
        _fail(_database_problem(settings, exc), code=1)
    finally:
        database.dispose()


@db_cli.command("revision")
def db_revision(
    message: Annotated[str, typer.Option("--message", "-m", help="What the change is.")],
) -> None:
    """(Maintainers) Write the next migration from the current models."""
    from storage.migrate import write_revision

    path = write_revision(message)
    typer.echo(f"wrote {path}; review it, then run ruff format on it")


def _database_problem(settings: Settings, exc: OperationalError) -> str:
    from sqlalchemy.engine import make_url

    where = make_url(settings.database_url).render_as_string(hide_password=True)
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return f"DATABASE_URL: cannot use {where}: {reason}"


def _configure_logging() -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level="INFO")
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
