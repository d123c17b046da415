"""Put people into the database the way registration will (until that flow exists)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.deps import Deps
from bot.domain.invites import issue_invites
from storage.models import (
    AssignmentRole,
    Evidence,
    EvidenceKind,
    MemberUnit,
    Submission,
    SubmissionKind,
    SubmissionTaskStatus,
    Task,
    TaskStatus,
    Transport,
    UnitCategory,
)
from storage.repo_people import add_person_with_identity, assign_liaison
from storage.repo_units import add_unit, create_campaign, get_default_campaign


def seed_liaison(deps: Deps, *, telegram_id: int, name: str, unit_names: list[str]) -> None:
    """A liaison with a Telegram identity, reporting for ``unit_names`` (created as needed)."""
    with deps.db.session() as session:
        campaign = get_default_campaign(session=session) or create_campaign(
            session=session, name="健康促进区"
        )
        assert campaign.id is not None
        person = add_person_with_identity(
            session=session,
            name=name,
            transport=Transport.TELEGRAM,
            external_id=str(telegram_id),
            chat_id=str(telegram_id),
            phone="13912345678",
        )
        assert person.id is not None
        for name_of_unit in unit_names:
            unit = add_unit(session=session, campaign_id=campaign.id, full_name=name_of_unit)
            assert unit.id is not None
            assign_liaison(
                session=session,
                unit_id=unit.id,
                person_id=person.id,
                role=AssignmentRole.MAIN,
                valid_from=deps.clock.now(),
            )


def seed_units(
    deps: Deps, *names: str, category: UnitCategory = UnitCategory.DEPARTMENT
) -> list[int]:
    """Add units to the default campaign (created if needed); return their ids."""
    with deps.db.session() as session:
        campaign = get_default_campaign(session=session) or create_campaign(
            session=session, name="健康促进区"
        )
        assert campaign.id is not None
        ids = []
        for order, name in enumerate(names):
            unit = add_unit(
                session=session, campaign_id=campaign.id, full_name=name, category=category,
                sort_order=order,
            )  # fmt: skip
            assert unit.id is not None
            ids.append(unit.id)
        return ids


def invite_code(
    deps: Deps,
    unit_id: int,
    *,
    role: AssignmentRole = AssignmentRole.MAIN,
    replacement: bool = False,
) -> str:
    """A fresh invite code for the unit, as the office would hand it out."""
    with deps.db.session() as session:
        unit = session.get(MemberUnit, unit_id)
        assert unit is not None
        [issued] = issue_invites(
            session=session, units=[unit], role=role, replacement=replacement,
            now=deps.clock.now(),
        )  # fmt: skip
        return issued.code


def seed_backup(deps: Deps, *, telegram_id: int, name: str, unit_name: str) -> None:
    """A backup liaison for an existing unit."""
    with deps.db.session() as session:
        unit = session.exec(select(MemberUnit).where(MemberUnit.full_name == unit_name)).one()
        person = add_person_with_identity(
            session=session,
            name=name,
            transport=Transport.TELEGRAM,
            external_id=str(telegram_id),
            chat_id=str(telegram_id),
        )
        assert unit.id is not None
        assert person.id is not None
        assign_liaison(
            session=session,
            unit_id=unit.id,
            person_id=person.id,
            role=AssignmentRole.BACKUP,
            valid_from=deps.clock.now(),
        )


def backdate_units(deps: Deps, when: datetime) -> None:
    """Make every unit look as if it joined the campaign at ``when`` (units owe reports only
    for months after they joined, and a test's simulated month may lie before today)."""
    with deps.db.session() as session:
        for unit in session.exec(select(MemberUnit)):
            unit.created_at = when
            session.add(unit)


def seed_report(
    deps: Deps,
    *,
    unit_name: str,
    period: str,
    submitted_at: datetime,
    workdays_late: int = 0,
    work_done: str = "开展健康讲座2场。",
    problems: str = "",
    next_plan: str = "",
    no_progress: bool = False,
    photos: tuple[tuple[bytes, str], ...] = (),
    task_statuses: tuple[tuple[str, TaskStatus, str], ...] = (),
) -> int:
    """A submitted report as the chat flow leaves it (photos stored, statuses snapshotted)."""
    with deps.db.session() as session:
        unit = session.exec(select(MemberUnit).where(MemberUnit.full_name == unit_name)).one()
        assert unit.id is not None
        submission = Submission(
            unit_id=unit.id, period=period, work_done="" if no_progress else work_done,
            problems=problems, next_plan=next_plan, submitted_at=submitted_at,
            due_date=submitted_at.date(), workdays_late=workdays_late, photo_count=len(photos),
            kind=SubmissionKind.NO_PROGRESS if no_progress else SubmissionKind.REPORT,
        )  # fmt: skip
        session.add(submission)
        session.flush()
        assert submission.id is not None
        for number, (data, caption) in enumerate(photos):
            stored = deps.files.put_bytes(data)
            session.add(
                Evidence(
                    unit_id=unit.id, period=period, sha256=stored.sha256,
                    kind=EvidenceKind.PHOTO, file_name=f"photo{number}.jpg",
                    mime_type="image/jpeg", size=stored.size, caption=caption,
                    received_at=submitted_at,
                )
            )  # fmt: skip
        for code, status, reason in task_statuses:
            task = session.exec(select(Task).where(Task.code == code)).one()
            assert task.id is not None
            session.add(
                SubmissionTaskStatus(
                    submission_id=submission.id, task_id=task.id, status=status, reason=reason
                )
            )
        return submission.id
