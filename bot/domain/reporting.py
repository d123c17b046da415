"""The monthly report: a draft per unit and period, written at every step, then submitted.

The draft belongs to the unit, not to the person: the main and the backup liaison write the
same draft, and a restart resumes at the step stored with it. Text for 本月完成工作 is appended
in SQL (two liaisons typing at once lose nothing); every step change is a compare-and-set on
the stored step, so a stale button or a double tap cannot skip a question. Submitting keeps
every version; the latest counts. "本月无新进展" is a submission too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy
from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from bot.domain import evidence, indicator_values, report_indicators, report_tasks, task_progress
from bot.domain import review as office_review
from bot.domain.calendar_admin import campaign_rule, load_calendar
from bot.domain.due_dates import DueDate, due_date, workdays_late
from bot.domain.people import Requester
from bot.domain.periods import YearMonth
from bot.domain.replies import Button, Outcome, Reply
from bot.domain.report_month import report_month
from bot.domain.text_input import clean_text
from storage.db import table_of
from storage.models import (
    ActiveReport,
    ExceptionKind,
    MemberUnit,
    ReportDraft,
    ReportStep,
    Submission,
    SubmissionKind,
)

SECTIONS = (
    ReportStep.WORK,
    ReportStep.TASKS,
    ReportStep.INDICATORS,
    ReportStep.PROBLEMS,
    ReportStep.COORDINATION,
    ReportStep.PLAN,
    ReportStep.EVIDENCE,
)
TEXT_SECTIONS = (ReportStep.PROBLEMS, ReportStep.COORDINATION, ReportStep.PLAN)
FIELD = {
    ReportStep.WORK: "work_done",
    ReportStep.PROBLEMS: "problems",
    ReportStep.COORDINATION: "coordination",
    ReportStep.PLAN: "next_plan",
}
MAX_SECTION_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class Context:
    """What every report action needs to know: who, which unit and month, and when."""

    who: Requester
    unit: MemberUnit
    period: YearMonth
    now: datetime
    tz: ZoneInfo

    @property
    def data(self) -> str:
        """Button data prefix: the unit (checked by the authorization layer) and the month."""
        assert self.unit.id is not None
        return button_data(self.unit.id, self.period)


def button_data(unit_id: int, period: YearMonth) -> str:
    return f"rp:{unit_id}:{period.year:04d}{period.month:02d}"


def current_period(now: datetime, tz: ZoneInfo) -> YearMonth:
    return YearMonth.of(now.astimezone(tz).date())


def parse_period(token: str) -> YearMonth | None:
    if len(token) != 6 or not token.isdigit():
        return None
    try:
        return YearMonth(int(token[:4]), int(token[4:]))
    except ValueError:
        return None


def pick_unit(who: Requester, period: YearMonth) -> Reply:
    """A person serving several units chooses which one to report for."""
    month = f"{period.year:04d}{period.month:02d}"
    buttons = tuple(
        (Button("unit", f"rp:{u.id}:{month}:open", {"name": u.name}),) for u in who.units
    )
    return Reply("report_pick_unit", {"period": str(period)}, buttons=buttons)


def month_to_open(*, session: Session, ctx: Context) -> Reply:
    """Open the month the unit is reporting for (``report_month``), or first let the liaison
    choose when last month is overdue."""
    choice = report_month(session=session, unit=ctx.unit, now=ctx.now, tz=ctx.tz)
    ctx = replace(ctx, period=choice.period)
    if choice.catch_up is None:
        return open_report(session=session, ctx=ctx)
    previous = choice.catch_up

    def code(month: YearMonth) -> str:
        return f"rp:{ctx.unit.id}:{month.year:04d}{month.month:02d}:open:here"

    buttons = (
        (Button("late_month", code(previous), {"period": str(previous)}),),
        (Button("this_month", code(ctx.period), {"period": str(ctx.period)}),),
    )
    values = {"unit": ctx.unit.display_name, "previous": str(previous), "current": str(ctx.period)}
    return Reply("report_pick_period", values, buttons=buttons)


def start(*, session: Session, who: Requester, now: datetime, tz: ZoneInfo) -> Reply:
    """/report (报送 on WeCom): choose the unit first when there are several, then open the
    month it is reporting for (offering to catch up an overdue last month)."""
    period = current_period(now, tz)
    if len(who.units) > 1:
        return pick_unit(who, period)
    unit = session.get(MemberUnit, who.units[0].id)
    if unit is None:
        return Reply("report_stale")
    return month_to_open(session=session, ctx=Context(who, unit, period, now, tz))


def open_report(*, session: Session, ctx: Context) -> Reply:
    """Start the unit's report for the month, or resume it where it stands."""
    if office_review.is_locked(session=session, period=str(ctx.period)):
        return _locked(ctx)
    draft = find_draft(session, ctx)
    if draft is None:
        latest = latest_submission(session=session, unit_id=_id(ctx.unit), period=ctx.period)
        draft = ReportDraft(
            unit_id=_id(ctx.unit), period=str(ctx.period), updated_by_person_id=ctx.who.person_id
        )
        if latest is not None:  # amending: start from what was submitted
            draft.work_done, draft.problems = latest.work_done, latest.problems
            draft.coordination, draft.next_plan = latest.coordination, latest.next_plan
            draft.step = ReportStep.REVIEW
        session.add(draft)
        session.flush()
        if latest is not None:
            ids = {"submission_id": latest.id or 0, "draft_id": draft.id or 0}
            task_progress.restore(session=session, **ids)
            indicator_values.restore(session=session, **ids)
    _make_active(session, ctx.who, draft)
    return prompt(session, ctx, draft)


