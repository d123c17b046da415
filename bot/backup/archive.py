"""The backup archive's layout, its manifest, and how table values travel as JSON.

    database/<table>.jsonl    one JSON object per row, columns by name, rows by primary key
    files/ab/cd/<sha256>      the stored files, exactly as in DATA_DIR/files
    manifest.json             written last: what the archive holds and every sha256

A plain tar (``.tar``), or gzip-compressed when the name ends in ``.tar.gz`` or ``.tgz``
(photos are already compressed: plain tar is the faster default).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

from sqlalchemy import Column
from sqlalchemy.types import Date, DateTime, LargeBinary, Numeric

FORMAT = "liaison-bot backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES_DIR = "database"
FILES_DIR = "files"
SKIPPED_TABLES = {"alembic_version"}  # the revision is in the manifest


class BackupError(Exception):
    """The archive is missing, damaged, or from a version this one cannot restore."""


@dataclass(frozen=True, slots=True)
class TableDump:
    name: str
    rows: int
    sha256: str

    @property
    def member(self) -> str:
        return f"{TABLES_DIR}/{self.name}.jsonl"


@dataclass(frozen=True, slots=True)
class FileEntry:
    sha256: str
    size: int

    @property
    def member(self) -> str:
        return file_member(self.sha256)


@dataclass
class Manifest:
    created_at: str
    liaison_bot_version: str
    schema_revision: str | None
    database_backend: str
    tables: list[TableDump] = field(default_factory=list)  # in foreign-key order
    files: list[FileEntry] = field(default_factory=list)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data)
            if raw.get("format") != FORMAT:
                raise BackupError("not a liaison-bot backup (its manifest says otherwise)")
            if raw.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"backup format {raw.get('format_version')} is not known to this version"
                )
            return cls(
                created_at=str(raw["created_at"]),
                liaison_bot_version=str(raw["liaison_bot_version"]),
                schema_revision=raw["schema_revision"],
                database_backend=str(raw["database_backend"]),
                tables=[TableDump(t["name"], int(t["rows"]), t["sha256"]) for t in raw["tables"]],
                files=[FileEntry(f["sha256"], int(f["size"])) for f in raw["files"]],
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"the manifest is damaged ({exc})") from None

    def rows(self, table: str) -> int:
        return next((t.rows for t in self.tables if t.name == table), 0)


def file_member(sha256: str) -> str:
    return f"{FILES_DIR}/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def write_mode(path: Path) -> Literal["w", "w:gz"]:
    """gzip when the name asks for it."""
    return "w:gz" if path.name.endswith((".tar.gz", ".tgz")) else "w"


def encode(value: Any) -> Any:
    """A column value as JSON: instants in UTC (SQLite hands back naive UTC), dates in ISO,
    bytes in base64; JSON columns' lists and dicts as they are."""
    if isinstance(value, datetime):
        instant = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return instant.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$base64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return str(value)
    return value


def decoder(column: Column[Any], dialect: str) -> Any:
    """How to turn a JSON value back into what ``column`` of the target database takes."""
    kind = column.type
    if isinstance(kind, DateTime):
        # SQLite (and a column without time zone) holds naive UTC (storage.types.UTCDateTime)
        naive = dialect == "sqlite" or not kind.timezone

        def instant(value: Any) -> Any:
            if value is None:
                return None
            moment = datetime.fromisoformat(value).astimezone(UTC)
            return moment.replace(tzinfo=None) if naive else moment

        return instant
    if isinstance(kind, Date):
        return lambda value: None if value is None else date.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return lambda value: None if value is None else base64.b64decode(value["$base64"])
    if isinstance(kind, Numeric):
        return lambda value: None if value is None else Decimal(value)
    return None


class HashingReader:
    """Reads through to ``stream`` and keeps the sha256 of what passed."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


class HashingWriter:
    """Writes through to ``stream`` and keeps the sha256 of what passed."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.stream.write(data)

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


def read_manifest(tar: tarfile.TarFile) -> Manifest:
    return Manifest.from_json(member(tar, MANIFEST).read())


def member(tar: tarfile.TarFile, name: str) -> BinaryIO:
    """A member's bytes, readable as a stream."""
    try:
        stream = tar.extractfile(name)
    except KeyError:
        stream = None
    if stream is None:
        raise BackupError(f"{name} is missing from the archive (cut short, or not a backup)")
    return cast(BinaryIO, stream)


@contextmanager
def open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        tar = tarfile.open(path, "r:*")  # noqa: SIM115 - closed below, errors told apart
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{path}: not a readable backup archive ({exc})") from None
    try:
        with tar:
            yield tar
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise BackupError(f"{path}: the archive is damaged or cut short ({exc})") from None


def lines(reader: HashingReader) -> Iterator[bytes]:
    pending = b""
    while chunk := reader.read(1 << 16):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        yield from (line for line in complete if line)
    if pending:
        yield pending
