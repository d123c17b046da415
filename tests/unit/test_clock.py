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


def test_the_clock_can_be_pinned_for_a_whole_process() -> None:
    from bot.clock import OffsetClock, clock_from_environment
    from bot.errors import ConfigError

    assert isinstance(clock_from_environment({}), SystemClock)
    pinned = clock_from_environment({"LIAISON_BOT_NOW": "2026-02-28T23:59:00+08:00"})
    assert isinstance(pinned, OffsetClock)
    start = datetime(2026, 2, 28, 15, 59, tzinfo=UTC)
    assert start <= pinned.now() < start + timedelta(minutes=1)  # it runs on from there
    for wrong in ("2026-02-28T23:59:00", "tomorrow"):
        with pytest.raises(ConfigError, match=r"^LIAISON_BOT_NOW: expected an instant"):
            clock_from_environment({"LIAISON_BOT_NOW": wrong})
