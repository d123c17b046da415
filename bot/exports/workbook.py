"""The office's Excel 汇总表 for a month: 报送情况, 趋势, 本月进展, 任务进度, 指标.

Built from ``bot.domain.summary`` (a fixed number of queries) with openpyxl; opened by a clerk
in Excel or WPS and printed, so every sheet has its title rows and print setup
(``bot.exports.sheet_layout``), readable widths, wrapped text and a colour for each status. A
sheet with nothing to show (no tasks imported, no indicators) is left out.
"""

from __future__ import annotations

import io
from datetime import datetime, tzinfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from bot.domain.campaign import campaign_identity
from bot.domain.periods import YearMonth
from bot.domain.standing import PeriodStanding, Standing, UnitStanding
from bot.domain.summary import (
    expected_standings,
    indicator_rows,
    latest_submissions,
    year_months,
)
from bot.domain.task_confirmation import STALE_MONTHS, confirmations
from bot.domain.trends import month_trend, task_status_counts
from bot.exports.sheet_layout import (
    BODY_FONT,
    BOLD_BODY_FONT,
    CENTER,
    FIRST_ROW,
    WRAP,
    Heading,
    lay_out,
    style,
)
from bot.exports.sheet_layout import append_wrapped as _append_wrapped
from bot.exports.titles import campaign_title
from bot.exports.trend_sheet import has_trend, trend_sheet
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
FILL_OF = {key: PatternFill("solid", fgColor=colour) for key, colour in FILLS.items()}
MIDDLE = Alignment(vertical="center")
TWO_LINES = ("no_liaison", "pending_no_liaison")
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
    if unit is None or not _shown(unit, standing):
        return None
    return status_key(unit)


def counts_against(unit: UnitStanding) -> bool:
    """Whether the month is in the unit's on-time rate: reported, or owed and overdue."""
    return unit.reported or (unit.owing and not unit.open)


def build_workbook(
    *,
    session: Session,
    period: YearMonth,
    now: datetime,
    tz: tzinfo,
    renderer: Renderer,
    office: str = "",
) -> bytes:
    """The workbook; ``office`` is the 制表单位 (default: the campaign's office name)."""
    label = renderer.label
    months = year_months(period)
    standings = expected_standings(session=session, periods=months, now=now, tz=tz)
    identity = campaign_identity(session=session)
    name = campaign_title(identity, renderer)
    made_by = label("made_by", office=office or (identity.office_name if identity else "")
                    or label("default_office"))  # fmt: skip
    as_of = label("as_of", day=now.astimezone(tz).date())

    def heading(sheet: str) -> Heading:
        subject = label("trend_title" if sheet == "sheet_trend" else sheet)
        title = label("sheet_title", name=name, sheet=subject, period=period)
        return Heading(title, as_of, made_by, label("sheet_footer"))

    book = Workbook()
    status_sheet = book.active
    assert status_sheet is not None
    _status_sheet(status_sheet, heading("sheet_status"), standings, renderer)
    trends = [month_trend(standing) for standing in standings]
    tasks = task_status_counts(session=session, periods=months)
    if has_trend(trends, tasks):
        sheet = book.create_sheet(label("sheet_trend"))
        trend_sheet(sheet, heading("sheet_trend"), trends, tasks, renderer)
    _progress_sheet(book.create_sheet(), heading("sheet_progress"), session, standings[-1],
                    renderer)  # fmt: skip
    _tasks_sheet(book.create_sheet(), heading("sheet_tasks"), session, period, renderer)
    _indicators_sheet(book.create_sheet(), heading("sheet_indicators"), session, period, renderer)
    for sheet in book.worksheets[1:]:
        if sheet.max_row < FIRST_ROW:  # nothing under the column titles
            book.remove(sheet)
    book.properties.title = heading("sheet_status").title
    book.properties.creator = book.properties.lastModifiedBy = made_by
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _status_sheet(
    sheet: Worksheet, heading: Heading, standings: list[PeriodStanding], renderer: Renderer
) -> None:
    """Unit × month: 按时 / 逾期 / 未报 / 无新进展, with per-unit and per-month on-time rates.
    Months before any unit was in the campaign (all "—") are left out: the year starts with the
    campaign's first month."""
    label = renderer.label
    sheet.title = label("sheet_status")
    first = next(
        (i for i, month in enumerate(standings) if any(_shown(u, month) for u in month.units)),
        len(standings) - 1,
    )
    standings = standings[first:]
    months = [str(s.period) for s in standings]
    titles = [
        label("unit"),
        *months,
        label("expected_count"),
        label("on_time_count"),
        label("on_time_rate"),
    ]
    lay_out(sheet, heading, titles, [22, *[8.5] * len(months), 6, 6, 8])
    units: dict[int, str] = {}
    cells: dict[tuple[int, int], UnitStanding] = {}
    for column, standing in enumerate(standings):
        for unit in standing.units:
            units.setdefault(unit.unit_id, unit.name)
            cells[(unit.unit_id, column)] = unit
    for row_number, (unit_id, name) in enumerate(units.items(), start=FIRST_ROW):
        expected = on_time = 0
        style(sheet.cell(row=row_number, column=1, value=name), font=BODY_FONT, alignment=MIDDLE)
        for column, month in enumerate(standings):
            found = cells.get((unit_id, column))
            cell = sheet.cell(row=row_number, column=column + 2)
            key = matrix_key(found, month)
            if found is None or key is None:
                cell.value = label("not_expected")
                style(cell, font=BODY_FONT, alignment=CENTER)
                continue
            expected += counts_against(found)
            on_time += found.standing == Standing.ON_TIME
            cell.value = label(f"status_{key}")
            style(cell, font=BODY_FONT, alignment=CENTER, fill=FILL_OF[key])
            if key in TWO_LINES:  # 未报（无联络员） wraps: give the row room for it
                sheet.row_dimensions[row_number].height = 30
        base = len(standings) + 2
        totals = (expected, on_time, on_time / expected if expected else None)
        for offset, figure in enumerate(totals):
            total = sheet.cell(row=row_number, column=base + offset, value=figure)
            percent = "0%" if offset == 2 else None  # the rate
            style(total, font=BODY_FONT, alignment=CENTER, number_format=percent)
    footer = len(units) + FIRST_ROW
    sheet.cell(row=footer, column=1, value=label("on_time_rate")).font = BOLD_BODY_FONT
    for column, standing in enumerate(standings, start=2):
        value: object = standing.on_time_rate
        if standing.open:  # no rate yet: how many of those who owe it have sent it
            value = label("reported_of", reported=standing.reported, total=standing.expected)
        cell = sheet.cell(row=footer, column=column, value=value)
        cell.number_format, cell.alignment, cell.font = "0%", CENTER, BOLD_BODY_FONT


