"""Idle memory of `liaison-bot run` with 1 000 registered units, against a bare echo bot.

Both run as real subprocesses polling the bundled fake Bot API server (in this process);
after start-up and a few idle seconds their resident set size (VmRSS) is read from /proc.
liaison-bot's database holds 1 000 units, each with a registered liaison, and 3 000 tasks.
Target: at most 1.5x the echo bot. Nothing is asserted.

A third process, the same echo bot with the libraries liaison-bot keeps loaded imported
beforehand (and not used), measures what those libraries alone cost: the floor of any bot
built on this stack, and so how much of the difference is liaison-bot's own.

    python bench/memory.py            # 1 000 units, 10 s idle
    python bench/memory.py --quick    # 100 units, 3 s idle, as CI runs it
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bulk import insert_campaign_with_liaisons
from sqlalchemy import insert

from bot.config import Settings
from bot.deps import Deps
from bot.fakes.telegram import FakeTelegram, FakeTelegramServer
from storage.db import table_of
from storage.migrate import upgrade_database
from storage.models import (
    Responsibility,
    Task,
    TaskUnit,
)

TOKEN = "123456789:bench-token"
# The third-party modules `liaison-bot run` holds that a bare PTB bot does not (checked by
# diffing sys.modules of the two idle processes; exports, Alembic and PostgreSQL load on use).
LIBRARIES = (
    "sqlalchemy.orm",
    "sqlalchemy.dialects.sqlite",
    "sqlmodel",
    "pydantic_settings",
    "jinja2",
    "chinese_calendar",
    "typer",
)
HERE = Path(__file__).parent


def seed(database_url: str, units: int) -> None:
    deps = Deps.from_settings(Settings(_env_file=None, database_url=database_url))
    upgrade_database(deps.db.engine)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with deps.db.engine.begin() as db:
        insert_campaign_with_liaisons(db, units, start)
        db.execute(
            insert(table_of(Task)),
            [
                {
                    "id": t,
                    "campaign_id": 1,
                    "code": str(t),
                    "category_path": [],
                    "content": f"任务{t}",
                    "deadline_raw": "",
                    "deadline_kind": "unknown",
                    "deadline_date": None,
                    "remarks": "",
                    "groups": [],
                    "sort_order": t,
                }
                for t in range(1, 3 * units + 1)
            ],
        )
        db.execute(
            insert(table_of(TaskUnit)),
            [
                {
                    "task_id": t,
                    "unit_id": 1 + t % units,
                    "role": Responsibility.LEAD,
                    "position": 0,
                    "via_group": "",
                }
                for t in range(1, 3 * units + 1)
            ],
        )
    deps.close()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def idle_rss(world: FakeTelegram, args: list[str], env: dict[str, str], idle: float) -> int:
    calls = len(world.calls)
    process = await asyncio.create_subprocess_exec(
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await world.wait_until(lambda: world.calls[calls:].count("getupdates") >= 2, timeout=60)
        await asyncio.sleep(idle)
        return rss_kib(process.pid)
    finally:
        process.terminate()
        await process.wait()


async def main_async(units: int, idle: float) -> None:
    world = FakeTelegram(token=TOKEN)
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{Path(folder) / 'bot.db'}"
        seed(database_url, units)
        async with FakeTelegramServer(world, long_poll_cap=1.0) as server:
            env = {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": server.api_base_url,
                "TELEGRAM_FILE_BASE_URL": server.file_base_url,
            }
            ours = await idle_rss(
                world,
                [sys.executable, "-m", "bot", "run"],
                {
                    **env,
                    "DATABASE_URL": database_url,
                    "DATA_DIR": str(Path(folder) / "data"),
                    "REMINDER_TICK_SECONDS": "60",
                },
                idle,
            )
            echo_bot = [sys.executable, str(HERE / "echo_bot.py")]
            echo = await idle_rss(world, echo_bot, env, idle)
            floor = await idle_rss(
                world, echo_bot, {**env, "ECHO_PRELOAD": ",".join(LIBRARIES)}, idle
            )
    print(f"idle RSS after start-up and {idle:.0f} s idle ({units} units registered)")
    print(f"{'liaison-bot run':<34} {ours / 1024:8.1f} MiB")
    print(f"{'PTB echo bot':<34} {echo / 1024:8.1f} MiB")
    print(f"{'echo bot + liaison-bot libraries':<34} {floor / 1024:8.1f} MiB")
    print(f"ratio: {ours / echo:.2f}x (target <= 1.5x)")
    print(f"libraries alone: {floor / echo:.2f}x the echo bot")
    print(f"liaison-bot's own on top of them: {(ours - floor) / 1024:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 units, 3 s idle (CI)")
    args = parser.parse_args()
    units, idle = (100, 3.0) if args.quick else (1000, 10.0)
    asyncio.run(main_async(units, idle))


if __name__ == "__main__":
    main()
