"""What the schedule owes people right now, derived from the database alone.

Nothing here remembers anything between calls: the month's reminders follow from the
calendar, the reporting rule and who has submitted; task alerts from the tasks' deadlines;
what already went out from the delivery log. So a restart, a second instance or a clock jump
all come to the same answer, and the log's unique key makes each message go once.

Each ``Planned`` message is for one person and carries one or more log keys (a liaison with
three tasks due gets one message listing three tasks, logged as three keys).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from bot.domain import review
from bot.domain.calendar_admin import campaign_rule, load_calendar
from bot.domain.due_dates import DueDate, Rule, due_date
from bot.domain.periods import YearMonth
from bot.domain.reminders import Slot, Step, due_step, in_working_hours, schedule
from bot.domain.replies import Button
from bot.domain.standing import TO_REMIND, Dates, PeriodStanding, Standing, period_standing
from bot.domain.task_confirmation import confirmations, unconfirmed_values
from bot.domain.workdays import WorkCalendar
from storage.models import (
    DeadlineKind,
    MemberUnit,
    Person,
    Responsibility,
    Submission,
    SubmissionTaskStatus,
    Task,
    TaskStatus,
    TaskUnit,
)
from storage.repo_deliveries import DeliveryKey, last_sent, logged, recently_blocked
from storage.repo_people import current_liaisons

DIGEST = "digest"
TASK_SOON = "task_soon"
TASK_SOON_CC = "task_soon_cc"
TASK_OVERDUE = "task_overdue"
BLOCKED = "blocked"
CALENDAR = "calendar"
REMIND = "remind"
REVIEW = "review"
TASK_ALERT_WORKDAYS = 5  # a task's lead unit hears this many workdays before its deadline
TASK_OVERDUE_WINDOW = 5  # workdays after a deadline in which an overdue notice may still go
BLOCKED_LOOKBACK = timedelta(days=7)
MAX_TASK_TEXT = 80


@dataclass(frozen=True, slots=True)
class Item:
    key: DeliveryKey
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Planned:
    """One message for one person: a template, its values and the log keys it settles."""

    person_id: int
    template: str
    values: Mapping[str, Any]
    items: tuple[Item, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Office:
    """Who hears about the office's business: every office user, and the admins alone."""

    everyone: tuple[int, ...]
    admins: tuple[int, ...]


def plan(*, session: Session, now: datetime, tz: tzinfo, office: Office) -> list[Planned]:
    """Every message due now that the log does not already hold; nothing outside working hours."""
    calendar = load_calendar(session=session)
    if not in_working_hours(now, calendar, tz):
        return []
    rule = campaign_rule(session=session)
    planned: list[Planned] = []
    today = YearMonth.of(now.astimezone(tz).date())
    for period in (today.previous().previous(), today.previous(), today):
        planned += _month(session, period, now, tz, calendar, rule, office)
    planned += _task_alerts(session, now, tz, calendar)
    planned += _blocked_notices(session, now, office)
    planned += _review_notices(session, now, tz, office)
    planned += _calendar_warnings(now, tz, calendar, office)
    return without_logged(session=session, planned=planned)


def without_logged(*, session: Session, planned: list[Planned]) -> list[Planned]:
    """Drop the items the delivery log already holds, and messages left with none."""
    done = logged(session=session, periods={i.key.period for p in planned for i in p.items})
    kept = []
    for message in planned:
        items = tuple(item for item in message.items if item.key not in done)
        if items:
            kept.append(
                Planned(message.person_id, message.template, message.values, items, message.buttons)
            )
    return kept


# ------------------------------------------------------------------------ monthly reports


def month_slots(
    period: YearMonth, rule: Rule, calendar: WorkCalendar, tz: tzinfo
) -> tuple[DueDate, list[Slot]]:
    due = due_date(period, rule, calendar)
    return due, schedule(due, calendar, tz)


def _at(slots: list[Slot], step: Step) -> datetime:
    return next(slot.at for slot in slots if slot.step == step)


def next_slot(*, session: Session, now: datetime, tz: tzinfo) -> datetime | None:
    """The next moment a monthly step falls due (for waking the scheduler right then)."""
    calendar, rule = load_calendar(session=session), campaign_rule(session=session)
    today = YearMonth.of(now.astimezone(tz).date())
    upcoming = [
        slot.at
        for period in (today.previous(), today, today.next())
        for slot in month_slots(period, rule, calendar, tz)[1]
        if slot.at > now
    ]
    return min(upcoming, default=None)


