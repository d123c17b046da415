"""The photo archive: every photo and file of a month (or several), as the office files them.

Folders ``单位/YYYY-MM/``, originals named by the day they arrived and their caption — or, for
a document sent without one, its own name (``2026-11-30_会议纪要.pdf``: a photo's own name is
the chat platform's id, which says nothing) — and an ``index.xlsx`` listing each file with its
original name, unit, month, caption, kind and sha256 (to check a copy is intact). Names are
safe on Windows (no reserved characters or device names, no trailing dot or space, short
enough for Explorer). A ZIP bigger than a chat platform accepts is cut into parts, each a
complete archive.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import tzinfo
from pathlib import PurePosixPath

from openpyxl import Workbook

from bot.domain.summary import Photo, PhotoSet
from bot.exports.sheet_layout import BODY_FONT, HEADER_FONT, print_setup
from messages.render import Renderer
from storage.files import ContentStore
from storage.models import EvidenceKind

UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
MAX_NAME = 60  # characters of a caption or original name kept in the file name
# Names Windows keeps for devices, whatever the extension (CON.pdf cannot be created).
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)}


def archive_names(photos: PhotoSet, tz: tzinfo, renderer: Renderer) -> list[tuple[Photo, str]]:
    """Each item with its path in the archive, made unique: 单位/YYYY-MM/日期_说明.ext, or
    日期_原文件名.ext for a document without a caption."""
    taken: set[str] = set()
    named = []
    for photo in photos.items:
        day = photo.received_at.astimezone(tz).strftime("%Y-%m-%d")
        original = PurePosixPath(photo.file_name.replace("\\", "/"))
        suffix = "." + (_safe(original.suffix.lower()) or "bin")
        own = original.stem if photo.kind == EvidenceKind.DOCUMENT else ""
        name = _safe(_safe(photo.caption)[:MAX_NAME] or _safe(own)[:MAX_NAME])
        stem = f"{_folder(photo.unit)}/{photo.period}/{day}_{name or renderer.label('no_caption')}"
        path, number = f"{stem}{suffix}", 2
        while path.casefold() in taken:  # Windows does not tell 纪要.PDF from 纪要.pdf
            path, number = f"{stem}_{number}{suffix}", number + 1
        taken.add(path.casefold())
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
            yield _zip(part, files, tz, renderer)
            part, size = [], 0
        part.append((photo, path))
        size += photo.size
    if part or not photos.items:
        yield _zip(part, files, tz, renderer)


def _zip(
    items: list[tuple[Photo, str]], files: ContentStore, tz: tzinfo, renderer: Renderer
) -> bytes:
    """Photos are already compressed: storing them is fast and loses nothing. Each file is
    dated when it arrived (office time), which is what Explorer then shows."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for photo, path in items:
            entry = zipfile.ZipInfo(path, photo.received_at.astimezone(tz).timetuple()[:6])
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, files.read_bytes(photo.sha256))
        archive.writestr("index.xlsx", _index(items, renderer))
    return out.getvalue()


def _index(items: list[tuple[Photo, str]], renderer: Renderer) -> bytes:
    """文件 (the path in the archive), 原文件名, 单位, 月份, 说明, 类型, sha256."""
    label = renderer.label
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = label("sheet_index")
    names = ("file", "original_name", "unit", "period", "caption", "kind")
    sheet.append([*(label(name) for name in names), "sha256"])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
    for photo, path in items:
        kind = label(f"kind_{photo.kind.value}")
        sheet.append([path, photo.file_name, photo.unit, photo.period, photo.caption, kind,
                      photo.sha256])  # fmt: skip
        for cell in sheet[sheet._current_row]:
            cell.font = BODY_FONT
    for column, width in zip("ABCDEFG", (50, 30, 20, 9, 40, 6, 66), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    print_setup(sheet, label("sheet_footer"), header_row=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(text: str) -> str:
    """A Windows-safe piece of a file name: no reserved characters, no control characters,
    no leading or trailing dot or space."""
    return UNSAFE.sub("_", " ".join(text.split())).strip("._ ")


def _folder(unit: str) -> str:
    """A unit's folder name; a unit named like a Windows device gets a trailing underscore."""
    name = _safe(unit)[:MAX_NAME] or "_"
    return f"{name}_" if name.split(".")[0].upper() in RESERVED else name
