"""The schedule's tick on a plain asyncio timer, for when Telegram's job queue does not drive
it (WeCom alone, or both transports: Telegram may still be starting).

Same work as ``handlers.schedule.tick``: send what is due, forget week-old update ids, and
wake at the next step's exact time (09:00 means 09:00 whatever the period).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.broadcast import Outcome
from bot.deps import Deps
from bot.domain import outbox
from bot.scheduler import Dispatcher, DispatchReport
from storage.repo_updates import forget_processed

log = logging.getLogger(__name__)
KEEP_UPDATE_IDS = timedelta(days=7)


def log_outcome(report: DispatchReport) -> None:
    if report.claimed:
        log.info(
            "scheduled messages: %d sent, %d blocked, %d failed",
            report.count(Outcome.SENT), report.count(Outcome.BLOCKED),
            report.count(Outcome.FAILED),
        )  # fmt: skip


def forget_old_updates(deps: Deps) -> None:
    with deps.db.session() as session:
        forget_processed(session=session, before=deps.clock.now() - KEEP_UPDATE_IDS)


def seconds_to_next_slot(deps: Deps) -> float | None:
    """Seconds until the schedule's next step (a second late rather than early), if any."""
    with deps.db.session() as session:
        when = outbox.next_slot(session=session, now=deps.clock.now(), tz=deps.settings.tz)
    if when is None:
        return None
    return max(1.0, (when - deps.clock.now()).total_seconds() + 1)


async def tick_forever(dispatcher: Dispatcher) -> None:
    """Tick every ``REMINDER_TICK_SECONDS`` (sooner when a step falls in between) until
    cancelled; a failed tick is logged and the next one tries again."""
    deps = dispatcher.deps
    interval = float(deps.settings.reminder_tick_seconds)
    if not interval:
        return
    while True:
        delay = interval
        try:
            log_outcome(await dispatcher.tick())
            forget_old_updates(deps)
            delay = min(interval, seconds_to_next_slot(deps) or interval)
        except Exception:
            log.exception("scheduled messages: tick failed; the next tick retries")
        await asyncio.sleep(delay)
