"""What an adapter hands to a command (``Call``) and what it gets back (``Answer``)."""

from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import OperationalError

from bot.broadcast import Outcome as Delivered
from bot.deps import Deps
from bot.domain.outbox import Planned
from bot.domain.people import IdentityRef, Requester
from bot.domain.replies import Notice, Outcome, Reply
from bot.scheduler import Dispatcher
from storage.repo_audit import add_audit_entry

if TYPE_CHECKING:
    from bot.exports.files import ExportFile


@dataclass(frozen=True, slots=True)
class Call:
    deps: Deps
    who: Requester
    identity: IdentityRef
    words: tuple[str, ...] = ()
    dispatcher: Dispatcher | None = None  # for 催报 (/remind), which sends to many people
    bot_name: str = ""
    invite_link: Callable[[str], str] | None = None  # a code as a link that opens the bot
    file_limit: int = 20 * 1024 * 1024  # the largest file this platform lets a bot send


@dataclass(frozen=True, slots=True)
class Answer:
    """Replies to the requester (in order), notices to others (after the database commit),
    photos to show first (sha256 in the file store) and files to send (exports)."""

    replies: tuple[Reply, ...] = ()
    notices: tuple[Notice, ...] = ()
    photos: tuple[str, ...] = ()
    files: tuple[ExportFile, ...] = ()
    keep_choices: bool = False  # an acknowledgement mid-step: what was on offer still is


def error_template(error: BaseException | None) -> str:
    """What to tell someone whose message failed: a full disk and a busy database are worth
    naming, because trying again later is exactly right (and nothing saved was lost)."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "error_storage_full"
    if isinstance(error, OperationalError) and "locked" in str(error).lower():
        return "error_busy"
    return "error_generic"


def answer(*replies: Reply) -> Answer:
    return Answer(replies=replies)


def from_outcome(outcome: Outcome) -> Answer:
    return Answer(replies=(outcome.reply,), notices=outcome.notices)


async def send_privately(
    call: Call, planned: list[Planned], *, action: str, **details: str
) -> tuple[list[str], int]:
    """Private messages to units' liaisons (催报, the archive's nudge) through the bulk
    dispatcher — claimed once, so no unit hears twice — and one audit entry naming the units
    reached; the units, and how many people had blocked the bot."""
    if call.dispatcher is None:
        raise RuntimeError(f"{action} needs the dispatcher of bulk messages")
    sent = await call.dispatcher.dispatch(planned)
    units = sorted({str(message.values["unit"]) for message in planned})
    if units:
        with call.deps.db.session() as session:
            # Any: what the audit entry keeps as its details (add_audit_entry's **details)
            recorded: dict[str, Any] = {**details, "units": "、".join(units)}
            add_audit_entry(session=session, action=action, actor_person_id=call.who.person_id,
                            **recorded)  # fmt: skip
    return units, sent.count(Delivered.BLOCKED)
