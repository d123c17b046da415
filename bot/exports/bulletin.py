"""The Word 工作简报 for a month, laid out the way offices send them upward.

报头: the title in red, the issue (2026年第11期), the issuing office and date over a red rule.
报身: 总体进展 with counts; 各单位工作动态, one paragraph per reporting unit with up to two
photos, resized and captioned; 存在问题; 下步工作; a 报送情况 table. 报尾: 报/送/发 lines.
Chinese text is set through the eastAsia font attribute, which is what Word and WPS read for
CJK characters (setting only ``font.name`` leaves them in the default font).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from PIL import Image, UnidentifiedImageError
from sqlmodel import Session

from bot.domain.periods import YearMonth
from bot.domain.standing import Standing
from bot.domain.summary import behind_tasks, evidence_of, latest_submissions, standing_for
from bot.exports.workbook import status_key
from messages.render import Renderer
from storage.files import ContentStore
from storage.models import EvidenceKind

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
RED = RGBColor(0xC0, 0x00, 0x00)
PHOTOS_PER_UNIT = 2
PHOTO_WIDTH = Cm(7.5)
PHOTO_MAX_PIXELS = 1280  # enough for print at that width; keeps the file small


@dataclass(frozen=True, slots=True)
class Masthead:
    """What the office prints on every issue (from settings)."""

    title: str
    office: str
    issue: int
    to: str = ""  # 报
    cc: str = ""  # 送
    distribute: str = ""  # 发


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
    _base_style(document)

    _masthead(document, masthead, period, today, renderer)

    _heading(document, label("bulletin_overview"))
    rate = standing.on_time_rate
    _body(
        document,
        label(
            "bulletin_overview_text", period=period, total=standing.expected,
            reported=standing.reported, on_time=standing.count(Standing.ON_TIME),
            late=standing.count(Standing.LATE), missing=len(standing.owing),
            rate=None if rate is None else round(rate * 100), open=standing.open,
        ),
    )  # fmt: skip

    _heading(document, label("bulletin_units"))
    reporting = [u for u in standing.units if u.unit_id in latest and not u.no_progress]
    for unit in reporting:
        submission = latest[unit.unit_id]
        paragraph = _body(document, "")
        _run(paragraph, f"{unit.name}：", BODY_FONT, bold=True)
        _run(paragraph, " ".join(submission.work_done.split()), BODY_FONT)
        for photo in photos.of_unit(unit.unit_id)[:PHOTOS_PER_UNIT]:
            _photo(document, files, photo.sha256, label("bulletin_photo", unit=unit.name,
                   caption=photo.caption or label("no_caption")))  # fmt: skip
    if not reporting:
        _body(document, label("bulletin_none"))

    behind = [
        label("bulletin_behind", code=task.code, content=task.content, unit=task.unit,
              status=renderer.button_label(f"status_{task.status.value}"), reason=task.reason)
        for task in behind_tasks(session=session, period=period)
    ]  # fmt: skip
    sections: tuple[tuple[str, str, list[str]], ...] = (
        ("bulletin_problems", "problems", behind),
        ("bulletin_plans", "next_plan", []),
    )
    for heading, field, extra in sections:
        entries = [(u.name, getattr(latest[u.unit_id], field)) for u in reporting]
        _section(document, label(heading), [(n, t) for n, t in entries if t], extra, renderer)

    _heading(document, label("bulletin_table"))
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    _cell(table, 0, 0, label("unit"), bold=True)
    _cell(table, 0, 1, label("status"), bold=True)
    for unit in standing.units:
        key = status_key(unit)
        shown = (
            label("status_late_days", days=unit.workdays_late)
            if key == "late"
            else label(f"status_{key}")
        )
        row = table.add_row()
        _set_text(row.cells[0].paragraphs[0], unit.name)
        _set_text(row.cells[1].paragraphs[0], shown)

    _footer(document, masthead, today, renderer)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ----------------------------------------------------------------------------- layout


def _base_style(document: object) -> None:
    style = document.styles["Normal"]  # type: ignore[attr-defined]
    style.font.size = Pt(14)  # 四号, the usual size for 仿宋 body text
    _east_asia(style.element, BODY_FONT)
    style.font.name = BODY_FONT


def _east_asia(element: object, font: str) -> None:
    """Set the font Word uses for CJK characters (w:rFonts/@w:eastAsia)."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attribute), font)


