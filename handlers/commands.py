"""Telegram's side of ``bot.chat``: every command and button kind as a PTB handler.

The command's words are ``context.args``; a button's data is the callback data. What comes
back (replies, photos, files, notices to others) is sent here, in that order.
"""

from __future__ import annotations

import functools
from typing import Any

from telegram import InputFile, InputMediaPhoto, Update
from telegram.constants import FileSizeLimit
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.chat.buttons import KINDS, ButtonKind, press, used_up
from bot.chat.call import Answer, Call
from bot.chat.commands import COMMANDS, Command
from bot.domain.invites import deep_link
from bot.domain.people import IdentityRef
from handlers.context import CustomContext, identity_of
from handlers.guard import guarded
from handlers.replies import remove_buttons, reply_to, send_notices
from storage.models import Transport

UPLOAD_LIMIT = int(FileSizeLimit.FILESIZE_UPLOAD)  # 50 MB for bots
MAX_PHOTOS_SHOWN = 10  # one album


def call_of(update: Update, context: CustomContext) -> Call:
    if update.effective_user is not None:
        identity = identity_of(update)
    else:  # a channel post: nobody to register or to cancel for
        chat_id = str(update.effective_chat.id) if update.effective_chat else ""
        identity = IdentityRef(Transport.TELEGRAM, "", chat_id, "")
    return Call(
        deps=context.deps,
        who=context.requester,
        identity=identity,
        words=tuple(context.args or ()),
        dispatcher=context.bot_data.dispatcher,
        bot_name=context.bot.first_name,
        invite_link=functools.partial(deep_link, context.bot.username),
        file_limit=UPLOAD_LIMIT,
    )


async def show(update: Update, context: CustomContext, answer: Answer) -> None:
    """Photos (one album), the replies, the files, then the notices to other people."""
    chat = update.effective_chat
    if chat is None:
        return
    if answer.photos:
        files = context.deps.files
        album = [
            InputMediaPhoto(files.read_bytes(sha), filename=f"{sha[:12]}.jpg")
            for sha in answer.photos[:MAX_PHOTOS_SHOWN]
        ]
        await context.bot.send_media_group(chat.id, album)
    for reply in answer.replies:
        await reply_to(update, context, reply)
    for file in answer.files:
        await context.bot.send_document(
            chat.id, InputFile(file.data, filename=file.name), filename=file.name
        )
    await send_notices(context, answer.notices)


def command_handler(command: Command) -> CommandHandler[CustomContext, None]:
    @guarded(command.permission)
    async def run(update: Update, context: CustomContext) -> None:
        await show(update, context, await command.run(call_of(update, context)))

    run.__name__ = run.__qualname__ = f"{command.names[0]}_command"
    return CommandHandler(
        command.names[0], run, filters=filters.ChatType.PRIVATE if command.private_only else None
    )


def button_handler(kind: ButtonKind) -> CallbackQueryHandler[CustomContext, None]:
    @guarded(kind.permission, unit_scoped=kind.unit_scoped)
    async def pressed(update: Update, context: CustomContext) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        await query.answer()
        if used_up(query.data):
            await remove_buttons(query, context)
        elif kind.prefix == "sm" and update.effective_chat is not None:
            await context.bot.send_chat_action(update.effective_chat.id, "upload_document")
        await show(update, context, await press(call_of(update, context), query.data))

    pressed.__name__ = pressed.__qualname__ = f"{kind.prefix}_button"
    return CallbackQueryHandler(pressed, pattern=kind.pattern)


def build_handlers() -> list[BaseHandler[Any, CustomContext, Any]]:
    return [
        *(command_handler(command) for command in COMMANDS),
        *(button_handler(kind) for kind in KINDS),
    ]
