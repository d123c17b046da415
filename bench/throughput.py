"""Updates per second for a full report step, against a bare python-telegram-bot echo bot.

Both bots poll the same bundled fake Bot API server (flood limits off, so the server is never
the bottleneck) in this process. Each of N liaisons, already inside /report, sends M texts:
for liaison-bot every one is a full step — who is asking (database), the draft (database), an
atomic append to 本月完成工作 (write + commit), the update-id record, a rendered reply. The echo
bot just replies with the text. Time runs from the first update queued to the last reply seen.

liaison-bot normally paces replies with PTB's AIORateLimiter at Telegram's 30 messages/s; that
cap would measure the limiter, not the bot, so it is measured twice: with the production
limiter (what Telegram would allow anyway) and without it (processing cost; the target ratio
of >= 0.6 applies to this one). Nothing is asserted.

    python bench/throughput.py            # 40 liaisons x 10 messages, 7 rounds
    python bench/throughput.py --quick    # 10 x 3, one round, as CI runs it so it never rots
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import create_app, running_application, settle_heap
from bot.config import Settings
from bot.deps import Deps
from bot.fakes.telegram import FakeTelegram, FakeTelegramServer, FloodLimits
from bot.ordering import CONCURRENT_UPDATES
from storage.migrate import upgrade_database
from storage.models import AssignmentRole, Transport
from storage.repo_people import add_person_with_identity, assign_liaison
from storage.repo_units import add_unit, create_campaign

TOKEN = "123456789:bench-token"
LATENCY = 0.05  # seconds per Bot API request: a server near Telegram's data centres
FIRST_USER = 10_000


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


def seed(deps: Deps, liaisons: int) -> None:
    with deps.db.session() as session:
        campaign = create_campaign(session=session, name="健康促进区")
        assert campaign.id is not None
        for number in range(liaisons):
            unit = add_unit(session=session, campaign_id=campaign.id, full_name=f"单位{number:03d}")
            person = add_person_with_identity(
                session=session, name=f"联络员{number}", transport=Transport.TELEGRAM,
                external_id=str(FIRST_USER + number), chat_id=str(FIRST_USER + number),
            )  # fmt: skip
            assert unit.id is not None and person.id is not None
            assign_liaison(
                session=session, unit_id=unit.id, person_id=person.id, role=AssignmentRole.MAIN,
                valid_from=datetime(2026, 1, 1, tzinfo=UTC),
            )  # fmt: skip


async def run_round(world: FakeTelegram, liaisons: int, messages: int) -> float:
    """Queue every text at once; the seconds until each got its reply."""
    users = [world.users[FIRST_USER + n] for n in range(liaisons)]
    seen = {user.id: world.count_to(user.id) for user in users}
    gc.collect()  # no full collection of the previous run's garbage inside this one's time
    started = time.perf_counter()
    for round_number in range(messages):
        for user in users:
            world.send_text(user, f"第{round_number}条：今天在社区开展健康讲座，参加居民60人。")
    await world.wait_until(
        lambda: all(world.count_to(u.id) >= seen[u.id] + messages for u in users),
        timeout=600,
    )
    return time.perf_counter() - started


def liaisons_world(liaisons: int) -> FakeTelegram:
    """A fake Telegram without flood limits (the bots are measured, not the limits) and
    liaisons 联络员0 … from chat 10 000 on."""
    world = FakeTelegram(token=TOKEN, limits=FloodLimits.unlimited())
    for number in range(liaisons):
        world.user(FIRST_USER + number, f"联络员{number}")
    return world


async def measure_ours(
    liaisons: int, messages: int, *, limiter: bool, folder: Path, latency: float = 0.0
) -> float:
    world = liaisons_world(liaisons)
    async with FakeTelegramServer(world, long_poll_cap=0.05, latency=latency) as server:
        settings = Settings(
            _env_file=None, telegram_bot_token=TOKEN, telegram_api_base_url=server.api_base_url,
            telegram_file_base_url=server.file_base_url,
            database_url=f"sqlite:///{folder / f'bench-{limiter}-{latency}.db'}",
            data_dir=folder / f"data-{limiter}-{latency}", reminder_tick_seconds=0,
        )  # fmt: skip
        deps = Deps.from_settings(settings)
        upgrade_database(deps.db.engine)
        seed(deps, liaisons)
        application = create_app(settings, deps=deps, rate_limit=limiter)
        async with running_application(application, poll_timeout=0.05):
            for number in range(liaisons):  # open each report (not timed)
                await world.say(world.users[FIRST_USER + number], "/report")
            return await run_round(world, liaisons, messages)


async def measure_echo(
    liaisons: int, messages: int, latency: float = 0.0, concurrent: int = 1
) -> float:
    world = liaisons_world(liaisons)
    async with FakeTelegramServer(world, long_poll_cap=0.05, latency=latency) as server:
        application: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(server.api_base_url)
            .concurrent_updates(concurrent)
            .build()
        )
        application.add_handler(MessageHandler(filters.TEXT, echo))
        await application.initialize()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=0)
        await application.start()
        try:
            return await run_round(world, liaisons, messages)
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()


@dataclass(frozen=True)
class CostRound:
    """Seconds for the same updates, measured back to back: the stock echo bot, the echo bot
    with liaison-bot's concurrency, and liaison-bot."""

    echo: float
    echo_concurrent: float
    ours: float


