"""The office's record on disk: ``db upgrade``, ``backup``, ``restore`` and ``verify``
(the work is done in ``bot.backup``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.exc import OperationalError

from bot.cli.base import EnvFile, cli, clock, database_problem, db_cli, fail, settings_from
from bot.errors import StorageError

if TYPE_CHECKING:
    from bot.backup.archive import Manifest


@db_cli.command("upgrade")
def db_upgrade(env_file: EnvFile = None) -> None:
    """Create or upgrade the schema to the latest revision."""
    from storage.db import Database
    from storage.migrate import current_revision, upgrade_database

    settings = settings_from(env_file)
    database = Database.from_url(settings.database_url)
    try:
        upgrade_database(database.engine)
        typer.echo(f"database at revision {current_revision(database.engine)}")
    except OperationalError as exc:
        fail(database_problem(settings, exc), code=1)
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


def _size(count: int) -> str:
    return f"{count / 1024**2:.1f} MiB" if count >= 1024**2 else f"{count / 1024:.0f} KiB"


def _counts(manifest: Manifest) -> str:
    units, submissions = manifest.rows("member_unit"), manifest.rows("submission")
    return f"{units} units, {submissions} submissions, {len(manifest.files)} files"


@cli.command()
def backup(
    file: Annotated[Path, typer.Argument(help="The archive to write (.tar, or .tar.gz).")],
    env_file: EnvFile = None,
) -> None:
    """Write the database and every stored file into one archive, with a manifest of sha256.
    Safe while the bot runs: the database is copied from one consistent snapshot."""
    from bot.backup.archive import BackupError
    from bot.backup.snapshot import take_backup

    settings = settings_from(env_file)
    try:
        result = take_backup(settings, file, now=clock().now().astimezone(settings.tz))
    except BackupError as exc:
        fail(str(exc), code=1)
    except OperationalError as exc:
        fail(database_problem(settings, exc), code=1)
    except OSError as exc:
        fail(f"{file}: cannot write the backup ({exc.strerror or exc})", code=1)
    for name in result.damaged:
        typer.echo(f"warning: stored file {name} is damaged and was left out", err=True)
    typer.echo(
        f"backup written: {result.path} ({_counts(result.manifest)}, {_size(result.size)}, "
        f"schema {result.manifest.schema_revision})"
    )
    if result.damaged:
        raise typer.Exit(1)


@cli.command()
def restore(
    file: Annotated[Path, typer.Argument(help="An archive written by liaison-bot backup.")],
    env_file: EnvFile = None,
) -> None:
    """Fill an empty database (DATABASE_URL) and an empty file store (DATA_DIR) from a backup;
    refuses to touch either if it holds anything."""
    from bot.backup.archive import BackupError
    from bot.backup.restore import restore_backup

    settings = settings_from(env_file)
    try:
        manifest = restore_backup(settings, file)
    except BackupError as exc:
        fail(str(exc), code=1)
    except StorageError as exc:
        fail(str(exc), code=1)
    except OperationalError as exc:
        fail(database_problem(settings, exc), code=1)
    typer.echo(
        f"restored {file} ({_counts(manifest)}, made {manifest.created_at} by liaison-bot "
        f"{manifest.liaison_bot_version})"
    )


@cli.command()
def verify(
    backup_file: Annotated[
        Path | None,
        typer.Option("--backup", help="Check this backup archive instead of the live data."),
    ] = None,
    env_file: EnvFile = None,
) -> None:
    """Check that every stored file the database references exists with its sha256 (or, with
    --backup, that an archive is complete and intact). Exit status 1 names each problem."""
    from bot.backup.archive import BackupError
    from bot.backup.verify import verify_archive, verify_live

    settings = settings_from(env_file)
    try:
        if backup_file is not None:
            manifest, result = verify_archive(backup_file)
            where = f"{backup_file} ({_counts(manifest)})"
        else:
            result = verify_live(settings)
            where = str(settings.data_dir / "files")
    except BackupError as exc:
        fail(str(exc), code=1)
    except OperationalError as exc:
        fail(database_problem(settings, exc), code=1)
    for problem in result.problems:
        typer.echo(f"problem: {problem}", err=True)
    if not result.ok:
        fail(f"{len(result.problems)} problems in {where}", code=1)
    typer.echo(f"ok: {result.checked} referenced files present and intact in {where}")
