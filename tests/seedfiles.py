"""Build real office files from ../shared/seeds, the way offices keep them.

Seed 002 is a text dump of a Word table (each row a block of tab-led cells, multi-line cells
wrapped, a heading paragraph between two tables). ``seed_002()`` reads it back into rows;
the writers produce an .xlsx with merged cells, a .docx table with merged cells, and a GBK
.csv where merged cells are blank, as Excel exports them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
COLUMNS = 7  # 工程 · sub-heading · 具体内容 · 牵头 · 配合 · 时限 · 备注
HEADER = ["具体内容", "具体内容", "具体内容", "牵头单位", "配合单位", "完成时限", "备注"]
MERGED_DOWN = (0, 1, 3, 4)  # blank under a value in these columns continues it


@dataclass(frozen=True)
class Seed002:
    title: list[str]
    rows: list[list[str] | str]  # a row of cells, or a heading paragraph between tables


def seed_path(prefix: str) -> Path:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"seed {prefix} not found under {SEEDS}")
    return found[0]


def seed_002() -> Seed002:
    text = seed_path("002").read_text(encoding="utf-8")
    title: list[str] = []
    rows: list[list[str] | str] = []
    for block in text.split("\n\n"):
        cells: list[str] = []
        for line in block.split("\n"):
            if line.startswith("\t"):
                cells.append(line[1:])
            elif cells:
                cells[-1] += "\n" + line
            elif line.strip():
                (rows if rows else title).append(line.strip())
        if not cells or cells == [""]:
            continue
        if cells[0] == "具体内容":
            continue  # the header row; writers put their own
        if len(cells) == COLUMNS - 1 and cells[0]:
            cells = ["", *cells]  # after a heading paragraph the table lost its 工程 column
        elif len(cells) == COLUMNS - 1:
            cells = [*cells, ""]  # the last row lost its empty 备注 cell
        rows.append([cell.strip() for cell in cells])
    return Seed002(title, rows)


def task_rows(seed: Seed002) -> list[list[str]]:
    return [row for row in seed.rows if isinstance(row, list)]


def merge_runs(rows: list[list[str]], col: int) -> list[tuple[int, int]]:
    """(first, last) row ranges where a value is followed by blanks in ``col`` (within the
    same sub-heading, as the original table merges them)."""
    runs = []
    start = None
    for index, row in enumerate(rows):
        new_block = col >= 2 and index > 0 and (row[1] or row[0])
        if row[col] or new_block:
            if start is not None and index - 1 > start:
                runs.append((start, index - 1))
            start = index if row[col] else None
    if start is not None and len(rows) - 1 > start:
        runs.append((start, len(rows) - 1))
    return runs


def write_xlsx(seed: Seed002, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "责任分工"
    line = 1
    for text in seed.title:
        sheet.cell(line, 1, text)
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=COLUMNS)
        line += 1
    for col, text in enumerate(HEADER[2:], 3):
        sheet.cell(line, col, text)
    sheet.cell(line, 1, "具体内容")
    sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=3)
    line += 1
    segment: list[tuple[int, list[str]]] = []

    def flush() -> None:
        rows = [cells for _, cells in segment]
        for col in MERGED_DOWN:
            for first, last in merge_runs(rows, col):
                sheet.merge_cells(
                    start_row=segment[first][0], start_column=col + 1,
                    end_row=segment[last][0], end_column=col + 1,
                )  # fmt: skip
        segment.clear()

    for row in seed.rows:
        if isinstance(row, str):  # a heading between tables: a row merged across
            flush()
            sheet.cell(line, 1, row)
            sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=COLUMNS)
        else:
            for col, text in enumerate(row, 1):
                if text:
                    sheet.cell(line, col, text).alignment = Alignment(wrap_text=True)
            segment.append((line, row))
        line += 1
    flush()
    workbook.save(path)
    return path


def write_docx(seed: Seed002, path: Path) -> Path:
    from docx import Document

    document = Document()
    for text in seed.title:
        document.add_paragraph(text)
    table = None
    segment: list[tuple[int, list[str]]] = []

    def new_table() -> None:
        nonlocal table
        table = document.add_table(rows=1, cols=COLUMNS)
        for col, text in enumerate(HEADER):
            table.rows[0].cells[col].text = text
        table.cell(0, 0).merge(table.cell(0, 2)).text = "具体内容"

    def flush() -> None:
        assert table is not None
        rows = [cells for _, cells in segment]
        for col in MERGED_DOWN:
            for first, last in merge_runs(rows, col):
                top = table.cell(segment[first][0], col)
                text = top.text
                top.merge(table.cell(segment[last][0], col)).text = text
        segment.clear()

    new_table()
    for row in seed.rows:
        if isinstance(row, str):
            flush()
            document.add_paragraph(row)
            new_table()
            continue
        assert table is not None
        cells = table.add_row().cells
        for col, text in enumerate(row):
            cells[col].text = text
        segment.append((len(table.rows) - 1, row))
    flush()
    document.save(str(path))
    return path


def write_csv(seed: Seed002, path: Path, encoding: str = "gbk") -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    for text in seed.title:
        writer.writerow([text] + [""] * (COLUMNS - 1))
    writer.writerow(["具体内容", "", "", *HEADER[3:]])
    for row in seed.rows:
        writer.writerow([row] + [""] * (COLUMNS - 1) if isinstance(row, str) else row)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


# The 永川 member list (seed 003) and duty tables written against it ------------------------


def yongchuan_members() -> list[str]:
    """The member units seed 003 lists ("成员单位：区政府办公室、…、各镇街。"), groups left out."""
    text = seed_path("003").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("成员单位："))
    names = line.removeprefix("成员单位：").rstrip("。").split("、")
    return [name for name in names if not name.startswith("各")]


def seed_000_units() -> list[str]:
    """The units seed 000 gives duties to ("区委办公室:负责…")."""
    text = seed_path("000").read_text(encoding="utf-8")
    found = []
    for line in text.splitlines():
        head = line.replace("：", ":").split(":", 1)[0]
        if ":" in line.replace("：", ":") and head.startswith("区") and len(head) <= 15:
            found.append(head)
    return found


def write_member_list(names: list[str], path: Path) -> Path:
    """A plain member list (单位名称 column) in the format ``path`` names."""
    rows = [["单位名称", "类别"], *[[name, "党政部门"] for name in names]]
    return write_rows(rows, path, title="永川区创建健康区工作小组成员单位")


def write_rows(rows: list[list[str]], path: Path, *, title: str = "") -> Path:
    """Rows as an .xlsx sheet, a .docx table or a UTF-8 .csv (no merged cells), with an
    optional title line above."""
    suffix = path.suffix
    if suffix == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        if title:
            sheet.append([title])
        for row in rows:
            sheet.append(row)
        workbook.save(path)
    elif suffix == ".docx":
        from docx import Document

        document = Document()
        if title:
            document.add_paragraph(title)
        table = document.add_table(rows=0, cols=max(len(row) for row in rows))
        for row in rows:
            cells = table.add_row().cells
            for col, text in enumerate(row):
                cells[col].text = text
        document.save(str(path))
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        if title:
            writer.writerow([title])
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    return path
