"""Time as a dependency, so schedules and deadlines are tested without sleeping.

Two ways "now" is pinned:

- A running bot reads ``deps.clock`` (tests and the demo give it a ``ManualClock``), and
  timestamps written to the database without an explicit value (``storage.types.utcnow``,
  the default of every ``created_at``) read the same clock through ``set_now_source``, so a
  unit imported "today" in a test or the demo was imported on the pinned day.
- A whole process can be started at a given instant with the environment variable
  ``LIAISON_BOT_NOW`` (e.g. ``2026-11-30T12:00+08:00``): its ``SystemClock`` starts there and
  runs on at the real pace. This is how tests pin subprocesses, and how an office tries what
  the bot says on a due day; it is not meant for production.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import ConfigError

NOW_VARIABLE = "LIAISON_BOT_NOW"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, tz-aware."""
        ...


class SystemClock:
    """The real clock, or the real clock started at ``LIAISON_BOT_NOW``."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        start = pinned_start(os.environ if environ is None else environ)
        self._start = start
        self._started = time.monotonic()

    def now(self) -> datetime:
        if self._start is None:
            return datetime.now(UTC)
        return self._start + timedelta(seconds=time.monotonic() - self._started)


def pinned_start(environ: Mapping[str, str]) -> datetime | None:
    """The instant ``LIAISON_BOT_NOW`` names; a time without an offset is office time
    (``TIMEZONE``, default Asia/Shanghai)."""
    text = environ.get(NOW_VARIABLE, "").strip()
    if not text:
        return None
    try:
        start = datetime.fromisoformat(text)
        if start.tzinfo is None:
            start = start.replace(tzinfo=ZoneInfo(environ.get("TIMEZONE") or "Asia/Shanghai"))
    except (ValueError, ZoneInfoNotFoundError) as error:
        raise ConfigError(
            f"{NOW_VARIABLE}: not an ISO date and time such as 2026-11-30T12:00+08:00 ({text!r})"
        ) from error
    return start.astimezone(UTC)


class ManualClock:
    """A clock that moves only when told to (tests, the demo's simulated month)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a tz-aware start")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("ManualClock needs tz-aware instants")
        self._now = instant


_process_clock: SystemClock | None = None
_now_source: Callable[[], datetime] | None = None


def set_now_source(source: Callable[[], datetime] | None) -> None:
    """Where default timestamps come from: the running bot's clock (``Deps`` installs it),
    or, with None, this process's ``SystemClock``."""
    global _now_source
    _now_source = source


def current_now() -> datetime:
    """Now, as the clock in charge of this process reads it, in UTC."""
    global _process_clock
    if _now_source is not None:
        return _now_source().astimezone(UTC)
    if _process_clock is None:
        _process_clock = SystemClock()
    return _process_clock.now()
