"""Who may use the office's web console, and for how long: login links and sessions.

No passwords. An office user sends /web in chat and gets a link with a random token, valid for
``LINK_MINUTES`` and usable once; opening it starts a browser session of ``SESSION_HOURS``.
Only the sha256 of either token is stored, so a copy of the database opens nothing. The
person's role is read again on every request (``requester_of``): someone whose office role
is revoked loses the console at once. Too many bad links from one address within
``FAILURE_WINDOW`` and that address is refused for the rest of the window (tokens are
256-bit, so this is only a second line of defence against guessing).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from bot.domain.people import IdentityRef, Requester, identify
from storage.models import Transport, WebLoginLink, WebSession
from storage.repo_audit import add_audit_entry
from storage.repo_people import identities_of_person
from storage.repo_units import get_default_campaign
from storage.repo_web import (
    add_token,
    claim_link,
    end_sessions,
    failures_since,
    link_usable,
    live_session,
    live_sessions,
    record_failure,
)

LINK_MINUTES = 10
SESSION_HOURS = 8
FAILURES_ALLOWED = 10
FAILURE_WINDOW = timedelta(minutes=10)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(*, session: Session, who: Requester, now: datetime) -> str | None:
    """A fresh login token for an office user (None for anyone else, or without a campaign)."""
    campaign = get_default_campaign(session=session)
    if not who.is_office or who.person_id is None or campaign is None or campaign.id is None:
        return None
    token = secrets.token_urlsafe(32)
    add_token(
        session=session, kind=WebLoginLink, token_sha256=digest(token), person_id=who.person_id,
        campaign_id=campaign.id, expires_at=now + timedelta(minutes=LINK_MINUTES),
    )  # fmt: skip
    add_audit_entry(session=session, action="web_link_issued", actor_person_id=who.person_id)
    return token


class Refusal(StrEnum):
    INVALID = "invalid"  # unknown, used or expired: the same answer for all three
    TOO_MANY = "too_many"  # this address failed too often lately


@dataclass(frozen=True, slots=True)
class Login:
    token: str  # the session token, for the cookie (never stored)
    person_id: int
    expires_at: datetime


def check_link(*, session: Session, token: str, client: str, now: datetime) -> Refusal | None:
    """Whether the link would work, without using it up (the page with the login button);
    a link that would not is counted against ``client`` like a failed login."""
    refusal = _throttled(session, client, now)
    if refusal is None and not link_usable(session=session, token_sha256=digest(token), at=now):
        record_failure(session=session, client=client, at=now)
        refusal = Refusal.INVALID
    return refusal


def _throttled(session: Session, client: str, now: datetime) -> Refusal | None:
    recent = failures_since(session=session, client=client, since=now - FAILURE_WINDOW)
    return Refusal.TOO_MANY if recent >= FAILURES_ALLOWED else None


def redeem_link(*, session: Session, token: str, client: str, now: datetime) -> Login | Refusal:
    """Use a login link up and start a session; refused links are counted against ``client``."""
    refusal = _throttled(session, client, now)
    if refusal is not None:
        return refusal
    link = claim_link(session=session, token_sha256=digest(token), at=now) if token else None
    if link is None:
        record_failure(session=session, client=client, at=now)
        return Refusal.INVALID
    session_token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=SESSION_HOURS)
    add_token(
        session=session, kind=WebSession, token_sha256=digest(session_token),
        person_id=link.person_id, campaign_id=link.campaign_id, expires_at=expires_at,
    )  # fmt: skip
    add_audit_entry(session=session, action="web_login", actor_person_id=link.person_id)
    return Login(session_token, link.person_id, expires_at)


def session_of(*, session: Session, token: str, now: datetime) -> WebSession | None:
    """The live session behind a cookie's token."""
    return live_session(session=session, token_sha256=digest(token), at=now) if token else None


def log_out(*, session: Session, web_session: WebSession, token: str, now: datetime) -> None:
    """End this browser's session only (the 退出 button)."""
    end_sessions(
        session=session, campaign_id=web_session.campaign_id, person_id=web_session.person_id,
        at=now, token_sha256=digest(token),
    )  # fmt: skip
    add_audit_entry(session=session, action="web_logout", actor_person_id=web_session.person_id)


def revoke(*, session: Session, person_id: int, actor_person_id: int | None, now: datetime) -> int:
    """End every session of a person, and their unused links: ``/web logout`` (their own) or
    an admin's revocation. How many sessions ended."""
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return 0
    ended = end_sessions(session=session, campaign_id=campaign.id, person_id=person_id, at=now)
    add_audit_entry(
        session=session, action="web_sessions_revoked", actor_person_id=actor_person_id,
        subject_person_id=person_id, sessions=str(ended),
    )  # fmt: skip
    return ended


@dataclass(frozen=True, slots=True)
class LoggedIn:
    person_id: int
    name: str
    sessions: int
    latest: datetime


def logged_in(*, session: Session, now: datetime) -> list[LoggedIn]:
    """Everyone with a live web session, for the admins' page."""
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return []
    rows = live_sessions(session=session, campaign_id=campaign.id, at=now)
    return [LoggedIn(*row) for row in rows]


def requester_of(
    *,
    session: Session,
    person_id: int,
    bootstrap: Mapping[Transport, Collection[str]],
    now: datetime,
) -> Requester:
    """The person as chat would see them now (role and units), through any of their chat
    identities; ``bootstrap`` holds the admins named in settings, by transport."""
    identities = identities_of_person(session=session, person_id=person_id)
    if not identities:
        return Requester(None, "", None)
    admin = any(i.external_id in bootstrap.get(Transport(i.transport), ()) for i in identities)
    first = identities[0]
    ref = IdentityRef(Transport(first.transport), first.external_id, first.chat_id, "")
    return identify(db=session, identity=ref, bootstrap_admin=admin, at=now)
