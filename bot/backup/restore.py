"""``liaison-bot restore FILE``: an empty database and file store filled from a backup.

Nothing is overwritten: a database with rows, or a file store with files, is refused with a
message saying so. The schema is created at the backup's revision, the tables are loaded in
one transaction (parents first; PostgreSQL's id sequences then continue after the highest
id), the files are checked against the manifest as they are stored, and only then is the
transaction committed and the schema upgraded to this version's. If anything fails, the
transaction is rolled back and the files stored so far are removed.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Engine, Integer, MetaData, func, inspect, select, table, text

from bot.backup.archive import (
    SKIPPED_TABLES,
    BackupError,
    HashingReader,
    Manifest,
    TableDump,
    decoder,
    lines,
    member,
    open_archive,
    read_manifest,
)
from bot.config import Settings
from storage.files import ContentStore

BATCH = 500


def restore_backup(settings: Settings, source: Path) -> Manifest:
    """Fill the empty database and file store of ``settings`` from ``source``."""
    from storage.db import Database
    from storage.migrate import upgrade_database

    with open_archive(source) as tar:
        manifest = read_manifest(tar)
        store = ContentStore(settings.data_dir / "files")
        database = Database.from_url(settings.database_url)
        try:
            create_schema = _require_empty_database(database.engine, manifest)
            _require_empty_store(store)
            if create_schema and manifest.schema_revision is not None:
                _require_known_revision(database.engine, manifest)
                upgrade_database(database.engine, manifest.schema_revision)
            written: list[Path] = []
            try:
                with database.engine.begin() as connection:
                    _load_tables(connection, tar, manifest)
                    written = _restore_files(tar, manifest, store)
            except BaseException:
                for path in written:
                    path.unlink(missing_ok=True)
                raise
            upgrade_database(database.engine)
        finally:
            database.dispose()
    return manifest


def _require_empty_store(store: ContentStore) -> None:
    from bot.backup.snapshot import stored_files

    if next(stored_files(store), None) is not None:
        raise BackupError(
            f"DATA_DIR: {store.root} already holds stored files; restore only into an empty "
            "data directory (point DATA_DIR at a new folder)"
        )


def _require_empty_database(engine: Engine, manifest: Manifest) -> bool:
    """Refuse a database with rows (or with empty tables of another schema); whether the
    schema still has to be created."""
    from storage.migrate import current_revision

    present = set(inspect(engine).get_table_names()) - SKIPPED_TABLES
    if present:
        with engine.connect() as connection:
            filled = {
                name: count
                for name in sorted(present)
                if (count := connection.scalar(select(func.count()).select_from(table(name))))
            }
        if filled:
            shown = ", ".join(f"{name} {count}" for name, count in list(filled.items())[:4])
            raise BackupError(
                f"DATABASE_URL: the database is not empty ({shown} rows …); restore only into "
                "an empty database"
            )
        current = current_revision(engine)
        if current != manifest.schema_revision:
            raise BackupError(
                f"DATABASE_URL: the database has empty tables of schema {current}, the backup "
                f"is of schema {manifest.schema_revision}; restore into a database without tables"
            )
        return False
    return True


def _require_known_revision(engine: Engine, manifest: Manifest) -> None:
    from alembic.script import ScriptDirectory

    from bot import __version__
    from storage.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config(engine))
    try:
        known = scripts.get_revision(str(manifest.schema_revision)) is not None
    except Exception:
        known = False
    if not known:
        raise BackupError(
            f"the backup's schema {manifest.schema_revision} is newer than this liaison-bot "
            f"({__version__}); restore it with liaison-bot {manifest.liaison_bot_version} or newer"
        )


def _load_tables(connection: Connection, tar: tarfile.TarFile, manifest: Manifest) -> None:
    metadata = MetaData()
    metadata.reflect(bind=connection)
    dialect = connection.dialect.name
    for dump in manifest.tables:
        target = metadata.tables.get(dump.name)
        if target is None:
            raise BackupError(f"the backup has a table {dump.name} this database does not")
        _load_table(connection, target, member(tar, dump.member), dump, dialect)
    if dialect == "postgresql":
        _continue_sequences(connection, [metadata.tables[dump.name] for dump in manifest.tables])


def _load_table(
    connection: Connection, target: Any, stream: BinaryIO, dump: TableDump, dialect: str
) -> None:
    decoders = {column.name: decoder(column, dialect) for column in target.columns}
    reader = HashingReader(stream)
    rows, batch = 0, []
    for line in lines(reader):
        raw = json.loads(line)
        unknown = set(raw) - set(decoders)
        if unknown:
            raise BackupError(f"{dump.name}: columns {sorted(unknown)} unknown to this database")
        batch.append({k: (convert(v) if (convert := decoders[k]) else v) for k, v in raw.items()})
        rows += 1
        if len(batch) == BATCH:
            connection.execute(target.insert(), batch)
            batch = []
    if batch:
        connection.execute(target.insert(), batch)
    if rows != dump.rows or reader.hexdigest() != dump.sha256:
        raise BackupError(f"{dump.member} is damaged (it does not match the manifest)")


def _continue_sequences(connection: Connection, tables: list[Any]) -> None:
    """After rows were inserted with their ids, each id sequence continues above them."""
    for target in tables:
        keys = list(target.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        name, column = target.name, keys[0].name
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'COALESCE((SELECT MAX("{column}") FROM "{name}"), 0) + 1, false)'
            ),
            {"table": f'"{name}"', "column": column},
        )


def _restore_files(tar: tarfile.TarFile, manifest: Manifest, store: ContentStore) -> list[Path]:
    """Store every file of the manifest, each checked against its sha256; the paths written."""
    written: list[Path] = []
    try:
        for entry in manifest.files:
            stored = store.put_stream(member(tar, entry.member))
            if stored.created:
                written.append(stored.path)
            if stored.sha256 != entry.sha256 or stored.size != entry.size:
                raise BackupError(f"{entry.member} is damaged (its sha256 does not match)")
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written
