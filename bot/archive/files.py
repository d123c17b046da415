"""Make the year's archive files for whoever asked: the command line or a chat command.

One function builds the rows once (``build_archive``) and hands them to every writer, so the
ZIP's folders, its 目录 and the 指标完成情况表 are the same 件 under the same 件号.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.archive.bundle import build_bundles
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
    label = deps.renderer.label
    with deps.db.session() as session:
        archive = archive_of(deps, session=session, year=year, framework=framework)
        completion = completion_book(session=session, archive=archive, renderer=deps.renderer)
    parts = build_bundles(archive=archive, files=deps.files, renderer=deps.renderer,
                          completion=completion, max_bytes=max_bytes,
                          made_at=deps.clock.now().astimezone(deps.settings.tz))  # fmt: skip
    stem = label("ar_file_stem", year=year)
    zips = (
        [ExportFile(f"{stem}.zip", parts[0], ZIP)]
        if len(parts) == 1
        else [
            ExportFile(f"{stem}_{number}-{len(parts)}.zip", data, ZIP)
            for number, data in enumerate(parts, 1)
        ]
    )
    return Made([*zips, _table(deps, year, completion)], archive, coverage(archive))


def completion_file(deps: Deps, *, year: int, framework: str = "") -> ExportFile:
    """The 指标完成情况表 alone (the web console offers it apart from the ZIP): the same
    rows and workbook as ``make_archive``'s, without reading every file into a ZIP."""
    with deps.db.session() as session:
        archive = archive_of(deps, session=session, year=year, framework=framework)
        completion = completion_book(session=session, archive=archive, renderer=deps.renderer)
    return _table(deps, year, completion)


def _table(deps: Deps, year: int, completion: bytes) -> ExportFile:
    stem = deps.renderer.label("ar_completion_stem", year=year)
    return ExportFile(f"{stem}.xlsx", completion, XLSX)
