"""The Word 工作简报 for a month, laid out the way offices send them upward.

报头: the campaign's title in red 小标宋, the issue (2026年第3期: a counted 期号, see
``bot.domain.bulletin_issues``), the issuing office and the date over a red line.
报身: 一、总体进展 with the month's counts; 二、各单位工作动态, a （一）… heading per reporting
unit with its work and up to two captioned photos side by side; 三、存在问题; 四、下步工作;
五、报送情况, a table as wide as the 版心. Under 三、存在问题 each task whose latest
status is 滞后/停顿 (with the month reported and the month last confirmed) and a line for the
open tasks nobody confirmed in three months (``bot.domain.task_confirmation``).
版记: 报/送/发 and the 印发 line between rules.
The page, fonts and page numbers follow GB/T 9704 (``bot.exports.gbt9704``).

No chart: a picture of one would need a plotting library and a Chinese font on the server to
draw its labels (without one they come out as boxes), and python-docx cannot write a native
Word chart. The trend is a native chart in the Excel 汇总表's 趋势 sheet instead.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from PIL import Image, UnidentifiedImageError
from sqlmodel import Session

from bot.domain.campaign import Identity
from bot.domain.periods import YearMonth
from bot.domain.standing import PeriodStanding, Standing
from bot.domain.summary import evidence_of, latest_submissions, standing_for
from bot.domain.task_confirmation import (
    NAMED,
    STALE_MONTHS,
    confirmations,
    latest_behind,
    not_confirmed,
)
from bot.exports.gbt9704 import (
    BODY_FONT,
    HEADING_FONT,
    INDENT,
    RED,
    SMALL_SIZE,
    SUBHEADING_FONT,
    TEXT_WIDTH,
    TITLE_FONT,
    chinese_number,
    rule,
    run,
    set_up_page,
    single_spaced,
    tight,
    title_size,
)
from bot.exports.titles import campaign_title
from bot.exports.workbook import status_key
from messages.render import Renderer
from storage.files import ContentStore
from storage.models import EvidenceKind

PHOTOS_PER_UNIT = 2
PHOTO_WIDTH = Mm(74)  # two side by side fill the 156 mm 版心
PHOTO_MAX_PIXELS = 1280  # enough for print at that width; keeps the file small
TABLE_COLUMNS = (Mm(16), Mm(90), Mm(50))  # 序号, 单位, 报送情况: 156 mm
ROW_HEIGHT = Mm(8)  # at least: a long unit name wraps onto a second line
GAP = Pt(16)  # a blank line's worth: under the red line, above the 版记


@dataclass(frozen=True, slots=True)
class Masthead:
    """What the office prints on every issue (from the campaign and settings)."""

    title: str
    office: str
    issue: int
    region_word: str = ""  # 区, 县, 市: "全县12个成员单位"; "" writes no region word
    to: str = ""  # 报
    cc: str = ""  # 送
    distribute: str = ""  # 发


def bulletin_title(identity: Identity | None, configured: str, renderer: Renderer) -> str:
    """BULLETIN_TITLE when set; otherwise the campaign's title (``campaign_title``: name,
    region, kind) followed by 工作简报."""
    if configured:
        return configured
    name = campaign_title(identity, renderer)
    return (
        renderer.label("bulletin_title_of", name=name) if name else renderer.label("bulletin_title")
    )


def build_bulletin(
    *,
    session: Session,
    period: YearMonth,
    now: datetime,
    tz: tzinfo,
    renderer: Renderer,
    files: ContentStore,
    masthead: Masthead,
) -> bytes:
    label = renderer.label
    standing = standing_for(session=session, period=period, now=now, tz=tz)
    latest = latest_submissions(session=session, period=period)
    photos = evidence_of(session=session, periods=[period], kinds=(EvidenceKind.PHOTO,))
    today = now.astimezone(tz).date()
    document = Document()
    set_up_page(document)
    document.core_properties.title = masthead.title
    document.core_properties.author = document.core_properties.last_modified_by = masthead.office

    _masthead(document, masthead, period, today, renderer)
    _heading(document, label("bulletin_overview"))
    _body(document, _overview(standing, masthead, renderer))

    _heading(document, label("bulletin_units"))
    reporting = [u for u in standing.units if u.unit_id in latest and not u.no_progress]
    for number, unit in enumerate(reporting, 1):
        heading = label("bulletin_unit", number=number, numeral=chinese_number(number),
                        unit=unit.name)  # fmt: skip
        _subheading(document, heading)
        for line in latest[unit.unit_id].work_done.splitlines():
            if line.strip():
                _body(document, line)
        shown = [
            (photo.sha256, label("bulletin_photo", unit=unit.name,
                                 caption=photo.caption or label("no_caption")))
            for photo in photos.of_unit(unit.unit_id)[:PHOTOS_PER_UNIT]
        ]  # fmt: skip
        _photos(document, files, shown)
    if not reporting:
        _body(document, label("bulletin_none"))

    tasks = confirmations(session=session, period=period)
    behind = [
        label("bulletin_behind", code=task.code, content=task.content, unit=task.unit,
              status=renderer.button_label(f"status_{task.status.value}"), reason=task.reason,
              month="" if task.month == str(period) else task.month,  # said when earlier
              confirmed="" if task.confirmed in (task.month, str(period)) else task.confirmed)
        for task in latest_behind(tasks)
    ]  # fmt: skip
    stale = not_confirmed(tasks)
    if stale:  # the office's follow-up, in one line: how many, the first few
        behind.append(label("bulletin_unconfirmed", count=len(stale), months=STALE_MONTHS,
                            codes=[item.task.code for item in stale[:NAMED]],
                            more=len(stale) > NAMED))  # fmt: skip
    for heading, field, extra in (
        ("bulletin_problems", "problems", behind),
        ("bulletin_plans", "next_plan", []),
    ):
        _heading(document, label(heading))
        entries = [(u.name, getattr(latest[u.unit_id], field)) for u in reporting]
        for name, text in entries:
            if text.strip():
                _body(document, label("bulletin_unit_says", unit=name, text=text))
        for line in extra:
            _body(document, line)
        if not any(text.strip() for _, text in entries) and not extra:
            _body(document, label("bulletin_none"))

    _heading(document, label("bulletin_table"))
    _status_table(document, standing, renderer)
    _colophon(document, masthead, today, renderer)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _overview(standing: PeriodStanding, masthead: Masthead, renderer: Renderer) -> str:
    """The month's counts, each the length of a list in the 报送情况 table."""
    rate = standing.on_time_rate
    owing = standing.owing
    return renderer.label(
        "bulletin_overview_text", period=standing.period, region_word=masthead.region_word,
        total=standing.expected, reported=standing.reported,
        on_time=standing.count(Standing.ON_TIME), late=standing.count(Standing.LATE),
        missing=sum(1 for u in owing if not u.open), pending=sum(1 for u in owing if u.open),
        rate=None if rate is None else round(rate * 100),
        exempt=standing.count(Standing.EXEMPT), new=standing.count(Standing.NEW),
    )  # fmt: skip


