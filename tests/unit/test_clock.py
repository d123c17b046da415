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
    from bot.errors import ConfigError

    start = datetime(2026, 2, 28, 15, 59, tzinfo=UTC)
    for value in ("2026-02-28T23:59:00+08:00", "2026-02-28T23:59:00", "2026-02-28 23:59"):
        pinned = SystemClock({"LIAISON_BOT_NOW": value})  # no offset: office time (+08:00)
        assert start <= pinned.now() < start + timedelta(minutes=1), value  # and runs on
    utc = SystemClock({"LIAISON_BOT_NOW": "2026-02-28T23:59", "TIMEZONE": "UTC"})
    assert utc.now() >= datetime(2026, 2, 28, 23, 59, tzinfo=UTC)
    for wrong in ("tomorrow", "2026-02-30T10:00"):
        with pytest.raises(ConfigError, match=r"^LIAISON_BOT_NOW: not an ISO date and time"):
            SystemClock({"LIAISON_BOT_NOW": wrong})