def prompt(session: Session, ctx: Context, draft: ReportDraft) -> Reply:
    """The question for the draft's current step (or the review)."""
    values = {"unit": ctx.unit.display_name, "period": str(ctx.period)}
    if draft.step == ReportStep.EVIDENCE:
        files = evidence.counts(session=session, unit_id=_id(ctx.unit), period=str(ctx.period))
        choices = ((Button("work_done", f"{ctx.data}:done"), Button("skip", f"{ctx.data}:skip")),)
        return Reply("report_ask_evidence", {**values, "files": files}, buttons=choices)
    if draft.step == ReportStep.WORK:
        buttons: list[tuple[Button, ...]] = [(Button("work_done", f"{ctx.data}:done"),)]
        if not draft.editing_one_section:  # the quick way past the tasks
            buttons += _quick_rows(session, ctx.data, draft.unit_id, draft.period)
        if not draft.work_done:
            buttons.append((Button("no_progress", f"{ctx.data}:noprog"),))
        return Reply(
            "report_ask_work", {**values, "so_far": len(draft.work_done)}, buttons=tuple(buttons)
        )
    if draft.step == ReportStep.REVIEW:
        return review(session, ctx, draft)
    if draft.step == ReportStep.TASKS:
        return _ask_task(session, ctx, draft)
    if draft.step == ReportStep.INDICATORS:
        return _ask_indicator(session, ctx, draft)
    return Reply(
        f"report_ask_{draft.step}", values, buttons=((Button("skip", f"{ctx.data}:skip"),),)
    )


def review(session: Session, ctx: Context, draft: ReportDraft) -> Reply:
    values = {
        **report_tasks.review_values(
            session=session, draft_id=draft.id or 0, unit_id=_id(ctx.unit), period=str(ctx.period)
        ),
        "indicators": indicator_values.summary(session=session, draft_id=draft.id or 0),
        "files": evidence.counts(session=session, unit_id=_id(ctx.unit), period=str(ctx.period)),
        "unit": ctx.unit.display_name,
        "period": str(ctx.period),
        "work_done": draft.work_done,
        "problems": draft.problems or "",
        "coordination": draft.coordination or "",
        "next_plan": draft.next_plan or "",
    }
    return Reply("report_review", values, buttons=review_buttons(ctx, bool(values["tasks_same"])))


def review_buttons(ctx: Context, all_tasks: bool) -> tuple[tuple[Button, ...], ...]:
    """提交, 修改, 取消 (and 查看全部任务 when the review summarised some)."""
    buttons: list[tuple[Button, ...]] = [(Button("submit", f"{ctx.data}:submit"),)]
    if all_tasks:
        buttons.append((Button("all_tasks", f"{ctx.data}:tall"),))
    buttons.append(
        (Button("edit", f"{ctx.data}:edit"), Button("cancel_report", f"{ctx.data}:cancel"))
    )
    return tuple(buttons)


def all_tasks(session: Session, ctx: Context, draft: ReportDraft) -> Reply:
    """查看全部任务: the review's full task list, with the review's buttons."""
    rows = task_progress.summary(
        session=session, draft_id=draft.id or 0, unit_id=_id(ctx.unit), period=str(ctx.period)
    )
    return Reply("report_all_tasks", {"tasks": rows}, buttons=review_buttons(ctx, False))


