"""Merge one unit into another (并入): a phantom unit an old import invented, or two units
the 机构改革 joined.

Every month already closed (its due date passed) keeps its numbers: the merged unit stays
listed in those months exactly as it stood, with its reports, photos and liaisons of the
time. From the first month still open, everything is the target's: the merged unit's reports
and photos for those months, its drafts and exceptions, its liaisons (a second main liaison
becomes a backup), its task and indicator links, and its names (which become aliases, so
imports match them). When both units reported for the same open month the office must say
whose report is kept; the other stays, uncounted, with the merged unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from sqlmodel import Session, col, select

from bot.domain.periods import YearMonth
from bot.domain.standing import period_dates
from bot.domain.units.aliases import move_aliases
from bot.domain.units.lookup import UnitActionRefused, unit_named
from storage.models import (
    ActiveReport,
    AssignmentRole,
    ChangeStatus,
    Evidence,
    IndicatorUnit,
    Invite,
    LiaisonChange,
    ReportDraft,
    ReportingException,
    Responsibility,
    ReviewEvent,
    Submission,
    TaskUnit,
)
from storage.repo_audit import add_audit_entry
from storage.repo_people import MERGED_REASON, assign_liaison, current_liaisons, end_assignment

TEMPORARY_VERSION = 100_000  # lifts versions clear of the unique key while two months swap
STRENGTH = {Responsibility.LEAD: 0, Responsibility.RESPONSIBLE: 1, Responsibility.COOPERATING: 2}


@dataclass
class MergeResult:
    source: str
    target: str
    from_period: str  # the first month that is the target's
    months_moved: list[str] = field(default_factory=list)
    months_kept_apart: list[str] = field(default_factory=list)  # conflicts: the other is kept
    liaisons: int = 0
    links: int = 0
    aliases: int = 0


def first_open_period(*, session: Session, now: datetime, tz: tzinfo) -> YearMonth:
    """The earliest month whose due date has not passed (earlier months are closed)."""
    today = now.astimezone(tz).date()
    period = YearMonth.of(today).previous()
    while period_dates(session=session, period=period, tz=tz).due.due < today:
        period = period.next()
    return period


def merge_units(
    *,
    session: Session,
    campaign_id: int,
    source_name: str,
    target_name: str,
    keep: str | None,
    actor_person_id: int | None,
    now: datetime,
    tz: tzinfo,
) -> MergeResult:
    """Merge ``source_name`` into ``target_name``; ``keep`` names whose report counts for an
    open month both reported (refused, naming the months, when it is needed and missing)."""
    source = unit_named(session, campaign_id, source_name)
    target = unit_named(session, campaign_id, target_name)
    assert source.id is not None and target.id is not None
    if source.id == target.id:
        raise UnitActionRefused("merge_self", name=source.full_name)
    kept = None
    if keep is not None:
        kept = unit_named(session, campaign_id, keep)
        if kept.id not in (source.id, target.id):
            raise UnitActionRefused("keep_which", source=source.full_name, target=target.full_name)
    start = first_open_period(session=session, now=now, tz=tz)
    by_month = _open_submissions(session, [source.id, target.id], str(start))
    both = sorted(p for p, units in by_month.items() if len(units) == 2)
    if both and kept is None:
        raise UnitActionRefused(
            "merge_conflict", source=source.full_name, target=target.full_name, months=both
        )
    result = MergeResult(source.full_name, target.full_name, str(start))
    for period, units in sorted(by_month.items()):
        if source.id not in units:
            continue
        if period in both:
            result.months_kept_apart.append(period)
            if kept is not None and kept.id == source.id:
                _swap_month(session, source.id, target.id, period)
        else:
            _move_month(session, source.id, target.id, period)
            result.months_moved.append(period)
    _move_open_work(session, source.id, target.id, str(start))
    result.liaisons = _move_liaisons(session, source.id, target.id, now)
    result.links = _move_links(session, source.id, target.id)
    result.aliases = move_aliases(session, campaign_id, source, target)
    _close_pending(session, source.id, actor_person_id, now)
    prompt_day = period_dates(session=session, period=start, tz=tz).prompt_at.astimezone(tz)
    source.active = False
    source.merged_into_id = target.id
    source.retired_on = min(now.astimezone(tz).date(), prompt_day.date())
    session.add(source)
    add_audit_entry(
        session=session, action="unit_merged", actor_person_id=actor_person_id,
        unit_id=source.id, into=target.full_name, into_unit_id=str(target.id),
        from_period=str(start), moved="、".join(result.months_moved),
        kept_apart="、".join(result.months_kept_apart),
        kept=kept.full_name if kept is not None else "",
    )  # fmt: skip
    session.flush()
    return result


def _open_submissions(session: Session, unit_ids: list[int], start: str) -> dict[str, set[int]]:
    rows = session.exec(
        select(Submission.period, Submission.unit_id).where(
            col(Submission.unit_id).in_(unit_ids), col(Submission.period) >= start
        )
    ).all()
    found: dict[str, set[int]] = {}
    for period, unit_id in rows:
        found.setdefault(period, set()).add(unit_id)
    return found


def _move_month(session: Session, source: int, target: int, period: str) -> None:
    """The source's report, its review history and photos for ``period`` become the target's
    (a photo the target already has for the month stays with the source)."""
    for report in session.exec(
        select(Submission).where(Submission.unit_id == source, Submission.period == period)
    ):
        report.unit_id = target
        session.add(report)
    for event in session.exec(
        select(ReviewEvent).where(ReviewEvent.unit_id == source, ReviewEvent.period == period)
    ):
        event.unit_id = target
        session.add(event)
    _move_evidence(session, source, target, period)
    session.flush()


def _move_evidence(session: Session, source: int, target: int, period: str) -> None:
    have = set(
        session.exec(
            select(Evidence.sha256).where(Evidence.unit_id == target, Evidence.period == period)
        )
    )
    for row in session.exec(
        select(Evidence).where(Evidence.unit_id == source, Evidence.period == period)
    ):
        if row.sha256 not in have:
            row.unit_id = target
            session.add(row)
    session.flush()


def _swap_month(session: Session, source: int, target: int, period: str) -> None:
    """Both reported for ``period`` and the source's report is kept: the two months trade
    places (reports, review histories and photos), so the target carries the kept one."""
    ids = {
        unit: [
            row.id
            for row in session.exec(
                select(Submission).where(Submission.unit_id == unit, Submission.period == period)
            )
        ]
        for unit in (source, target)
    }
    for row in session.exec(select(Submission).where(col(Submission.id).in_(ids[source]))):
        row.unit_id, row.version = target, row.version + TEMPORARY_VERSION
        session.add(row)
    session.flush()
    for row in session.exec(select(Submission).where(col(Submission.id).in_(ids[target]))):
        row.unit_id = source
        session.add(row)
    session.flush()
    for row in session.exec(select(Submission).where(col(Submission.id).in_(ids[source]))):
        row.version -= TEMPORARY_VERSION
        session.add(row)
    events = {
        unit: list(
            session.exec(
                select(ReviewEvent).where(ReviewEvent.unit_id == unit, ReviewEvent.period == period)
            )
        )
        for unit in (source, target)
    }
    for unit, other in ((source, target), (target, source)):
        for event in events[unit]:
            event.unit_id = other
            session.add(event)
    photos = {
        unit: list(
            session.exec(
                select(Evidence).where(Evidence.unit_id == unit, Evidence.period == period)
            )
        )
        for unit in (source, target)
    }
    shared = {p.sha256 for p in photos[source]} & {p.sha256 for p in photos[target]}
    for unit, other in ((source, target), (target, source)):
        for photo in photos[unit]:
            if photo.sha256 not in shared:  # a photo both have stays with both
                photo.unit_id = other
                session.add(photo)
    session.flush()


def _move_open_work(session: Session, source: int, target: int, start: str) -> None:
    """Drafts and exceptions of open months follow the unit (unless the target has its own);
    a draft left behind is no longer anyone's active report."""
    for draft in session.exec(select(ReportDraft).where(ReportDraft.unit_id == source)):
        taken = session.exec(
            select(ReportDraft).where(
                ReportDraft.unit_id == target, ReportDraft.period == draft.period
            )
        ).first()
        if draft.period >= start and taken is None:
            draft.unit_id = target
            session.add(draft)
            continue
        for active in session.exec(select(ActiveReport).where(ActiveReport.draft_id == draft.id)):
            session.delete(active)
    for exception in session.exec(
        select(ReportingException).where(
            ReportingException.unit_id == source, col(ReportingException.period) >= start
        )
    ):
        if session.get(ReportingException, (target, exception.period)) is None:
            moved = ReportingException(
                unit_id=target, period=exception.period, kind=exception.kind,
                due_date=exception.due_date, reason=exception.reason,
                granted_by_person_id=exception.granted_by_person_id,
                granted_at=exception.granted_at,
            )  # fmt: skip
            session.delete(exception)
            session.flush()
            session.add(moved)
    session.flush()


