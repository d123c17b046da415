"""The photo archive's names and its split into parts a chat can carry."""

from __future__ import annotations

import io
import re
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


def item(
    store: ContentStore, name: str, caption: str, kind: EvidenceKind, unit: str = "区教委"
) -> Photo:
    stored = store.put_bytes(name.encode() + caption.encode())
    return Photo(1, unit, "2026-11", stored.sha256, name, caption,
                 datetime(2026, 11, 30, 2, 0, tzinfo=UTC), kind, stored.size)  # fmt: skip


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


def test_a_document_without_a_caption_keeps_its_own_name_made_safe_for_windows(
    tmp_path: Path,
) -> None:
    store = ContentStore(tmp_path)
    doc = EvidenceKind.DOCUMENT
    named = archive_names(
        PhotoSet([
            item(store, "会议纪要.pdf", "", doc),
            item(store, "会议纪要.PDF", "", doc),  # Windows sees the same name
            item(store, "签到表.xlsx", "11月28日·控烟培训签到", doc),  # the caption says more
            item(store, 'C:\\Users\\wang\\方案:终稿?.docx', "", doc),  # a path, reserved chars
            item(store, "...", "", doc),  # nothing left of the name
            item(store, "AgAD1234.jpg", "", EvidenceKind.PHOTO),  # a photo's name is an id
            item(store, "纪要.pdf", "", doc, unit="CON"),  # a device name as a folder
        ]),
        SHANGHAI, Renderer(),
    )  # fmt: skip
    assert [path for _, path in named] == [
        "区教委/2026-11/2026-11-30_会议纪要.pdf",
        "区教委/2026-11/2026-11-30_会议纪要_2.pdf",
        "区教委/2026-11/2026-11-30_11月28日·控烟培训签到.xlsx",
        "区教委/2026-11/2026-11-30_方案_终稿.docx",
        "区教委/2026-11/2026-11-30_未说明.bin",
        "区教委/2026-11/2026-11-30_未说明.jpg",
        "CON_/2026-11/2026-11-30_纪要.pdf",
    ]
    windows = re.compile(r'[\\:*?"<>|]|[. ]$')
    assert not any(windows.search(part) for _, path in named for part in path.split("/"))


def test_the_index_lists_original_name_kind_and_checksum(tmp_path: Path) -> None:
    store = ContentStore(tmp_path)
    items = PhotoSet([item(store, "会议纪要.pdf", "", EvidenceKind.DOCUMENT),
                      item(store, "AgAD1.jpg", "义诊", EvidenceKind.PHOTO)])  # fmt: skip
    [data] = build_archives(photos=items, files=store, tz=SHANGHAI, renderer=Renderer(),
                            max_bytes=10_000)  # fmt: skip
    sheet = load_workbook(io.BytesIO(zipfile.ZipFile(io.BytesIO(data)).read("index.xlsx"))).active
    assert sheet is not None
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["文件", "原文件名", "单位", "月份", "说明", "类型", "sha256"],
        ["区教委/2026-11/2026-11-30_会议纪要.pdf", "会议纪要.pdf", "区教委", "2026-11", None,
         "文件", items.items[0].sha256],
        ["区教委/2026-11/2026-11-30_义诊.jpg", "AgAD1.jpg", "区教委", "2026-11", "义诊", "照片",
         items.items[1].sha256],
    ]  # fmt: skip
    assert sheet.print_title_rows == "$1:$1" and sheet.page_setup.paperSize == 9
    entry = zipfile.ZipFile(io.BytesIO(data)).getinfo("区教委/2026-11/2026-11-30_会议纪要.pdf")
    assert entry.date_time == (2026, 11, 30, 10, 0, 0)  # received 02:00 UTC, 10:00 in Beijing