# ----------------------------------------------------------------------------- layout


def _paragraph(document: object) -> Paragraph:
    paragraph: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    return paragraph


def _body(document: object, text: str) -> Paragraph:
    paragraph = _paragraph(document)
    paragraph.paragraph_format.first_line_indent = INDENT
    run(paragraph, tight(text), BODY_FONT)
    return paragraph


def _heading(document: object, text: str) -> None:
    """一级标题: 黑体, indented like the body, not bold (the face already is)."""
    paragraph = _paragraph(document)
    paragraph.paragraph_format.first_line_indent = INDENT
    paragraph.paragraph_format.keep_with_next = True
    run(paragraph, text, HEADING_FONT)


def _subheading(document: object, text: str) -> None:
    """二级标题: 楷体_GB2312."""
    paragraph = _paragraph(document)
    paragraph.paragraph_format.first_line_indent = INDENT
    paragraph.paragraph_format.keep_with_next = True
    run(paragraph, tight(text), SUBHEADING_FONT)


def _masthead(
    document: object, masthead: Masthead, period: YearMonth, today: date, renderer: Renderer
) -> None:
    title = single_spaced(_paragraph(document))
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(12)
    run(title, masthead.title, TITLE_FONT, size=title_size(masthead.title), color=RED)
    issue = _paragraph(document)
    issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(issue, renderer.label("bulletin_issue", year=period.year, number=masthead.issue),
        BODY_FONT)  # fmt: skip
    line = _paragraph(document)
    line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, alignment=2)  # right-aligned date
    run(line, masthead.office, BODY_FONT)
    run(line, "\t" + renderer.label("bulletin_date", day=today), BODY_FONT)
    line.paragraph_format.space_after = GAP
    rule(line, color="FF0000", size=12)


