"""The periodic tick that sends the schedule's prompts, reminders, digests and task alerts
(the office's /digest and /remind are in ``bot.chat.commands``)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from bot.broadcast import Outcome
from bot.domain import outbox
from handlers.context import CustomContext
from storage.repo_updates import forget_processed

log = logging.getLogger(__name__)
NAME_SEPARATORS = re.compile(r"[\s、，,；;]+")


WAKE_UP = "scheduled-wake-up"
KEEP_UPDATE_IDS = timedelta(days=7)


async def tick(context: CustomContext) -> None:
    """The periodic job: send what the schedule owes now. A failure is logged and the next
    tick tries again (the delivery log keeps it from sending anything twice). It also sets a
    one-off wake-up at the next step's exact time, so 09:00 means 09:00 whatever the period."""
    try:
        report = await context.dispatcher.tick()
        _wake_up_at_next_slot(context)
        with context.deps.db.session() as session:
            forget_processed(session=session, before=context.deps.clock.now() - KEEP_UPDATE_IDS)
    except Exception:
        log.exception("scheduled messages: tick failed; the next tick retries")
        return
    if report.claimed:
        log.info(
            "scheduled messages: %d sent, %d blocked, %d failed",
            report.count(Outcome.SENT), report.count(Outcome.BLOCKED), report.count(Outcome.FAILED),
        )  # fmt: skip


def _wake_up_at_next_slot(context: CustomContext) -> None:
    queue, deps = context.job_queue, context.deps
    if queue is None:
        return
    with deps.db.session() as session:
        when = outbox.next_slot(session=session, now=deps.clock.now(), tz=deps.settings.tz)
    for job in queue.get_jobs_by_name(WAKE_UP):
        job.schedule_removal()
    if when is not None:
        delay = max(1.0, (when - deps.clock.now()).total_seconds() + 1)
        queue.run_once(tick, delay, name=WAKE_UP)  # type: ignore[arg-type]