def open_period(*, session: Session, now: datetime, tz: tzinfo) -> YearMonth:
    """The month the office is chasing: last month until its digest day, then this month."""
    calendar, rule = load_calendar(session=session), campaign_rule(session=session)
    today = YearMonth.of(now.astimezone(tz).date())
    _, slots = month_slots(today.previous(), rule, calendar, tz)
    return today.previous() if now < _at(slots, Step.DIGEST) else today


def chosen_period(
    *, session: Session, words: list[str], now: datetime, tz: tzinfo
) -> tuple[YearMonth, list[str]]:
    """An office command's month: a leading YYYY-MM picks it (and is consumed); otherwise the
    month the office is chasing."""
    if words:
        try:
            return YearMonth.parse(words[0]), words[1:]
        except ValueError:
            pass
    return open_period(session=session, now=now, tz=tz), words


def _month(
    session: Session,
    period: YearMonth,
    now: datetime,
    tz: tzinfo,
    calendar: WorkCalendar,
    rule: Rule,
    office: Office,
) -> list[Planned]:
    """The month's prompt or reminder for each unreported unit, and the office digest.

    A month's messages stop when the next month's prompt goes out; after downtime only the
    latest step that has passed is sent (one catch-up, not a burst of stale reminders)."""
    due, slots = month_slots(period, rule, calendar, tz)
    _, following = month_slots(period.next(), rule, calendar, tz)
    if now < _at(slots, Step.PROMPT) or now >= _at(following, Step.PROMPT):
        return []
    dates = Dates(due, _at(slots, Step.PROMPT))
    standing = period_standing(session=session, period=period, at=now, tz=tz, dates=dates)
    planned = []
    step = due_step(slots, now)
    if step is not None:
        planned += _reminders(standing, step)
    if now >= _at(slots, Step.DIGEST) and standing.expected:  # not for a month nobody owed
        keys = {p: DeliveryKey(DIGEST, "office", str(period), p) for p in office.everyone}
        sent = logged(session=session, periods={str(period)})
        if any(key not in sent for key in keys.values()):  # read the tasks only when still due
            values = office_digest_values(session=session, standing=standing)
            for person_id, key in keys.items():
                planned.append(Planned(person_id, "digest", values, (Item(key),)))
    return planned


def _reminders(standing: PeriodStanding, step: Step) -> list[Planned]:
    period, month = standing.period, f"{standing.period.year:04d}{standing.period.month:02d}"
    planned = []
    for unit in standing.having(*TO_REMIND):
        if unit.extended_to is not None:
            continue  # the office gave this unit more time: it reminds the unit itself
        buttons: tuple[tuple[Button, ...], ...] = (
            (Button("start_report", f"rp:{unit.unit_id}:{month}:open:here"),),
        )
        if step == Step.PROMPT:
            buttons += ((Button("no_progress", f"rp:{unit.unit_id}:{month}:noprog"),),)
        values = {
            "step": step.value,
            "unit": unit.name,
            "period": str(period),
            "due": standing.due.due.isoformat(),
            "weekday": standing.due.due.isoweekday(),
        }
        for person_id in unit.liaison_ids:
            key = DeliveryKey(step.value, f"u{unit.unit_id}", str(period), person_id)
            planned.append(Planned(person_id, "reminder", values, (Item(key),), buttons))
    return planned


def digest_values(standing: PeriodStanding) -> dict[str, Any]:
    """What /summary, /missing and the office digest show. Every count is the length of the
    list shown beside it: 待报 (open) or 未报 (overdue), no liaison, 免报, 新加入."""
    rate = standing.on_time_rate
    return {
        "period": str(standing.period),
        "due": standing.due.due.isoformat(),
        "open": standing.open,
        "total": standing.expected,
        "reported": standing.reported,
        "exempt": [u.name for u in standing.having(Standing.EXEMPT)],
        "extended": [(u.name, u.extended_to.isoformat()) for u in standing.units if u.extended_to],
        "on_time": standing.count(Standing.ON_TIME),
        "late": [(u.name, u.workdays_late) for u in standing.having(Standing.LATE)],
        "pending": [u.name for u in standing.having(Standing.PENDING)],
        "missing": [u.name for u in standing.having(Standing.MISSING)],
        "no_liaison": [u.name for u in standing.having(Standing.NO_LIAISON)],
        "new": [u.name for u in standing.having(Standing.NEW)],
        "no_progress": sum(1 for u in standing.units if u.no_progress),
        "on_time_rate": None if rate is None else round(rate * 100),
    }


