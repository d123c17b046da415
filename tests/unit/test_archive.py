"""The photo archive's names and its split into parts a chat can carry."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.domain.summary import Photo, PhotoSet
from bot.exports.archive import archive_names, build_archives
from messages.render import Renderer
from storage.files import ContentStore
from storage.models import EvidenceKind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def photos(store: ContentStore, captions: list[str], size: int = 1000) -> PhotoSet:
    items = []
    for number, caption in enumerate(captions):
        stored = store.put_bytes(bytes([number]) * size)
        items.append(
            Photo(1, "区教委", "2026-09", stored.sha256, f"p{number}.JPG", caption,
                  datetime(2026, 9, 28, 20, 0, tzinfo=UTC), EvidenceKind.PHOTO, stored.size)
        )  # fmt: skip
    return PhotoSet(items)


def test_names_are_safe_unique_and_dated_in_the_office_time_zone(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    named = archive_names(
        photos(store, ["义诊/讲座:现场", "义诊/讲座:现场", ""]), SHANGHAI, Renderer()
    )
    assert [path for _, path in named] == [
        "区教委/2026-09/2026-09-29_义诊_讲座_现场.jpg",  # 20:00 UTC is the next morning in Beijing
        "区教委/2026-09/2026-09-29_义诊_讲座_现场_2.jpg",
        "区教委/2026-09/2026-09-29_未说明.jpg",
    ]


def test_a_big_archive_is_cut_into_complete_parts(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    parts = list(
        build_archives(
            photos=photos(store, [f"第{n}张" for n in range(5)], size=1000),
            files=store, tz=SHANGHAI, renderer=Renderer(), max_bytes=2500,
        )
    )  # fmt: skip
    assert len(parts) == 3
    seen = []
    for data in parts:
        archive = zipfile.ZipFile(io.BytesIO(data))
        files = [name for name in archive.namelist() if name != "index.xlsx"]
        sheet = load_workbook(io.BytesIO(archive.read("index.xlsx"))).active
        assert sheet is not None
        assert [row[0].value for row in sheet.iter_rows(min_row=2)] == files
        seen += files
    assert len(seen) == len(set(seen)) == 5


def test_an_empty_month_still_gives_an_archive_with_its_index(tmp_path: Path) -> None:
    [data] = build_archives(photos=PhotoSet(), files=ContentStore(tmp_path), tz=SHANGHAI,
                            renderer=Renderer(), max_bytes=1000)  # fmt: skip
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["index.xlsx"]