# The statements of messages typed into a report, built once: building a statement costs
# more than running it. Text for 本月完成工作 (most messages) runs only the two Core ones,
# _ACTIVE_STEP and _APPEND_WORK; the other steps load the entities with _ACTIVE_DRAFT.
_ACTIVE_DRAFT = (  # with its unit: answering a step needs both
    select(ReportDraft, MemberUnit)
    .join(ActiveReport, col(ActiveReport.draft_id) == col(ReportDraft.id))
    .join(MemberUnit, col(MemberUnit.id) == col(ReportDraft.unit_id))
    .where(col(ActiveReport.person_id) == bindparam("person"))
)
_DRAFTS, _ACTIVE = table_of(ReportDraft), table_of(ActiveReport)
_ACTIVE_STEP = (  # plain columns: enough to append to 本月完成工作 without loading entities
    sqlalchemy.select(
        _DRAFTS.c.id, _DRAFTS.c.unit_id, _DRAFTS.c.period, _DRAFTS.c.step,
        sqlalchemy.func.length(_DRAFTS.c.work_done), _DRAFTS.c.editing_one_section,
    )
    .join(_ACTIVE, _ACTIVE.c.draft_id == _DRAFTS.c.id)
    .where(_ACTIVE.c.person_id == bindparam("person"))
)  # fmt: skip
_APPEND_WORK = (  # in SQL: two liaisons of one unit typing at once lose nothing
    update(_DRAFTS)
    .where(_DRAFTS.c.id == bindparam("draft"))
    .values(
        work_done=_DRAFTS.c.work_done + bindparam("addition"),
        updated_at=bindparam("at"),
        updated_by_person_id=bindparam("by"),
    )
    .returning(_DRAFTS.c.work_done)
)


def active_draft(*, session: Session, who: Requester) -> ReportDraft | None:
    """The draft this person's next message answers, if they are writing one they may write."""
    found = _active_draft_and_unit(session, who)
    return found[0] if found else None


def _active_draft_and_unit(
    session: Session, who: Requester
) -> tuple[ReportDraft, MemberUnit] | None:
    if who.person_id is None:
        return None
    found = session.exec(_ACTIVE_DRAFT, params={"person": who.person_id}).first()
    if found is None or found[0].unit_id not in who.unit_ids:
        return None  # e.g. the person is no longer this unit's liaison
    return found[0], found[1]


def context_for(
    *, session: Session, who: Requester, unit_id: int, period: YearMonth, now: datetime,
    tz: ZoneInfo,
) -> Context | None:  # fmt: skip
    """The report context for a unit and month (None when the unit is gone)."""
    unit = session.get(MemberUnit, unit_id)
    return Context(who, unit, period, now, tz) if unit is not None else None


def step_buttons(
    *, session: Session, unit_id: int, period: str, now: datetime, tz: ZoneInfo
) -> tuple[tuple[Button, ...], ...]:
    """The buttons of the unit's draft's current step (none without a draft), for an
    acknowledgement that must carry the next action (e.g. "已收到 3 张照片")."""
    unit = session.get(MemberUnit, unit_id)
    month = YearMonth.parse(period)
    draft = session.exec(
        select(ReportDraft).where(ReportDraft.unit_id == unit_id, ReportDraft.period == period)
    ).first()
    if unit is None or draft is None:
        return ()
    ctx = Context(Requester(None, "", None), unit, month, now, tz)
    return prompt(session, ctx, draft).buttons


def answer_typed(
    *, session: Session, who: Requester, text: str, now: datetime, tz: ZoneInfo
) -> Reply | None:
    """Text typed while writing a report answers its current step; None when the person is
    writing none (the text is for something else).

    This runs for every message a liaison types, and most of them add to 本月完成工作: that
    step is answered from one query of plain columns and one UPDATE, with no entities loaded
    (loading the draft and its unit was the costliest part of a step). Other steps load them.
    """
    if who.person_id is None:
        return None
    found = session.execute(_ACTIVE_STEP, {"person": who.person_id}).first()
    if found is None or found[1] not in who.unit_ids:
        return None  # e.g. the person is no longer this unit's liaison
    draft_id, unit_id, period, step, work_chars, editing = found
    cleaned = clean_text(text).strip()
    if step == ReportStep.WORK and cleaned:
        data = button_data(unit_id, YearMonth.parse(period))
        reply = _append_work(session, draft_id, work_chars, cleaned, data, now, who.person_id)
        return reply if editing else _with_quick(session, reply, unit_id, period)
    loaded = _active_draft_and_unit(session, who)
    if loaded is None:  # gone since the query above (another device submitted it)
        return None
    draft, unit = loaded
    ctx = Context(who, unit, YearMonth.parse(draft.period), now, tz)
    return answer_text(session=session, ctx=ctx, draft=draft, text=text)