def office_digest_values(*, session: Session, standing: PeriodStanding) -> dict[str, Any]:
    """The office digest's (scheduled or /digest): the standing, and the open tasks nobody
    confirmed in the last months — the office's to follow up, never told to liaisons."""
    found = confirmations(session=session, period=standing.period)
    return {**digest_values(standing), **unconfirmed_values(found)}


def remind(
    *,
    session: Session,
    period: YearMonth,
    unit_ids: Iterable[int] | None,
    now: datetime,
    tz: tzinfo,
) -> tuple[list[Planned], list[str]]:
    """催报 by the office: the named (or all) unreported units' liaisons, once a day per unit.

    Returns the messages still to send and the names of units already reminded today."""
    standing = period_standing(session=session, period=period, at=now, tz=tz)
    due = standing.due
    wanted = None if unit_ids is None else set(unit_ids)
    day = now.astimezone(tz).date().isoformat()
    month = f"{period.year:04d}{period.month:02d}"
    planned = []
    for unit in standing.having(*TO_REMIND):
        if wanted is not None and unit.unit_id not in wanted:
            continue
        values = {"unit": unit.name, "period": str(period), "due": due.due.isoformat()}
        buttons = ((Button("start_report", f"rp:{unit.unit_id}:{month}:open:here"),),)
        for person_id in unit.liaison_ids:
            key = DeliveryKey(REMIND, f"u{unit.unit_id}", f"{period}@{day}", person_id)
            planned.append(Planned(person_id, "remind_liaison", values, (Item(key),), buttons))
    kept = without_logged(session=session, planned=planned)
    kept_units = {item.key.subject for message in kept for item in message.items}
    skipped = sorted(
        {str(m.values["unit"]) for m in planned for i in m.items if i.key.subject not in kept_units}
    )
    return kept, skipped


# ------------------------------------------------------------------------- task deadlines


def _task_alerts(
    session: Session, now: datetime, tz: tzinfo, calendar: WorkCalendar
) -> list[Planned]:
    """N workdays before a dated task's deadline, and just after it if not done."""
    today = now.astimezone(tz).date()
    kinds = (DeadlineKind.DATE, DeadlineKind.DATE_THEN_ONGOING)
    near = select(Task).where(
        col(Task.deadline_kind).in_(kinds),
        col(Task.deadline_date).is_not(None),
        col(Task.deadline_date) >= today - timedelta(days=31),
        col(Task.deadline_date) <= today + timedelta(days=31),
        col(Task.retired_at).is_(None),
    )
    tasks = {task.id: task for task in session.exec(near) if task.id is not None}
    if not tasks:
        return []
    links = list(session.exec(select(TaskUnit).where(col(TaskUnit.task_id).in_(list(tasks)))))
    done = _done(session, list(tasks))
    liaisons: dict[int, list[int]] = {}
    for assignment, person in current_liaisons(session=session, at=now):
        assert person.id is not None
        liaisons.setdefault(assignment.unit_id, []).append(person.id)
    grouped: dict[tuple[int, str], list[Item]] = {}
    for link in links:
        task = tasks[link.task_id]
        assert task.deadline_date is not None
        kind = _task_alert_kind(task, link.role, now, today, calendar, tz)
        if kind is None or (link.unit_id, link.task_id) in done:
            continue
        values = {
            "code": task.code,
            "content": _shorten(task.content),
            "deadline": task.deadline_date.isoformat(),
            "deadline_raw": task.deadline_raw,
        }
        for person_id in liaisons.get(link.unit_id, []):
            key = DeliveryKey(
                kind, f"t{link.task_id}u{link.unit_id}", task.deadline_date.isoformat(), person_id
            )
            grouped.setdefault((person_id, kind), []).append(Item(key, values))
    return [
        Planned(person_id, "task_alert", {"kind": kind}, tuple(items))
        for (person_id, kind), items in sorted(grouped.items())
    ]


