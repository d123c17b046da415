"""What the runnable fakes (``python -m bot.fakes.telegram``, ``python -m bot.fakes.wecom``)
share: printing, the settings file they write, waiting for Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import aiohttp

Step = Callable[[argparse.Namespace], Coroutine[Any, Any, None]]


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


def root_parser(module: str, description: str | None, port: int) -> argparse.ArgumentParser:
    """The fake's parser with the --host/--port every action repeats (see ``address``)."""
    root = argparse.ArgumentParser(
        prog=f"python -m {module}",
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    address(root, port)
    return root


def address(parser: argparse.ArgumentParser, port: int) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)


def run(args: argparse.Namespace, module: str, serve: Step, act: Step) -> None:
    """Serve the fake, or act as one of its users against a running one; a port nobody
    listens on, or one already taken, is one line and exit 1, not a traceback."""
    if getattr(args, "text", None) == []:  # "say" takes the rest of the line, which is empty
        sys.exit(f"python -m {module} say: nothing to send (the text goes last)")
    try:
        asyncio.run(serve(args) if args.action is None else act(args))
    except aiohttp.ClientConnectionError:
        sys.exit(f"nothing listens on {args.host}:{args.port}: start python -m {module}")
    except OSError as exc:
        sys.exit(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
