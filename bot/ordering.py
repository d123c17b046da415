"""Concurrent updates across chats, strict order within a chat.

python-telegram-bot handles one update at a time by default: while a handler waits for the
database or for Telegram's answer to its reply, every other liaison waits too. Its concurrent
mode runs updates side by side, but then two quick messages from one liaison could be
handled out of order (the second text appended before the first). ``PerChatOrder`` runs
updates of different chats concurrently and those of one chat one after another, in the order
they arrived (asyncio's locks are first-come, first-served).

A chat with many updates queued holds a concurrency slot per waiting update; with a handful of
liaisons typing at once that is harmless, and the limit keeps the total bounded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

CONCURRENT_UPDATES = 8


class PerChatOrder(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}  # lock, updates holding it

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = chat_of(update)
        if chat is None:
            await coroutine
            return
        lock, users = self._chats.get(chat) or (asyncio.Lock(), 0)
        self._chats[chat] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._chats[chat]
            if users == 1:
                del self._chats[chat]  # nothing queued for this chat: forget it
            else:
                self._chats[chat] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def chat_of(update: object) -> int | None:
    """The chat an update belongs to (a button press: the chat of its message)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None
