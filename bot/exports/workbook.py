"""The office's Excel 汇总表 for a month: 报送情况, 本月进展, 任务进度, 指标.

Built from ``bot.domain.summary`` (a fixed number of queries) with openpyxl; opened by a clerk
in Excel or WPS, so: frozen header, readable widths, wrapped text, colour for each status.
"""

from __future__ import annotations

import io
from datetime import datetime, tzinfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from bot.domain.periods import YearMonth
from bot.domain.standing import PeriodStanding, Standing, UnitStanding
from bot.domain.summary import (
    expected_standings,
    indicator_rows,
    latest_submissions,
    task_rows,
    year_months,
)
from messages.render import Renderer

FILLS = {
    "on_time": "C6EFCE",  # green
    "late": "FFEB9C",  # amber
    "missing": "FFC7CE",  # red
    "no_liaison": "FFC7CE",
    "no_progress": "D9D9D9",  # grey
    "exempt": "DDEBF7",  # light blue: 免报
    "pending": "FFFFFF",  # white: 待报, the deadline has not passed — nothing to flag yet
    "pending_no_liaison": "FFFFFF",
    "new": "F2F2F2",  # light grey: 新加入, owes nothing this month
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center")
MAX_CELL = 32_000  # Excel holds 32 767 characters in a cell


def status_key(unit: UnitStanding) -> str:
    """Which label and colour a unit's month gets (never red while its deadline is open)."""
    if unit.no_progress:
        return "no_progress"
    if unit.standing == Standing.NO_LIAISON and unit.open:
        return "pending_no_liaison"
    return unit.standing.value


def matrix_key(unit: UnitStanding | None, standing: PeriodStanding) -> str | None:
    """A unit's cell in the 报送情况 matrix (the Excel's and the web console's): its status
    key, or None for "—" (not listed that month, or joined after its due date)."""
    if unit is None or (unit.standing == Standing.NEW and _joined_later(unit, standing)):
        return None
    return status_key(unit)


def counts_against(unit: UnitStanding) -> bool:
    """Whether the month is in the unit's on-time rate: reported, or owed and overdue."""
    return unit.reported or (unit.owing and not unit.open)


def build_workbook(
    *, session: Session, period: YearMonth, now: datetime, tz: tzinfo, renderer: Renderer
) -> bytes:
    months = year_months(period)
    standings = expected_standings(session=session, periods=months, now=now, tz=tz)
    book = Workbook()
    status_sheet = book.active
    assert status_sheet is not None
    _status_sheet(status_sheet, standings, renderer)
    _progress_sheet(book.create_sheet(), session, standings[-1], renderer)
    _tasks_sheet(book.create_sheet(), session, period, renderer)
    _indicators_sheet(book.create_sheet(), session, period, renderer)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header(sheet: Worksheet, titles: list[str], widths: list[int]) -> None:
    sheet.append(titles)
    for column, width in enumerate(widths, 1):
        cell = sheet.cell(row=1, column=column)
        cell.font, cell.fill, cell.alignment = Font(bold=True), HEADER_FILL, CENTER
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "B2"


def _append_wrapped(sheet: Worksheet, values: list[object]) -> int:
    """Append a row with wrapped, top-aligned cells; its row number. (Reading
    ``sheet.max_row`` instead would scan every cell each time: quadratic on big sheets.)"""
    sheet.append(values)
    row = sheet._current_row  # the row ``append`` just wrote
    for column in range(1, len(values) + 1):
        sheet.cell(row=row, column=column).alignment = WRAP
    return int(row)


def _status_sheet(sheet: Worksheet, standings: list[PeriodStanding], renderer: Renderer) -> None:
    """Unit × month: 按时 / 逾期 / 未报 / 无新进展, with per-unit and per-month on-time rates."""
    label = renderer.label
    sheet.title = label("sheet_status")
    months = [str(s.period) for s in standings]
    titles = [
        label("unit"),
        *months,
        label("expected_count"),
        label("on_time_count"),
        label("on_time_rate"),
    ]
    _header(sheet, titles, [24, *[10] * len(months), 8, 8, 10])
    units: dict[int, str] = {}
    cells: dict[tuple[int, int], UnitStanding] = {}
    for column, standing in enumerate(standings):
        for unit in standing.units:
            units.setdefault(unit.unit_id, unit.name)
            cells[(unit.unit_id, column)] = unit
    for row_number, (unit_id, name) in enumerate(units.items(), start=2):
        expected = on_time = 0
        sheet.cell(row=row_number, column=1, value=name)
        for column in range(len(standings)):
            found = cells.get((unit_id, column))
            cell = sheet.cell(row=row_number, column=column + 2)
            cell.alignment = CENTER
            key = matrix_key(found, standings[column])
            if found is None or key is None:
                cell.value = label("not_expected")
                continue
            expected += counts_against(found)
            on_time += found.standing == Standing.ON_TIME
            cell.value = label(f"status_{key}")
            cell.fill = PatternFill("solid", fgColor=FILLS[key])
        base = len(standings) + 2
        sheet.cell(row=row_number, column=base, value=expected)
        sheet.cell(row=row_number, column=base + 1, value=on_time)
        rate = sheet.cell(
            row=row_number, column=base + 2, value=on_time / expected if expected else None
        )
        rate.number_format = "0%"
    footer = len(units) + 2
    sheet.cell(row=footer, column=1, value=label("on_time_rate")).font = Font(bold=True)
    for column, standing in enumerate(standings, start=2):
        value: object = standing.on_time_rate
        if standing.open:  # no rate yet: how many of those who owe it have sent it
            value = label("reported_of", reported=standing.reported, total=standing.expected)
        cell = sheet.cell(row=footer, column=column, value=value)
        cell.number_format, cell.alignment, cell.font = "0%", CENTER, Font(bold=True)


def _joined_later(unit: UnitStanding, standing: PeriodStanding) -> bool:
    """A unit that joined after the month's due date shows "—" there, not 新加入."""
    return unit.joined is not None and unit.joined > standing.due.due


def _progress_sheet(
    sheet: Worksheet, session: Session, standing: PeriodStanding, renderer: Renderer
) -> None:
    """A row per unit for the month: what was done, problems, coordination, plans, photos."""
    label = renderer.label
    sheet.title = label("sheet_progress")
    titles = [
        label(n)
        for n in (
            "unit",
            "status",
            "work_done",
            "problems",
            "coordination",
            "next_plan",
            "photos",
            "liaison",
        )
    ]
    _header(sheet, titles, [24, 14, 60, 30, 30, 30, 8, 10])
    latest = latest_submissions(session=session, period=standing.period)
    for unit in standing.units:
        submission = latest.get(unit.unit_id)
        key = status_key(unit)
        status = (
            label("status_late_days", days=unit.workdays_late)
            if key == "late"
            else label(f"status_{key}")
        )
        texts = (
            [
                submission.work_done,
                submission.problems,
                submission.coordination,
                submission.next_plan,
            ]
            if submission
            else ["", "", "", ""]
        )
        row = _append_wrapped(
            sheet,
            [
                unit.name,
                status,
                *(t[:MAX_CELL] for t in texts),
                submission.photo_count if submission else 0,
                unit.main_liaison,
            ],
        )
        sheet.cell(row=row, column=2).fill = PatternFill("solid", fgColor=FILLS[key])


def _tasks_sheet(sheet: Worksheet, session: Session, period: YearMonth, renderer: Renderer) -> None:
    """A row per task and reporting unit: its latest status up to the month, and why."""
    label = renderer.label
    sheet.title = label("sheet_tasks")
    titles = [
        label(n)
        for n in (
            "code",
            "category",
            "content",
            "lead",
            "cooperating",
            "deadline",
            "unit",
            "latest_status",
            "reason",
            "reported_in",
        )
    ]
    _header(sheet, titles, [8, 24, 50, 20, 24, 16, 16, 10, 30, 10])
    for row in task_rows(session=session, period=period):
        task = row.task
        common = [
            task.code,
            " / ".join(task.category_path),
            task.content,
            "、".join(row.lead),
            "、".join(row.cooperating),
            task.deadline_raw,
        ]
        reports = [
            (unit, renderer.button_label(f"status_{status.value}"), reason, month)
            for unit, status, reason, month in row.statuses
        ]
        for unit, shown, reason, month in reports or [("", "", "", "")]:
            _append_wrapped(sheet, [*common, unit, shown, reason, month])


def _indicators_sheet(
    sheet: Worksheet, session: Session, period: YearMonth, renderer: Renderer
) -> None:
    label = renderer.label
    sheet.title = label("sheet_indicators")
    titles = [
        label(n) for n in ("indicator", "target", "latest_value", "gap", "lead", "reported_in")
    ]
    _header(sheet, titles, [40, 16, 12, 10, 20, 10])
    for row in indicator_rows(session=session, period=period):
        _append_wrapped(
            sheet,
            [
                row.indicator.name,
                row.indicator.target_raw,
                row.value,
                row.gap,
                row.lead,
                row.period,
            ],
        )