def _task_alert_kind(
    task: Task,
    role: Responsibility,
    now: datetime,
    today: date,
    calendar: WorkCalendar,
    tz: tzinfo,
) -> str | None:
    deadline = task.deadline_date
    assert deadline is not None
    at_nine = time(9, 0)
    soon_from = datetime.combine(calendar.add_workdays(deadline, -TASK_ALERT_WORKDAYS), at_nine, tz)
    if soon_from <= now and today <= deadline:
        return TASK_SOON_CC if role == Responsibility.COOPERATING else TASK_SOON
    if task.deadline_kind != DeadlineKind.DATE or role == Responsibility.COOPERATING:
        return None  # ongoing work is never "overdue"; the lead unit answers for the task
    overdue_from = datetime.combine(calendar.add_workdays(deadline, 1), at_nine, tz)
    if overdue_from <= now and today <= calendar.add_workdays(deadline, TASK_OVERDUE_WINDOW):
        return TASK_OVERDUE
    return None


def _done(session: Session, task_ids: list[int]) -> set[tuple[int, int]]:
    """(unit, task) pairs whose latest submitted status is 已完成."""
    query = (
        select(Submission.unit_id, SubmissionTaskStatus.task_id, SubmissionTaskStatus.status)
        .join(Submission, col(Submission.id) == col(SubmissionTaskStatus.submission_id))
        .where(col(SubmissionTaskStatus.task_id).in_(task_ids))
        .order_by(col(Submission.submitted_at), col(Submission.id))
    )
    latest = {(unit_id, task_id): status for unit_id, task_id, status in session.exec(query)}
    return {pair for pair, status in latest.items() if status == TaskStatus.DONE}


def _shorten(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_TASK_TEXT else flat[: MAX_TASK_TEXT - 1] + "…"


# ------------------------------------------------------------------------ office notices


def _blocked_notices(session: Session, now: datetime, office: Office) -> list[Planned]:
    """Tell the admins, once per person and period, that a liaison cannot be reached."""
    pairs = recently_blocked(session=session, since=now - BLOCKED_LOOKBACK)
    if not pairs:
        return []
    people = {
        p.id: p.name
        for p in session.exec(select(Person).where(col(Person.id).in_([p for p, _ in pairs])))
    }
    units: dict[int, list[str]] = {}
    for assignment, person in current_liaisons(session=session, at=now):
        if person.id is not None and person.id in people:
            unit = session.get(MemberUnit, assignment.unit_id)
            units.setdefault(person.id, []).append(unit.display_name if unit else "?")
    planned = []
    for admin in office.admins:
        items = tuple(
            Item(
                DeliveryKey(BLOCKED, f"p{person_id}", period, admin),
                {"name": people.get(person_id, "?"), "units": units.get(person_id, [])},
            )
            for person_id, period in pairs
            if person_id != admin
        )
        if items:
            planned.append(Planned(admin, "blocked_notice", {}, items))
    return planned


def _review_notices(session: Session, now: datetime, tz: tzinfo, office: Office) -> list[Planned]:
    """Reports waiting for review, told to office users at most twice a day (morning and
    afternoon), and only when something arrived since they were last told: batched, not a
    ping per report."""
    waiting = review.queue(session=session)
    if not waiting:
        return []
    local = now.astimezone(tz)
    half = f"{local.date().isoformat()}-{'am' if local.hour < 12 else 'pm'}"
    newest = max(item.at for item in waiting)
    told = last_sent(session=session, kind=REVIEW, recipients=office.everyone)
    values = {"count": len(waiting), "oldest": f"{waiting[0].unit} {waiting[0].period}"}
    return [
        Planned(
            person_id,
            "review_notice",
            values,
            (Item(DeliveryKey(REVIEW, "office", half, person_id)),),
        )
        for person_id in office.everyone
        if person_id not in told or told[person_id] < newest
    ]


def _calendar_warnings(
    now: datetime, tz: tzinfo, calendar: WorkCalendar, office: Office
) -> list[Planned]:
    """A year without holiday data: now, or next year from November (when its notice is out)."""
    today = now.astimezone(tz).date()
    years = [today.year] if not calendar.covered(today.year) else []
    if today.month >= 11 and not calendar.covered(today.year + 1):
        years.append(today.year + 1)
    return [
        Planned(
            admin,
            "calendar_uncovered",
            {"year": year},
            (Item(DeliveryKey(CALENDAR, f"y{year}", str(year), admin)),),
        )
        for year in years
        for admin in office.admins
    ]
