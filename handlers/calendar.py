"""/calendar (office admins: holidays and 调休 for years libraries do not know yet) and
/deadlines (office: each month's due date)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session
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
from handlers.replies import reply_to


@guarded(Permission.OFFICE_ADMIN)
async def calendar_command(update: Update, context: CustomContext) -> None:
    """/calendar YEAR · /calendar set DAYS holiday|workday [note] · /calendar unset DAYS."""
    words, deps = list(context.args or []), context.deps
    with deps.db.session() as session:
        reply = _calendar_reply(session, words, context.requester.person_id)
    await reply_to(update, context, reply)


def _calendar_reply(session: Session, words: list[str], actor: int | None) -> Reply:
    if len(words) == 1 and words[0].isdigit() and 2000 <= int(words[0]) <= 2100:
        return Reply("calendar_year", {"view": year_view(session=session, year=int(words[0]))})
    days = _days_or_none(words[1]) if len(words) >= 2 else None
    if days and words[0] == "set" and len(words) >= 3:
        workday = parse_kind(words[2])
        if workday is not None:
            note = " ".join(words[3:])
            set_days(session=session, days=days, workday=workday, note=note, actor_person_id=actor)
            values = {"first": days[0], "last": days[-1], "workday": workday, "note": note}
            return Reply("calendar_changed", {**values, "count": len(days), "removed": None})
    if days and words[0] == "unset" and len(words) == 2:
        removed = unset_days(session=session, days=days, actor_person_id=actor)
        return Reply("calendar_changed", {"first": days[0], "last": days[-1], "removed": removed})
    return Reply("calendar_usage")


def _days_or_none(spec: str) -> list[date] | None:
    try:
        return parse_days(spec)
    except ValueError:
        return None


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
