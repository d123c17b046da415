"""Web console logins: single-use links, sessions and failed link uses (tokens as sha256)."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, func, update
from sqlmodel import Session, col, select

from storage.models import (
    Evidence,
    MemberUnit,
    Person,
    Submission,
    WebLoginFailure,
    WebLoginLink,
    WebSession,
    WebTokenBase,
)

Token = TypeVar("Token", bound=WebTokenBase)


def add_token(
    *,
    session: Session,
    kind: type[Token],
    token_sha256: str,
    person_id: int,
    campaign_id: int,
    expires_at: datetime,
) -> Token:
    """Store a login link (``kind=WebLoginLink``) or a session (``kind=WebSession``)."""
    row = kind(
        token_sha256=token_sha256, person_id=person_id, campaign_id=campaign_id,
        expires_at=expires_at,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def _usable_link(token_sha256: str, at: datetime) -> list[ColumnElement[bool]]:
    """The link with this token, if it is unused and unexpired."""
    return [
        col(WebLoginLink.token_sha256) == token_sha256,
        col(WebLoginLink.used_at).is_(None),
        col(WebLoginLink.expires_at) > at,
    ]


def _live_session(at: datetime) -> list[ColumnElement[bool]]:
    """Sessions that have neither expired nor been ended."""
    return [col(WebSession.revoked_at).is_(None), col(WebSession.expires_at) > at]


def claim_link(*, session: Session, token_sha256: str, at: datetime) -> WebLoginLink | None:
    """Use the link up if it is unused and unexpired; of two racing requests one wins."""
    result = session.execute(
        update(WebLoginLink).where(*_usable_link(token_sha256, at)).values(used_at=at)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    query = select(WebLoginLink).where(WebLoginLink.token_sha256 == token_sha256)
    return session.exec(query.execution_options(populate_existing=True)).one()


def link_usable(*, session: Session, token_sha256: str, at: datetime) -> bool:
    query = select(WebLoginLink.id).where(*_usable_link(token_sha256, at))
    return session.exec(query).first() is not None


def live_session(*, session: Session, token_sha256: str, at: datetime) -> WebSession | None:
    """The session behind a cookie, if it has neither expired nor been ended."""
    query = select(WebSession).where(
        col(WebSession.token_sha256) == token_sha256, *_live_session(at)
    )
    return session.exec(query).first()


def end_sessions(
    *, session: Session, campaign_id: int, person_id: int, at: datetime, token_sha256: str = ""
) -> int:
    """End the person's live sessions (only the one with ``token_sha256`` when given) and,
    for all of them, the links not used yet; how many sessions ended."""
    where = [
        col(WebSession.campaign_id) == campaign_id,
        col(WebSession.person_id) == person_id,
        *_live_session(at),
    ]
    if token_sha256:
        where.append(col(WebSession.token_sha256) == token_sha256)
    ended = session.execute(update(WebSession).where(*where).values(revoked_at=at))
    if not token_sha256:
        session.execute(
            update(WebLoginLink)
            .where(
                col(WebLoginLink.campaign_id) == campaign_id,
                col(WebLoginLink.person_id) == person_id,
                col(WebLoginLink.used_at).is_(None),
            )
            .values(used_at=at)
        )
    return int(ended.rowcount)  # type: ignore[attr-defined]


def live_sessions(
    *, session: Session, campaign_id: int, at: datetime
) -> list[tuple[int, str, int, datetime]]:
    """(person id, name, live sessions, latest login) for everyone logged in now."""
    query = (
        select(Person.id, Person.name, func.count(), func.max(WebSession.created_at))
        .join(Person, col(Person.id) == col(WebSession.person_id))
        .where(col(WebSession.campaign_id) == campaign_id, *_live_session(at))
        .group_by(col(Person.id), col(Person.name))
        .order_by(col(Person.name))
    )
    return [(pid or 0, name, count, latest) for pid, name, count, latest in session.exec(query)]


def record_failure(*, session: Session, client: str, at: datetime) -> None:
    session.add(WebLoginFailure(client=client[:64], at=at))
    session.flush()


def failures_since(*, session: Session, client: str, since: datetime) -> int:
    query = select(func.count()).where(
        WebLoginFailure.client == client[:64], col(WebLoginFailure.at) >= since
    )
    return int(session.exec(query).one())


def published_evidence(*, session: Session, sha256: str, campaign_id: int) -> Evidence | None:
    """A photo or file of the campaign that the office may see: its unit submitted the month
    it belongs to (a draft's files are not the office's until the report is in)."""
    query = (
        select(Evidence)
        .join(MemberUnit, col(MemberUnit.id) == col(Evidence.unit_id))
        .join(
            Submission,
            (col(Submission.unit_id) == col(Evidence.unit_id))
            & (col(Submission.period) == col(Evidence.period)),
        )
        .where(col(Evidence.sha256) == sha256, col(MemberUnit.campaign_id) == campaign_id)
    )
    return session.exec(query.limit(1)).first()
