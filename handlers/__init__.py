"""Telegram adapters: parse the update, check who is asking, call the domain, render a reply.

Each feature module exposes ``build_handlers()``; ``all_handlers()`` is the one place that
orders them: interceptors for open conversations first (their own group), feature
commands next, the catch-all fallbacks last. Every callback is wrapped by
``handlers.guard.guarded``, the single authorization layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram.ext import BaseHandler

from handlers import (
    calendar,
    cancel,
    common,
    importing,
    office,
    registration,
    report,
    review,
    schedule,
    summary,
)
from handlers.context import CustomContext

HandlerList = Sequence[BaseHandler[Any, CustomContext, Any]]


def all_handlers() -> dict[int, HandlerList]:
    """Handlers by group; PTB tries groups in ascending order."""
    return {
        review.REVIEW_GROUP: review.build_interceptors(),
        registration.REGISTRATION_GROUP: registration.build_interceptors(),
        report.REPORT_GROUP: report.build_interceptors(),
        0: [
            *cancel.build_handlers(),
            *report.build_handlers(),
            *registration.build_handlers(),
            *office.build_handlers(),
            *importing.build_handlers(),
            *calendar.build_handlers(),
            *schedule.build_handlers(),
            *summary.build_handlers(),
            *review.build_handlers(),
            *common.build_handlers(),
            *common.build_fallbacks(),
        ],
    }
