"""``liaison-bot run`` and ``liaison-bot demo``."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from bot.cli.base import EnvFile, cli, clock, database_problem, fail, settings_from
from bot.errors import ConfigError, StartupError


@cli.command()
def run(env_file: EnvFile = None) -> None:
    """Run the bot: upgrade the database, then poll Telegram (or serve the webhook), and with
    TRANSPORT=wecom or both serve the WeCom callback. Stops on Ctrl-C or SIGTERM."""
    from bot.app import run_bot
    from bot.logs import configure_logging

    settings = settings_from(env_file)
    if settings.uses_telegram:
        try:
            settings.require_token()
        except ConfigError as exc:
            fail(str(exc))
    clock()  # a malformed LIAISON_BOT_NOW is a setting error too
    mask = configure_logging(settings)
    try:
        run_bot(settings)
    except StartupError as exc:
        fail(mask(str(exc)), code=1)
    except OperationalError as exc:
        fail(mask(database_problem(settings, exc)), code=1)
    except KeyboardInterrupt:  # Ctrl-C before the bot was serving (during the migration)
        raise typer.Exit(130) from None


@cli.command()
def demo(
    output: Annotated[
        Path, typer.Option("--output", help="Where the transcript and files go.")
    ] = Path("demo-output"),
    transport: Annotated[
        str, typer.Option("--transport", help="telegram (the full scenario) or wecom.")
    ] = "telegram",
) -> None:
    """Play a scripted scenario on a local fake Telegram (or WeCom): no token, no network."""
    if transport not in ("telegram", "wecom"):
        fail(f"--transport {transport!r}: expected telegram or wecom")
    output.mkdir(parents=True, exist_ok=True)
    if transport == "wecom":
        from bot.demo_wecom import run_wecom_demo

        transcript = asyncio.run(run_wecom_demo(output, echo=typer.echo))
        typer.echo(f"\nTranscript written to {transcript}")
        return
    from bot.demo import run_demo

    transcript = asyncio.run(run_demo(output, echo=typer.echo))
    typer.echo(f"\nTranscript written to {transcript}")
