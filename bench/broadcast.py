"""Bulk sending under Telegram's flood limits: our broadcaster vs PTB's stock AIORateLimiter.

Both send the same messages (two per chat) through the bundled fake Bot API server, which
enforces about 30 messages/s overall and 1/s per chat (short bursts allowed) by answering
429 with retry_after. Figures are measured in one run on this machine; ratios are what to
compare across machines. No thresholds are asserted: this prints, it does not judge.

    python bench/broadcast.py            # 600 messages (about a minute)
    python bench/broadcast.py --quick    # 60 messages, as CI runs it so it never rots
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.ext import AIORateLimiter, ExtBot

from bot.broadcast import Broadcaster, Outgoing
from bot.fakes.telegram import FakeTelegram, FakeTelegramServer
from handlers.broadcast_sender import TelegramSender

TOKEN = "123456789:bench-token"
CAP = 30.0


async def measure(
    name: str, messages: int, run: Callable[[FakeTelegramServer, list[Outgoing]], Awaitable[None]]
) -> dict[str, float]:
    world = FakeTelegram(token=TOKEN)
    async with FakeTelegramServer(world) as server:
        chats = max(1, messages // 2)
        batch = [Outgoing(str(1000 + n % chats), f"提醒 {n}", key=str(n)) for n in range(messages)]
        for n in range(chats):
            world.user(1000 + n, f"联络员{n}")
        started = time.perf_counter()
        await run(server, batch)
        elapsed = time.perf_counter() - started
        delivered = len(world.sent)
    figures = {
        "sent": delivered,
        "lost": messages - delivered,
        "429s": world.flood_429s,
        "seconds": elapsed,
        "per_second": delivered / elapsed if elapsed else 0.0,
    }
    print(
        f"{name:<28} {delivered:>5} delivered  {figures['lost']:>4} lost  "
        f"{world.flood_429s:>4} × 429  {elapsed:6.1f} s  {figures['per_second']:5.1f} msg/s"
    )
    return figures


async def ours(server: FakeTelegramServer, batch: list[Outgoing]) -> None:
    async with Bot(TOKEN, base_url=server.api_base_url) as bot:
        report = await Broadcaster(TelegramSender(bot)).deliver(batch)
    assert report.total == len(batch)


async def stock(server: FakeTelegramServer, batch: list[Outgoing]) -> None:
    async with ExtBot(TOKEN, base_url=server.api_base_url, rate_limiter=AIORateLimiter()) as bot:
        await asyncio.gather(
            *(bot.send_message(m.chat_id, m.text) for m in batch), return_exceptions=True
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--quick", action="store_true", help="60 messages")
    args = parser.parse_args()
    count = 60 if args.quick else args.messages
    logging.basicConfig(level=logging.CRITICAL)  # the stock limiter logs every lost message
    print(f"{count} messages to {count // 2} chats; fake server caps {CAP:.0f}/s, 1/s per chat")
    mine = await measure("liaison-bot Broadcaster", count, ours)
    theirs = await measure("PTB AIORateLimiter (stock)", count, stock)
    print(
        f"ratio msg/s ours/stock: {mine['per_second'] / max(theirs['per_second'], 1e-9):.2f}   "
        f"ours vs cap: {mine['per_second'] / CAP:.2f}   "
        f"ours 429s: {100 * mine['429s'] / count:.1f} % of sends   "
        f"lost: ours {mine['lost']:.0f}, stock {theirs['lost']:.0f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
