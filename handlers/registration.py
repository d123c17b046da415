"""Registration by invite link: ``/start CODE`` and the name and phone questions (an
admin's 同意/不同意 on a change of liaison is a button in ``bot.chat.buttons``)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain import registration
from bot.domain.access import Permission
from bot.domain.replies import Outcome
from handlers.context import CustomContext, identity_of
from handlers.guard import guarded
from handlers.replies import reply_to, send_notices

REGISTRATION_GROUP = -2  # runs before every other handler, and stops them when it answers


async def answer(update: Update, context: CustomContext, outcome: Outcome) -> None:
    """Reply to the requester, then deliver notices (after the database commit)."""
    await reply_to(update, context, outcome.reply)
    await send_notices(context, outcome.notices)


def _admin_ids(context: CustomContext) -> frozenset[str]:
    return frozenset(str(i) for i in context.deps.settings.office_admin_ids)


@guarded(Permission.ANYONE)
async def start_with_code(update: Update, context: CustomContext) -> None:
    """Open a registration from the invite code in a deep link."""
    deps, code = context.deps, (context.args or [""])[0]
    with deps.db.session() as session:
        outcome = registration.begin(
            session=session,
            identity=identity_of(update),
            code=code,
            now=deps.clock.now(),
            bootstrap_admin_ids=_admin_ids(context),
        )
    await answer(update, context, outcome)


@guarded(Permission.ANYONE)
async def continue_registration(update: Update, context: CustomContext) -> None:
    """Take the answer to the open registration's question; pass if none is open."""
    deps, message = context.deps, update.effective_message
    if message is None or context.requester.registration_id is None:
        return  # almost every message: no database round trip
    with deps.db.session() as session:
        open_one = registration.find_open(session=session, who=context.requester)
        if open_one is None:
            return
        common: dict[str, Any] = {
            "session": session,
            "registration": open_one,
            "now": deps.clock.now(),
            "bootstrap_admin_ids": _admin_ids(context),
        }
        if message.contact is not None:
            own = message.contact.user_id == (update.effective_user and update.effective_user.id)
            outcome = registration.answer_contact(
                phone_number=message.contact.phone_number, own_contact=own, **common
            )
        elif message.text is not None:
            skipped = message.text.strip() == deps.renderer.button_label("skip_phone")
            outcome = registration.answer_text(text=message.text, skipped=skipped, **common)
        else:
            outcome = Outcome(registration.ask_next(session=session, registration=open_one))
    await answer(update, context, outcome)
    raise ApplicationHandlerStop


def build_handlers() -> list[BaseHandler[Any, CustomContext, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", start_with_code, filters=private, has_args=True),
    ]


def build_interceptors() -> list[BaseHandler[Any, CustomContext, Any]]:
    """Handlers for ``REGISTRATION_GROUP``: answers to an open registration's question."""
    answers = filters.ChatType.PRIVATE & ((filters.TEXT & ~filters.COMMAND) | filters.CONTACT)
    return [MessageHandler(answers, continue_registration)]