async def processing_cost_rounds(
    liaisons: int, messages: int, rounds: int, folder: Path
) -> list[CostRound]:
    """This machine's speed drifts by 25 % or more within a minute, so each ratio compares
    runs made seconds apart, and the median of the ratios is the figure."""
    results = []
    for number in range(rounds):
        echo_s = await measure_echo(liaisons, messages)
        echo_concurrent_s = await measure_echo(liaisons, messages, concurrent=CONCURRENT_UPDATES)
        round_folder = folder / f"round-{number}"
        round_folder.mkdir()
        ours_s = await measure_ours(liaisons, messages, limiter=False, folder=round_folder)
        results.append(CostRound(echo_s, echo_concurrent_s, ours_s))
    return results


async def main_async(liaisons: int, messages: int, rounds: int) -> None:
    total = liaisons * messages
    # As `liaison-bot run` does before serving. The echo bots share this process: without it
    # they would pay full collections over liaison-bot's heap that a stock echo bot never has.
    settle_heap()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        cost = await processing_cost_rounds(liaisons, messages, rounds, folder)
        capped_s = await measure_ours(liaisons, messages, limiter=True, folder=folder)
        slow_echo_s = await measure_echo(liaisons, messages, latency=LATENCY)
        slow_echo_8_s = await measure_echo(
            liaisons, messages, latency=LATENCY, concurrent=CONCURRENT_UPDATES
        )
        slow_s = await measure_ours(
            liaisons, messages, limiter=False, folder=folder, latency=LATENCY
        )
    ms, n = f"{LATENCY * 1000:.0f} ms", CONCURRENT_UPDATES
    print(f"{total} updates ({liaisons} liaisons x {messages} messages)")
    print(f"processing cost (no limiter, no network), {rounds} rounds, updates/s:")
    for number, r in enumerate(cost, start=1):
        print(f"  round {number}: echo bot {total / r.echo:6.1f}, echo bot {n} concurrent "
              f"{total / r.echo_concurrent:6.1f}, liaison-bot {total / r.ours:6.1f}: ratio "
              f"{r.echo / r.ours:.2f} / {r.echo_concurrent / r.ours:.2f}")  # fmt: skip
    rows = (
        ("liaison-bot report step, production limiter", capped_s),
        (f"PTB echo bot, {ms} network", slow_echo_s),
        (f"PTB echo bot, {ms} network, {n} concurrent", slow_echo_8_s),
        (f"liaison-bot report step, {ms} network", slow_s),
    )
    for name, seconds in rows:
        print(f"{name:<52} {seconds:7.2f} s {total / seconds:8.1f} updates/s")
    ratio = statistics.median(r.echo / r.ours for r in cost)
    same = statistics.median(r.echo_concurrent / r.ours for r in cost)
    print(f"ratio liaison-bot / echo (no limiter), median of {rounds}: {ratio:.2f} (target >= 0.6)")
    print(f"  the same vs the echo bot with {n} concurrent updates:    {same:.2f}")
    echo_median = statistics.median(r.echo for r in cost)
    print(f"ratio with the production limiter:     {echo_median / capped_s:.2f}")
    print(f"ratio with a {ms} network, vs the stock echo bot:  {slow_echo_s / slow_s:.2f}")
    print(f"ratio with a {ms} network, vs the same concurrency: {slow_echo_8_s / slow_s:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 liaisons x 3 messages (CI)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    for noisy in ("telegram.ext.Updater", "aiohttp.server"):  # requests cut off at shutdown
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    liaisons, messages, rounds = (10, 3, 1) if args.quick else (40, 10, 7)
    asyncio.run(main_async(liaisons, messages, rounds))


if __name__ == "__main__":
    main()
