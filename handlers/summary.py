"""/summary, /missing, /behind for the office, and the buttons that send the month's files
(Excel 汇总表, Word 工作简报, photo archive) as documents."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from telegram import InputFile, Update
from telegram.constants import FileSizeLimit
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.domain import outbox
from bot.domain.access import Permission
from bot.domain.periods import YearMonth
from bot.domain.replies import Reply
from bot.domain.reporting import parse_period
from bot.domain.summary import behind_tasks, standing_for, summary_reply
from handlers.context import CustomContext
from handlers.guard import guarded
from handlers.replies import reply_to

if TYPE_CHECKING:
    from bot.exports.files import ExportFile

log = logging.getLogger(__name__)
UPLOAD_LIMIT = int(FileSizeLimit.FILESIZE_UPLOAD)  # 50 MB for bots


def _period(context: CustomContext) -> YearMonth:
    """``/command 2026-09`` picks the month; otherwise the month the office is chasing."""
    deps = context.deps
    with deps.db.session() as session:
        period, _ = outbox.chosen_period(
            session=session, words=list(context.args or []), now=deps.clock.now(),
            tz=deps.settings.tz,
        )  # fmt: skip
    return period


@guarded(Permission.OFFICE)
async def summary_command(update: Update, context: CustomContext) -> None:
    """/summary [YYYY-MM]: counts, missing units, tasks behind; buttons for the files."""
    deps, period = context.deps, _period(context)
    with deps.db.session() as session:
        reply = summary_reply(
            session=session, period=period, now=deps.clock.now(), tz=deps.settings.tz
        )
    await reply_to(update, context, reply)


@guarded(Permission.OFFICE)
async def missing_command(update: Update, context: CustomContext) -> None:
    deps, period = context.deps, _period(context)
    with deps.db.session() as session:
        standing = standing_for(
            session=session, period=period, now=deps.clock.now(), tz=deps.settings.tz
        )
    values = outbox.digest_values(standing)
    await reply_to(update, context, Reply("missing", values))


@guarded(Permission.OFFICE)
async def behind_command(update: Update, context: CustomContext) -> None:
    deps, period = context.deps, _period(context)
    with deps.db.session() as session:
        behind = behind_tasks(session=session, period=period)
    await reply_to(update, context, Reply("behind", {"period": str(period), "behind": behind}))


@guarded(Permission.OFFICE)
async def export_button(update: Update, context: CustomContext) -> None:
    """sm:YYYYMM:xlsx|docx|zip — make the file (in a worker thread) and send it."""
    query, deps = update.callback_query, context.deps
    assert query is not None and query.data is not None and update.effective_chat is not None
    _, month, kind = query.data.split(":")
    period = parse_period(month)
    await query.answer()
    if period is None:
        await reply_to(update, context, Reply("report_stale"))
        return
    # Imported here: openpyxl, python-docx and Pillow cost ~40 MiB that an idle bot need not hold.
    from bot.exports.files import made_files

    chat_id = update.effective_chat.id
    await context.bot.send_chat_action(chat_id, "upload_document")
    try:
        made = await asyncio.to_thread(made_files, deps, period, kind, max_bytes=UPLOAD_LIMIT)
    except Exception:
        log.exception("export %s %s failed", kind, period)
        await reply_to(update, context, Reply("export_failed", {"period": str(period)}))
        return
    for file in made:
        await _send(update, context, file, period)


async def _send(
    update: Update, context: CustomContext, file: ExportFile, period: YearMonth
) -> None:
    from bot.exports.files import oversized

    assert update.effective_chat is not None
    refusal = oversized(file, UPLOAD_LIMIT, period)
    if refusal is not None:
        await reply_to(update, context, refusal)
        return
    await context.bot.send_document(
        update.effective_chat.id, InputFile(file.data, filename=file.name), filename=file.name
    )


def build_handlers() -> list[BaseHandler[Any, CustomContext, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("summary", summary_command, filters=private),
        CommandHandler("missing", missing_command, filters=private),
        CommandHandler("behind", behind_command, filters=private),
        CallbackQueryHandler(export_button, pattern=r"^sm:\d{6}:(xlsx|docx|zip)$"),
    ]
