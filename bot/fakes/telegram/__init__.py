"""A fake Telegram Bot API server speaking the HTTP subset liaison-bot uses.

The real python-telegram-bot stack talks to it over HTTP on 127.0.0.1 through the
``TELEGRAM_API_BASE_URL``/``TELEGRAM_FILE_BASE_URL`` settings. Tests and the demo act as
users through :class:`FakeTelegram`'s Python methods or its ``/_control`` HTTP routes.
"""

from bot.fakes.telegram.flood import FloodLimits
from bot.fakes.telegram.server import FakeTelegramServer
from bot.fakes.telegram.world import ApiError, FakeTelegram, FakeUser, SentMessage, TranscriptEvent

__all__ = [
    "ApiError",
    "FakeTelegram",
    "FakeTelegramServer",
    "FakeUser",
    "FloodLimits",
    "SentMessage",
    "TranscriptEvent",
]
