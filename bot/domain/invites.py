"""Invite codes: random, single-use, expiring, stored only as a sha256 digest.

A code is 22 characters of ``A-Z a-z 0-9 _ -`` (128 random bits), which fits Telegram's
``/start`` deep-link parameter (at most 64 such characters).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from storage.models import AssignmentRole, MemberUnit
from storage.repo_audit import add_audit_entry
from storage.repo_invites import add_invite
from storage.repo_units import get_default_campaign, list_units

INVITE_TTL = timedelta(days=14)
CODE_BYTES = 16
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def code_digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


@dataclass(frozen=True, slots=True)
class IssuedInvite:
    """A fresh code to hand to a unit; the plain code exists only in this object."""

    unit_id: int
    unit_name: str
    role: AssignmentRole
    replacement: bool
    code: str
    expires_at: datetime


def issue_invites(
    *,
    session: Session,
    units: Sequence[MemberUnit],
    role: AssignmentRole,
    replacement: bool,
    now: datetime,
    created_by_person_id: int | None = None,
    ttl: timedelta = INVITE_TTL,
) -> list[IssuedInvite]:
    issued = []
    for unit in units:
        assert unit.id is not None
        code = new_code()
        add_invite(
            session=session,
            unit_id=unit.id,
            code_sha256=code_digest(code),
            role=role,
            replacement=replacement,
            expires_at=now + ttl,
            created_by_person_id=created_by_person_id,
        )
        add_audit_entry(
            session=session,
            action="invite_created",
            actor_person_id=created_by_person_id,
            unit_id=unit.id,
            role=str(role),
            replacement=str(replacement),
        )
        issued.append(IssuedInvite(unit.id, unit.display_name, role, replacement, code, now + ttl))
    return issued


def units_matching(*, session: Session, query: str) -> list[MemberUnit]:
    """Units of the current campaign named ``query`` (none for an empty name or no campaign)."""
    campaign = get_default_campaign(session=session)
    if not query or campaign is None or campaign.id is None:
        return []
    return find_units(session=session, campaign_id=campaign.id, query=query)


def find_units(*, session: Session, campaign_id: int, query: str) -> list[MemberUnit]:
    """Units named ``query``: exact full name, short name or alias first, else a substring."""
    wanted = query.strip()
    units = list_units(session=session, campaign_id=campaign_id)
    exact = [u for u in units if wanted in (u.full_name, u.short_name, *u.aliases)]
    if exact or not wanted:
        return exact
    return [
        u for u in units if any(wanted in name for name in (u.full_name, u.short_name, *u.aliases))
    ]
