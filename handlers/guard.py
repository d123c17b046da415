"""The one authorization layer: every command and button callback is wrapped by ``guarded``.

``guarded(permission)`` resolves who is asking, refuses politely when the domain's rules say
no, and otherwise hands the ``Requester`` to the callback as ``context.requester``.
``unit_scoped=True`` also checks that the unit id in the button data (``action:UNIT:…``)
belongs to the requester, so a forged or stale button cannot act for another unit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from bot.domain.access import Permission, allows, may_act_for_unit, refusal_template
from handlers.context import CustomContext, requester_for

Callback = Callable[[Update, CustomContext], Coroutine[Any, Any, Any]]


def guarded(permission: Permission, *, unit_scoped: bool = False) -> Callable[[Callback], Callback]:
    def decorate(callback: Callback) -> Callback:
        @functools.wraps(callback)
        async def checked(update: Update, context: CustomContext) -> Any:
            # One update passes several handler groups with the same context: who is asking
            # is resolved once per update (three database round trips saved per message).
            who = context.known_requester or requester_for(update, context)
            if not allows(who, permission):
                await refuse(update, context, refusal_template(who, permission))
                return None
            if unit_scoped:
                unit_id = unit_in_callback(update)
                if unit_id is None or not may_act_for_unit(who, unit_id):
                    await refuse(update, context, "not_your_unit")
                    return None
            context.requester = who
            return await callback(update, context)

        checked.permission = permission  # type: ignore[attr-defined]
        checked.unit_scoped = unit_scoped  # type: ignore[attr-defined]
        return checked

    return decorate


def unit_in_callback(update: Update) -> int | None:
    """The unit id in button data shaped ``action:UNIT:…``, if there is one."""
    data = update.callback_query.data if update.callback_query else None
    parts = (data or "").split(":")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


async def refuse(update: Update, context: CustomContext, template: str) -> None:
    text = context.deps.renderer.render(template)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, text)