def _move_liaisons(session: Session, source: int, target: int, now: datetime) -> int:
    """The source's liaisons report for the target from now on (a second main liaison as a
    backup); their source assignments close with the merge, which keeps them as history."""
    theirs = current_liaisons(session=session, at=now, unit_id=target)
    present = {assignment.person_id for assignment, _ in theirs}
    has_main = any(a.role == AssignmentRole.MAIN for a, _ in theirs)
    moved = 0
    for assignment, _ in current_liaisons(session=session, at=now, unit_id=source):
        end_assignment(session=session, assignment=assignment, valid_to=now, reason=MERGED_REASON)
        if assignment.person_id in present:
            continue
        role = AssignmentRole(assignment.role)
        if role == AssignmentRole.MAIN and has_main:
            role = AssignmentRole.BACKUP
        has_main = has_main or role == AssignmentRole.MAIN
        assign_liaison(
            session=session, unit_id=target, person_id=assignment.person_id, role=role,
            valid_from=now, reason="merged_from",
        )  # fmt: skip
        present.add(assignment.person_id)
        moved += 1
    return moved


def _move_links(session: Session, source: int, target: int) -> int:
    """Task and indicator links move to the target; where it already has one, the stronger
    role (lead, responsible, co-operating) stays."""
    moved = 0
    for task_link in session.exec(select(TaskUnit).where(TaskUnit.unit_id == source)).all():
        copy = TaskUnit(
            task_id=task_link.task_id, unit_id=target, role=task_link.role,
            position=task_link.position, via_group=task_link.via_group,
        )  # fmt: skip
        _move_link(session, task_link, session.get(TaskUnit, (task_link.task_id, target)), copy)
        moved += 1
    for link in session.exec(select(IndicatorUnit).where(IndicatorUnit.unit_id == source)).all():
        found = session.get(IndicatorUnit, (link.indicator_id, target))
        copy_ = IndicatorUnit(
            indicator_id=link.indicator_id, unit_id=target, role=link.role, position=link.position
        )
        _move_link(session, link, found, copy_)
        moved += 1
    session.flush()
    return moved


def _move_link(
    session: Session,
    link: TaskUnit | IndicatorUnit,
    existing: TaskUnit | IndicatorUnit | None,
    copy: TaskUnit | IndicatorUnit,
) -> None:
    """Replace ``link`` by ``copy`` (on the target), or merge it into the target's own."""
    session.delete(link)
    session.flush()
    if existing is None:
        session.add(copy)
    elif STRENGTH[Responsibility(link.role)] < STRENGTH[Responsibility(existing.role)]:
        existing.role = link.role
        session.add(existing)


def _close_pending(session: Session, source: int, actor: int | None, now: datetime) -> None:
    """Registration codes not yet used expire; a pending change of liaison is declined."""
    for invite in session.exec(
        select(Invite).where(Invite.unit_id == source, col(Invite.claimed_at).is_(None))
    ):
        invite.expires_at = min(invite.expires_at, now)
        session.add(invite)
    for change in session.exec(
        select(LiaisonChange).where(
            LiaisonChange.unit_id == source, LiaisonChange.status == ChangeStatus.PENDING
        )
    ):
        change.status, change.decided_at, change.decided_by_person_id = (
            ChangeStatus.REJECTED, now, actor,
        )  # fmt: skip
        session.add(change)
    session.flush()
