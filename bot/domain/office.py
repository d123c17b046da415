"""The office's own tools: the liaison roster and office roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.domain.invites import find_units
from bot.domain.people import IdentityRef, Requester
from bot.domain.replies import Reply
from bot.domain.task_progress import deadline_passed
from storage.models import AssignmentRole, OfficeRole, Submission, Task
from storage.repo_audit import add_audit_entry
from storage.repo_people import (
    add_person_with_identity,
    current_liaisons,
    find_person_by_identity,
    list_office_users,
    set_office_role,
)
from storage.repo_tasks import list_tasks
from storage.repo_units import get_default_campaign, list_units


@dataclass(frozen=True, slots=True)
class RosterLiaison:
    name: str
    role: AssignmentRole
    phone: str | None  # the roster is the only place a phone number is shown


@dataclass(frozen=True, slots=True)
class RosterRow:
    unit: str
    liaisons: tuple[RosterLiaison, ...]
    last_report: str = ""  # YYYY-MM-DD (office time zone) of the latest submission, if any

    @property
    def registered(self) -> bool:
        return any(liaison.role == AssignmentRole.MAIN for liaison in self.liaisons)


def roster(*, session: Session, at: datetime, tz: tzinfo) -> list[RosterRow]:
    """Every active unit of the campaign with its current liaisons and last report date."""
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return []
    last = dict(
        session.exec(
            select(Submission.unit_id, func.max(Submission.submitted_at)).group_by(
                col(Submission.unit_id)
            )
        ).all()
    )
    by_unit: dict[int, list[RosterLiaison]] = {}
    for assignment, person in current_liaisons(session=session, at=at):
        liaison = RosterLiaison(person.name, AssignmentRole(assignment.role), person.phone)
        by_unit.setdefault(assignment.unit_id, []).append(liaison)
    rows = []
    for unit in list_units(session=session, campaign_id=campaign.id):
        assert unit.id is not None
        liaisons = tuple(by_unit.get(unit.id, ()))
        when = last.get(unit.id)  # max() keeps the column type: an aware UTC datetime
        shown = when.astimezone(tz).date().isoformat() if isinstance(when, datetime) else ""
        rows.append(RosterRow(unit.display_name, liaisons, shown))
    return rows


def office_users(*, session: Session) -> list[tuple[str, OfficeRole]]:
    return [
        (person.name, OfficeRole(user.role)) for user, person in list_office_users(session=session)
    ]


def grant_role(
    *,
    session: Session,
    actor: Requester,
    identity: IdentityRef,
    name: str,
    role: OfficeRole | None,
    now: datetime,
) -> Reply:
    """Make the person behind ``identity`` office staff/admin, or revoke (``role=None``)."""
    person = find_person_by_identity(
        session=session, transport=identity.transport, external_id=identity.external_id
    )
    if person is None:
        if role is None:
            return Reply("office_unknown_person", {"id": identity.external_id})
        person = add_person_with_identity(
            session=session,
            name=name,
            transport=identity.transport,
            external_id=identity.external_id,
            chat_id=identity.chat_id,
        )
    assert person.id is not None
    set_office_role(
        session=session, person_id=person.id, role=role, by_person_id=actor.person_id, at=now
    )
    add_audit_entry(
        session=session,
        action="office_role_revoked" if role is None else "office_role_granted",
        actor_person_id=actor.person_id,
        subject_person_id=person.id,
        role=str(role or ""),
    )
    template = "office_role_revoked" if role is None else "office_role_granted"
    return Reply(template, {"name": person.name, "role": str(role or "")})


def unit_list(*, session: Session, at: datetime) -> list[dict[str, object]]:
    """Units with their kind and whether a main liaison is registered (no personal data)."""
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return []
    registered = {row.unit for row in roster(session=session, at=at, tz=UTC) if row.registered}
    return [
        {
            "full_name": unit.full_name,
            "short_name": unit.short_name,
            "category": str(unit.category),
            "registered": unit.display_name in registered,
        }
        for unit in list_units(session=session, campaign_id=campaign.id)
    ]


def task_list(
    *, session: Session, unit_name: str | None, period: str | None = None
) -> list[dict[str, object]] | None:
    """Tasks with category, units and deadline, after the duties common to every unit (共性职责,
    a row with ``common``); None when ``unit_name`` is not one unit. With ``period`` (YYYY-MM),
    each task says whether its units are asked about it that month (``asked``: "closed" by the
    office, "past" its one-off deadline, else "yes"), by ``task_progress``'s rule."""
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return [] if unit_name is None else None
    unit_id = None
    if unit_name is not None:
        found = find_units(session=session, campaign_id=campaign.id, query=unit_name)
        if len(found) != 1:
            return None
        unit_id = found[0].id
    common: list[dict[str, object]] = (
        [{"common": True, "content": campaign.common_duties}] if campaign.common_duties else []
    )
    return common + [
        {
            "common": False,
            "code": entry.task.code,
            "category": " / ".join(entry.task.category_path),
            "content": entry.task.content,
            "lead": [unit.display_name for unit in entry.lead],
            "cooperating": [unit.display_name for unit in entry.cooperating],
            "deadline_raw": entry.task.deadline_raw,
            "deadline_kind": str(entry.task.deadline_kind),
            "deadline_date": entry.task.deadline_date.isoformat()
            if entry.task.deadline_date
            else "",
            "asked": _asked(entry.task, period),
        }
        for entry in list_tasks(session=session, campaign_id=campaign.id, unit_id=unit_id)
    ]


def _asked(task: Task, period: str | None) -> str:
    if period is None:
        return ""
    if task.closed_at is not None:
        return "closed"
    return "past" if deadline_passed(task, period) else "yes"
