"""The archive's pure parts: reading framework tables in each layout, item labels, names
Windows accepts, the six caption elements, page counts, 档号 and 件号 ranges."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.archive import captions
from bot.archive.codes import parse_label, safe_name
from bot.archive.completion import number_ranges
from bot.archive.framework_import import name_and_version
from bot.archive.framework_table import read_framework
from bot.archive.items import Options, reference
from bot.archive.probe import probe
from bot.domain.importing.readers import read_blocks
from storage.models import EvidenceKind
from tests.archive_files import chronic_docx, county_xlsx, docx, pdf, promotion_csv

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("cell", "code", "title", "points", "bonus", "core", "difficult"),
    [
        ("一、组织保障(80分)", "一", "组织保障", 80.0, None, False, False),
        ("二、经费保障(50分)附加分(20分)", "二", "经费保障", 50.0, 20.0, False, False),
        ("*1.成立领导小组（15分）难点", "1", "成立领导小组", 15.0, None, True, True),
        ("2.3 健康社区建设", "2.3", "健康社区建设", None, None, False, False),
        ("Ⅱ-1-1 健康社区", "Ⅱ-1-1", "健康社区", None, None, False, False),
        ("（一）完善政策", "（一）", "完善政策", None, None, False, False),
        ("示范区办公室每年至少召开4次联络员会议", "", "示范区办公室每年至少召开4次联络员会议",
         None, None, False, False),
        ("2023年底前建成", "", "2023年底前建成", None, None, False, False),
        ("建立居民健康档案*", "", "建立居民健康档案", None, None, True, False),
    ],
)  # fmt: skip
def test_an_indicator_cell_is_taken_apart(
    cell: str, code: str, title: str, points: float | None, bonus: float | None, core: bool,
    difficult: bool,
) -> None:  # fmt: skip
    label = parse_label(cell)
    assert (label.code, label.title) == (code, title)
    assert (label.points, label.bonus_points) == (points, bonus)
    assert (label.core, label.difficult) == (core, difficult)


def test_the_health_county_layout_keeps_seven_columns_and_the_merged_level_one() -> None:
    table = read_framework(read_blocks("细则.xlsx", county_xlsx()))
    assert table.layout == "health_county" and table.title == "健康县区评估细则（2024版）"
    assert name_and_version(table.title, "x.xlsx") == ("健康县区评估细则", "2024版")
    level1 = [i for i in table.items if i.level == 1]
    assert [(i.label.code, i.label.title) for i in level1] == [
        ("一", "完善健康政策"), ("二", "营造健康环境")
    ]  # fmt: skip
    first = table.items[1]
    assert (first.label.code, first.label.title, first.points) == ("1", "纳入县区发展规划", 1.0)
    assert first.details["description"].startswith("工作报告、发展规划")
    assert first.details["method"].startswith("查阅资料")
    assert first.details["calculation"].startswith("文件中体现")
    assert first.units == "区政府办 区发改委 区卫健委 各成员单位"
    assert [i.label.code for i in table.children(level1[1].key)] == ["2.3", "2.4", "2.5"]


def test_the_chronic_disease_scoring_layout_reads_core_items_and_extra_points() -> None:
    table = read_framework(read_blocks("考评表.docx", chronic_docx()))
    assert table.layout == "chronic_scoring" and table.title == "慢性病综合防控示范区现场考评表"
    areas = [i for i in table.items if i.level == 1]
    assert [(a.label.title, a.points, a.label.bonus_points) for a in areas] == [
        ("组织保障", 80.0, None), ("经费保障", 50.0, 20.0)
    ]  # fmt: skip
    items = table.children(areas[0].key)
    assert [(i.label.title, i.points, i.label.core, i.self_score) for i in items] == [
        ("区政府成立示范区建设领导小组", 20.0, True, 20.0),
        ("示范区办公室每年至少召开4次联络员会议", 15.0, False, 12.0),
    ]


def test_the_promotion_county_layout_reads_weights_criteria_and_three_levels() -> None:
    table = read_framework(read_blocks("标准.csv", promotion_csv()))
    assert table.layout == "promotion_county"
    assert [(i.level, i.label.code) for i in table.items] == [
        (1, "Ⅰ"), (2, "Ⅰ-1"), (3, "Ⅰ-1-1"), (3, "Ⅰ-1-2"), (1, "Ⅱ"), (2, "Ⅱ-1"), (3, "Ⅱ-1-1")
    ]  # fmt: skip
    last = table.items[-1]
    assert (last.points, last.self_score, last.details["calculation"]) == (3.0, 2.5, "达到20%得3分")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('会议：通知/签到*?"<>|', "会议：通知_签到"),
        ("CON", "_CON"),
        ("  说明。。 ..", "说明。。"),
        ("a" * 80, "a" * 40),
        ("", "_"),
    ],
)
def test_names_are_safe_on_windows(text: str, expected: str) -> None:
    assert safe_name(text) == expected


def test_captions_are_checked_for_the_six_elements() -> None:
    full = "11月5日，区卫健委在卫星湖社区活动室开展高血压义诊，居民40余人参加，背景为义诊横幅"
    assert captions.present(full) == {"事由", "时间", "地点", "人物", "背景"}
    assert captions.to_ask(full) == []  # 摄影者 is the liaison; nothing to ask
    assert captions.to_ask("高血压义诊") == ["地点", "人物", "背景"]
    assert captions.to_ask("卫星湖社区开展义诊，居民40人参加") == []  # 背景 alone: not asked
    assert captions.completed("高血压义诊", "在卫星湖社区，居民40人") == (
        "高血压义诊；在卫星湖社区，居民40人"
    )


def test_a_photo_is_dated_by_its_caption_then_its_camera_then_its_arrival() -> None:
    arrived = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    camera = datetime(2026, 11, 18, 9, 0, tzinfo=TZ)
    assert captions.photo_date("11月5日·义诊", camera, arrived, 2026, TZ) == date(2026, 11, 5)
    assert captions.photo_date("义诊", camera, arrived, 2026, TZ) == date(2026, 11, 18)
    assert captions.photo_date("义诊", None, arrived, 2026, TZ) == date(2026, 11, 20)
    # A day after the photo arrived is a typo (or another year): the camera's day, then arrival.
    assert captions.photo_date("12月5日·义诊", camera, arrived, 2026, TZ) == date(2026, 11, 18)
    assert captions.photo_date("12月5日·义诊", None, arrived, 2026, TZ) == date(2026, 11, 20)
    assert captions.caption_date("2月30日", 2026) is None  # not a day: no date
    assert captions.caption_date("2028年2月29日", 2026) == date(2028, 2, 29)


def test_pages_are_counted_or_said_to_be_unknown() -> None:
    assert probe(pdf(3), "方案.pdf", EvidenceKind.DOCUMENT, TZ).pages == 3
    saved = probe(docx(2, saved_pages=5), "通知.docx", EvidenceKind.DOCUMENT, TZ)
    assert (saved.pages, saved.exact) == (5, True)
    estimated = probe(docx(2), "通知.docx", EvidenceKind.DOCUMENT, TZ)
    assert (estimated.pages, estimated.exact) == (3, False)
    assert probe(b"not a pdf", "坏.pdf", EvidenceKind.DOCUMENT, TZ).pages is None
    assert probe(b"PK..", "表.xlsx", EvidenceKind.DOCUMENT, TZ).pages is None


def test_a_photo_is_one_page_and_keeps_its_camera_time() -> None:
    exif = Image.Exif()
    exif[306] = "2026:11:05 09:30:00"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 20, 30)).save(out, format="JPEG", exif=exif)
    found = probe(out.getvalue(), "a.jpg", EvidenceKind.PHOTO, TZ)
    assert found.pages == 1
    assert found.taken_at == datetime(2026, 11, 5, 9, 30, tzinfo=TZ)


def test_references_follow_the_pattern_and_numbers_are_cited_as_runs() -> None:
    assert reference(Options(), year=2026, code="2.3", number=7) == "2026-D10-2.3-0007"
    office = Options(fonds="J012", retention="D30")
    assert reference(office, year=2026, code="Ⅱ-1", number=12) == "J012-2026-D30-Ⅱ-1-0012"
    custom = Options(reference="{year}·{code}·{number}")
    assert reference(custom, year=2026, code="2.3", number=1) == "2026·2.3·0001"
    assert number_ranges([3, 1, 2, 7, 9, 8]) == "0001-0003、0007-0009"
    assert number_ranges([5]) == "0005" and number_ranges([]) == ""


def test_the_2016_decomposition_and_the_jiangsu_layouts_are_read_too() -> None:
    plan = (
        "指标分类,指标内容,指标要求,评估方法,实施部门建议\n"
        "一、政策完善,1.成立领导小组（15分）,区政府成立领导小组,查阅文件,区政府办\n"
        "一、政策完善,2.制定实施方案（10分）难点,每5年修订,查阅文件,区卫健委\n"
    ).encode()
    table = read_framework(read_blocks("分解表.csv", plan))
    assert table.layout == "chronic_plan"
    items = [(i.level, i.label.title, i.points, i.difficult) for i in table.items]
    assert items == [(1, "政策完善", None, False), (2, "成立领导小组", 15.0, False),
                     (2, "制定实施方案", 10.0, True)]  # fmt: skip
    assert table.items[2].details["target"] == "每5年修订" and table.items[2].units == "区卫健委"
    town = (
        "项目,指标,名词解释,口径范围,计算方法,数据来源,指标值\n"
        "组织管理,召开领导机构会议和部门联络员会议(1分),每年召开,全镇,次数,会议纪要,≥4次\n"
    ).encode()
    jiangsu = read_framework(read_blocks("健康镇.csv", town))
    [area, meeting] = jiangsu.items
    assert (area.label.title, meeting.label.title, meeting.points) == (
        "组织管理", "召开领导机构会议和部门联络员会议", 1.0
    )  # fmt: skip
    assert meeting.details["target"] == "≥4次" and meeting.details["calculation"] == "次数"
