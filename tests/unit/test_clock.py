from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock, SystemClock


def test_system_clock_is_tz_aware() -> None:
    assert SystemClock().now().tzinfo is not None


def test_manual_clock_moves_only_when_told() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    clock = ManualClock(start)
    assert clock.now() == start
    clock.advance(timedelta(hours=2))
    assert clock.now() == start + timedelta(hours=2)


def test_manual_clock_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        ManualClock(datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test
