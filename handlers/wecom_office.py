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
from bot.domain.periods import YearMonth
from bot.domain.replies import Button, Outcome, Reply
from bot.domain.reporting import parse_period
from bot.domain.summary import month_summary

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
    try:
        period = YearMonth.parse(rest) if rest.strip() else None
    except ValueError:
        period = None
    period = period or outbox.open_period(session=session, now=now, tz=tz)
    found = month_summary(session=session, period=period, now=now, tz=tz)
    month = f"{period.year:04d}{period.month:02d}"
    buttons = (
        (Button("export_xlsx", f"sm:{month}:xlsx"), Button("export_docx", f"sm:{month}:docx")),
        (Button("export_zip", f"sm:{month}:zip"),),
    )
    values = {**outbox.digest_values(found.standing), "behind": found.behind}
    return Outcome(Reply("summary", values, buttons))


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
    from bot.exports.files import archive_files, bulletin_file, workbook_file

    deps, kind = adapter.deps, parts[2]
    if kind == "xlsx":
        made = [await asyncio.to_thread(workbook_file, deps, period)]
    elif kind == "docx":
        made = [await asyncio.to_thread(bulletin_file, deps, period)]
    else:
        made = await asyncio.to_thread(archive_files, deps, period, max_bytes=FILE_LIMIT)
    for file in made:
        if len(file.data) > FILE_LIMIT:
            values = {"file": file.name, "size_mb": round(len(file.data) / 1_048_576, 1),
                      "limit_mb": FILE_LIMIT // 1_048_576, "period": str(period)}  # fmt: skip
            await adapter.send_reply(userid, Reply("export_too_big", values))
            continue
        await adapter.client.send_file(userid, file.data, file.name)
    return True
