"""Content-addressed file store for photos and documents.

A file is named by the sha256 of its bytes, so the same photo sent twice is stored once and a
stored file can never be silently replaced. Writes go to a temporary file in the same
directory, are flushed to disk, then renamed into place: a crash leaves either the whole
file or nothing.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from bot.errors import StorageError, StoredFileMissing

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class StoredFile:
    """Where a stored file lives and what it is."""

    sha256: str
    size: int
    path: Path
    created: bool  # False when identical bytes were already stored


class ContentStore:
    """Files under ``root/ab/cd/abcd…`` (two levels of fan-out keep directories small)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise StoredFileMissing(f"not a sha256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put_bytes(self, data: bytes) -> StoredFile:
        """Store ``data`` (once) and return its address."""

        def write(out: BinaryIO) -> str:
            out.write(data)
            return hashlib.sha256(data).hexdigest()

        return self._store(write)

    def put_stream(self, stream: BinaryIO) -> StoredFile:
        """Store a readable binary stream without holding it in memory."""

        def write(out: BinaryIO) -> str:
            digest = hashlib.sha256()
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
            return digest.hexdigest()

        return self._store(write)

    def read_bytes(self, sha256: str) -> bytes:
        path = self.path_for(sha256)
        if not path.is_file():
            raise StoredFileMissing(f"no stored file {sha256}")
        return path.read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def _store(self, write: Callable[[BinaryIO], str]) -> StoredFile:
        """Write through ``write`` (which returns the sha256) into a temp file, then rename."""
        staging = self.root / "tmp"
        try:
            staging.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=staging)
            tmp = Path(tmp_name)
            try:
                with os.fdopen(fd, "wb") as out:
                    sha256 = write(out)
                    out.flush()
                    os.fsync(out.fileno())
                final = self.path_for(sha256)
                size = tmp.stat().st_size
                if final.is_file():
                    return StoredFile(sha256, size, final, created=False)
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
                return StoredFile(sha256, size, final, created=True)
            finally:
                tmp.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot store file under {self.root}: {exc.strerror}") from exc
