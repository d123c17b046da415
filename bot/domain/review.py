"""The office's review of reports (通过 / 退回补充), and its control of a month: lock, extension
(延期) and exemption (免报).

The review state of a unit's month is its latest ``ReviewEvent``: 待审 after a submission,
已补充 after a resubmission that answers a 退回补充, 通过, or 退回补充 with the reviewer's
comment. Returning a report does not delete anything: the liaison reopens it with the
previous content (the usual amendment path) and submits a new version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.domain import evidence, indicator_values
from bot.domain.people import ChatAddress, Requester
from bot.domain.periods import YearMonth
from bot.domain.replies import Button, Notice, Outcome, Reply
from bot.domain.text_input import clean_text
from storage.models import (
    Evidence,
    EvidenceKind,
    ExceptionKind,
    MemberUnit,
    PendingReviewComment,
    PeriodLock,
    ReportingException,
    ReviewAction,
    ReviewEvent,
    Submission,
    SubmissionKind,
    SubmissionTaskStatus,
    Task,
    Transport,
)
from storage.repo_audit import add_audit_entry
from storage.repo_people import current_liaisons, identities_by_person
from storage.repo_units import get_default_campaign

WAITING = (ReviewAction.SUBMITTED, ReviewAction.RESUBMITTED)
MAX_COMMENT = 1000
QUEUE_SHOWN = 30


# ----------------------------------------------------------------------------- review


def record_submission(*, session: Session, submission: Submission) -> ReviewAction:
    """A new version enters the queue: 已补充 if it answers a 退回补充, else 待审."""
    latest = latest_event(session=session, unit_id=submission.unit_id, period=submission.period)
    action = (
        ReviewAction.RESUBMITTED
        if latest is not None and latest.action == ReviewAction.RETURNED
        else ReviewAction.SUBMITTED
    )
    assert submission.id is not None
    session.add(
        ReviewEvent(
            unit_id=submission.unit_id, period=submission.period, submission_id=submission.id,
            action=action, person_id=submission.submitted_by_person_id, at=submission.submitted_at,
        )
    )  # fmt: skip
    session.flush()
    return action


def latest_event(*, session: Session, unit_id: int, period: str) -> ReviewEvent | None:
    query = select(ReviewEvent).where(ReviewEvent.unit_id == unit_id, ReviewEvent.period == period)
    return session.exec(query.order_by(col(ReviewEvent.id).desc())).first()


@dataclass(frozen=True, slots=True)
class QueueItem:
    submission_id: int
    unit: str
    period: str
    version: int
    state: ReviewAction
    at: datetime
    unit_id: int = 0
    kind: SubmissionKind = SubmissionKind.REPORT  # a report, or 本月无新进展


def queue(*, session: Session) -> list[QueueItem]:
    """Reports waiting for the office (待审 and 已补充), oldest first."""
    newest = (
        select(func.max(ReviewEvent.id))
        .group_by(col(ReviewEvent.unit_id), col(ReviewEvent.period))
        .scalar_subquery()
    )
    query = (
        select(ReviewEvent, Submission, MemberUnit)
        .join(Submission, col(Submission.id) == col(ReviewEvent.submission_id))
        .join(MemberUnit, col(MemberUnit.id) == col(ReviewEvent.unit_id))
        .where(col(ReviewEvent.id).in_(newest), col(ReviewEvent.action).in_(WAITING))
        .order_by(col(ReviewEvent.at), col(ReviewEvent.id))
    )
    return [
        QueueItem(
            submission.id or 0,
            unit.display_name,
            event.period,
            submission.version,
            ReviewAction(event.action),
            event.at,
            submission.unit_id,
            SubmissionKind(submission.kind),
        )
        for event, submission, unit in session.exec(query)
    ]


def queue_reply(*, session: Session) -> Reply:
    items = queue(session=session)
    buttons = tuple(
        (
            Button(
                "review_item",
                f"rv:{item.submission_id}:open",
                {"unit": item.unit, "period": item.period, "state": item.state.value},
            ),
        )
        for item in items[:QUEUE_SHOWN]
    )
    return Reply("review_queue", {"items": items, "shown": QUEUE_SHOWN}, buttons)


def open_submission(*, session: Session, submission_id: int, tz: tzinfo) -> tuple[Reply, list[str]]:
    """The submission as the reviewer reads it, and its photos' sha256 (to show them too)."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        return Reply("report_stale"), []
    unit = session.get(MemberUnit, submission.unit_id)
    latest = latest_event(session=session, unit_id=submission.unit_id, period=submission.period)
    statuses = session.exec(
        select(SubmissionTaskStatus, Task)
        .join(Task, col(Task.id) == col(SubmissionTaskStatus.task_id))
        .where(SubmissionTaskStatus.submission_id == submission_id)
        .order_by(col(Task.sort_order))
    ).all()
    photos = evidence.photos_of(
        session=session, unit_id=submission.unit_id, period=submission.period
    )
    values = {
        "unit": unit.display_name if unit else "?",
        "period": submission.period,
        "version": submission.version,
        "state": ReviewAction(latest.action).value if latest else "",
        "submission": submission,
        "tasks": [
            {"code": task.code, "content": task.content, "status": row.status, "reason": row.reason}
            for row, task in statuses
        ],
        "indicators": indicator_values.submitted(session=session, submission_id=submission_id),
        "photos": len(photos),
        "files": captions_of(session=session, unit_id=submission.unit_id, period=submission.period),
        "history": history(
            session=session, unit_id=submission.unit_id, period=submission.period, tz=tz
        ),
    }
    buttons: tuple[tuple[Button, ...], ...] = ()
    if latest is not None and latest.action in WAITING and latest.submission_id == submission_id:
        buttons = (
            (
                Button("approve", f"rv:{submission_id}:ok"),
                Button("return_report", f"rv:{submission_id}:ret"),
            ),
        )
    return Reply("review_submission", values, buttons), photos


