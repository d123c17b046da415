"""The archive as a ZIP: ``年度/NNN 一级/NNN 二级/件号 题名.ext``, with ``000 总目录.xlsx`` and the
指标完成情况表 at the top and a ``000 归档文件目录.xlsx`` in every folder.

The files are the originals from the store (never recompressed), under the names the rows
give them — the same rows the catalogues list, so folder, 目录 and workbook cannot disagree.
When one ZIP would be too big for a chat platform it is cut into parts between files, each
part with the 总目录, the completion table and the 目录 of every folder it holds. The web
console writes the whole year as one ZIP into a file instead (``write_bundle``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from bot.archive.catalog import overview, shelf_catalog
from bot.archive.items import Archive, ArchiveItem, Shelf
from messages.render import Renderer
from storage.files import ContentStore

PART_SHARE = 0.9  # of the limit: room for the catalogues and the ZIP's own directory
WHOLE = 2**62  # a limit no year reaches: one ZIP


@dataclass
class _Part:
    shelves: dict[int, tuple[Shelf, list[ArchiveItem]]] = field(default_factory=dict)
    size: int = 0


def build_bundles(
    *, archive: Archive, files: ContentStore, renderer: Renderer, completion: bytes,
    max_bytes: int, made_at: datetime,
) -> list[bytes]:  # fmt: skip
    """One ZIP, or several parts each under ``max_bytes`` when the year's files need it."""
    parts: list[io.BytesIO] = []

    def next_part() -> io.BytesIO:
        parts.append(io.BytesIO())
        return parts[-1]

    _write(archive, files, renderer, completion, max_bytes, made_at, next_part)
    return [part.getvalue() for part in parts]


def write_bundle(
    *, archive: Archive, files: ContentStore, renderer: Renderer, completion: bytes,
    made_at: datetime, out: IO[bytes],
) -> None:  # fmt: skip
    """The year as one ZIP written into ``out`` (a file: the web console's download, with no
    platform limit), holding one original in memory at a time whatever the year's size."""
    _write(archive, files, renderer, completion, WHOLE, made_at, lambda: out)


def _write(
    archive: Archive, files: ContentStore, renderer: Renderer, completion: bytes,
    max_bytes: int, made_at: datetime, open_part: Callable[[], IO[bytes]],
) -> None:  # fmt: skip
    """Cut the year into parts under ``max_bytes`` and write each into ``open_part()``."""
    year = str(archive.year)
    top = {
        f"{year}/{renderer.label('ar_overview_file')}": overview(archive, renderer),
        f"{year}/{renderer.label('ar_completion_file')}": completion,
    }
    budget = max(1, int(max_bytes * PART_SHARE) - sum(len(data) for data in top.values()))
    parts = [_Part()]
    for position, shelf in enumerate(archive.shelves):
        for item in shelf.items:
            if parts[-1].size and parts[-1].size + item.size > budget:
                parts.append(_Part())
            part = parts[-1]
            part.shelves.setdefault(position, (shelf, []))[1].append(item)
            part.size += item.size
    catalogs = {id(s): shelf_catalog(archive, s, renderer) for s in archive.shelves if s.items}
    catalog_name = renderer.label("ar_catalog_file")
    for part in parts:
        _zip(part, top, catalogs, catalog_name, files, made_at, open_part())


def _zip(
    part: _Part, top: dict[str, bytes], catalogs: dict[int, bytes], catalog_name: str,
    files: ContentStore, made_at: datetime, out: IO[bytes],
) -> None:  # fmt: skip
    """A part; each file dated by its 日期, the catalogues by when they were made (so the
    same archive made twice is the same, whatever the machine's clock says)."""
    made = made_at.timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as bundle:
        for name, data in top.items():
            bundle.writestr(_entry(name, made, zipfile.ZIP_DEFLATED), data)
        for shelf, items in part.shelves.values():
            name = f"{shelf.folder}/{catalog_name}"
            bundle.writestr(_entry(name, made, zipfile.ZIP_DEFLATED), catalogs[id(shelf)])
            for item in items:  # originals are already compressed: stored as they are
                when = (item.day.year, item.day.month, item.day.day, 12, 0, 0)
                bundle.writestr(_entry(item.path, when, zipfile.ZIP_STORED),
                                files.read_bytes(item.sha256))  # fmt: skip


def _entry(name: str, when: tuple[int, ...], compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(*when[:6],))  # type: ignore[arg-type]
    info.compress_type = compression
    return info
