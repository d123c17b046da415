"""One unit's record across months (/unit): what it sent and how each month stands.

Each month is judged by the rule in ``standing`` — timeliness from the first version and any
extension the office granted (also one granted after the report came), 待报 while the
deadline is ahead, 新加入 for a month the unit did not owe — so /unit never disagrees with
/summary or the Excel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlmodel import Session, col, select

from bot.domain.calendar_admin import campaign_rule, load_calendar
from bot.domain.periods import YearMonth
from bot.domain.standing import Dates, Standing, UnitStanding, load_roster, period_standing
from storage.models import MemberUnit, Submission


@dataclass(frozen=True, slots=True)
class MonthRecord:
    period: str
    standing: UnitStanding
    latest: Submission | None  # the version that counts
    versions: int
    submitted_on: str  # MM-DD of the latest version, in the office's time zone


def unit_history(
    *, session: Session, unit: MemberUnit, now: datetime, tz: tzinfo, months: int = 12
) -> list[MonthRecord]:
    """Newest month first, from the month the unit joined (or first reported) to this one."""
    assert unit.id is not None
    rows = session.exec(
        select(Submission)
        .where(Submission.unit_id == unit.id)
        .order_by(col(Submission.period), col(Submission.version))
    ).all()
    latest = {row.period: row for row in rows}
    versions: dict[str, int] = {}
    for row in rows:
        versions[row.period] = versions.get(row.period, 0) + 1
    first = YearMonth.of(unit.created_at.astimezone(tz).date())
    if latest:
        first = min(first, YearMonth.parse(min(latest)))
    period = YearMonth.of(now.astimezone(tz).date())
    rule, calendar = campaign_rule(session=session), load_calendar(session=session)
    roster = load_roster(session=session, at=now)
    history: list[MonthRecord] = []
    while period >= first and len(history) < months:
        found = period_standing(
            session=session, period=period, at=now, tz=tz, unit_ids=[unit.id],
            dates=Dates.of(period, rule, calendar, tz), roster=roster,
        )  # fmt: skip
        shown = [u for u in found.units if u.standing != Standing.NEW or str(period) in latest]
        if shown:
            month = str(period)
            sent = latest.get(month)
            day = sent.submitted_at.astimezone(tz).strftime("%m-%d") if sent else ""
            history.append(MonthRecord(month, shown[0], sent, versions.get(month, 0), day))
        period = period.previous()
    return history
