"""Put people into the database the way registration will (until that flow exists)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.deps import Deps
from bot.domain.invites import issue_invites
from storage.models import AssignmentRole, MemberUnit, Transport, UnitCategory
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