def answer_text(*, session: Session, ctx: Context, draft: ReportDraft, text: str) -> Reply:
    """A typed answer to the current step."""
    text = clean_text(text).strip()
    if draft.step == ReportStep.REVIEW:
        return Reply("report_use_buttons", {}, buttons=review(session, ctx, draft).buttons)
    if not text:
        return prompt(session, ctx, draft)
    if draft.step == ReportStep.EVIDENCE:
        return _caption(session, ctx, draft, text)
    if draft.step == ReportStep.TASKS:
        return _task_reply(session, ctx, draft, _task_step(session, ctx, draft).typed(text))
    if draft.step == ReportStep.INDICATORS:
        return _indicator_reply(session, ctx, draft, _indicators(session, ctx, draft).typed(text))
    if draft.step == ReportStep.WORK:
        assert draft.id is not None
        reply = _append_work(
            session, draft.id, len(draft.work_done), text, ctx.data, ctx.now, ctx.who.person_id
        )
        session.expire(draft, ["work_done"])  # changed in SQL: read again if asked for
        if draft.editing_one_section:
            return reply
        return _with_quick(session, reply, draft.unit_id, draft.period)
    if len(text) > MAX_SECTION_CHARS:
        return Reply("report_too_long", {"limit": MAX_SECTION_CHARS})
    return _answer_section(session, ctx, draft, text)


def _append_work(
    session: Session,
    draft_id: int,
    work_chars: int,
    text: str,
    data: str,
    now: datetime,
    by: int | None,
) -> Reply:
    """Add a typed paragraph to 本月完成工作, in SQL (two liaisons typing at once lose nothing)."""
    if work_chars + len(text) > MAX_SECTION_CHARS:
        return Reply("report_too_long", {"limit": MAX_SECTION_CHARS})
    separator = "\n" if work_chars else ""
    parameters = {"draft": draft_id, "addition": separator + text, "at": now, "by": by}
    appended = session.execute(_APPEND_WORK, parameters).scalar_one()
    return Reply(
        "report_work_added",
        {"chars": len(appended)},
        buttons=((Button("work_done", f"{data}:done"),),),
    )


def _quick_rows(session: Session, data: str, unit_id: int, period: str) -> list[tuple[Button, ...]]:
    """The quick way past the tasks, offered with 完成 (one button a row)."""
    found = report_tasks.work_buttons(session, data=data, unit_id=unit_id, period=period)
    return [(button,) for button in found]


def _with_quick(session: Session, reply: Reply, unit_id: int, period: str) -> Reply:
    """The acknowledgement of typed work carries the step's buttons: 完成 and the quick way."""
    if not reply.buttons:  # too long: nothing was added
        return reply
    data = button_data(unit_id, YearMonth.parse(period))
    return replace(reply, buttons=(*reply.buttons, *_quick_rows(session, data, unit_id, period)))


