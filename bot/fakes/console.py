"""What the runnable fakes (``python -m bot.fakes.telegram``, ``python -m bot.fakes.wecom``)
share: printing, the settings file they write, waiting for Ctrl-C."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path


def write_settings(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def show(*lines: str) -> None:
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


async def until_stopped() -> None:
    """Wait for Ctrl-C or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
