"""``liaison-bot verify``: does every file the database names exist, with its hash?

A stored file is referenced by a ``sha256`` column (evidence, a pending import …); whichever
table has one is checked, so a table added later is covered without changing this module.
The same check runs on a backup archive (``verify --backup FILE``): every member against the
manifest, and every file the dumped tables reference present in the archive.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, select

from bot.backup.archive import (
    BackupError,
    HashingReader,
    Manifest,
    lines,
    member,
    open_archive,
    read_manifest,
)
from bot.config import Settings
from storage.files import ContentStore

REFERENCE_COLUMN = "sha256"


@dataclass
class Verified:
    checked: int = 0  # referenced files found intact
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def referenced_files(connection: Connection) -> dict[str, str]:
    """Each sha256 the database references, with the first table that does."""
    from bot.backup.snapshot import tables_in_order

    found: dict[str, str] = {}
    for table in tables_in_order(connection):
        column = table.columns.get(REFERENCE_COLUMN)
        if column is None:
            continue
        for (digest,) in connection.execute(select(column).distinct()):
            if digest:
                found.setdefault(str(digest), table.name)
    return found


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_live(settings: Settings) -> Verified:
    """Check the live database's references against the file store."""
    from storage.db import Database

    store = ContentStore(settings.data_dir / "files")
    database = Database.from_url(settings.database_url)
    try:
        with database.engine.connect() as connection:
            references = referenced_files(connection)
    finally:
        database.dispose()
    result = Verified()
    for digest, table in sorted(references.items()):
        try:
            path = store.path_for(digest)
        except Exception:
            result.problems.append(f"{table}: {digest!r} is not a sha256")
            continue
        if not path.is_file():
            result.problems.append(f"{table}: file {digest} is missing from {store.root}")
        elif _sha256_of(path) != digest:
            result.problems.append(f"{table}: file {digest} is damaged (its bytes changed)")
        else:
            result.checked += 1
    return result


def verify_archive(path: Path) -> tuple[Manifest, Verified]:
    """Check every member of a backup against its manifest, and the tables' references."""
    result = Verified()
    with open_archive(path) as tar:
        manifest = read_manifest(tar)
        in_archive = {entry.sha256 for entry in manifest.files}
        references: dict[str, str] = {}
        for dump in manifest.tables:
            reader = HashingReader(member(tar, dump.member))
            rows = 0
            for line in lines(reader):
                rows += 1
                digest = json.loads(line).get(REFERENCE_COLUMN)
                if digest:
                    references.setdefault(str(digest), dump.name)
            if rows != dump.rows or reader.hexdigest() != dump.sha256:
                result.problems.append(f"{dump.member} does not match the manifest")
        for entry in manifest.files:
            if _archived_sha256(tar, entry.member) != entry.sha256:
                result.problems.append(f"{entry.member} is damaged or missing")
        for digest, table in sorted(references.items()):
            if digest in in_archive:
                result.checked += 1
            else:
                result.problems.append(f"{table}: file {digest} is not in the backup")
    return manifest, result


def _archived_sha256(tar: tarfile.TarFile, name: str) -> str | None:
    try:
        reader = HashingReader(member(tar, name))
    except BackupError:
        return None
    while reader.read(1 << 20):
        pass
    return reader.hexdigest()
