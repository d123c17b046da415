"""The 趋势 sheet: the months' figures as a table and as native Excel charts.

Chart 1 stacks each month's units that owed a report — 已报, 未报 (overdue) and 待报 (deadline
not passed) — as columns, with the on-time rate as a line on a 0–100 % axis on the right (an
open month has no rate yet, so the line stops there). Chart 2 stacks the statuses units gave
their tasks in each month's latest reports (按计划, 超前, 已完成, 滞后, 停顿, 本月无进展).
The charts are drawn by Excel, WPS or LibreOffice from the table beside them, so no image
library or server font is involved, and the clerk can restyle them.
"""

from __future__ import annotations

import math
from collections import Counter

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.series import Series as ChartSeries
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.periods import YearMonth
from bot.domain.trends import TASK_STATUSES, MonthTrend
from bot.exports.sheet_layout import FIRST_ROW, HEADER_ROW, Heading, append_wrapped, lay_out
from messages.render import Renderer
from storage.models import TaskStatus

# Colours as in the 报送情况 sheet: green reported, red overdue, grey pending; the rate dark red.
REPORT_COLOURS = ("70AD47", "FF6B6B", "BFBFBF")
RATE_COLOUR = "C00000"
TASK_COLOURS = ("5B9BD5", "2E75B6", "70AD47", "FFC000", "FF6B6B", "BFBFBF")
CHART_WIDTH_CM, CHART_HEIGHT_CM = 13.5, 8.5
CM_PER_WIDTH_UNIT = 0.19  # one unit of Excel column width is about one digit of the font


def has_trend(trends: list[MonthTrend], tasks: dict[YearMonth, Counter[TaskStatus]]) -> bool:
    return any(t.expected for t in trends) or any(sum(c.values()) for c in tasks.values())


def trend_sheet(
    sheet: Worksheet,
    heading: Heading,
    trends: list[MonthTrend],
    tasks: dict[YearMonth, Counter[TaskStatus]],
    renderer: Renderer,
) -> None:
    """The table (a row per month, from the first month anyone owed a report) and the
    charts side by side under it."""
    label = renderer.label
    first = next(
        (i for i, t in enumerate(trends) if t.expected or sum(tasks[t.period].values())), 0
    )
    shown = trends[first:]
    with_tasks = any(sum(tasks[t.period].values()) for t in shown)
    titles = [
        label("period"),
        label("expected_count"),
        label("reported_count"),
        label("on_time_count"),
        label("status_late"),
        label("status_missing"),
        label("status_pending"),
        label("on_time_rate"),
    ]
    statuses = [renderer.button_label(f"status_{s.value}") for s in TASK_STATUSES]
    widths = [10.0, *[8.0] * 7]
    if with_tasks:
        titles += statuses
        widths += [9.0] * len(statuses)
    lay_out(sheet, heading, titles, widths)
    for trend in shown:
        values: list[object] = [
            label("trend_month", period=trend.period), trend.expected, trend.reported,
            trend.on_time, trend.late, trend.missing, trend.pending, trend.on_time_rate,
        ]  # fmt: skip
        if with_tasks:
            values += [tasks[trend.period][status] for status in TASK_STATUSES]
        row = append_wrapped(sheet, values)
        sheet.cell(row=row, column=8).number_format = "0%"
    last = HEADER_ROW + len(shown)
    anchor_row = last + 2
    reporting = _reporting_chart(sheet, last, renderer)
    reporting.y_axis.majorUnit = _step(max((t.expected for t in shown), default=0))
    sheet.add_chart(reporting, f"A{anchor_row}")
    if with_tasks:
        task_chart = _task_chart(sheet, last, renderer)
        task_chart.y_axis.majorUnit = _step(max(sum(tasks[t.period].values()) for t in shown))
        sheet.add_chart(task_chart, f"{_column_at(widths)}{anchor_row}")


def _reporting_chart(sheet: Worksheet, last: int, renderer: Renderer) -> BarChart:
    label = renderer.label
    months = Reference(sheet, min_col=1, min_row=FIRST_ROW, max_row=last)
    bars = BarChart()
    bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
    bars.title = label("chart_reporting")
    for column, colour in zip((3, 6, 7), REPORT_COLOURS, strict=True):  # 已报, 未报, 待报
        bars.series.append(_series(sheet, column, last, colour))
    bars.set_categories(months)
    bars.y_axis.title = label("axis_units")
    bars.y_axis.majorGridlines = None
    rate = LineChart()
    line = _series(sheet, 8, last, None)
    line.graphicalProperties.line.solidFill = RATE_COLOUR
    line.graphicalProperties.line.width = 28_575  # 2.25 pt, in EMU
    line.marker.symbol, line.marker.size = "circle", 6
    line.marker.graphicalProperties.solidFill = RATE_COLOUR
    line.marker.graphicalProperties.line.solidFill = RATE_COLOUR
    line.smooth = False
    rate.series.append(line)
    rate.y_axis.axId = 200
    rate.y_axis.title = label("on_time_rate")
    rate.y_axis.number_format = "0%"
    rate.y_axis.scaling.min, rate.y_axis.scaling.max = 0, 1
    rate.y_axis.crosses = "max"  # the rate's axis on the right
    rate.y_axis.majorGridlines = None
    _show_axes(bars, rate)
    bars += rate
    return _sized(bars)


def _task_chart(sheet: Worksheet, last: int, renderer: Renderer) -> BarChart:
    bars = BarChart()
    bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
    bars.title = renderer.label("chart_tasks")
    for offset, colour in enumerate(TASK_COLOURS):
        bars.series.append(_series(sheet, 9 + offset, last, colour))
    bars.set_categories(Reference(sheet, min_col=1, min_row=FIRST_ROW, max_row=last))
    bars.y_axis.title = renderer.label("axis_tasks")
    _show_axes(bars)
    return _sized(bars)


def _series(sheet: Worksheet, column: int, last: int, colour: str | None) -> ChartSeries:
    """The column's figures, named by its title cell."""
    values = Reference(sheet, min_col=column, min_row=HEADER_ROW, max_row=last)
    series = Series(values, title_from_data=True)
    if colour is not None:
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    return series


def _show_axes(*charts: BarChart | LineChart) -> None:
    """openpyxl 3.1 writes axes as deleted unless told otherwise; Excel then hides them."""
    for chart in charts:
        chart.x_axis.delete = False
        chart.y_axis.delete = False
    charts[0].legend.position = "b"


def _sized(chart: BarChart) -> BarChart:
    chart.width, chart.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
    return chart


def _step(highest: int) -> int:
    """Whole-number gridlines, about eight of them: counts of units and tasks have no halves."""
    return max(1, math.ceil(highest / 8))


def _column_at(widths: list[float]) -> str:
    """The column letter just right of the first chart."""
    covered, column = 0.0, 0
    while covered < CHART_WIDTH_CM + 0.5:
        covered += (widths[column] if column < len(widths) else 8.43) * CM_PER_WIDTH_UNIT
        column += 1
    return str(get_column_letter(column + 1))