def captions_of(*, session: Session, unit_id: int, period: str) -> list[dict[str, object]]:
    """Each photo's caption and each file's name, with its number (``/evidence #12``); an
    album's photos with one caption show as one line ("#12–#21", 10 张)."""
    rows: list[dict[str, object]] = []
    query = select(Evidence).where(Evidence.unit_id == unit_id, Evidence.period == period)
    for item in session.exec(query.order_by(col(Evidence.id))):
        photo = item.kind == EvidenceKind.PHOTO
        text = item.caption if photo else item.file_name
        last = rows[-1] if rows else None
        if last is not None and photo and last["photo"] and last["text"] == text:
            last["last"], last["count"] = item.id, int(str(last["count"])) + 1
            continue
        rows.append({"first": item.id, "last": item.id, "count": 1, "photo": photo, "text": text})
    return rows


def history(*, session: Session, unit_id: int, period: str, tz: tzinfo) -> list[dict[str, object]]:
    """Who did what to the unit's month, and when (office time)."""
    from storage.models import Person

    query = (
        select(ReviewEvent, Person)
        .join(Person, col(Person.id) == col(ReviewEvent.person_id), isouter=True)
        .where(ReviewEvent.unit_id == unit_id, ReviewEvent.period == period)
        .order_by(col(ReviewEvent.id))
    )
    return [
        {
            "action": event.action,
            "who": person.name if person else "",
            "at": event.at.astimezone(tz),
            "comment": event.comment,
        }
        for event, person in session.exec(query)
    ]


