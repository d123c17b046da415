"""Telegram adapters: parse the update, check who is asking, call the domain, render a reply.

Each feature module exposes ``build_handlers()``; ``all_handlers()`` is the one place that
orders them: interceptors for open conversations first (their own group), the commands and
buttons of ``bot.chat`` next (``handlers.commands``), the catch-all fallbacks last. Every
callback is wrapped by ``handlers.guard.guarded``, the single authorization layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram.ext import BaseHandler

from handlers import commands, common, importing, registration, report, review
from handlers.context import CustomContext

HandlerList = Sequence[BaseHandler[Any, CustomContext, Any]]


def all_handlers() -> dict[int, HandlerList]:
    """Handlers by group; PTB tries groups in ascending order."""
    return {
        review.REVIEW_GROUP: review.build_interceptors(),
        registration.REGISTRATION_GROUP: registration.build_interceptors(),
        report.REPORT_GROUP: report.build_interceptors(),
        0: [
            *registration.build_handlers(),  # /start CODE before the plain /start
            *commands.build_handlers(),
            *importing.build_handlers(),
            *common.build_fallbacks(),
        ],
    }
