"""Campaign import from chat: an office admin sends the file, reads the check, confirms
(the 确认导入 button is in ``bot.chat.buttons``)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.chat.importing import MAX_IMPORT_BYTES, check
from bot.domain.access import Permission
from bot.domain.importing.readers import SUPPORTED
from bot.domain.replies import Reply
from handlers.commands import call_of, show
from handlers.context import CustomContext
from handlers.guard import guarded
from handlers.replies import reply_to


@guarded(Permission.OFFICE_ADMIN)
async def check_file(update: Update, context: CustomContext) -> None:
    """Download the file, check it without writing, and ask for confirmation."""
    message = update.effective_message
    assert message is not None and message.document is not None
    name = message.document.file_name or "file"
    if (message.document.file_size or 0) > MAX_IMPORT_BYTES:
        await reply_to(update, context, Reply("import_too_big", {"file": name}))
        return
    data = bytes(await (await message.document.get_file()).download_as_bytearray())
    await show(update, context, check(call_of(update, context), name, data))


def build_handlers() -> list[BaseHandler[Any, CustomContext, Any]]:
    extensions: filters.BaseFilter = filters.Document.FileExtension(SUPPORTED[0].lstrip("."))
    for suffix in SUPPORTED[1:]:
        extensions = extensions | filters.Document.FileExtension(suffix.lstrip("."))
    return [MessageHandler(filters.ChatType.PRIVATE & extensions, check_file)]
