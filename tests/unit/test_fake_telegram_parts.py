"""The fake server's building blocks: flood buckets and Telegram HTML checking."""

from __future__ import annotations

import pytest

from bot.fakes.telegram.flood import FloodControl, FloodLimits
from bot.fakes.telegram.html import ParseEntitiesError, html_to_plain


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_per_chat_burst_then_429_until_refilled() -> None:
    clock = Ticker()
    flood = FloodControl(FloodLimits(per_chat_burst=3), clock)
    assert [flood.try_send(1) for _ in range(3)] == [0, 0, 0]
    assert flood.try_send(1) == 1  # retry after one second
    assert flood.try_send(2) == 0  # other chats are not affected
    clock.now = 1.0
    assert flood.try_send(1) == 0
    assert flood.try_send(1) == 1


def test_global_limit_spans_chats() -> None:
    clock = Ticker()
    flood = FloodControl(FloodLimits(global_per_second=30, global_burst=30), clock)
    assert all(flood.try_send(chat) == 0 for chat in range(30))
    assert flood.try_send(31) == 1
    clock.now = 0.5
    assert sum(flood.try_send(100 + chat) == 0 for chat in range(30)) == 15


def test_unlimited_never_refuses() -> None:
    flood = FloodControl(FloodLimits.unlimited(), Ticker())
    assert all(flood.try_send(1) == 0 for _ in range(1000))


def test_valid_html_becomes_plain_text() -> None:
    assert (
        html_to_plain("<b>粗体</b> &lt;不是标签&gt; &amp; <i>斜体</i>") == "粗体 <不是标签> & 斜体"
    )


@pytest.mark.parametrize(
    "bad",
    ["<div>x</div>", "<b>x", "x</b>", "a < b", "AT&T", "<b><i>x</b></i>"],
)
def test_invalid_html_is_refused(bad: str) -> None:
    with pytest.raises(ParseEntitiesError):
        html_to_plain(bad)


def test_the_fakes_say_a_registration_code_that_starts_with_a_dash() -> None:
    """Codes are URL-safe base64: one in 64 starts with "-", which argparse took for an option
    (`say --user 1001 /start -p9r…` failed with "unrecognized arguments")."""
    from bot.fakes.telegram.__main__ import parser as telegram_parser
    from bot.fakes.wecom.__main__ import parser as wecom_parser

    said = telegram_parser().parse_args(["say", "--user", "1001", "/start", "-p9rTJnyeY1Ku0i"])
    assert said.text == ["/start", "-p9rTJnyeY1Ku0i"] and said.user == 1001
    bound = wecom_parser().parse_args(["say", "--user", "wangfang", "绑定", "-p9rTJnyeY1Ku0i"])
    assert bound.text == ["绑定", "-p9rTJnyeY1Ku0i"]
