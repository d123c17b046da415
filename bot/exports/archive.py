"""The photo archive: every photo and file of a month (or several), as the office files them.

Folders ``单位/YYYY-MM/``, originals named by the day they arrived and their caption, and an
``index.xlsx`` listing file, unit, month, caption and sha256 (to check a copy is intact).
A ZIP bigger than a chat platform accepts is cut into parts, each a complete archive.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import tzinfo
from pathlib import PurePosixPath

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.domain.summary import Photo, PhotoSet
from messages.render import Renderer
from storage.files import ContentStore

UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
MAX_NAME = 60


def archive_names(photos: PhotoSet, tz: tzinfo, renderer: Renderer) -> list[tuple[Photo, str]]:
    """Each item with its path in the archive: 单位/YYYY-MM/MM-DD_说明.ext, made unique."""
    taken: set[str] = set()
    named = []
    for photo in photos.items:
        day = photo.received_at.astimezone(tz).strftime("%Y-%m-%d")
        caption = _safe(photo.caption) or renderer.label("no_caption")
        suffix = PurePosixPath(photo.file_name).suffix.lower() or ".bin"
        stem = f"{_safe(photo.unit)}/{photo.period}/{day}_{caption[:MAX_NAME]}"
        path, number = f"{stem}{suffix}", 2
        while path in taken:
            path, number = f"{stem}_{number}{suffix}", number + 1
        taken.add(path)
        named.append((photo, path))
    return named


def build_archives(
    *,
    photos: PhotoSet,
    files: ContentStore,
    tz: tzinfo,
    renderer: Renderer,
    max_bytes: int,
) -> Iterator[bytes]:
    """One or more ZIPs, each under ``max_bytes``, each with its own index.xlsx."""
    part: list[tuple[Photo, str]] = []
    size = 0
    for photo, path in archive_names(photos, tz, renderer):
        if part and size + photo.size > max_bytes * 0.95:
            yield _zip(part, files, renderer)
            part, size = [], 0
        part.append((photo, path))
        size += photo.size
    if part or not photos.items:
        yield _zip(part, files, renderer)


def _zip(items: list[tuple[Photo, str]], files: ContentStore, renderer: Renderer) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:  # photos are
        for photo, path in items:  # already compressed; storing is fast and loses nothing
            archive.writestr(path, files.read_bytes(photo.sha256))
        archive.writestr("index.xlsx", _index(items, renderer))
    return out.getvalue()


def _index(items: list[tuple[Photo, str]], renderer: Renderer) -> bytes:
    label = renderer.label
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = label("sheet_index")
    sheet.append([label("file"), label("unit"), label("period"), label("caption"), "sha256"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for photo, path in items:
        sheet.append([path, photo.unit, photo.period, photo.caption, photo.sha256])
    for column, width in zip("ABCDE", (50, 20, 10, 40, 66), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(text: str) -> str:
    """A file-name-safe version of a caption or unit name (no slashes, no control chars)."""
    return UNSAFE.sub("_", " ".join(text.split())).strip("._ ")
