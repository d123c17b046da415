"""What an adapter hands to a command (``Call``) and what it gets back (``Answer``)."""

from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import OperationalError

from bot.deps import Deps
from bot.domain.people import IdentityRef, Requester
from bot.domain.replies import Notice, Outcome, Reply
from bot.scheduler import Dispatcher

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