def press(
    *, session: Session, ctx: Context, draft: ReportDraft | None, action: str, arg: str
) -> Outcome:
    """A button: 完成, 跳过, 提交, 修改 (and which section), 取消, 丢弃, 继续, 本月无新进展."""
    if action == "open":
        if arg == "here":  # a button that names its month: a prompt, a reminder, the choice
            return Outcome(open_report(session=session, ctx=ctx))
        return Outcome(month_to_open(session=session, ctx=ctx))
    if action == "noprog":
        return Outcome(no_progress(session=session, ctx=ctx, draft=draft))
    if draft is None:
        return Outcome(Reply("report_stale"))
    _make_active(session, ctx.who, draft)
    if action == "done" and draft.step == ReportStep.WORK:
        if not draft.work_done.strip():
            return Outcome(
                Reply("report_work_empty", {}, buttons=prompt(session, ctx, draft).buttons)
            )
        return Outcome(_advance(session, ctx, draft, ReportStep.WORK))
    if action in ("quick", "quickedit") and draft.step == ReportStep.WORK:
        return Outcome(_quick(session, ctx, draft, pages=action == "quickedit"))
    if action in report_tasks.ACTIONS and draft.step == ReportStep.TASKS:
        step = _task_step(session, ctx, draft)
        return Outcome(_task_reply(session, ctx, draft, step.press(action, arg)))
    if action == "tall" and draft.step == ReportStep.REVIEW:
        return Outcome(all_tasks(session, ctx, draft))
    if action == "iskip" and draft.step == ReportStep.INDICATORS:
        reply = _indicators(session, ctx, draft).skip(arg)
        return Outcome(_indicator_reply(session, ctx, draft, reply))
    if action in ("skip", "done") and draft.step == ReportStep.EVIDENCE:
        return Outcome(_advance(session, ctx, draft, ReportStep.EVIDENCE))
    if action == "skip" and draft.step in TEXT_SECTIONS:
        return Outcome(_answer_section(session, ctx, draft, ""))
    if action == "submit" and draft.step == ReportStep.REVIEW:
        return Outcome(submit(session=session, ctx=ctx, draft=draft))
    if action == "edit" and draft.step == ReportStep.REVIEW:
        if arg in {s.value for s in SECTIONS}:
            return Outcome(_edit(session, ctx, draft, ReportStep(arg)))
        buttons = tuple((Button(f"section_{s}", f"{ctx.data}:edit:{s}"),) for s in SECTIONS)
        return Outcome(Reply("report_pick_section", {}, buttons=buttons))
    if action == "cancel":
        return Outcome(ask_discard(ctx))
    if action == "discard":
        return Outcome(discard(session=session, ctx=ctx, draft=draft))
    if action == "resume":
        return Outcome(prompt(session, ctx, draft))
    return Outcome(Reply("report_stale", {}, buttons=prompt(session, ctx, draft).buttons))


def ask_discard(ctx: Context) -> Reply:
    buttons = ((Button("discard", f"{ctx.data}:discard"), Button("resume", f"{ctx.data}:resume")),)
    return Reply("report_cancel_confirm", {"unit": ctx.unit.display_name}, buttons=buttons)


def pause(*, session: Session, who: Requester) -> bool:
    """/cancel: stop answering the draft (kept as it is); False when there was none."""
    active = session.get(ActiveReport, who.person_id) if who.person_id else None
    if active is None:
        return False
    session.delete(active)
    session.flush()
    return True


def discard(*, session: Session, ctx: Context, draft: ReportDraft) -> Reply:
    _close(session, draft)
    return Reply("report_discarded", {"unit": ctx.unit.display_name, "period": str(ctx.period)})


def submit(
    *,
    session: Session,
    ctx: Context,
    draft: ReportDraft | None,
    kind: SubmissionKind = SubmissionKind.REPORT,
) -> Reply:
    """Record a new version; tell the liaison whether it came on time. It goes to the
    office's review queue; a locked month takes nothing."""
    if office_review.is_locked(session=session, period=str(ctx.period)):
        return _locked(ctx)
    due = due_for_unit(session=session, unit_id=_id(ctx.unit), period=ctx.period)
    submitted_on = ctx.now.astimezone(ctx.tz).date()
    late = workdays_late(submitted_on, due, load_calendar(session=session))
    latest = latest_submission(session=session, unit_id=_id(ctx.unit), period=ctx.period)
    submission = Submission(
        unit_id=_id(ctx.unit),
        period=str(ctx.period),
        version=(latest.version + 1) if latest else 1,
        kind=kind,
        submitted_at=ctx.now,
        submitted_by_person_id=ctx.who.person_id,
        due_date=due.due,
        workdays_late=late,
    )
    files = evidence.counts(session=session, unit_id=_id(ctx.unit), period=str(ctx.period))
    submission.photo_count, submission.document_count = files.photos, files.documents
    if draft is not None and kind == SubmissionKind.REPORT:
        submission.work_done, submission.problems = draft.work_done, draft.problems or ""
        submission.coordination, submission.next_plan = (
            draft.coordination or "",
            draft.next_plan or "",
        )
    session.add(submission)
    session.flush()
    office_review.record_submission(session=session, submission=submission)
    if draft is not None:
        if kind == SubmissionKind.REPORT:  # a row for every task asked this month
            task_progress.fill_defaults(session=session, draft_id=draft.id or 0,
                                        unit_id=_id(ctx.unit), period=str(ctx.period))  # fmt: skip
            ids = {"draft_id": draft.id or 0, "submission_id": submission.id or 0}
            task_progress.snapshot(session=session, **ids)
            indicator_values.snapshot(session=session, **ids)
        _close(session, draft)
    return Reply(
        "report_submitted",
        {
            "unit": ctx.unit.display_name,
            "period": str(ctx.period),
            "version": submission.version,
            "late": late,
            "due": due.due.isoformat(),
            "no_progress": kind == SubmissionKind.NO_PROGRESS,
        },
    )


