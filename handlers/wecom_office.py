"""The office's side on WeCom: 汇总 (/summary) with its three files, and 审核 (/review) with
通过 / 退回补充 — the same domain functions as the Telegram commands, checked the same way
(office users only)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.domain import outbox, review
from bot.domain.access import Permission, allows, refusal_template
from bot.domain.people import Requester
from bot.domain.replies import Button, Outcome, Reply
from bot.domain.reporting import parse_period
from bot.domain.summary import summary_reply

if TYPE_CHECKING:
    from handlers.wecom import WeComAdapter

SUMMARY = ("汇总", "/summary", "summary")
REVIEW = ("审核", "/review", "review")
FILE_LIMIT = 20 * 1024 * 1024  # WeCom's limit for a file message


def command(
    session: Session, who: Requester, text: str, *, now: datetime, adapter: WeComAdapter
) -> Outcome | None:
    """汇总 [YYYY-MM] or 审核; None when the text is neither."""
    first, _, rest = text.partition(" ")
    if first.lower() not in SUMMARY + REVIEW:
        return None
    if not allows(who, Permission.OFFICE):
        return Outcome(Reply(refusal_template(who, Permission.OFFICE)))
    if first.lower() in REVIEW:
        return Outcome(review.queue_reply(session=session))
    tz = adapter.deps.settings.tz
    period, _ = outbox.chosen_period(session=session, words=rest.split(), now=now, tz=tz)
    return Outcome(summary_reply(session=session, period=period, now=now, tz=tz))


def press(
    session: Session, who: Requester, button: Button, *, now: datetime, adapter: WeComAdapter
) -> Outcome | None:
    """A numbered review choice (rv:ID:open|ok|ret); None for other kinds."""
    parts = button.data.split(":")
    if parts[0] != "rv" or len(parts) != 3 or not parts[1].isdigit():
        return None
    if not allows(who, Permission.OFFICE):
        return Outcome(Reply(refusal_template(who, Permission.OFFICE)))
    submission_id, action = int(parts[1]), parts[2]
    if action == "open":
        reply, _photos = review.open_submission(
            session=session, submission_id=submission_id, tz=adapter.deps.settings.tz
        )
        return Outcome(reply)
    if action == "ok":
        return review.approve(session=session, who=who, submission_id=submission_id, at=now)
    return Outcome(
        review.ask_comment(session=session, who=who, submission_id=submission_id, at=now)
    )


def comment(session: Session, who: Requester, text: str, *, now: datetime) -> Outcome | None:
    """The reviewer's 退回补充 comment, if one is awaited."""
    if not who.is_office:
        return None
    pending = review.pending_comment(session=session, who=who)
    if pending is None:
        return None
    return review.return_with_comment(session=session, who=who, pending=pending, comment=text,
                                      at=now)  # fmt: skip


async def export(adapter: WeComAdapter, who: Requester, userid: str, button: Button) -> bool:
    """sm:YYYYMM:kind — make the file and send it as a WeCom file message; False if not ours."""
    parts = button.data.split(":")
    if parts[0] != "sm" or len(parts) != 3:
        return False
    if not allows(who, Permission.OFFICE):
        await adapter.send_reply(userid, Reply(refusal_template(who, Permission.OFFICE)))
        return True
    period = parse_period(parts[1])
    if period is None:
        await adapter.send_reply(userid, Reply("report_stale"))
        return True
    from bot.exports.files import made_files, oversized

    made = await asyncio.to_thread(made_files, adapter.deps, period, parts[2], max_bytes=FILE_LIMIT)
    for file in made:
        refusal = oversized(file, FILE_LIMIT, period)
        if refusal is not None:
            await adapter.send_reply(userid, refusal)
            continue
        await adapter.client.send_file(userid, file.data, file.name)
    return True