def _waiting(session: Session, submission_id: int) -> Submission | None:
    """The submission, if it is still the one waiting for review (not stale, not decided)."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        return None
    latest = latest_event(session=session, unit_id=submission.unit_id, period=submission.period)
    if latest is None or latest.action not in WAITING or latest.submission_id != submission_id:
        return None
    return submission


def approve(*, session: Session, who: Requester, submission_id: int, at: datetime) -> Outcome:
    submission = _waiting(session, submission_id)
    if submission is None:
        return Outcome(Reply("review_already_decided"))
    _decide(session, who, submission, ReviewAction.APPROVED, "", at)
    values = _values(session, submission)
    notices = _to_liaisons(session, submission, Reply("review_approved_liaison", values), at)
    return Outcome(Reply("review_approved", values), notices)


@dataclass(frozen=True, slots=True)
class Batch:
    """What approving several reports at once did."""

    approved: tuple[Reply, ...]  # each approval's confirmation, as ``approve`` words it
    skipped: int  # decided meanwhile, replaced by a newer version, or unknown
    notices: tuple[Notice, ...]  # each unit's liaisons are told, as for a single approval


def approve_many(
    *, session: Session, who: Requester, submission_ids: Iterable[int], at: datetime
) -> Batch:
    """通过 several reports in one go (the ticked ones, or every 本月无新进展 waiting): each is
    decided exactly as ``approve`` decides one — its own review event, audit entry and notice
    to the unit's liaisons; one no longer waiting is skipped, never decided twice."""
    approved: list[Reply] = []
    notices: list[Notice] = []
    skipped = 0
    for submission_id in dict.fromkeys(submission_ids):
        if _waiting(session, submission_id) is None:
            skipped += 1
            continue
        outcome = approve(session=session, who=who, submission_id=submission_id, at=at)
        approved.append(outcome.reply)
        notices.extend(outcome.notices)
    return Batch(tuple(approved), skipped, tuple(notices))


def waiting_without_progress(*, session: Session) -> list[int]:
    """The waiting submissions that say 本月无新进展: nothing to read, approved in one go."""
    return [
        item.submission_id
        for item in queue(session=session)
        if item.kind == SubmissionKind.NO_PROGRESS
    ]


def is_waiting(*, session: Session, submission_id: int) -> bool:
    """Whether this version is the one waiting for the office's decision."""
    return _waiting(session, submission_id) is not None


def return_now(
    *, session: Session, who: Requester, submission_id: int, comment: str, at: datetime
) -> Outcome:
    """退回补充 with the comment given at once (a web form), not as the next chat message:
    the same checks, decision and notice as ``ask_comment`` then ``return_with_comment``."""
    if who.person_id is None:
        return Outcome(Reply("review_already_decided"))
    return _return(session, who, submission_id, comment, at)


def ask_comment(*, session: Session, who: Requester, submission_id: int, at: datetime) -> Reply:
    """退回补充 needs a comment: remember what the reviewer's next message is for."""
    submission = _waiting(session, submission_id)
    if submission is None or who.person_id is None:
        return Reply("review_already_decided")
    pending = session.get(PendingReviewComment, who.person_id) or PendingReviewComment(
        person_id=who.person_id, submission_id=submission_id
    )
    pending.submission_id, pending.created_at = submission_id, at
    session.add(pending)
    session.flush()
    return Reply("review_ask_comment", _values(session, submission))


def pending_comment(*, session: Session, who: Requester) -> PendingReviewComment | None:
    return session.get(PendingReviewComment, who.person_id) if who.person_id else None


def return_with_comment(
    *, session: Session, who: Requester, pending: PendingReviewComment, comment: str, at: datetime
) -> Outcome:
    outcome = _return(session, who, pending.submission_id, comment, at)
    if outcome.reply.template not in UNDECIDED:
        session.delete(pending)
        session.flush()
    return outcome


UNDECIDED = ("review_comment_empty", "review_comment_too_long")  # ask for the comment again


def _return(
    session: Session, who: Requester, submission_id: int, comment: str, at: datetime
) -> Outcome:
    """The checks and decision of 退回补充 once the comment is known."""
    comment = clean_text(comment).strip()
    if not comment:
        return Outcome(Reply("review_comment_empty"))
    if len(comment) > MAX_COMMENT:
        return Outcome(Reply("review_comment_too_long", {"limit": MAX_COMMENT}))
    submission = _waiting(session, submission_id)
    if submission is None:
        return Outcome(Reply("review_already_decided"))
    _decide(session, who, submission, ReviewAction.RETURNED, comment, at)
    values = {**_values(session, submission), "comment": comment}
    month = submission.period.replace("-", "")
    button = ((Button("revise_report", f"rp:{submission.unit_id}:{month}:open:here"),),)
    liaison = Reply("review_returned_liaison", values, button)
    return Outcome(Reply("review_returned", values), _to_liaisons(session, submission, liaison, at))


def cancel_comment(*, session: Session, who: Requester) -> bool:
    pending = pending_comment(session=session, who=who)
    if pending is None:
        return False
    session.delete(pending)
    session.flush()
    return True


