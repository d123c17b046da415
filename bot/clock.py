"""Time as a dependency, so schedules and deadlines are tested without sleeping."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.errors import ConfigError

# Pins "now" for a whole process (tests run the command line as a subprocess on a fixed
# date); not a setting an office uses.
NOW_VARIABLE = "LIAISON_BOT_NOW"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, tz-aware."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


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


class OffsetClock:
    """Real time, shifted so that it starts at ``start`` (and then runs on normally)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("OffsetClock needs a tz-aware start")
        self._start = start
        self._started = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._started)


def clock_from_environment(environ: Mapping[str, str] = os.environ) -> Clock:
    """The real clock, unless ``LIAISON_BOT_NOW`` (an ISO instant with its offset, such as
    2026-09-22T09:00:00+08:00) starts the process's clock at another moment."""
    value = environ.get(NOW_VARIABLE, "").strip()
    if not value:
        return SystemClock()
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise ConfigError(
            f"{NOW_VARIABLE}: expected an instant with its offset, such as 2026-09-22T09:00+08:00"
        )
    return OffsetClock(start)
