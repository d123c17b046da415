"""A bare python-telegram-bot echo bot: the baseline for bench/memory.py.

TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=... python bench/echo_bot.py

ECHO_PRELOAD (comma-separated module names) imports those modules first, without using them:
bench/memory.py runs it with liaison-bot's libraries to measure what they alone cost.
"""

from __future__ import annotations

import importlib
import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


def main() -> None:
    for module in filter(None, os.environ.get("ECHO_PRELOAD", "").split(",")):
        importlib.import_module(module)
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling()


if __name__ == "__main__":
    main()