def _decide(
    session: Session,
    who: Requester,
    submission: Submission,
    action: ReviewAction,
    comment: str,
    at: datetime,
) -> None:
    assert submission.id is not None
    session.add(
        ReviewEvent(
            unit_id=submission.unit_id, period=submission.period, submission_id=submission.id,
            action=action, person_id=who.person_id, comment=comment, at=at,
        )
    )  # fmt: skip
    add_audit_entry(
        session=session, action=f"review_{action.value}", actor_person_id=who.person_id,
        unit_id=submission.unit_id, period=submission.period, version=str(submission.version),
        comment=comment,
    )  # fmt: skip
    session.flush()


def _values(session: Session, submission: Submission) -> dict[str, object]:
    unit = session.get(MemberUnit, submission.unit_id)
    return {
        "unit": unit.display_name if unit else "?",
        "period": submission.period,
        "version": submission.version,
    }


def _to_liaisons(
    session: Session, submission: Submission, reply: Reply, at: datetime
) -> tuple[Notice, ...]:
    """The unit's current liaisons, main and backup, privately."""
    people = [
        person.id
        for _, person in current_liaisons(session=session, at=at, unit_id=submission.unit_id)
        if person.id is not None
    ]
    identities = identities_by_person(session=session, person_ids=people)
    return tuple(
        Notice(ChatAddress(Transport(identity.transport), identity.chat_id), reply)
        for person_id in people
        for identity in identities.get(person_id, [])[:1]
    )


# ----------------------------------------------------------------- lock, extend, exempt


def is_locked(*, session: Session, period: str) -> bool:
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return False
    return session.get(PeriodLock, (campaign.id, period)) is not None


def set_lock(*, session: Session, who: Requester, period: YearMonth, locked: bool) -> Reply:
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return Reply("review_no_campaign")
    row = session.get(PeriodLock, (campaign.id, str(period)))
    if locked and row is None:
        session.add(PeriodLock(campaign_id=campaign.id, period=str(period),
                               locked_by_person_id=who.person_id))  # fmt: skip
    elif not locked and row is not None:
        session.delete(row)
    add_audit_entry(
        session=session, action="period_lock" if locked else "period_unlock",
        actor_person_id=who.person_id, period=str(period),
    )  # fmt: skip
    session.flush()
    return Reply("period_locked" if locked else "period_unlocked", {"period": str(period)})


def exceptions_for(*, session: Session, period: str) -> dict[int, ReportingException]:
    query = select(ReportingException).where(ReportingException.period == period)
    return {row.unit_id: row for row in session.exec(query)}


def exception_of(*, session: Session, unit_id: int, period: str) -> ReportingException | None:
    return session.get(ReportingException, (unit_id, period))


def grant(
    *,
    session: Session,
    who: Requester,
    unit: MemberUnit,
    period: YearMonth,
    kind: ExceptionKind,
    reason: str,
    due: date | None = None,
) -> Reply:
    """An extension to ``due`` or an exemption, replacing any earlier one for that month."""
    assert unit.id is not None
    row = session.get(ReportingException, (unit.id, str(period))) or ReportingException(
        unit_id=unit.id, period=str(period), kind=kind
    )
    row.kind, row.due_date, row.reason = kind, due, reason.strip()[:500]
    row.granted_by_person_id = who.person_id
    session.add(row)
    add_audit_entry(
        session=session, action=f"grant_{kind.value}", actor_person_id=who.person_id,
        unit_id=unit.id, period=str(period), due=due.isoformat() if due else "", reason=reason,
    )  # fmt: skip
    session.flush()
    values = {"unit": unit.display_name, "period": str(period), "reason": row.reason,
              "due": due.isoformat() if due else "", "kind": kind.value}  # fmt: skip
    return Reply("exception_granted", values)


def units_named(*, session: Session, names: Iterable[str]) -> list[MemberUnit]:
    from bot.domain.invites import units_matching

    found: list[MemberUnit] = []
    for name in names:
        matches = units_matching(session=session, query=name)
        if len(matches) == 1:
            found.append(matches[0])
    return found
