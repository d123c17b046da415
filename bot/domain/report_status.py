"""/status: each of a person's units in the month it is reporting for, and where it stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.domain.people import Requester
from bot.domain.report_month import report_month
from bot.domain.reporting import due_for_unit, latest_submission
from storage.models import MemberUnit, ReportDraft, Submission


@dataclass(frozen=True, slots=True)
class UnitStatus:
    unit: str
    period: str
    due: str
    covered: bool
    submission: Submission | None
    draft_step: str | None


def status(*, session: Session, who: Requester, now: datetime, tz: ZoneInfo) -> list[UnitStatus]:
    """/status: each of the person's units in the month it is reporting for."""
    rows = []
    for ref in who.units:
        unit = session.get(MemberUnit, ref.id)
        if unit is None:
            continue
        period = report_month(session=session, unit=unit, now=now, tz=tz).period
        due = due_for_unit(session=session, unit_id=ref.id, period=period)
        latest = latest_submission(session=session, unit_id=ref.id, period=period)
        draft = session.exec(
            select(ReportDraft).where(
                ReportDraft.unit_id == ref.id, ReportDraft.period == str(period)
            )
        ).first()
        rows.append(
            UnitStatus(
                ref.name,
                str(period),
                due.due.isoformat(),
                due.covered,
                latest,
                draft.step if draft else None,
            )
        )
    return rows
