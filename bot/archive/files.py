"""Make the year's archive files for whoever asked: the command line, a chat command or the
web console.

One function builds the rows once (``build_archive``) and hands them to every writer, so the
ZIP's folders, its 目录 and the 指标完成情况表 are the same 件 under the same 件号.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO

from bot.archive.bundle import build_bundles, write_bundle
from bot.archive.completion import completion_book
from bot.archive.coverage import Coverage, coverage
from bot.archive.items import Archive
from bot.archive.scope import archive_of
from bot.deps import Deps
from bot.exports.files import XLSX, ZIP, ExportFile


@dataclass(frozen=True, slots=True)
class Made:
    """The archive's files and what they hold (for the reply that goes with them)."""

    files: list[ExportFile]
    archive: Archive
    coverage: Coverage


def make_archive(deps: Deps, *, year: int, framework: str = "", max_bytes: int) -> Made:
    """The ZIP (in parts under ``max_bytes`` if it must be) and the 指标完成情况表."""
    archive, completion = _rows(deps, year, framework)
    parts = build_bundles(archive=archive, files=deps.files, renderer=deps.renderer,
                          completion=completion, max_bytes=max_bytes,
                          made_at=_made_at(deps))  # fmt: skip
    stem = _zip_stem(deps, year)
    zips = (
        [ExportFile(f"{stem}.zip", parts[0], ZIP)]
        if len(parts) == 1
        else [
            ExportFile(f"{stem}_{number}-{len(parts)}.zip", data, ZIP)
            for number, data in enumerate(parts, 1)
        ]
    )
    return Made([*zips, _table(deps, year, completion)], archive, coverage(archive))


def write_archive(deps: Deps, *, year: int, framework: str = "", out: IO[bytes]) -> str:
    """The year's ZIP, whole, written into ``out`` (the web console's download: a file, one
    original in memory at a time, whatever the year's size). Returns the ZIP's name."""
    archive, completion = _rows(deps, year, framework)
    write_bundle(archive=archive, files=deps.files, renderer=deps.renderer,
                 completion=completion, made_at=_made_at(deps), out=out)  # fmt: skip
    return f"{_zip_stem(deps, year)}.zip"


def completion_file(deps: Deps, *, year: int, framework: str = "") -> ExportFile:
    """The 指标完成情况表 alone (the web console offers it apart from the ZIP): the same
    rows and workbook as ``make_archive``'s, without reading every file into a ZIP."""
    _, completion = _rows(deps, year, framework)
    return _table(deps, year, completion)


def _rows(deps: Deps, year: int, framework: str) -> tuple[Archive, bytes]:
    """The year's 件 and the 指标完成情况表 that cites them."""
    with deps.db.session() as session:
        archive = archive_of(deps, session=session, year=year, framework=framework)
        completion = completion_book(session=session, archive=archive, renderer=deps.renderer)
    return archive, completion


def _made_at(deps: Deps) -> datetime:
    return deps.clock.now().astimezone(deps.settings.tz)


def _zip_stem(deps: Deps, year: int) -> str:
    return deps.renderer.label("ar_file_stem", year=year)


def _table(deps: Deps, year: int, completion: bytes) -> ExportFile:
    stem = deps.renderer.label("ar_completion_stem", year=year)
    return ExportFile(f"{stem}.xlsx", completion, XLSX)
