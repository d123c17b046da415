"""The broadcaster's promises, with a recording sender (fast limits, real time)."""

from __future__ import annotations

import itertools
import time
from collections import defaultdict

from bot.broadcast import Broadcaster, Limits, Outcome, Outgoing, Rejected, RetryLater, Unreachable

FAST = Limits(per_second=400, per_chat_interval=0.05, in_flight=4, backoff=0.01)


class Recorder:
    """Accepts messages, remembering when each chat got one; can be told to misbehave."""

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.times: dict[str, list[float]] = defaultdict(list)
        self.throttle_once: set[str] = set()
        self.blocked: set[str] = set()
        self.flaky: dict[str, int] = {}
        self.malformed: set[str] = set()
        self.calls = 0

    async def __call__(self, message: Outgoing) -> None:
        self.calls += 1
        if message.key in self.throttle_once:
            self.throttle_once.discard(message.key)
            raise RetryLater(0.05)
        if message.chat_id in self.blocked:
            raise Unreachable("bot was blocked by the user")
        if message.key in self.malformed:
            raise Rejected("message is too long")
        if self.flaky.get(message.key, 0) > 0:
            self.flaky[message.key] -= 1
            raise ConnectionError("network down")
        self.times[message.chat_id].append(time.monotonic())
        self.sent.append(message)


def messages(chats: int, per_chat: int) -> list[Outgoing]:
    return [
        Outgoing(f"c{c}", f"m{c}-{n}", key=f"c{c}-{n}")
        for n in range(per_chat)
        for c in range(chats)
    ]


async def test_every_message_is_sent_once_and_per_chat_spacing_holds() -> None:
    recorder = Recorder()
    report = await Broadcaster(recorder, FAST).deliver(messages(10, 3))
    assert report.sent == 30
    assert sorted(m.key for m in recorder.sent) == sorted(m.key for m in messages(10, 3))
    for stamps in recorder.times.values():
        gaps = [b - a for a, b in itertools.pairwise(stamps)]
        assert all(gap >= 0.045 for gap in gaps), gaps


async def test_one_chat_does_not_hold_up_the_others() -> None:
    recorder = Recorder()
    batch = [Outgoing("busy", f"b{n}", key=f"b{n}") for n in range(5)] + messages(5, 1)
    await Broadcaster(recorder, Limits(per_second=400, per_chat_interval=0.2)).deliver(batch)
    order = [m.chat_id for m in recorder.sent]
    assert order.index("c4") < order.index("busy", 2)  # others went between busy's messages


async def test_429_is_honoured_and_nothing_is_lost() -> None:
    recorder = Recorder()
    recorder.throttle_once = {"c1-0", "c2-1"}
    report = await Broadcaster(recorder, FAST).deliver(messages(3, 2))
    assert report.retries_after_429 == 2
    assert report.sent == 6
    assert report.outcomes["c1-0"] == Outcome.SENT


async def test_blocked_rejected_and_flaky_recipients() -> None:
    recorder = Recorder()
    recorder.blocked = {"c0"}
    recorder.malformed = {"c1-0"}
    recorder.flaky = {"c2-0": 2, "c3-0": 99}
    results: list[tuple[str, Outcome, str]] = []

    async def remember(message: Outgoing, outcome: Outcome, error: str) -> None:
        results.append((message.key, outcome, error))

    report = await Broadcaster(recorder, FAST).deliver(messages(4, 1), on_result=remember)
    assert report.outcomes == {
        "c0-0": Outcome.BLOCKED,
        "c1-0": Outcome.FAILED,
        "c2-0": Outcome.SENT,
        "c3-0": Outcome.FAILED,
    }
    assert (report.sent, report.blocked, report.failed) == (1, 1, 2)
    assert recorder.calls == 1 + 1 + 3 + FAST.max_attempts  # rejected/blocked: no retries
    assert sorted(key for key, _, _ in results) == ["c0-0", "c1-0", "c2-0", "c3-0"]
    assert "network down" in dict((k, e) for k, _, e in results)["c3-0"]


async def test_global_pace_is_kept() -> None:
    recorder = Recorder()
    report = await Broadcaster(recorder, Limits(per_second=100, per_chat_interval=0)).deliver(
        messages(40, 1)
    )
    assert report.sent == 40
    assert report.elapsed >= 39 / 100 * 0.95