def no_progress(*, session: Session, ctx: Context, draft: ReportDraft | None) -> Reply:
    """One tap: 本月无新进展 is recorded as this month's report (not over written work)."""
    if latest_submission(session=session, unit_id=_id(ctx.unit), period=ctx.period) is not None:
        return Reply(
            "report_already_submitted", {"unit": ctx.unit.display_name, "period": str(ctx.period)}
        )
    if draft is not None and draft.work_done.strip():
        return Reply("report_has_content", {}, buttons=prompt(session, ctx, draft).buttons)
    return submit(session=session, ctx=ctx, draft=draft, kind=SubmissionKind.NO_PROGRESS)


def latest_submission(*, session: Session, unit_id: int, period: YearMonth) -> Submission | None:
    query = select(Submission).where(
        Submission.unit_id == unit_id, Submission.period == str(period)
    )
    return session.exec(query.order_by(col(Submission.version).desc())).first()


def due_for(*, session: Session, period: YearMonth) -> DueDate:
    return due_date(period, campaign_rule(session=session), load_calendar(session=session))


def due_for_unit(*, session: Session, unit_id: int, period: YearMonth) -> DueDate:
    """The month's due date, or the later one the office granted this unit (延期)."""
    due = due_for(session=session, period=period)
    granted = office_review.exception_of(session=session, unit_id=unit_id, period=str(period))
    if granted is not None and granted.kind == ExceptionKind.EXTENSION and granted.due_date:
        return replace(due, due=granted.due_date)
    return due


def _locked(ctx: Context) -> Reply:
    return Reply("report_locked", {"unit": ctx.unit.display_name, "period": str(ctx.period)})


# ----------------------------------------------------------------------------- helpers


def _id(unit: MemberUnit) -> int:
    assert unit.id is not None
    return unit.id


def find_draft(session: Session, ctx: Context) -> ReportDraft | None:
    """The unit's draft for the month, if one is being written."""
    query = select(ReportDraft).where(
        ReportDraft.unit_id == _id(ctx.unit), ReportDraft.period == str(ctx.period)
    )
    return session.exec(query).first()


def _make_active(session: Session, who: Requester, draft: ReportDraft) -> None:
    if who.person_id is None:
        return
    active = session.get(ActiveReport, who.person_id)
    if active is None:
        session.add(ActiveReport(person_id=who.person_id, draft_id=draft.id or 0))
    else:
        active.draft_id = draft.id or 0
        session.add(active)
    session.flush()


def _answer_section(session: Session, ctx: Context, draft: ReportDraft, text: str) -> Reply:
    step = ReportStep(draft.step)
    setattr(draft, FIELD[step], text)
    draft.updated_at, draft.updated_by_person_id = ctx.now, ctx.who.person_id
    session.add(draft)
    session.flush()
    return _advance(session, ctx, draft, step)


def _advance(session: Session, ctx: Context, draft: ReportDraft, expected: ReportStep) -> Reply:
    """Move to the next step (or back to the review after 修改), only from ``expected``."""
    following = SECTIONS[SECTIONS.index(expected) + 1] if expected != SECTIONS[-1] else None
    editing = draft.editing_one_section and expected in (ReportStep.WORK, ReportStep.TASKS)
    if editing:  # the quick way (or 修改 of the work): tasks, indicators, then the review
        target = following or ReportStep.REVIEW
    else:
        target = ReportStep.REVIEW if draft.editing_one_section else following or ReportStep.REVIEW
    if not _move(session, ctx, draft, expected, target, editing=editing):
        return Reply("report_stale", {}, buttons=prompt(session, ctx, draft).buttons)
    return prompt(session, ctx, draft)


