"""The buttons: what each kind of button data means, who may press it, what pressing does.

The data comes back from the chat platform (Telegram's callback data, a WeCom card's button
key, or the numbered choice a WeCom member typed), so it is checked here like any input: its
shape, the presser's permission, and for report buttons that the unit is theirs.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.chat import archive as archive_chat
from bot.chat import importing, names
from bot.chat.call import Answer, Call, answer, from_outcome
from bot.chat.commands import invite_reply, send_reminders
from bot.domain import registration, reporting, review
from bot.domain.access import REVIEW, Permission, allows, may_act_for_unit, refusal_template
from bot.domain.invites import issue_invites
from bot.domain.people import Requester
from bot.domain.replies import Outcome, Reply
from storage.models import AssignmentRole, MemberUnit

if TYPE_CHECKING:
    from bot.exports.files import ExportFile

log = logging.getLogger(__name__)
Press = Callable[[Call, list[str]], Awaitable[Answer]]


@dataclass(frozen=True, slots=True)
class ButtonKind:
    prefix: str
    pattern: str  # the whole data, as a regular expression
    permission: Permission
    press: Press
    unit_scoped: bool = False  # the second field is a unit the presser must report for
    kept: bool = False  # pressing does not use the choice up (its buttons stay)


def _stale() -> Answer:
    return answer(Reply("report_stale"))


async def report_button(call: Call, parts: list[str]) -> Answer:
    """rp:UNIT:YYYYMM:ACTION[:ARG] — a step of the monthly report."""
    unit_id, month, action, *rest = parts
    period = reporting.parse_period(month)
    if period is None:
        return _stale()
    deps = call.deps
    with deps.db.session() as session:
        ctx = reporting.context_for(
            session=session, who=call.who, unit_id=int(unit_id), period=period,
            now=deps.clock.now(), tz=deps.settings.tz,
        )  # fmt: skip
        if ctx is None:
            return _stale()
        draft = reporting.find_draft(session, ctx)
        return from_outcome(
            reporting.press(
                session=session, ctx=ctx, draft=draft, action=action, arg=rest[0] if rest else ""
            )
        )


async def review_button(call: Call, parts: list[str]) -> Answer:
    """rv:SUBMISSION:open|ok|ret — open a report (its photos first), approve, send back."""
    submission_id, action = int(parts[0]), parts[1]
    deps, now = call.deps, call.deps.clock.now()
    with deps.db.session() as session:  # decided and committed before anyone is told
        if action == "open":
            reply, photos = review.open_submission(
                session=session, submission_id=submission_id, tz=deps.settings.tz
            )
            return Answer(replies=(reply,), photos=tuple(photos))
        if action == "ok":
            outcome = review.approve(session=session, who=call.who, submission_id=submission_id,
                                     at=now)  # fmt: skip
        else:
            outcome = Outcome(
                review.ask_comment(
                    session=session, who=call.who, submission_id=submission_id, at=now
                )
            )
    return from_outcome(outcome)


async def remind_button(call: Call, parts: list[str]) -> Answer:
    """rm:YYYYMM — remind every unit still missing that month."""
    period = reporting.parse_period(parts[0])
    if period is None:
        return _stale()
    return answer(await send_reminders(call, period, None, []))


async def invite_button(call: Call, parts: list[str]) -> Answer:
    """inv:UNIT:FLAG — a unit chosen from the invite picker (m/b: main or backup, 1: replace)."""
    unit_id, flag = parts
    deps = call.deps
    with deps.db.session() as session:
        unit = session.get(MemberUnit, int(unit_id))
        if unit is None:
            return answer(Reply("invite_no_unit", {"name": unit_id}))
        issued = issue_invites(
            session=session, units=[unit],
            role=AssignmentRole.BACKUP if flag[0] == "b" else AssignmentRole.MAIN,
            replacement=flag[1] == "1", now=deps.clock.now(),
            created_by_person_id=call.who.person_id,
        )  # fmt: skip
    return answer(invite_reply(call, issued))


async def change_button(call: Call, parts: list[str]) -> Answer:
    """chg:ok|no:ID — an admin's 同意/不同意 on a change of liaison."""
    verdict, change_id = parts
    deps = call.deps
    with deps.db.session() as session:
        return from_outcome(
            registration.decide_change(
                session=session,
                change_id=int(change_id),
                approve=verdict == "ok",
                decider_person_id=call.who.person_id,
                now=deps.clock.now(),
            )
        )


