"""The broadcaster's Telegram sender: plain sends, with Telegram's errors translated."""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.broadcast import Outgoing, Rejected, RetryLater, Unreachable
from handlers.replies import inline_markup
from messages.render import Renderer

UNREACHABLE_HINTS = ("chat not found", "user is deactivated", "bot was blocked")


class TelegramSender:
    """Sends through a Bot with no rate limiter of its own: the broadcaster does the pacing."""

    def __init__(self, bot: Bot, renderer: Renderer | None = None) -> None:
        self.bot = bot
        self.renderer = renderer or Renderer()

    async def __call__(self, message: Outgoing) -> None:
        """``message.extra``, when set, holds the domain's buttons for this message."""
        markup = inline_markup(message.extra or (), self.renderer)
        try:
            await self.bot.send_message(
                message.chat_id, message.text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except RetryAfter as exc:
            delay = exc.retry_after
            raise RetryLater(
                delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
            ) from exc
        except Forbidden as exc:
            raise Unreachable(str(exc)) from exc
        except BadRequest as exc:
            if any(hint in str(exc).lower() for hint in UNREACHABLE_HINTS):
                raise Unreachable(str(exc)) from exc
            raise Rejected(str(exc)) from exc