def _colophon(document: object, masthead: Masthead, today: date, renderer: Renderer) -> None:
    """版记: 报/送/发, then the office and the day it was printed, 4号 仿宋 one character in
    from each side, between rules: 粗 above the first line and under the last, 细 between.

    All its lines carry the same borders (top and bottom 粗, between 细): Word and LibreOffice
    draw a run of paragraphs with equal borders as one box, with the "between" rule inside.
    The 版记 follows the text rather than sitting at the foot of the last page as GB/T 9704
    places it: that needs a floating table, which LibreOffice and older WPS move about or
    split across pages."""
    lines = [
        f"{head}：{text}"
        for head, text in (
            (renderer.label("bulletin_to"), masthead.to),
            (renderer.label("bulletin_cc"), masthead.cc),
            (renderer.label("bulletin_distribute"), masthead.distribute),
        )
        if text
    ]
    spacer = _paragraph(document)
    spacer.paragraph_format.space_before = GAP
    spacer.paragraph_format.keep_with_next = True
    for line in lines:
        run(_colophon_line(document), line, BODY_FONT, size=SMALL_SIZE)
    printed = _colophon_line(document)
    printed.paragraph_format.keep_with_next = False
    printed.paragraph_format.tab_stops.add_tab_stop(
        Length(TEXT_WIDTH - Pt(SMALL_SIZE)), alignment=2
    )
    run(printed, masthead.office, BODY_FONT, size=SMALL_SIZE)
    run(printed, "\t" + renderer.label("bulletin_printed_on", day=today), BODY_FONT,
        size=SMALL_SIZE)  # fmt: skip


def _colophon_line(document: object) -> Paragraph:
    paragraph = _paragraph(document)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Pt(SMALL_SIZE)
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing = Pt(SMALL_SIZE * 1.8)
    fmt.keep_with_next = True  # the 版记 stays in one piece
    for edge, size in (("top", 8), ("bottom", 8), ("between", 6)):
        rule(paragraph, edge=edge, size=size)
    return paragraph


def _status_table(document: object, standing: PeriodStanding, renderer: Renderer) -> None:
    """序号 · 单位 · 报送情况 for every listed unit, as wide as the 版心; the header row
    repeats on each page."""
    label = renderer.label
    units = standing.units
    table: Table = document.add_table(rows=1 + len(units), cols=3)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, TABLE_COLUMNS)
    header = table.rows[0]
    header.height, header.height_rule = ROW_HEIGHT, WD_ROW_HEIGHT_RULE.AT_LEAST
    _repeat_header(header._tr)
    for column, title in enumerate((label("number"), label("unit"), label("status"))):
        _cell(header.cells[column], title, HEADING_FONT, center=True)
    for row, unit in enumerate(units, 1):
        key = status_key(unit)
        shown = (
            label("status_late_days", days=unit.workdays_late)
            if key == "late"
            else label(f"status_{key}")
        )
        table.rows[row].height = ROW_HEIGHT
        table.rows[row].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        cells = table.rows[row].cells
        _cell(cells[0], str(row), BODY_FONT, center=True)
        _cell(cells[1], unit.name, BODY_FONT)
        _cell(cells[2], shown, BODY_FONT, center=True)


def _cell(cell: _Cell, text: str, font: str, *, center: bool = False) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = single_spaced(cell.paragraphs[0])
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(paragraph, tight(text), font, size=SMALL_SIZE)


def _widths(table: Table, widths: tuple[Length, ...]) -> None:
    """Fixed column widths (Word reads the cells', LibreOffice the grid's), adding up to the
    table's width; ``autofit`` off so content does not stretch them."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    total = table._tbl.tblPr.find(qn("w:tblW"))
    if total is not None:
        total.set(qn("w:w"), str(sum(round(width.twips) for width in widths)))
        total.set(qn("w:type"), "dxa")


def _repeat_header(tr: object) -> None:
    trpr = tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    trpr.append(header)


# ----------------------------------------------------------------------------- photos


def _photos(document: object, files: ContentStore, shown: list[tuple[str, str]]) -> None:
    """One photo centred, or two side by side in a borderless table, each with its caption;
    a photo that cannot be read is skipped (the archive still has the original)."""
    readable = []
    for sha256, caption in shown:
        try:
            readable.append((_resized(files.read_bytes(sha256)), caption))
        except (OSError, UnidentifiedImageError):
            continue
    if not readable:
        return
    if len(readable) == 1:
        [(data, caption)] = readable
        _picture(_paragraph(document), _paragraph(document), data, caption)
        return
    table: Table = document.add_table(rows=1, cols=len(readable))  # type: ignore[attr-defined]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, tuple(Length(TEXT_WIDTH // len(readable)) for _ in readable))
    for cell, (data, caption) in zip(table.rows[0].cells, readable, strict=True):
        _picture(cell.paragraphs[0], cell.add_paragraph(), data, caption)


def _picture(picture: Paragraph, caption: Paragraph, data: bytes, text: str) -> None:
    for paragraph in (single_spaced(picture), single_spaced(caption)):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    picture.paragraph_format.space_before = Pt(6)
    picture.add_run().add_picture(io.BytesIO(data), width=PHOTO_WIDTH)
    caption.paragraph_format.space_after = Pt(6)
    run(caption, tight(text), SUBHEADING_FONT, size=SMALL_SIZE)


def _resized(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((PHOTO_MAX_PIXELS, PHOTO_MAX_PIXELS))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=80)
    return out.getvalue()