async def files_button(call: Call, parts: list[str]) -> Answer:
    """sm:YYYYMM:xlsx|docx|zip — the month's file(s), made in a worker thread."""
    period = reporting.parse_period(parts[0])
    if period is None:
        return _stale()
    # Imported here: openpyxl, python-docx and Pillow cost ~40 MiB an idle bot need not hold.
    from bot.exports.files import made_files, oversized

    try:
        made = await asyncio.to_thread(
            made_files, call.deps, period, parts[1], max_bytes=call.file_limit
        )
    except Exception:
        log.exception("export %s %s failed", parts[1], period)
        return answer(Reply("export_failed", {"period": str(period)}))
    refusals: list[Reply] = []
    files: list[ExportFile] = []
    for file in made:
        refusal = oversized(file, call.file_limit, period)
        if refusal is None:
            files.append(file)
        else:
            refusals.append(refusal)
    return Answer(replies=tuple(refusals), files=tuple(files))


ANYONE, LIAISON = Permission.ANYONE, Permission.LIAISON
OFFICE, ADMIN = Permission.OFFICE, Permission.OFFICE_ADMIN
KINDS: tuple[ButtonKind, ...] = (
    ButtonKind(
        "rp", r"^rp:\d+:\d{6}:[a-z]+(:[a-z0-9_]+)?$", LIAISON, report_button, unit_scoped=True
    ),
    ButtonKind("rv", r"^rv:\d+:(open|ok|ret)$", REVIEW, review_button),
    ButtonKind("rm", r"^rm:\d{6}$", OFFICE, remind_button),
    ButtonKind("inv", r"^inv:\d+:[mb][01]$", ADMIN, invite_button, kept=True),
    ButtonKind("chg", r"^chg:(ok|no):\d+$", ADMIN, change_button),
    ButtonKind("imp", r"^imp:(ok|rt|no):\d+$", ADMIN, importing.confirm),
    ButtonKind("nm", names.PATTERN, ADMIN, names.answer_name),
    ButtonKind("sm", r"^sm:\d{6}:(xlsx|docx|zip)$", OFFICE, files_button, kept=True),
    *(ButtonKind(*row) for row in archive_chat.BUTTONS),  # ta, tg, cov
)
BY_PREFIX = {kind.prefix: kind for kind in KINDS}


def kind_of(data: str) -> ButtonKind | None:
    kind = BY_PREFIX.get(data.split(":", 1)[0])
    return kind if kind is not None and re.match(kind.pattern, data) else None


def used_up(data: str) -> bool:
    """Whether pressing this button uses its choice up (so its buttons should come off):
    opening a report or getting a file can be done again."""
    kind = kind_of(data)
    return kind is not None and not kind.kept and not data.endswith(":open")


def refusal(who: Requester, data: str) -> str | None:
    """Why ``who`` may not press ``data`` (a template name), or None when they may."""
    return _refusal(who, kind_of(data), data)


def _refusal(who: Requester, kind: ButtonKind | None, data: str) -> str | None:
    if kind is None:
        return "report_stale"
    if not allows(who, kind.permission):
        return refusal_template(who, kind.permission)
    if kind.unit_scoped and not may_act_for_unit(who, int(data.split(":")[1])):
        return "not_your_unit"
    return None


async def press(call: Call, data: str) -> Answer:
    """What pressing ``data`` does for ``call.who``; a refusal or "stale" when it may not."""
    kind = kind_of(data)
    refused = _refusal(call.who, kind, data)
    if refused is not None or kind is None:
        return answer(Reply(refused or "report_stale"))
    return await kind.press(call, data.split(":")[1:])
