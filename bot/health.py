"""``GET /healthz``: is the database reachable, is the schedule ticking, is every transport up.

Served on every port the bot listens on (``bot.sites``: the Telegram webhook, the WeCom
callback — and any later listener adds ``health_routes`` too), so a reverse proxy, Docker's
healthcheck or a monitoring script can ask the bot itself. 200 when all is well, 503 when
something is not, with a small JSON body saying what:

    {"status": "ok", "database": "ok", "schedule": "ok", "last_tick": "2026-09-22T09:00:01+08:00",
     "transports": {"wecom": "running"}}
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import text

from bot.deps import Deps
from bot.logs import SecretMask

PATH = "/healthz"
# The schedule counts as late after this many missed ticks (a tick that sends a month-end
# batch through WeCom's per-member windows may take minutes), plus a margin.
LATE_AFTER_TICKS = 3
LATE_MARGIN = timedelta(minutes=5)
DATABASE_TIMEOUT_SECONDS = 5.0


def _database(deps: Deps) -> None:
    with deps.db.connection() as connection:
        connection.execute(text("SELECT 1"))


def schedule_state(deps: Deps, started_at: datetime) -> str:
    """ok, off (REMINDER_TICK_SECONDS=0), starting (no tick yet, not late either) or late."""
    interval = deps.settings.reminder_tick_seconds
    if not interval:
        return "off"
    allowed = timedelta(seconds=interval * LATE_AFTER_TICKS) + LATE_MARGIN
    last = deps.heartbeat.last_tick
    now = deps.clock.now()
    if last is None:
        return "starting" if now - started_at <= allowed else "late"
    return "ok" if now - last <= allowed else "late"


async def health(deps: Deps, started_at: datetime) -> tuple[bool, dict[str, Any]]:
    """Whether all is well, and the details."""
    mask = SecretMask(deps.settings.secret_values())
    try:
        await asyncio.wait_for(asyncio.to_thread(_database, deps), DATABASE_TIMEOUT_SECONDS)
        database = "ok"
    except Exception as exc:  # any failure to answer is the answer
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        database = mask(f"unreachable: {reason}")[:300]
    schedule = schedule_state(deps, started_at)
    transports = dict(deps.heartbeat.transports)
    last = deps.heartbeat.last_tick
    healthy = (
        database == "ok"
        and schedule in ("ok", "off", "starting")
        and all(state == "running" for state in transports.values())
    )
    body = {
        "status": "ok" if healthy else "failing",
        "database": database,
        "schedule": schedule,
        "last_tick": last.astimezone(deps.settings.tz).isoformat() if last else None,
        "transports": {name: mask(state) for name, state in transports.items()},
    }
    return healthy, body


def health_routes(deps: Deps, started_at: datetime | None = None) -> list[web.RouteDef]:
    """The ``/healthz`` route, for any aiohttp application the bot serves."""
    since = started_at or deps.clock.now()

    async def answer(_request: web.Request) -> web.Response:
        healthy, body = await health(deps, since)
        return web.json_response(body, status=200 if healthy else 503)

    return [web.get(PATH, answer)]
