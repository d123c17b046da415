"""Campaign import from chat: an office admin sends the file, reads the check, confirms."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.domain.access import Permission
from bot.domain.importing.apply import import_file
from bot.domain.importing.readers import SUPPORTED, ImportFileError
from bot.domain.importing.report import report_reply
from bot.domain.replies import Reply
from handlers.context import CustomContext
from handlers.guard import guarded
from handlers.replies import remove_buttons, reply_to
from storage.models import PendingImport

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


@guarded(Permission.OFFICE_ADMIN)
async def check_file(update: Update, context: CustomContext) -> None:
    """Download the file, check it without writing, and ask for confirmation."""
    message, deps = update.effective_message, context.deps
    assert message is not None and message.document is not None
    name = message.document.file_name or "file"
    if (message.document.file_size or 0) > MAX_DOWNLOAD_BYTES:
        await reply_to(update, context, Reply("import_too_big", {"file": name}))
        return
    data = bytes(await (await message.document.get_file()).download_as_bytearray())
    stored = deps.files.put_bytes(data)
    with deps.db.session() as session:
        try:
            result = import_file(session=session, name=name, data=data, dry_run=True)
        except ImportFileError as exc:
            reply = Reply("import_failed", {"file": name, "reason": exc.reason})
        else:
            pending = PendingImport(
                sha256=stored.sha256,
                file_name=name,
                requested_by_person_id=context.requester.person_id,
            )
            session.add(pending)
            session.flush()
            reply = report_reply(result, name, confirm_id=pending.id)
    await reply_to(update, context, reply)


@guarded(Permission.OFFICE_ADMIN)
async def confirm(update: Update, context: CustomContext) -> None:
    """确认导入 writes the checked file; 取消 drops it. A second tap does nothing twice."""
    query, deps = update.callback_query, context.deps
    assert query is not None and query.data is not None
    _, verdict, pending_id = query.data.split(":")
    await query.answer()
    await remove_buttons(query)
    with deps.db.session() as session:
        pending = session.get(PendingImport, int(pending_id))
        if pending is None or pending.applied_at is not None:
            reply = Reply("import_already_done")
        elif verdict == "no":
            session.delete(pending)
            reply = Reply("import_cancelled", {"file": pending.file_name})
        else:
            data = deps.files.read_bytes(pending.sha256)
            try:
                result = import_file(
                    session=session, name=pending.file_name, data=data, dry_run=False
                )
            except ImportFileError as exc:
                reply = Reply("import_failed", {"file": pending.file_name, "reason": exc.reason})
            else:
                pending.applied_at = deps.clock.now()
                session.add(pending)
                reply = report_reply(result, pending.file_name)
    await reply_to(update, context, reply)


def build_handlers() -> list[BaseHandler[Any, CustomContext, Any]]:
    extensions: filters.BaseFilter = filters.Document.FileExtension(SUPPORTED[0].lstrip("."))
    for suffix in SUPPORTED[1:]:
        extensions = extensions | filters.Document.FileExtension(suffix.lstrip("."))
    return [
        MessageHandler(filters.ChatType.PRIVATE & extensions, check_file),
        CallbackQueryHandler(confirm, pattern=r"^imp:(ok|no):\d+$"),
    ]
