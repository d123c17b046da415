"""``liaison-bot backup FILE``: one archive from a consistent snapshot, while the bot runs.

Order matters: the database snapshot is taken first, the file store read after it. A photo
is stored before the row naming it is committed, so every file the snapshot references is
already in the store; files stored later are simply not referenced by this backup.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, MetaData, Table, create_engine, select
from sqlalchemy.engine import make_url

from bot import __version__
from bot.backup.archive import (
    MANIFEST,
    SKIPPED_TABLES,
    BackupError,
    FileEntry,
    HashingReader,
    HashingWriter,
    Manifest,
    TableDump,
    encode,
    file_member,
    write_mode,
)
from bot.config import Settings
from storage.files import ContentStore


@dataclass
class BackupResult:
    manifest: Manifest
    path: Path
    size: int
    damaged: list[str] = field(default_factory=list)  # stored files whose bytes changed


def stored_files(store: ContentStore) -> Iterator[Path]:
    """Every file in the sha256 store (``ab/cd/abcd…``), in a stable order."""
    if not store.root.is_dir():
        return
    for path in sorted(store.root.glob("??/??/*")):
        if path.is_file() and len(path.name) == 64:
            yield path


def take_backup(settings: Settings, target: Path, *, now: datetime) -> BackupResult:
    """Write the archive to ``target`` (through ``target.partial``, renamed when complete)."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose another name")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such folder")
    store = ContentStore(settings.data_dir / "files")
    partial = target.with_name(target.name + ".partial")
    # the snapshot is written beside the archive, where the space for it is meant to be
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".liaison-backup-") as scratch_dir:
        scratch = Path(scratch_dir)
        with _snapshot(settings.database_url, scratch) as (connection, backend):
            revision = _revision(connection)
            tables = _dump_tables(connection, scratch)
        manifest = Manifest(
            created_at=now.isoformat(), liaison_bot_version=__version__,
            schema_revision=revision, database_backend=backend, tables=tables,
        )  # fmt: skip
        damaged: list[str] = []
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with (
                os.fdopen(descriptor, "wb") as raw,
                tarfile.open(fileobj=raw, mode=write_mode(target)) as tar,
            ):
                for dump in tables:
                    path = scratch / dump.member
                    info = tarfile.TarInfo(dump.member)
                    info.size, info.mode = path.stat().st_size, 0o600
                    info.mtime = int(now.timestamp())
                    with path.open("rb") as stream:
                        tar.addfile(info, stream)
                for path in stored_files(store):
                    entry = _add_file(tar, path)
                    if entry is None:
                        damaged.append(path.name)
                    else:
                        manifest.files.append(entry)
                _add_bytes(tar, MANIFEST, manifest.to_json(), now)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(manifest, target, target.stat().st_size, damaged)


@contextmanager
def _snapshot(database_url: str, scratch: Path) -> Iterator[tuple[Connection, str]]:
    """A connection on a consistent, read-only view of the whole database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        if url.database in (None, "", ":memory:") or not source.is_file():
            raise BackupError(f"DATABASE_URL: no database file at {source}")
        copy = scratch / "snapshot.db"
        # The online backup API copies every page under one read transaction: a consistent
        # snapshot, while the bot goes on writing (WAL), within SQLite's busy timeout.
        with (
            closing(sqlite3.connect(source, timeout=30)) as live,
            closing(sqlite3.connect(copy)) as snapshot,
        ):
            live.backup(snapshot)
        engine = create_engine(f"sqlite:///{copy}")
        try:
            with engine.connect() as connection:
                yield connection, "sqlite"
        finally:
            engine.dispose()
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            # Every table read in one transaction sees one moment of the database.
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield connection, "postgresql"
            connection.rollback()
    finally:
        engine.dispose()


def _revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def tables_in_order(connection: Connection) -> list[Table]:
    """Every table of the database (as it is, not as this version's models say), parents
    before the tables that refer to them."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    return [table for table in metadata.sorted_tables if table.name not in SKIPPED_TABLES]


def _dump_tables(connection: Connection, scratch: Path) -> list[TableDump]:
    dumps = []
    for table in tables_in_order(connection):
        dump_path = scratch / "database" / f"{table.name}.jsonl"
        dump_path.parent.mkdir(parents=True, exist_ok=True)
        rows = 0
        order = list(table.primary_key.columns) or list(table.columns)
        result = connection.execution_options(yield_per=1000).execute(
            select(table).order_by(*order)
        )
        with dump_path.open("wb") as out:
            writer = HashingWriter(out)
            for row in result.mappings():
                line = json.dumps({k: encode(v) for k, v in row.items()}, ensure_ascii=False)
                writer.write(line.encode() + b"\n")
                rows += 1
        dumps.append(TableDump(table.name, rows, writer.hexdigest()))
    return dumps


def _add_file(tar: tarfile.TarFile, path: Path) -> FileEntry | None:
    """Add one stored file; None if its bytes no longer match its name (it is still added,
    but left out of the manifest, so a restore never trusts it)."""
    size = path.stat().st_size
    info = tarfile.TarInfo(file_member(path.name))
    info.size, info.mode, info.mtime = size, 0o600, int(path.stat().st_mtime)
    with path.open("rb") as stream:
        reader = HashingReader(stream)
        tar.addfile(info, reader)
    if reader.hexdigest() != path.name:
        return None
    return FileEntry(path.name, size)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, now: datetime) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(now.timestamp())
    tar.addfile(info, io.BytesIO(data))
