"""Telegram's flood limits as token buckets: about 30 messages/s overall, 1/s per chat.

Telegram tolerates short bursts within a chat and answers 429 with ``retry_after`` (whole
seconds) once they are used up; the buckets reproduce that so rate limiting is tested for real.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FloodLimits:
    """Rates in messages per second and how many may go at once before 429s start."""

    global_per_second: float = 30.0
    global_burst: int = 30
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3

    @classmethod
    def unlimited(cls) -> FloodLimits:
        return cls(global_per_second=math.inf, per_chat_per_second=math.inf)


@dataclass
class TokenBucket:
    rate: float
    capacity: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        if math.isinf(self.rate):
            self.tokens = self.capacity
        else:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait_time(self) -> float:
        """Seconds until one token is available (0 when one is there now)."""
        if self.tokens >= 1 or math.isinf(self.rate):
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class FloodControl:
    """Decides, per send, whether Telegram would accept it now or answer 429."""

    limits: FloodLimits
    clock: Callable[[], float]
    _global: TokenBucket | None = None
    _chats: dict[int, TokenBucket] = field(default_factory=dict)

    def _bucket(self, rate: float, burst: int) -> TokenBucket:
        return TokenBucket(rate=rate, capacity=burst, tokens=burst, updated=self.clock())

    def try_send(self, chat_id: int) -> int:
        """Take a token for ``chat_id``; return 0, or the ``retry_after`` seconds for a 429."""
        now = self.clock()
        if self._global is None:
            self._global = self._bucket(self.limits.global_per_second, self.limits.global_burst)
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._bucket(self.limits.per_chat_per_second, self.limits.per_chat_burst)
            self._chats[chat_id] = chat
        self._global.refill(now)
        chat.refill(now)
        wait = max(self._global.wait_time(), chat.wait_time())
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.tokens -= 1
        chat.tokens -= 1
        return 0
