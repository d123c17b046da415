"""The content-addressed store: named by sha256, stored once, written atomically."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from bot.errors import StorageError, StoredFileMissing
from storage.files import ContentStore


def test_bytes_are_stored_under_their_sha256(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "files")
    data = b"\xff\xd8photo bytes"
    stored = store.put_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    assert stored.sha256 == digest
    assert stored.size == len(data)
    assert stored.created
    assert stored.path == tmp_path / "files" / digest[:2] / digest[2:4] / digest
    assert store.read_bytes(digest) == data


def test_same_content_is_stored_once(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    first = store.put_bytes(b"same")
    second = store.put_stream(io.BytesIO(b"same"))
    assert second.sha256 == first.sha256
    assert not second.created
    assert sum(1 for path in tmp_path.rglob("*") if path.is_file()) == 1  # no temp files left


def test_large_stream_is_hashed_incrementally(tmp_path: Path) -> None:
    data = bytes(range(256)) * 20_000  # 5 MB, several chunks
    stored = ContentStore(tmp_path).put_stream(io.BytesIO(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.path.read_bytes() == data


def test_missing_and_malformed_addresses(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    with pytest.raises(StoredFileMissing):
        store.read_bytes("0" * 64)
    with pytest.raises(StoredFileMissing, match="not a sha256"):
        store.read_bytes("../../etc/passwd")
    assert not store.exists("f" * 64)


def test_unwritable_store_raises_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot store file"):
        ContentStore(blocker).put_bytes(b"data")
