"""Render domain replies and notices as Telegram messages (text, inline buttons, keyboards)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest

from bot.domain.replies import Button, Keyboard, Notice, Reply
from handlers.context import CustomContext
from messages.render import Renderer, split_text

Buttons = tuple[tuple[Button, ...], ...]
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


def inline_markup(buttons: Buttons, renderer: Renderer) -> InlineKeyboardMarkup | None:
    """The domain's buttons as an inline keyboard (None when there are none)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    renderer.button_label(b.label, **b.values), callback_data=b.data
                )
                for b in row
            ]
            for row in buttons
        ]
    )


def markup_for(reply: Reply, renderer: Renderer) -> Markup:
    if reply.buttons:
        return inline_markup(reply.buttons, renderer)
    if reply.keyboard == Keyboard.ASK_PHONE:
        return ReplyKeyboardMarkup(
            [
                [KeyboardButton(renderer.button_label("share_phone"), request_contact=True)],
                [KeyboardButton(renderer.button_label("skip_phone"))],
            ],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    if reply.keyboard == Keyboard.REMOVE:
        return ReplyKeyboardRemove()
    return None


async def send_reply(context: CustomContext, chat_id: int | str, reply: Reply) -> None:
    """Send ``reply`` in pieces of Telegram's size; buttons go on the last piece."""
    renderer = context.deps.renderer
    pieces = list(
        split_text(renderer.render(reply.template, **reply.values), MessageLimit.MAX_TEXT_LENGTH)
    )
    markup = markup_for(reply, renderer)
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        sent = await context.bot.send_message(
            chat_id, piece, parse_mode=ParseMode.HTML, reply_markup=markup if last else None
        )
    if _report_step(reply):
        await _withdraw_older(context, chat_id, sent.message_id)


def _report_step(reply: Reply) -> bool:
    """A report step's buttons (all ``rp:``): the latest copy is the only one to tap."""
    flat = [button for row in reply.buttons for button in row]
    return any(button.data.startswith("rp:") for button in flat)


async def _withdraw_older(context: CustomContext, chat_id: int | str, message_id: int) -> None:
    """Take the report buttons off the previous message that had them in this chat, so the
    next action is only ever on the latest message (a phone has scrolled the old one away)."""
    latest = context.bot_data.report_buttons
    older = latest.get(str(chat_id))
    latest[str(chat_id)] = message_id
    if older is None or older == message_id:
        return
    # already tapped (its buttons taken off) or deleted: nothing to withdraw
    with contextlib.suppress(BadRequest):
        await context.bot.edit_message_reply_markup(chat_id, older, reply_markup=None)


async def reply_to(update: Update, context: CustomContext, reply: Reply) -> None:
    """Send ``reply`` to the chat the update came from."""
    if update.effective_chat is not None:
        await send_reply(context, update.effective_chat.id, reply)


async def send_notices(context: CustomContext, notices: Iterable[Notice]) -> None:
    """Deliver notices to other people, each on their own platform (``Dispatcher.notify``)."""
    notices = tuple(notices)
    if notices:
        await context.dispatcher.notify(notices)


async def remove_buttons(query: CallbackQuery, context: CustomContext) -> None:
    """Take the buttons off the message that was tapped, so it cannot be tapped again (and
    forget it as the chat's latest report buttons: withdrawing them again would cost a call)."""
    message = query.message
    if message is None or getattr(message, "reply_markup", None) is None:
        return
    latest = context.bot_data.report_buttons
    if latest.get(str(message.chat.id)) == message.message_id:
        del latest[str(message.chat.id)]
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as exc:  # already removed from another device: nothing to do
        if "not modified" not in str(exc).lower():
            raise
