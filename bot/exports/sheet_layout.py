"""How every sheet of the 汇总表 is titled, typeset and printed.

Row 1 says what the sheet is (campaign, subject, month), row 2 the day its figures stand at
(截至日期) and who made it (制表单位), row 3 holds the column titles — repeated at the top of
every printed page and frozen on screen with the first column. Type is 宋体 for titles and
仿宋 for the cells (charset 134, GB2312, so Excel and WPS pick the Chinese faces); pages are
A4 landscape, scaled to one page wide (as long as needed), with 第1页，共N页 at the foot.
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

TITLE_FONT = Font(name="宋体", size=16, bold=True, charset=134)
INFO_FONT = Font(name="仿宋", size=11, charset=134)
HEADER_FONT = Font(name="宋体", size=11, bold=True, charset=134)
BODY_FONT = Font(name="仿宋", size=11, charset=134)
BOLD_BODY_FONT = Font(name="仿宋", size=11, bold=True, charset=134)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_ROW = 3  # title, 截至日期/制表单位, then the column titles
FIRST_ROW = HEADER_ROW + 1


@dataclass(frozen=True, slots=True)
class Heading:
    """What the top of each sheet says (rendered labels)."""

    title: str  # e.g. 永川区创建健康区报送情况（2026年9月）
    as_of: str  # 截至日期：2026年10月9日
    made_by: str  # 制表单位：永川区创建办
    footer: str  # Excel's page codes: 第&P页，共&N页


def lay_out(
    sheet: Worksheet,
    heading: Heading,
    titles: list[str],
    widths: list[float],
    *,
    freeze: str = "B4",
) -> None:
    """Title rows, column titles and widths, frozen panes and the print setup."""
    last = len(titles)
    end = get_column_letter(last)
    sheet.cell(row=1, column=1, value=heading.title).font = TITLE_FONT
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(f"A1:{end}1")
    sheet.row_dimensions[1].height = 30
    middle = max(1, last // 2)
    left = sheet.cell(row=2, column=1, value=heading.as_of)
    left.font, left.alignment = INFO_FONT, Alignment(horizontal="left")
    right = sheet.cell(row=2, column=middle + 1 if last > 1 else 1, value=heading.made_by)
    if last > 1:
        right.font, right.alignment = INFO_FONT, Alignment(horizontal="right")
        if middle > 1:
            sheet.merge_cells(f"A2:{get_column_letter(middle)}2")
        if middle + 1 < last:
            sheet.merge_cells(f"{get_column_letter(middle + 1)}2:{end}2")
    for column, (title, width) in enumerate(zip(titles, widths, strict=True), 1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=title)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, CENTER
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = freeze
    print_setup(sheet, heading.footer)


def print_setup(sheet: Worksheet, footer: str, *, header_row: int = HEADER_ROW) -> None:
    """A4 landscape, one page wide, the column titles on every page, numbered pages."""
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = sheet.ORIENTATION_LANDSCAPE
    setup.fitToWidth, setup.fitToHeight = 1, 0  # 0: as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True
    margins = sheet.page_margins
    margins.left = margins.right = 0.4  # inches
    margins.top, margins.bottom = 0.6, 0.7
    margins.header, margins.footer = 0.3, 0.3
    sheet.oddFooter.center.text = footer
    sheet.oddFooter.center.font = "仿宋"
    sheet.oddFooter.center.size = 10


def append_wrapped(sheet: Worksheet, values: list[object]) -> int:
    """Append a row of wrapped, top-aligned 仿宋 cells; its row number. (Reading
    ``sheet.max_row`` instead would scan every cell each time: quadratic on big sheets.)"""
    sheet.append(values)
    row = sheet._current_row  # the row ``append`` just wrote
    for column in range(1, len(values) + 1):
        style(sheet.cell(row=row, column=column), font=BODY_FONT, alignment=WRAP)
    return int(row)


# Per workbook: (font, alignment, fill, number format) by identity → the cell style they make.
_STYLES: WeakKeyDictionary[Workbook, dict[tuple[Any, ...], tuple[Any, tuple[Any, ...]]]] = (
    WeakKeyDictionary()
)


def style(
    cell: Cell,
    *,
    font: Font | None = None,
    alignment: Alignment | None = None,
    fill: PatternFill | None = None,
    number_format: str | None = None,
) -> None:
    """Give a fresh cell these (shared, never modified) style objects. openpyxl looks each
    assigned style up among all the workbook's styles by value, which made styling most of a
    1 000-unit workbook's time; a combination is looked up once and then copied."""
    made = _STYLES.setdefault(cell.parent.parent, {})
    key = (id(font), id(alignment), id(fill), number_format)
    found = made.get(key)
    if found is not None:
        cell._style = copy(found[0])
        return
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if fill is not None:
        cell.fill = fill
    if number_format is not None:
        cell.number_format = number_format
    made[key] = (copy(cell._style), (font, alignment, fill))  # keeps the objects (and ids)
