"""/calendar (office admins: holidays and 调休 for years libraries do not know yet) and
/deadlines (office: each month's due date)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.domain.access import Permission
from bot.domain.calendar_admin import (
    parse_days,
    parse_kind,
    set_days,
    unset_days,
    year_deadlines,
    year_view,
)
from bot.domain.replies import Reply
from handlers.context import CustomContext
from handlers.guard import guarded
from handlers.replies import send_reply


async def reply_to(update: Update, context: CustomContext, reply: Reply) -> None:
    if update.effective_chat is not None:
        await send_reply(context, update.effective_chat.id, reply)


@guarded(Permission.OFFICE_ADMIN)
async def calendar_command(update: Update, context: CustomContext) -> None:
    """/calendar YEAR · /calendar set DAYS holiday|workday [note] · /calendar unset DAYS."""
    words, deps = list(context.args or []), context.deps
    reply = Reply("calendar_usage")
    with deps.db.session() as session:
        if len(words) == 1 and words[0].isdigit() and 2000 <= int(words[0]) <= 2100:
            view = year_view(session=session, year=int(words[0]))
            reply = Reply("calendar_year", {"view": view})
        elif (
            len(words) >= 3 and words[0] == "set" and (workday := parse_kind(words[2])) is not None
        ):
            try:
                days = parse_days(words[1])
            except ValueError:
                days = []
            if days:
                note = " ".join(words[3:])
                person = context.requester.person_id
                set_days(
                    session=session, days=days, workday=workday, note=note, actor_person_id=person
                )
                reply = Reply(
                    "calendar_changed",
                    {"first": days[0], "last": days[-1], "workday": workday, "note": note,
                     "count": len(days), "removed": None},
                )  # fmt: skip
        elif len(words) == 2 and words[0] == "unset":
            try:
                days = parse_days(words[1])
            except ValueError:
                days = []
            if days:
                removed = unset_days(
                    session=session, days=days, actor_person_id=context.requester.person_id
                )
                reply = Reply(
                    "calendar_changed", {"first": days[0], "last": days[-1], "removed": removed}
                )
    await reply_to(update, context, reply)


@guarded(Permission.OFFICE)
async def deadlines_command(update: Update, context: CustomContext) -> None:
    """/deadlines [YEAR]: each month's due date this year (or the one named)."""
    deps = context.deps
    words = list(context.args or [])
    year = int(words[0]) if words and words[0].isdigit() and 2000 <= int(words[0]) <= 2100 else None
    year = year or deps.clock.now().astimezone(deps.settings.tz).year
    with deps.db.session() as session:
        rows = year_deadlines(session=session, year=year)
    if not all(row.covered for row in rows):
        await reply_to(update, context, Reply("calendar_uncovered", {"year": year}))
    await reply_to(update, context, Reply("deadlines_table", {"deadlines": rows}))


def build_handlers() -> list[BaseHandler[Any, CustomContext, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("calendar", calendar_command, filters=private),
        CommandHandler("deadlines", deadlines_command, filters=private),
    ]
