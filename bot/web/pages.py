"""What each page shows, gathered from the same domain functions the chat and the exports use.

Nothing here decides a rule: standings come from ``standing``/``summary`` (and the matrix's
cells from the Excel's own ``matrix_key``), a unit's months from ``unit_record``, a report as
the reviewer reads it from ``review.open_submission``, tasks and indicators from ``summary``.
Each function runs in a worker thread with its own database session and returns plain values
for a template.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from bot.domain import review
from bot.domain.outbox import digest_values
from bot.domain.periods import YearMonth
from bot.domain.standing import Standing, UnitStanding
from bot.domain.summary import (
    Photo,
    evidence_of,
    expected_standings,
    indicator_rows,
    year_months,
)
from bot.domain.task_confirmation import BEHIND, confirmations, window_start
from bot.domain.unit_record import unit_history
from bot.exports.workbook import FILLS, counts_against, matrix_key, status_key
from messages.render import Renderer
from storage.models import EvidenceKind, MemberUnit, Submission, SubmissionKind
from storage.repo_people import unit_assignments
from storage.repo_units import get_default_campaign, list_units

REVIEW_PAGE = 20  # reports read on one page of the review queue


# ------------------------------------------------------------------------------ matrix


@dataclass(frozen=True, slots=True)
class MatrixRow:
    unit_id: int
    name: str
    cells: list[str | None]  # a status key (a colour of the Excel) or None for "—"
    expected: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.expected if self.expected else None


def matrix(
    *, session: Session, period: YearMonth, now: datetime, tz: tzinfo, renderer: Renderer
) -> dict[str, Any]:
    """The 报送情况 matrix of the period's year up to the period, as the Excel builds it."""
    standings = expected_standings(session=session, periods=year_months(period), now=now, tz=tz)
    cells: dict[int, dict[int, UnitStanding]] = defaultdict(dict)
    names: dict[int, str] = {}
    for column, standing in enumerate(standings):
        for unit in standing.units:
            names.setdefault(unit.unit_id, unit.name)
            cells[unit.unit_id][column] = unit
    rows = []
    for unit_id, name in names.items():
        found = cells[unit_id]
        keys = [matrix_key(found.get(column), s) for column, s in enumerate(standings)]
        shown = [found[c] for c, key in enumerate(keys) if key is not None]
        rows.append(
            MatrixRow(
                unit_id, name, keys, sum(counts_against(unit) for unit in shown),
                sum(unit.standing == Standing.ON_TIME for unit in shown),
            )
        )  # fmt: skip
    labels = {key: renderer.label(f"status_{key}") for key in FILLS}
    return {
        "period": period,
        "months": standings,
        "rows": rows,
        "labels": labels,
        "summary": digest_values(standings[-1]),
        "previous": period.previous(),
        "next": period.next(),
    }


# ---------------------------------------------------------------------------- reports


@dataclass
class ReportBlock:
    """One submitted version as the reviewer reads it, with its photos and files."""

    submission_id: int
    unit_id: int
    values: dict[str, Any]  # review.open_submission's: unit, period, state, tasks, indicators…
    photos: list[Photo] = field(default_factory=list)
    documents: list[Photo] = field(default_factory=list)
    waiting: bool = False  # the version the office still has to decide

    @property
    def no_progress(self) -> bool:
        return bool(self.values["submission"].kind == SubmissionKind.NO_PROGRESS)


def report_blocks(*, session: Session, submission_ids: list[int], tz: tzinfo) -> list[ReportBlock]:
    blocks = []
    for submission_id in submission_ids:
        reply, _ = review.open_submission(session=session, submission_id=submission_id, tz=tz)
        if reply.template != "review_submission":
            continue
        submission: Submission = reply.values["submission"]
        waiting = review.is_waiting(session=session, submission_id=submission_id)
        blocks.append(ReportBlock(submission_id, submission.unit_id, dict(reply.values),
                                  waiting=waiting))  # fmt: skip
    _attach_files(session, blocks)
    return blocks


def _attach_files(session: Session, blocks: list[ReportBlock]) -> None:
    """Each block's photos and files, read once for all the months on the page."""
    periods = sorted({YearMonth.parse(block.values["period"]) for block in blocks})
    if not periods:
        return
    files: dict[tuple[int, str], list[Photo]] = defaultdict(list)
    for item in evidence_of(session=session, periods=periods).items:
        files[(item.unit_id, item.period)].append(item)
    for block in blocks:
        for item in files[(block.unit_id, block.values["period"])]:
            (block.photos if item.kind == EvidenceKind.PHOTO else block.documents).append(item)


