"""The office's documents read back from their XML: a 公文-style A4 bulletin, a titled and
printable 汇总表 with its 趋势 charts, and the photo archive's names (the sample office's
September, made on 10-12)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any
from xml.etree import ElementTree

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from openpyxl import load_workbook
from sqlmodel import select

from bot.clock import ManualClock
from bot.config import Settings
from bot.deps import Deps
from bot.domain.periods import YearMonth
from bot.domain.trends import task_status_counts
from bot.exports.files import ExportFile, archive_files, bulletin_file, workbook_file
from storage.migrate import upgrade_database
from storage.models import Campaign, TaskStatus
from tests.conftest import BACKENDS, TEST_TOKEN
from tests.e2e.seed import seed_liaison, seed_report, seed_units
from tests.e2e.test_schedule import moment
from tests.sample_office import MADE_AT, Place, seed_office

SEPTEMBER = YearMonth(2026, 9)
MM = 36_000  # EMU
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
SPACE_AT_A_NUMBER = re.compile(
    r"[\u4e00-\u9fff，。、：][ \u3000]+[0-9]|[0-9%][ \u3000]+[\u4e00-\u9fff]"
)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deps]:
    """The sample office, seeded once for the module (SQLite; the documents do not depend on
    the backend, the queries behind them are tested on both)."""
    folder = tmp_path_factory.mktemp("office")
    settings = Settings(
        _env_file=None, telegram_bot_token=TEST_TOKEN, database_url=f"sqlite:///{folder}/db",
        data_dir=folder / "data", bulletin_to="区委、区政府", bulletin_cc="市爱卫办",
        bulletin_distribute="各成员单位",
    )  # fmt: skip
    deps = Deps.from_settings(settings)
    seed_office(deps)
    yield deps
    deps.close()


def docx_of(file: ExportFile) -> Any:
    return Document(io.BytesIO(file.data))


def east_asia(element: Any) -> str | None:
    fonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def body_texts(document: Any) -> list[str]:
    cells = [p.text for t in document.tables for c in t._cells for p in c.paragraphs]
    return [p.text for p in document.paragraphs] + cells


# ----------------------------------------------------------------------------- bulletin


def test_the_bulletin_is_a4_with_gbt9704_margins_and_page_numbers(office: Deps) -> None:
    document = docx_of(bulletin_file(office, SEPTEMBER))
    section = document.sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.1)
    margins = (section.top_margin, section.bottom_margin, section.left_margin,
               section.right_margin)  # fmt: skip
    assert [m.mm for m in margins] == pytest.approx([37, 35, 28, 26], abs=0.1)
    text_width = section.page_width - section.left_margin - section.right_margin
    text_height = section.page_height - section.top_margin - section.bottom_margin
    assert (text_width / MM, text_height / MM) == pytest.approx((156, 225), abs=0.1)  # 版心
    # "— 1 —" at the foot: odd pages right, even pages left, one character in; 4号 宋体.
    assert document.settings.odd_and_even_pages_header_footer
    for footer, side, indent in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent"),
    ):
        [number] = footer.paragraphs
        assert number.text == "— 1 —" and number.alignment == side
        assert getattr(number.paragraph_format, indent).pt == 14
        assert [i.text for i in number._p.iter(f"{W}instrText")] == [" PAGE "]
        assert {east_asia(r._element) for r in number.runs} == {"宋体"}
        assert {r.font.size.pt for r in number.runs} == {14}
    assert section.footer_distance.mm < 35 - 7  # the number's line starts 7 mm under the 版心


def test_the_masthead_names_the_campaign_its_office_and_a_counted_issue(office: Deps) -> None:
    document = docx_of(bulletin_file(office, SEPTEMBER))
    title, issue, line = document.paragraphs[:3]
    assert title.text == "永川区创建国家健康促进区工作简报"
    [run] = title.runs
    assert east_asia(run._element) == "方正小标宋简体"
    assert str(run.font.color.rgb) == "FF0000" and run.font.size.pt == 26  # 一号: fits one line
    assert line.text == "永川区健康促进区创建办\t2026年10月12日"
    first = issue.text
    again = docx_of(bulletin_file(office, SEPTEMBER)).paragraphs[1].text
    october = docx_of(bulletin_file(office, YearMonth(2026, 10))).paragraphs[1].text
    assert first == again  # making September again does not burn a number
    number = int(first.removeprefix("2026年第").removesuffix("期"))
    assert october == f"2026年第{number + 1}期"


def test_the_region_word_and_titles_follow_the_campaign(office: Deps) -> None:
    def made(**fields: str) -> list[str]:
        with office.db.session() as session:
            campaign = session.exec(select(Campaign)).one()
            for key, value in {**asdict(Place()), **fields}.items():
                setattr(campaign, key, value)
            session.add(campaign)
        return [p.text for p in docx_of(bulletin_file(office, SEPTEMBER)).paragraphs]

    try:
        county = made(name="全民健康水平提升行动", kind="健康县区", region="平罗县",
                      region_word="县", office_name="平罗县爱卫办")  # fmt: skip
        assert county[0] == "平罗县全民健康水平提升行动工作简报"
        assert county[2].startswith("平罗县爱卫办\t")
        assert overview(county).startswith("2026年9月，全县13个成员单位应报送")
        unknown = made(region="", region_word="")  # never a guessed 区
        assert unknown[0] == "创建国家健康促进区工作简报"
        assert overview(unknown).startswith("2026年9月，13个成员单位应报送")
    finally:
        made()
    office.settings = replace_settings(office.settings, bulletin_title="健康永川简报",
                                       bulletin_office="永川区卫生健康委")  # fmt: skip
    try:
        configured = [p.text for p in docx_of(bulletin_file(office, SEPTEMBER)).paragraphs]
        assert configured[0] == "健康永川简报" and configured[2].startswith("永川区卫生健康委\t")
    finally:
        office.settings = replace_settings(office.settings, bulletin_title="", bulletin_office="")


def overview(paragraphs: list[str]) -> str:
    return next(p for p in paragraphs if p.startswith("2026年9月，"))


def replace_settings(settings: Settings, **values: str) -> Settings:
    return settings.model_copy(update=values)


def test_the_body_uses_official_fonts_and_sets_numbers_without_spaces(office: Deps) -> None:
    document = docx_of(bulletin_file(office, SEPTEMBER))
    normal = document.styles["Normal"]
    assert east_asia(normal.element) == "仿宋_GB2312" and normal.font.size.pt == 16  # 三号
    spacing = normal.element.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
    assert spacing.get(qn("w:line")) == "579" and spacing.get(qn("w:lineRule")) == "exact"
    for flag in ("w:autoSpaceDE", "w:autoSpaceDN"):  # no extra gap at digits either
        assert normal.element.find(f"{qn('w:pPr')}/{qn(flag)}").get(qn("w:val")) == "0"
    by_text = {p.text: p for p in document.paragraphs}
    assert east_asia(by_text["一、总体进展"].runs[0]._element) == "黑体"
    assert east_asia(by_text["（一）区委宣传部"].runs[0]._element) == "楷体_GB2312"
    # Word falls back from a missing font to its altName (宋体/仿宋/楷体 are on every PC).
    table = next(p for p in document.part.package.iter_parts()
                 if str(p.partname) == "/word/fontTable.xml").blob.decode()  # fmt: skip
    for font, alternative in (("方正小标宋简体", "宋体"), ("仿宋_GB2312", "仿宋"),
                              ("楷体_GB2312", "楷体")):  # fmt: skip
        assert re.search(rf'w:name="{font}"><w:altName w:val="{alternative}"/>', table)
    texts = body_texts(document)
    overview = next(t for t in texts if t.startswith("2026年9月，"))
    assert overview == (
        "2026年9月，全区13个成员单位应报送工作进展，已报送11个，其中按时报送10个、"
        "逾期报送1个，未报送2个，按时报送率77%。另有1个单位本月新加入、无需报送。"
    )
    assert "9月在融媒体中心开设“健康永川”专栏，刊发健康科普稿件12篇。" in texts  # typed "12 篇"
    assert not [t for t in texts if SPACE_AT_A_NUMBER.search(t)]


def test_the_status_table_fits_the_text_width_and_matches_the_overview(office: Deps) -> None:
    document = docx_of(bulletin_file(office, SEPTEMBER))
    table = document.tables[-1]
    grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.iter(f"{W}gridCol")]
    assert sum(grid) / 1440 * 25.4 == pytest.approx(156, abs=0.5)  # twips → mm: the 版心
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    statuses = [status for _, _, status in rows]
    assert [number for number, _, _ in rows] == [str(n) for n in range(1, 15)]
    assert ["9", "区文旅委", "未报"] in rows and ["14", "胜利路街道", "新加入"] in rows
    assert ["13", "区总工会", "未报（无联络员）"] in rows and [
        "12",
        "区妇联",
        "逾期2个工作日",
    ] in rows
    # The overview's counts are the table's: 10 按时 + 1 无新进展 on time, 1 late, 2 not.
    assert statuses.count("按时") + statuses.count("无新进展") == 10
    assert statuses.count("未报") + statuses.count("未报（无联络员）") == 2
    assert sum(s.startswith("逾期") for s in statuses) == 1 and statuses.count("新加入") == 1
    texts = body_texts(document)
    assert "报：区委、区政府" in texts and "永川区健康促进区创建办\t2026年10月12日印发" in texts


def test_photos_sit_two_abreast_within_the_text_width(office: Deps) -> None:
    document = docx_of(bulletin_file(office, SEPTEMBER))
    assert len(document.inline_shapes) == 5  # 卫健委 2 (of 3), 教委 1, 团区委 2
    assert all(shape.width.mm == pytest.approx(74) for shape in document.inline_shapes)
    texts = body_texts(document)
    assert "图：区卫生健康委·9月5日·卫星湖街道·高血压义诊" in texts
    assert "图：区教委·未说明" in texts and not any("第三张" in t for t in texts)


# ----------------------------------------------------------------------------- workbook


def test_every_sheet_is_titled_and_set_up_for_print(office: Deps) -> None:
    book = load_workbook(io.BytesIO(workbook_file(office, SEPTEMBER).data))
    assert book.sheetnames == ["报送情况", "趋势", "本月进展", "任务进度"]  # no indicators: no 指标
    for sheet in book.worksheets:
        title = str(sheet["A1"].value)
        assert title.startswith("永川区创建国家健康促进区") and title.endswith("（2026年9月）")
        assert any(str(r).startswith("A1:") for r in sheet.merged_cells.ranges)
        assert sheet["A2"].value == "截至日期：2026年10月12日"
        assert "制表单位：永川区健康促进区创建办" in [c.value for c in sheet[2]]
        assert sheet["A1"].font.name == "宋体" and sheet["A1"].font.b
        assert {c.font.name for c in sheet[3]} == {"宋体"} and sheet["A3"].font.b
        assert sheet["A4"].font.name == "仿宋"
        setup = sheet.page_setup
        assert (setup.paperSize, setup.orientation) == (9, "landscape")  # 9: A4
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$3:$3"  # the column titles on every page
        assert sheet.freeze_panes == "B4"
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text


def test_the_status_matrix_leaves_months_before_a_unit_joined_empty(office: Deps) -> None:
    sheet = load_workbook(io.BytesIO(workbook_file(office, SEPTEMBER).data))["报送情况"]
    rows = {row[0].value: [c.value for c in row] for row in sheet.iter_rows(min_row=4)}
    assert rows["胜利路街道"][1:10] == ["—"] * 8 + ["新加入"]
    assert rows["区总工会"][9] == "未报（无联络员）"
    assert rows["按时率"][9] == pytest.approx(10 / 13)


def test_the_trend_sheet_charts_the_months(office: Deps) -> None:
    data = workbook_file(office, SEPTEMBER).data
    sheet = load_workbook(io.BytesIO(data))["趋势"]
    table = [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_row=12)]
    assert table[0] == ["月份", "应报", "已报", "按时", "逾期", "未报", "待报", "按时率",
                        "按计划", "超前", "已完成", "滞后", "停顿", "本月无进展"]  # fmt: skip
    # January: 体育局 (lead of the task 滞后 in the plan) sent no report, so it is not counted.
    assert table[1] == ["1月", 13, 10, 8, 2, 3, 0, pytest.approx(8 / 13), 3, 0, 0, 0, 0, 0]
    assert table[9] == ["9月", 13, 11, 10, 1, 2, 0, pytest.approx(10 / 13), 1, 0, 2, 1, 0, 0]
    status = load_workbook(io.BytesIO(data))["报送情况"]
    september = [row[9].value for row in status.iter_rows(min_row=4, max_row=17)]
    assert september.count("未报") + september.count("未报（无联络员）") == table[9][5]

    archive = zipfile.ZipFile(io.BytesIO(data))
    charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
    assert len(charts) == 2
    reporting, tasks = (chart_series(archive.read(name)) for name in charts)
    assert reporting["bar"] == [("'趋势'!C3", "'趋势'!$C$4:$C$12"),  # 已报
                                ("'趋势'!F3", "'趋势'!$F$4:$F$12"),  # 未报
                                ("'趋势'!G3", "'趋势'!$G$4:$G$12")]  # 待报  # fmt: skip
    assert reporting["line"] == [("'趋势'!H3", "'趋势'!$H$4:$H$12")]  # 按时率
    assert reporting["grouping"] == ["stacked"] and reporting["secondary_axis"]
    assert [title for title, _ in tasks["bar"]] == [f"'趋势'!{c}3" for c in "IJKLMN"]
    assert tasks["grouping"] == ["stacked"] and "line" not in tasks
    assert all(chart_xml_has_visible_axes(archive.read(name)) for name in charts)


def chart_series(xml: bytes) -> dict[str, Any]:
    root = ElementTree.fromstring(xml)
    found: dict[str, Any] = {"grouping": [], "secondary_axis": False}
    for kind, tag in (("bar", "barChart"), ("line", "lineChart")):
        for chart in root.iter(f"{C}{tag}"):
            found[kind] = [
                (series.findtext(f"{C}tx/{C}strRef/{C}f"),
                 series.findtext(f"{C}val/{C}numRef/{C}f"))
                for series in chart.iter(f"{C}ser")
            ]  # fmt: skip
            grouping = chart.find(f"{C}grouping")
            if kind == "bar" and grouping is not None:
                found["grouping"].append(grouping.get("val"))
    found["secondary_axis"] = any(
        crosses.get("val") == "max" for crosses in root.iter(f"{C}crosses")
    )
    return found


def chart_xml_has_visible_axes(xml: bytes) -> bool:
    root = ElementTree.fromstring(xml)
    deleted = [d.get("val") for d in root.iter(f"{C}delete")]
    return bool(deleted) and all(value in ("0", "false") for value in deleted)


def test_an_open_month_shows_pending_not_missing(office: Deps) -> None:
    office.clock = ManualClock(moment("2026-09-24 10:00"))  # before the 09-30 deadline
    try:
        book = load_workbook(io.BytesIO(workbook_file(office, SEPTEMBER).data))
    finally:
        office.clock = ManualClock(moment(MADE_AT))
    status = {row[0].value: row for row in book["报送情况"].iter_rows(min_row=4)}
    assert status["区文旅委"][9].value == "待报"
    assert status["区总工会"][9].value == "待报（无联络员）"
    assert str(status["按时率"][9].value).startswith("已报")  # no rate while open
    trend = [[c.value for c in row] for row in book["趋势"].iter_rows(min_row=12, max_row=12)]
    [september] = trend
    assert september[0] == "9月" and september[6] == 2 and september[7] is None


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_task_counts_take_each_units_latest_report(make_settings: Any) -> None:
    deps = Deps.from_settings(make_settings())
    try:
        seed_office(deps)
        with deps.db.session() as session:
            counts = task_status_counts(session=session, periods=[YearMonth(2026, 2), SEPTEMBER])
    finally:
        deps.close()
    assert counts[YearMonth(2026, 2)] == {TaskStatus.BEHIND: 1, TaskStatus.STALLED: 1,
                                          TaskStatus.ON_TRACK: 1, TaskStatus.AHEAD: 1}  # fmt: skip
    assert counts[SEPTEMBER] == {TaskStatus.BEHIND: 1, TaskStatus.ON_TRACK: 1,
                                 TaskStatus.DONE: 2}  # fmt: skip


# ----------------------------------------------------------------------------- archive


def test_the_archive_keeps_a_documents_own_name_and_indexes_everything(office: Deps) -> None:
    [part] = archive_files(office, SEPTEMBER, max_bytes=2**40)
    archive = zipfile.ZipFile(io.BytesIO(part.data))
    names = archive.namelist()
    assert "区卫生健康委/2026-09/2026-09-25_会议纪要.pdf" in names  # no caption: its own name
    assert "区教委/2026-09/2026-09-24_未说明.jpg" in names  # a photo's own name is an id
    index = load_workbook(io.BytesIO(archive.read("index.xlsx"))).active
    assert index is not None
    rows = [[c.value for c in row] for row in index.iter_rows()]
    assert rows[0] == ["文件", "原文件名", "单位", "月份", "说明", "类型", "sha256"]
    minutes = next(row for row in rows if row[0].endswith("会议纪要.pdf"))
    assert minutes[1:6] == ["会议纪要.pdf", "区卫生健康委", "2026-09", None, "文件"]
    assert {row[5] for row in rows[1:]} == {"照片", "文件"}
    assert [row[0] for row in rows[1:]] == [n for n in names if n != "index.xlsx"]


def test_a_campaign_that_started_in_september_has_no_empty_months(make_settings: Any) -> None:
    """The months before any unit joined would be columns of "—" and rows of zeros."""
    deps = Deps.from_settings(make_settings(), clock=ManualClock(moment("2026-09-01 10:00")))
    try:
        upgrade_database(deps.db.engine)
        seed_liaison(deps, telegram_id=1001, name="王芳", unit_names=["区卫生健康委"])
        seed_units(deps, "区总工会")
        seed_report(deps, unit_name="区卫生健康委", period="2026-09",
                    submitted_at=moment("2026-09-28 10:00"))  # fmt: skip
        deps.clock = ManualClock(moment(MADE_AT))
        book = load_workbook(io.BytesIO(workbook_file(deps, SEPTEMBER).data))
    finally:
        deps.close()
    assert [c.value for c in book["报送情况"][3]] == ["单位", "2026-09", "应报", "按时", "按时率"]
    assert [row[0].value for row in book["趋势"].iter_rows(min_row=4)] == ["9月"]