def _run(paragraph: Paragraph, text: str, font: str, *, size: float | None = None,
         bold: bool = False, color: RGBColor | None = None) -> Run:  # fmt: skip
    run = paragraph.add_run(text)
    run.font.name = font
    _east_asia(run._element, font)
    run.bold = bold
    if size is not None:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color
    return run


def _body(document: object, text: str) -> Paragraph:
    paragraph: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    paragraph.paragraph_format.first_line_indent = Pt(28)  # two characters
    if text:
        _run(paragraph, text, BODY_FONT)
    return paragraph


def _labelled(document: object, name: str, text: str) -> None:
    paragraph = _body(document, "")
    _run(paragraph, f"{name}：", BODY_FONT, bold=True)
    _run(paragraph, " ".join(text.split()), BODY_FONT)


def _section(
    document: object,
    heading: str,
    entries: list[tuple[str, str]],
    extra: list[str],
    renderer: Renderer,
) -> None:
    """A heading, then "单位：text" paragraphs and any extra lines, or 无 when there are none."""
    _heading(document, heading)
    for name, text in entries:
        _labelled(document, name, text)
    for line in extra:
        _body(document, line)
    if not entries and not extra:
        _body(document, renderer.label("bulletin_none"))


def _heading(document: object, text: str) -> None:
    paragraph: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    paragraph.paragraph_format.space_before = Pt(12)
    _run(paragraph, text, HEADING_FONT, size=16)


def _set_text(paragraph: Paragraph, text: str, *, bold: bool = False) -> None:
    _run(paragraph, text, BODY_FONT, size=12, bold=bold)


def _cell(table: Table, row: int, column: int, text: str, *, bold: bool = False) -> None:
    _set_text(table.cell(row, column).paragraphs[0], text, bold=bold)


def _rule(
    paragraph: Paragraph, *, edge: str = "bottom", color: str = "C00000", size: int = 12
) -> None:
    """A line under (or over) the paragraph: the 红线 of the masthead, the footer rules."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{edge}")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", str(size)),
        ("w:space", "1"),
        ("w:color", color),
    ):
        line.set(qn(key), value)
    borders.append(line)
    ppr.append(borders)


def _masthead(
    document: object, masthead: Masthead, period: YearMonth, today: date, renderer: Renderer
) -> None:
    title: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(
        title,
        masthead.title or renderer.label("bulletin_title"),
        TITLE_FONT,
        size=26,
        bold=True,
        color=RED,
    )
    issue: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(
        issue,
        renderer.label("bulletin_issue", year=period.year, number=masthead.issue),
        BODY_FONT,
        size=16,
    )
    line: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    _run(line, masthead.office, BODY_FONT, size=14)
    _run(line, "\t" + renderer.label("bulletin_date", day=today), BODY_FONT, size=14)
    line.paragraph_format.tab_stops.add_tab_stop(Cm(15.5), alignment=2)  # right-aligned date
    _rule(line)


def _footer(document: object, masthead: Masthead, today: date, renderer: Renderer) -> None:
    lines = [
        (renderer.label("bulletin_to"), masthead.to),
        (renderer.label("bulletin_cc"), masthead.cc),
        (renderer.label("bulletin_distribute"), masthead.distribute),
    ]
    first = True
    for head, text in lines:
        if not text:
            continue
        paragraph: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
        if first:
            _rule(paragraph, edge="top", color="000000", size=8)
            first = False
        _run(paragraph, f"{head}：{text}", BODY_FONT, size=12)
    printed: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    _run(
        printed,
        renderer.label("bulletin_printed", office=masthead.office, day=today),
        BODY_FONT,
        size=12,
    )
    _rule(printed, color="000000", size=8)


def _photo(document: object, files: ContentStore, sha256: str, caption: str) -> None:
    """Insert a photo resized for print, with its caption; a photo that cannot be read is
    skipped (the archive still has the original)."""
    try:
        data = _resized(files.read_bytes(sha256))
    except (OSError, UnidentifiedImageError):
        return
    picture: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.add_run().add_picture(io.BytesIO(data), width=PHOTO_WIDTH)
    label: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    label.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(label, caption, BODY_FONT, size=12)


def _resized(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((PHOTO_MAX_PIXELS, PHOTO_MAX_PIXELS))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=80)
    return out.getvalue()
