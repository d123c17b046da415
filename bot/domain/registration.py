"""Registration of a liaison from an invite code, and the office's confirmation of changes.

The conversation's state is the ``Registration`` row: no name yet → ask the name; name but
no phone answer → ask the phone; then finish. A restart resumes where the row says.
A new main liaison for a unit that already has one waits for an office admin, unless the
invite was made as a replacement; the old assignment is closed, never deleted.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain.invites import CODE_PATTERN, code_digest
from bot.domain.people import ChatAddress, IdentityRef, Requester
from bot.domain.replies import Button, Keyboard, Notice, Outcome, Reply
from bot.domain.text_input import clean_text, normalize_cn_mobile, normalize_person_name
from storage.models import (
    AssignmentRole,
    ChangeStatus,
    Invite,
    LiaisonAssignment,
    LiaisonChange,
    MemberUnit,
    Person,
    Registration,
    Transport,
)
from storage.repo_audit import add_audit_entry
from storage.repo_invites import (
    claim_invite,
    failures_since,
    find_invite,
    open_registration,
    record_failure,
)
from storage.repo_people import (
    add_person_with_identity,
    assign_liaison,
    current_liaisons,
    end_assignment,
    find_person_by_identity,
    identities_of_person,
    office_admin_identities,
)

LOCKOUT_WINDOW = timedelta(hours=1)
MAX_WRONG_CODES = 5


def begin(
    *,
    session: Session,
    identity: IdentityRef,
    code: str,
    now: datetime,
    bootstrap_admin_ids: Collection[str],
) -> Outcome:
    """``/start CODE``: check the code, claim the invite, ask the first question.

    Someone already known (a liaison of another unit) is not asked again: registered at once.
    """
    reply = _check_code(session=session, identity=identity, code=code, now=now)
    if isinstance(reply, Reply):
        return Outcome(reply)
    registration = reply
    if registration.phone_answered:
        return finish(
            session=session,
            registration=registration,
            phone=None,
            now=now,
            bootstrap_admin_ids=bootstrap_admin_ids,
        )
    return Outcome(ask_next(session=session, registration=registration))


def _check_code(
    *, session: Session, identity: IdentityRef, code: str, now: datetime
) -> Reply | Registration:
    """Refuse a bad, used, expired or locked-out code, or return the registration it opens."""
    failures = failures_since(
        session=session,
        transport=identity.transport,
        external_id=identity.external_id,
        since=now - LOCKOUT_WINDOW,
    )
    if len(failures) >= MAX_WRONG_CODES:
        wait = failures[-MAX_WRONG_CODES] + LOCKOUT_WINDOW - now
        return Reply("invite_locked", {"minutes": max(1, int(wait.total_seconds() // 60) + 1)})
    invite = (
        find_invite(session=session, code_sha256=code_digest(code))
        if CODE_PATTERN.match(code)
        else None
    )
    if invite is None or invite.id is None:
        record_failure(
            session=session, transport=identity.transport, external_id=identity.external_id, at=now
        )
        return Reply("invite_invalid", {"remaining": MAX_WRONG_CODES - len(failures) - 1})
    current = open_registration(
        session=session, transport=identity.transport, external_id=identity.external_id
    )
    if invite.claimed_by == identity.key and current is not None and current.invite_id == invite.id:
        return ask_next(session=session, registration=current)  # tapped the link again
    if invite.claimed_at is not None:
        return Reply("invite_used")
    if invite.expires_at <= now:
        return Reply("invite_expired")
    if not claim_invite(session=session, invite_id=invite.id, claimant=identity.key, at=now):
        return Reply("invite_used")
    if current is not None:  # a newer link replaces an unfinished registration
        _release(session=session, registration=current)
    registration = Registration(
        invite_id=invite.id,
        transport=identity.transport,
        external_id=identity.external_id,
        chat_id=identity.chat_id,
    )
    known = find_person_by_identity(
        session=session, transport=identity.transport, external_id=identity.external_id
    )
    if known is not None:  # already known (another unit): no need to ask again
        registration.name, registration.phone, registration.phone_answered = known.name, None, True
    session.add(registration)
    session.flush()
    return registration


def find_open(*, session: Session, who: Requester) -> Registration | None:
    """The registration whose question the person's message answers (its id was found with
    who is asking)."""
    if who.registration_id is None:
        return None
    found = session.get(Registration, who.registration_id)
    return found if found is not None and found.finished_at is None else None


def ask_next(*, session: Session, registration: Registration) -> Reply:
    """The question the registration is waiting for (used on start and to resume)."""
    invite, unit = _invite_and_unit(session, registration)
    values = {"unit": unit.display_name, "role": str(invite.role)}
    if registration.name is None:
        return Reply("registration_ask_name", values)
    if not registration.phone_answered:
        return Reply("registration_ask_phone", values, keyboard=Keyboard.ASK_PHONE)
    return Reply("registration_confirm_pending", values)


def answer_text(
    *,
    session: Session,
    registration: Registration,
    text: str,
    skipped: bool,
    now: datetime,
    bootstrap_admin_ids: Collection[str],
) -> Outcome:
    """A typed answer to the current question (``skipped``: the skip button's text)."""
    text = clean_text(text)
    if registration.name is None:
        name = normalize_person_name(text)
        if name is None:
            return Outcome(Reply("registration_bad_name"))
        registration.name = name
        session.add(registration)
        session.flush()
        return Outcome(ask_next(session=session, registration=registration))
    phone = None if skipped else normalize_cn_mobile(text)
    if phone is None and not skipped:
        return Outcome(Reply("registration_bad_phone", keyboard=Keyboard.ASK_PHONE))
    return finish(
        session=session,
        registration=registration,
        phone=phone,
        now=now,
        bootstrap_admin_ids=bootstrap_admin_ids,
    )


def answer_contact(
    *,
    session: Session,
    registration: Registration,
    phone_number: str,
    own_contact: bool,
    now: datetime,
    bootstrap_admin_ids: Collection[str],
) -> Outcome:
    """A shared contact: accepted only if it is the sender's own number."""
    if registration.name is None:
        return Outcome(ask_next(session=session, registration=registration))
    if not own_contact:
        return Outcome(Reply("registration_not_own_contact", keyboard=Keyboard.ASK_PHONE))
    phone = normalize_cn_mobile(phone_number)
    if phone is None:
        return Outcome(Reply("registration_bad_phone", keyboard=Keyboard.ASK_PHONE))
    return finish(
        session=session,
        registration=registration,
        phone=phone,
        now=now,
        bootstrap_admin_ids=bootstrap_admin_ids,
    )


def cancel(*, session: Session, registration: Registration) -> Reply:
    """Stop registering; the invite link works again."""
    _release(session=session, registration=registration)
    return Reply("registration_cancelled", keyboard=Keyboard.REMOVE)


def finish(
    *,
    session: Session,
    registration: Registration,
    phone: str | None,
    now: datetime,
    bootstrap_admin_ids: Collection[str],
) -> Outcome:
    """Record the person and the assignment, or ask the office to confirm a change."""
    invite, unit = _invite_and_unit(session, registration)
    assert registration.name is not None and unit.id is not None
    person = _person_for(session, registration, phone)
    assert person.id is not None
    registration.phone, registration.phone_answered, registration.finished_at = phone, True, now
    session.add(registration)
    values = {"unit": unit.display_name, "role": str(invite.role), "name": person.name}
    liaisons = current_liaisons(session=session, unit_id=unit.id, at=now)
    if any(p.id == person.id and a.role == invite.role for a, p in liaisons):
        return Outcome(Reply("registration_already", values, keyboard=Keyboard.REMOVE))
    mains = [(a, p) for a, p in liaisons if a.role == AssignmentRole.MAIN]
    if invite.role == AssignmentRole.MAIN and mains and not invite.replacement:
        change = LiaisonChange(unit_id=unit.id, person_id=person.id, requested_at=now)
        session.add(change)
        session.flush()
        add_audit_entry(
            session=session,
            action="liaison_change_requested",
            actor_person_id=person.id,
            unit_id=unit.id,
            subject_person_id=person.id,
        )
        asks = _to_office_admins(session, bootstrap_admin_ids, change, unit, person, mains[0][1])
        return Outcome(Reply("registration_pending", values, keyboard=Keyboard.REMOVE), asks)
    notices: tuple[Notice, ...] = ()
    if invite.role == AssignmentRole.MAIN:
        notices = _replace_mains(session, unit, mains, now, reason="replaced by invite")
    assign_liaison(
        session=session, unit_id=unit.id, person_id=person.id, role=invite.role, valid_from=now
    )
    add_audit_entry(
        session=session,
        action="liaison_registered",
        actor_person_id=person.id,
        unit_id=unit.id,
        subject_person_id=person.id,
        role=str(invite.role),
    )
    return Outcome(Reply("registration_done", values, keyboard=Keyboard.REMOVE), notices)


def decide_change(
    *, session: Session, change_id: int, approve: bool, decider_person_id: int | None, now: datetime
) -> Outcome:
    """An office admin's answer to a pending change of main liaison."""
    change = session.get(LiaisonChange, change_id)
    if change is None or change.status != ChangeStatus.PENDING:
        return Outcome(Reply("change_already_decided"))
    unit = session.get(MemberUnit, change.unit_id)
    person = session.get(Person, change.person_id)
    assert unit is not None and unit.id is not None and person is not None and person.id is not None
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.decided_at, change.decided_by_person_id = now, decider_person_id
    session.add(change)
    values = {"unit": unit.display_name, "name": person.name}
    add_audit_entry(
        session=session,
        action=f"liaison_change_{change.status}",
        actor_person_id=decider_person_id,
        unit_id=unit.id,
        subject_person_id=person.id,
    )
    if not approve:
        rejected = _to_person(session, person, Reply("change_rejected", values))
        return Outcome(Reply("change_rejected_ok", values), rejected)
    mains = [
        (a, p)
        for a, p in current_liaisons(session=session, unit_id=unit.id, at=now)
        if a.role == AssignmentRole.MAIN
    ]
    notices = _replace_mains(session, unit, mains, now, reason="change approved by office")
    assign_liaison(
        session=session,
        unit_id=unit.id,
        person_id=person.id,
        role=AssignmentRole.MAIN,
        valid_from=now,
        reason="change approved by office",
    )
    notices += _to_person(session, person, Reply("change_approved", values))
    return Outcome(Reply("change_approved_ok", values), notices)


# --------------------------------------------------------------------------- helpers


def _invite_and_unit(session: Session, registration: Registration) -> tuple[Invite, MemberUnit]:
    invite = session.get(Invite, registration.invite_id)
    assert invite is not None
    unit = session.get(MemberUnit, invite.unit_id)
    assert unit is not None
    return invite, unit


def _release(*, session: Session, registration: Registration) -> None:
    invite = session.get(Invite, registration.invite_id)
    if invite is not None:
        invite.claimed_at, invite.claimed_by = None, None
        session.add(invite)
    session.delete(registration)
    session.flush()


def _person_for(session: Session, registration: Registration, phone: str | None) -> Person:
    transport = Transport(registration.transport)
    person = find_person_by_identity(
        session=session, transport=transport, external_id=registration.external_id
    )
    if person is None:
        return add_person_with_identity(
            session=session,
            name=registration.name or "",
            transport=transport,
            external_id=registration.external_id,
            chat_id=registration.chat_id,
            phone=phone,
        )
    if phone is not None:
        person.phone = phone
    person.name = registration.name or person.name
    session.add(person)
    session.flush()
    return person


def _replace_mains(
    session: Session,
    unit: MemberUnit,
    mains: list[tuple[LiaisonAssignment, Person]],
    now: datetime,
    *,
    reason: str,
) -> tuple[Notice, ...]:
    """Close the current main assignments and tell those liaisons, politely."""
    notices: tuple[Notice, ...] = ()
    for assignment, old in mains:
        end_assignment(session=session, assignment=assignment, valid_to=now, reason=reason)
        add_audit_entry(
            session=session,
            action="liaison_replaced",
            unit_id=unit.id,
            subject_person_id=old.id,
        )
        notices += _to_person(session, old, Reply("liaison_replaced", {"unit": unit.display_name}))
    return notices


def _to_person(session: Session, person: Person, reply: Reply) -> tuple[Notice, ...]:
    assert person.id is not None
    return tuple(
        Notice(ChatAddress(Transport(i.transport), i.chat_id), reply)
        for i in identities_of_person(session=session, person_id=person.id)
    )


def _to_office_admins(
    session: Session,
    bootstrap_admin_ids: Collection[str],
    change: LiaisonChange,
    unit: MemberUnit,
    new: Person,
    old: Person,
) -> tuple[Notice, ...]:
    buttons = (
        (
            Button("approve_change", f"chg:ok:{change.id}"),
            Button("reject_change", f"chg:no:{change.id}"),
        ),
    )
    reply = Reply(
        "change_request",
        {"unit": unit.display_name, "new_name": new.name, "old_name": old.name},
        buttons=buttons,
    )
    admins = office_admin_identities(
        session=session, transport=Transport.TELEGRAM, bootstrap_external_ids=bootstrap_admin_ids
    )
    return tuple(Notice(ChatAddress(Transport(i.transport), i.chat_id), reply) for i in admins)