def _shown(unit: UnitStanding, standing: PeriodStanding) -> bool:
    """Whether the unit's month has a status: one that joined after the month's due date
    shows "—" there, not 新加入."""
    joined_later = unit.joined is not None and unit.joined > standing.due.due
    return not (unit.standing == Standing.NEW and joined_later)


def _progress_sheet(
    sheet: Worksheet,
    heading: Heading,
    session: Session,
    standing: PeriodStanding,
    renderer: Renderer,
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
    lay_out(sheet, heading, titles, [16, 12, 50, 24, 24, 24, 6, 8])
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
        style(sheet.cell(row=row, column=2), font=BODY_FONT, alignment=WRAP, fill=FILL_OF[key])


def _tasks_sheet(
    sheet: Worksheet, heading: Heading, session: Session, period: YearMonth, renderer: Renderer
) -> None:
    """A row per task and reporting unit: its latest status up to the month, and why; the
    month the task was last confirmed, and 3个月未确认 (in red) for an open task nobody
    confirmed in the last STALE_MONTHS (``bot.domain.task_confirmation``)."""
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
            "last_confirmed",
            "task_remarks",
        )
    ]
    lay_out(sheet, heading, titles, [6, 16, 40, 14, 20, 12, 14, 8, 24, 9, 9, 10])
    flag = label("not_confirmed", months=STALE_MONTHS)
    for found in confirmations(session=session, period=period):
        row, task = found.row, found.task
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
        remark = flag if found.stale else ""
        for unit, shown, reason, month in reports or [("", "", "", "")]:
            number = _append_wrapped(
                sheet, [*common, unit, shown, reason, month, found.confirmed or "—", remark]
            )
            if remark:
                style(sheet.cell(row=number, column=len(titles)), font=BOLD_BODY_FONT,
                      alignment=WRAP, fill=FILL_OF["missing"])  # fmt: skip


def _indicators_sheet(
    sheet: Worksheet, heading: Heading, session: Session, period: YearMonth, renderer: Renderer
) -> None:
    label = renderer.label
    sheet.title = label("sheet_indicators")
    titles = [
        label(n) for n in ("indicator", "target", "latest_value", "gap", "lead", "reported_in")
    ]
    lay_out(sheet, heading, titles, [40, 16, 12, 10, 20, 10])
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
