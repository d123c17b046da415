"""Read an office's file into tables and paragraphs, whatever format it came in.

Merged cells are filled the way a reader sees them: an .xlsx merged range gives every cell
its top-left value; a .docx merged cell repeats its text in every grid position it covers.
CSV may be UTF-8 (with or without BOM) or GBK/GB18030, as Chinese Excel writes it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.errors import DomainError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML, or old .xls/.doc
ZIP_MAGIC = b"PK\x03\x04"
SUPPORTED = (".xlsx", ".csv", ".docx", ".txt", ".md")


class ImportFileError(DomainError):
    """The file cannot be read at all; ``reason`` names why, ``detail`` adds specifics."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cell texts; ``name`` says where it came from (sheet name, 表N, file name).

    ``fill_down``: a blank cell may stand for the value above it. True only for CSV, where a
    merged cell arrives as one value and blanks; .xlsx and .docx say which cells are merged
    (and their readers fill them), so a blank cell there is blank."""

    name: str
    rows: tuple[tuple[str, ...], ...]
    fill_down: bool = False


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    line: int


Block = Table | Paragraph


def read_blocks(name: str, data: bytes) -> list[Block]:
    """Tables and paragraphs of the file, in document order."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise ImportFileError("unsupported_type", suffix or name)
    if suffix in (".xlsx", ".docx"):
        if data.startswith(OLE_MAGIC):
            raise ImportFileError("encrypted_or_legacy", name)
        if not data.startswith(ZIP_MAGIC):
            raise ImportFileError("corrupt", name)
    try:
        if suffix == ".xlsx":
            return _read_xlsx(data)
        if suffix == ".docx":
            return _read_docx(data)
        text = decode_text(data)
        if suffix == ".csv":
            return [_read_csv(name, text)]
        return [Paragraph(line, number) for number, line in enumerate(text.splitlines(), 1)]
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError("corrupt", f"{name} ({type(exc).__name__})") from None


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM optional) first, then GB18030 (a superset of GBK and GB2312)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("unknown_encoding")


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[Block]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), data_only=True)
    tables: list[Block] = []
    for sheet in workbook.worksheets:
        grid = [[cell_text(cell.value) for cell in row] for row in sheet.iter_rows()]
        for merged in sheet.merged_cells.ranges:
            top_left = cell_text(sheet.cell(merged.min_row, merged.min_col).value)
            for row in range(merged.min_row, merged.max_row + 1):
                for col in range(merged.min_col, merged.max_col + 1):
                    grid[row - 1][col - 1] = top_left
        tables.append(Table(sheet.title, tuple(tuple(row) for row in grid)))
    return tables


def _read_docx(data: bytes) -> list[Block]:
    from docx import Document
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    document = Document(io.BytesIO(data))
    blocks: list[Block] = []
    table_number = 0
    for number, item in enumerate(document.iter_inner_content(), 1):
        if isinstance(item, DocxParagraph):
            if item.text.strip():
                blocks.append(Paragraph(item.text.strip(), number))
        elif isinstance(item, DocxTable):
            table_number += 1
            rows = tuple(tuple(cell.text.strip() for cell in row.cells) for row in item.rows)
            blocks.append(Table(f"表{table_number}", rows))
    return blocks


def _read_csv(name: str, text: str) -> Table:
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = tuple(
        tuple(cell.strip() for cell in row) for row in csv.reader(io.StringIO(text), dialect)
    )
    return Table(Path(name).name, rows, fill_down=True)
