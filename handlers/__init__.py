"""Telegram adapters: parse the update, check who is asking, call the domain, render a reply.

Each feature module exposes ``build_handlers()``; ``all_handlers()`` is the one place that
orders them, with the catch-all fallbacks last.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from handlers import common
from handlers.context import CustomContext


def all_handlers() -> list[BaseHandler[Any, CustomContext, Any]]:
    return [*common.build_handlers(), *common.build_fallbacks()]
