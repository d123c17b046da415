"""The 归档文件目录 and the 000 总目录 as Excel workbooks: laid out to print and bind.

"归档文件目录推荐由系统生成或使用电子表格进行编制": A4 landscape, the DA/T 22-2015 columns
序号、档号、文号、责任者、题名、日期、密级、页数、备注, a title and the 年度/保管期限/指标 line over
them, the header repeated on every printed page, borders, wrapped text in a Chinese font,
page numbers in the footer, and the columns fitted to the page width. The writers only lay
out rows built in ``items``; they decide nothing.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.archive.items import Archive, ArchiveItem, Shelf
from messages.render import Renderer

FONT = "宋体"
TITLE_FONT = "黑体"
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
CATALOG_COLUMNS = (
    ("ar_serial", 6), ("ar_reference", 24), ("ar_doc_number", 16), ("ar_author", 18),
    ("ar_title", 46), ("ar_date", 10), ("ar_secrecy", 6), ("ar_pages", 6), ("ar_remarks", 22),
)  # fmt: skip
OVERVIEW_COLUMNS = (
    ("ar_serial", 6), ("ar_level1", 26), ("ar_level2", 44), ("ar_count", 8),
    ("ar_numbers", 14), ("ar_pages", 8), ("ar_folder", 40),
)  # fmt: skip
LINE_HEIGHT = 13.5  # points, for the 10-point body font
CENTERED = {"ar_serial", "ar_date", "ar_secrecy", "ar_pages", "ar_count", "ar_numbers"}


def catalog_row(serial: int, item: ArchiveItem) -> list[object]:
    """One line of a 归档文件目录, in the DA/T 22-2015 column order."""
    return [
        serial, item.reference, item.doc_number, item.author, item.title, item.date_text,
        item.secrecy, item.pages, item.remarks,
    ]  # fmt: skip


def shelf_catalog(archive: Archive, shelf: Shelf, renderer: Renderer) -> bytes:
    """The 归档文件目录 of one folder (one indicator)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    _catalog(sheet, archive, renderer, shelf.items, _shelf_name(shelf, renderer))
    return saved(book)


def sheet_heading(archive: Archive, renderer: Renderer, title: str) -> str:
    """A sheet's title line: what it is, of which framework (name and version), which year."""
    framework = archive.tree.framework
    name = f"{framework.name} {framework.version}".strip()
    return renderer.label("ar_heading", name=renderer.label(title), framework=name,
                          year=archive.year)  # fmt: skip


def overview(archive: Archive, renderer: Renderer) -> bytes:
    """000 总目录: one row per folder (指标, 件数, 起止件号, 页数), then every 件 on a
    second sheet."""
    label = renderer.label
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    heading = sheet_heading(archive, renderer, "ar_overview")
    subtitle = label("ar_subtitle", year=archive.year, retention=archive.options.retention_words,
                     shelf="")  # fmt: skip
    start_sheet(sheet, label("ar_overview"), heading, subtitle, OVERVIEW_COLUMNS, renderer)
    for serial, shelf in enumerate(archive.shelves, 1):
        numbers = shelf.numbers
        span = f"{numbers[0]:04d}-{numbers[1]:04d}" if numbers else ""
        level1 = shelf.parent.label if shelf.parent else ""
        level2 = shelf.node.label if shelf.node else label("ar_unfiled")
        add_row(sheet, [serial, level1, level2, len(shelf.items), span, shelf.pages, shelf.folder],
             OVERVIEW_COLUMNS)  # fmt: skip
    items = archive.items
    total = [label("ar_total"), "", "", len(items), "", sum(i.pages or 0 for i in items), ""]
    add_row(sheet, total, OVERVIEW_COLUMNS, bold=True)
    _catalog(book.create_sheet(), archive, renderer, items, "")
    return saved(book)


def _catalog(
    sheet: Worksheet, archive: Archive, renderer: Renderer, items: Sequence[ArchiveItem],
    shelf: str,
) -> None:  # fmt: skip
    label = renderer.label
    heading = sheet_heading(archive, renderer, "ar_catalog")
    subtitle = label("ar_subtitle", year=archive.year, retention=archive.options.retention_words,
                     shelf=shelf)  # fmt: skip
    start_sheet(sheet, label("ar_catalog"), heading, subtitle, CATALOG_COLUMNS, renderer)
    for serial, item in enumerate(items, 1):
        add_row(sheet, catalog_row(serial, item), CATALOG_COLUMNS)


def _shelf_name(shelf: Shelf, renderer: Renderer) -> str:
    if shelf.node is None:
        return renderer.label("ar_unfiled")
    parent = f"{shelf.parent.label} / " if shelf.parent else ""
    return f"{parent}{shelf.node.label}"


def start_sheet(
    sheet: Worksheet, title: str, heading: str, subtitle: str,
    columns: Sequence[tuple[str, int]], renderer: Renderer,
) -> None:  # fmt: skip
    """Title, subtitle and header rows; A4 landscape, header repeated, fitted to the width."""
    sheet.title = title[:31]
    width = len(columns)
    last = get_column_letter(width)
    sheet.append([heading])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(name=TITLE_FONT, size=16, bold=True)
    sheet["A1"].alignment = CENTER
    sheet.row_dimensions[1].height = 30
    sheet.append([subtitle])
    sheet.merge_cells(f"A2:{last}2")
    sheet["A2"].font = Font(name=FONT, size=11)
    sheet.append([renderer.label(name) for name, _ in columns])
    for position, (_, size) in enumerate(columns, 1):
        cell = sheet.cell(row=3, column=position)
        cell.font, cell.alignment, cell.border = Font(name=FONT, size=11, bold=True), CENTER, BORDER
        sheet.column_dimensions[get_column_letter(position)].width = size
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "1:3"
    setup = sheet.page_setup
    setup.orientation, setup.paperSize = "landscape", sheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.6
    sheet.page_margins.top = sheet.page_margins.bottom = 0.8
    sheet.oddFooter.center.text = renderer.label("ar_page_footer")


def add_row(
    sheet: Worksheet, values: list[object], columns: Sequence[tuple[str, int]], *,
    bold: bool = False,
) -> None:  # fmt: skip
    sheet.append(values)
    row = sheet.max_row
    lines = 1
    for position, (name, width) in enumerate(columns, 1):
        cell = sheet.cell(row=row, column=position)
        cell.font = Font(name=FONT, size=10, bold=bold)
        cell.alignment = CENTER if name in CENTERED else WRAP
        cell.border = BORDER
        lines = max(lines, _lines(cell.value, width))
    # Neither Excel nor LibreOffice grows a row for wrapped text written by a program: set
    # the height from the longest cell, so nothing printed overlaps.
    sheet.row_dimensions[row].height = LINE_HEIGHT * lines + 4


def _lines(value: object, width: int) -> int:
    """How many lines ``value`` takes in a column ``width`` characters wide (CJK count two)."""
    if value is None:
        return 1
    total = 0
    for line in str(value).splitlines() or [""]:
        size = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
        total += max(1, -(-size // max(1, width - 1)))
    return total


def saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
