"""One broadcaster for every bulk send (prompts, reminders, 催报, notices to many people).

Chat platforms cap bulk sending — Telegram at about 30 messages/s overall and 1 message/s per
chat, answering 429 ``retry_after`` beyond that — and python-telegram-bot's stock
``AIORateLimiter`` gives up on the first 429 by default and knows no per-chat limit. This
broadcaster paces sends below both caps, keeps a few requests in flight to hide latency, puts
a message that got 429 back in the queue for after ``retry_after``, retries transient errors a
few times, and reports every message's outcome: nothing is dropped silently.

It knows no platform: a ``Sender`` does the actual sending and translates the platform's
errors into ``RetryLater`` / ``Unreachable``.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"  # the person blocked the bot or left: tell the office
    FAILED = "failed"  # still failing after every retry


class RetryLater(Exception):
    """The platform asked us to wait (Telegram 429 ``retry_after``, WeCom 45009)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Unreachable(Exception):
    """The recipient cannot get messages from us (blocked the bot, chat gone)."""


class Rejected(Exception):
    """The platform refused this message for good (malformed, too long): retrying won't help."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    chat_id: str
    text: str
    key: str = ""  # what the caller uses to record the outcome (e.g. a delivery-log key)
    extra: Any = None  # platform details (buttons …) the sender understands


class Sender(Protocol):
    async def __call__(self, message: Outgoing) -> None: ...


@dataclass(frozen=True, slots=True)
class Limits:
    per_second: float = 29.0  # a little under Telegram's 30/s, so pacing never trips it
    per_chat_interval: float = 1.0
    in_flight: int = 8
    max_attempts: int = 5  # for errors other than RetryLater, which is always honoured
    backoff: float = 0.5


@dataclass
class Report:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retries_after_429: int = 0
    elapsed: float = 0.0
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.sent + self.blocked + self.failed


ResultHook = Callable[[Outgoing, Outcome, str], Awaitable[None] | None]


class Broadcaster:
    def __init__(
        self,
        send: Sender,
        limits: Limits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.send = send
        self.limits = limits or Limits()
        self.clock = clock

    async def deliver(
        self, messages: Sequence[Outgoing], on_result: ResultHook | None = None
    ) -> Report:
        """Send every message; return when each one has an outcome."""
        report = Report()
        started = self.clock()
        order = itertools.count()
        queue: list[tuple[float, int, Outgoing, int]] = [
            (started, next(order), message, 1) for message in messages
        ]
        heapq.heapify(queue)
        chat_free: dict[str, float] = {}
        next_slot = started
        running: dict[asyncio.Task[None], tuple[Outgoing, int]] = {}
        while queue or running:
            now = self.clock()
            wait = 1.0
            if queue and len(running) < self.limits.in_flight:
                ready, _, message, attempt = queue[0]
                start = max(ready, next_slot, chat_free.get(message.chat_id, 0.0))
                if start <= now:
                    heapq.heappop(queue)
                    next_slot = max(next_slot, now) + 1 / self.limits.per_second
                    chat_free[message.chat_id] = now + self.limits.per_chat_interval
                    running[asyncio.ensure_future(self.send(message))] = (message, attempt)
                    continue
                if ready < chat_free.get(message.chat_id, 0.0):  # not this chat's turn yet:
                    heapq.heapreplace(
                        queue, (chat_free[message.chat_id], next(order), message, attempt)
                    )
                    continue  # let messages to other chats go first
                wait = start - now
            if not running:
                await asyncio.sleep(wait)
                continue
            done, _ = await asyncio.wait(running, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                message, attempt = running.pop(task)
                retry = await self._settle(task, message, attempt, report, on_result)
                if retry is not None:
                    delay, attempt = retry
                    chat_free[message.chat_id] = max(
                        chat_free.get(message.chat_id, 0.0), self.clock() + delay
                    )
                    heapq.heappush(queue, (self.clock() + delay, next(order), message, attempt))
        report.elapsed = self.clock() - started
        return report

    async def _settle(
        self,
        task: asyncio.Task[None],
        message: Outgoing,
        attempt: int,
        report: Report,
        on_result: ResultHook | None,
    ) -> tuple[float, int] | None:
        """Record the outcome, or return (delay, next attempt) to try again."""
        error = task.exception()
        if isinstance(error, RetryLater):
            report.retries_after_429 += 1
            return error.seconds, attempt
        permanent = isinstance(error, Unreachable | Rejected)
        if error is not None and not permanent and attempt < self.limits.max_attempts:
            log.warning("send to %s failed (%s), attempt %d", message.chat_id, error, attempt)
            return self.limits.backoff * 2 ** (attempt - 1), attempt + 1
        outcome = (
            Outcome.SENT
            if error is None
            else Outcome.BLOCKED
            if isinstance(error, Unreachable)
            else Outcome.FAILED
        )
        setattr(report, outcome.value, getattr(report, outcome.value) + 1)
        report.outcomes[message.key or message.chat_id] = outcome
        if on_result is not None:
            result = on_result(message, outcome, "" if error is None else str(error))
            if result is not None:
                await result
        return None