def review_queue(*, session: Session, page: int, tz: tzinfo) -> dict[str, Any]:
    """The waiting reports: 本月无新进展 listed (approved in one go), the others to read in
    full, ``REVIEW_PAGE`` on a page."""
    items = review.queue(session=session)
    no_progress = [item for item in items if item.kind == SubmissionKind.NO_PROGRESS]
    reports = [item for item in items if item.kind != SubmissionKind.NO_PROGRESS]
    pages = max(1, -(-len(reports) // REVIEW_PAGE))
    page = min(max(page, 1), pages)
    shown = reports[(page - 1) * REVIEW_PAGE : page * REVIEW_PAGE]
    blocks = report_blocks(
        session=session, submission_ids=[item.submission_id for item in shown], tz=tz
    )
    return {"no_progress": no_progress, "reports": len(reports), "blocks": blocks,
            "page": page, "pages": pages}  # fmt: skip


def waiting_count(*, session: Session) -> int:
    return len(review.queue(session=session))


def next_waiting(*, session: Session, after: int) -> int | None:
    """The waiting report to read after ``after`` (oldest first), for reading them in a row."""
    ids = [item.submission_id for item in review.queue(session=session)]
    later = ids[ids.index(after) + 1 :] if after in ids else ids
    return next((i for i in later if i != after), None)


# ------------------------------------------------------------------------------- unit


def campaign_unit(*, session: Session, unit_id: int) -> MemberUnit | None:
    """The unit, if it belongs to the campaign the console shows."""
    campaign = get_default_campaign(session=session)
    unit = session.get(MemberUnit, unit_id)
    if unit is None or campaign is None or unit.campaign_id != campaign.id or not unit.active:
        return None
    return unit


def unit_page(
    *, session: Session, unit: MemberUnit, now: datetime, tz: tzinfo, phones: bool
) -> dict[str, Any]:
    """The unit's months as /unit judges them, each with its versions and the latest in full;
    its liaisons over time (phones only for ``phones``: office admins)."""
    assert unit.id is not None
    history = unit_history(session=session, unit=unit, now=now, tz=tz)
    versions: dict[str, list[Submission]] = defaultdict(list)
    for row in session.exec(
        select(Submission)
        .where(Submission.unit_id == unit.id)
        .order_by(col(Submission.period), col(Submission.version))
    ):
        versions[row.period].append(row)
    latest = [month.latest.id for month in history if month.latest and month.latest.id]
    blocks = {block.values["period"]: block for block in
              report_blocks(session=session, submission_ids=latest, tz=tz)}  # fmt: skip
    liaisons = [
        {
            "name": person.name,
            "role": assignment.role,
            "since": assignment.valid_from.astimezone(tz).date(),
            "until": assignment.valid_to.astimezone(tz).date() if assignment.valid_to else None,
            "reason": assignment.reason,
            "phone": person.phone if phones else None,
        }
        for assignment, person in unit_assignments(session=session, unit_id=unit.id)
    ]
    keys = {month.period: status_key(month.standing) for month in history}
    return {"unit": unit, "history": history, "keys": keys, "versions": versions,
            "blocks": blocks, "liaisons": liaisons, "phones": phones}  # fmt: skip


# ------------------------------------------------------------------ tasks, indicators


@dataclass(frozen=True, slots=True)
class TaskLine:
    code: str
    content: str
    deadline: str
    lead: list[str]
    cooperating: list[str]
    statuses: list[tuple[str, str, str, str]]  # unit, status, reason, month reported
    unconfirmed: list[str]  # lead units with no status in the last STALE_MONTHS
    confirmed: str = ""  # the month the task was last confirmed (task_confirmation's rule)
    stale: bool = False  # open and not confirmed in the last STALE_MONTHS


def tasks(*, session: Session, period: YearMonth, only: str, unit: str) -> dict[str, Any]:
    """任务进度 up to the period: each task's units and their latest status, filtered to 滞后/
    停顿 (``only="behind"``), to tasks not confirmed lately (``only="stale"``), to a unit."""
    lines = []
    for found in confirmations(session=session, period=period):
        row = found.row
        statuses = [(name, status.value, reason, month)
                    for name, status, reason, month in row.statuses]  # fmt: skip
        if only == "behind":
            statuses = [s for s in statuses if s[1] in BEHIND]
            if not statuses:
                continue
        if only == "stale" and not found.stale:
            continue
        if unit and unit not in [*row.lead, *row.cooperating, *(s[0] for s in statuses)]:
            continue
        task = row.task
        lines.append(TaskLine(task.code, task.content, task.deadline_raw, row.lead,
                              row.cooperating, statuses, found.unconfirmed, found.confirmed,
                              found.stale))  # fmt: skip
    units = [u.display_name for u in _units(session)]
    return {"period": period, "lines": lines, "only": only, "unit": unit, "units": units,
            "oldest": window_start(period)}  # fmt: skip


def indicators(*, session: Session, period: YearMonth) -> dict[str, Any]:
    return {"period": period, "rows": indicator_rows(session=session, period=period)}


def _units(session: Session) -> list[MemberUnit]:
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return []
    return list_units(session=session, campaign_id=campaign.id)