def _move(
    session: Session, ctx: Context, draft: ReportDraft, expected: ReportStep, target: ReportStep,
    *, editing: bool,
) -> bool:  # fmt: skip
    """Compare-and-set the draft's step: False when another tap moved it first."""
    moved = session.execute(
        update(ReportDraft)
        .where(col(ReportDraft.id) == draft.id, col(ReportDraft.step) == expected)
        .values(step=target, editing_one_section=editing, updated_at=ctx.now)
    )
    session.refresh(draft)
    return bool(moved.rowcount)  # type: ignore[attr-defined]


def _task_step(session: Session, ctx: Context, draft: ReportDraft) -> report_tasks.Step:
    return report_tasks.Step(session, data=ctx.data, draft_id=draft.id or 0,
                             unit_id=_id(ctx.unit), period=str(ctx.period))  # fmt: skip


def _ask_task(session: Session, ctx: Context, draft: ReportDraft) -> Reply:
    return _task_reply(session, ctx, draft, _task_step(session, ctx, draft).ask())


def _task_reply(session: Session, ctx: Context, draft: ReportDraft, reply: Reply | None) -> Reply:
    """The step's reply, or the next step when every task is answered."""
    return reply if reply is not None else _advance(session, ctx, draft, ReportStep.TASKS)


def _quick(session: Session, ctx: Context, draft: ReportDraft, *, pages: bool) -> Reply:
    """The work is written: keep every task as last time and go on to the review, or open
    the pages to change a few first (then the review)."""
    if not draft.work_done.strip():
        return Reply("report_work_empty", {}, buttons=prompt(session, ctx, draft).buttons)
    if not pages:
        task_progress.fill_defaults(session=session, draft_id=draft.id or 0,
                                    unit_id=_id(ctx.unit), period=str(ctx.period))  # fmt: skip
    if not _move(session, ctx, draft, ReportStep.WORK, ReportStep.TASKS, editing=True):
        return Reply("report_stale", {}, buttons=prompt(session, ctx, draft).buttons)
    if pages:
        return _task_step(session, ctx, draft).page(0)
    return prompt(session, ctx, draft)


def _ask_indicator(session: Session, ctx: Context, draft: ReportDraft) -> Reply:
    return _indicator_reply(session, ctx, draft, _indicators(session, ctx, draft).ask())


def _indicators(session: Session, ctx: Context, draft: ReportDraft) -> report_indicators.Step:
    return report_indicators.Step(session, data=ctx.data, draft_id=draft.id or 0,
                                  unit_id=_id(ctx.unit))  # fmt: skip


def _indicator_reply(
    session: Session, ctx: Context, draft: ReportDraft, reply: Reply | None
) -> Reply:
    """The step's reply, or the next step when every indicator is answered."""
    return reply if reply is not None else _advance(session, ctx, draft, ReportStep.INDICATORS)


def _caption(session: Session, ctx: Context, draft: ReportDraft, text: str) -> Reply:
    """At the photo step, text answers "时间·地点·事件?" for photos that came without one."""
    done = ((Button("work_done", f"{ctx.data}:done"),),)
    captioned = evidence.caption_uncaptioned(
        session=session,
        unit_id=_id(ctx.unit),
        period=str(ctx.period),
        text=text[: evidence.MAX_CAPTION],
    )
    if not captioned:  # ARCHIVE HOOK (issue 24): the answer to the album's one question
        from bot.archive.hook import caption_answered  # the archive builds on this module

        captioned = caption_answered(
            session=session, unit_id=_id(ctx.unit), period=str(ctx.period), text=text
        )
    if captioned:
        return Reply("evidence_captioned", {"count": captioned}, buttons=done)
    return Reply("evidence_send_files", {}, buttons=done)


def _edit(session: Session, ctx: Context, draft: ReportDraft, section: ReportStep) -> Reply:
    draft.step, draft.editing_one_section = section, True  # 本月完成工作: new messages append
    if section == ReportStep.INDICATORS:
        indicator_values.clear(session=session, draft_id=draft.id or 0)
    session.add(draft)
    session.flush()
    if section == ReportStep.TASKS:  # the pages, with this month's answers as they stand
        return _task_step(session, ctx, draft).page(0)
    return prompt(session, ctx, draft)


def _close(session: Session, draft: ReportDraft) -> None:
    task_progress.clear(session=session, draft_id=draft.id or 0)
    indicator_values.clear(session=session, draft_id=draft.id or 0)
    for active in session.exec(select(ActiveReport).where(ActiveReport.draft_id == draft.id)).all():
        session.delete(active)
    session.flush()
    session.delete(draft)
    session.flush()
