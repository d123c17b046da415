"""Who is asking: a chat identity resolved to a person, their office role and their units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from storage.models import OfficeRole, Transport
from storage.repo_people import find_person_by_identity, office_role_of, units_of_person


@dataclass(frozen=True, slots=True)
class Requester:
    """The person behind a message, in domain terms (no platform ids)."""

    person_id: int | None
    name: str
    office_role: OfficeRole | None
    unit_names: tuple[str, ...]

    @property
    def is_liaison(self) -> bool:
        return bool(self.unit_names)

    @property
    def is_office(self) -> bool:
        return self.office_role is not None

    @property
    def is_registered(self) -> bool:
        return self.is_liaison or self.is_office


def identify(
    *,
    session: Session,
    transport: Transport,
    external_id: str,
    display_name: str,
    bootstrap_admin: bool,
    at: datetime,
) -> Requester:
    """Resolve a chat identity; ``bootstrap_admin`` marks ids listed in OFFICE_ADMIN_IDS."""
    person = find_person_by_identity(session=session, transport=transport, external_id=external_id)
    if person is None or person.id is None:
        role = OfficeRole.ADMIN if bootstrap_admin else None
        return Requester(None, display_name, role, ())
    role = (
        OfficeRole.ADMIN
        if bootstrap_admin
        else office_role_of(session=session, person_id=person.id)
    )
    units = units_of_person(session=session, person_id=person.id, at=at)
    return Requester(person.id, person.name, role, tuple(unit.display_name for unit in units))
