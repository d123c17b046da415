"""The periodic tick that sends the schedule's prompts, reminders, digests and task alerts
(the office's /digest and /remind are in ``bot.chat.commands``)."""

from __future__ import annotations

import logging
import re

from bot.ticker import forget_old_updates, log_outcome, seconds_to_next_slot
from handlers.context import CustomContext

log = logging.getLogger(__name__)
NAME_SEPARATORS = re.compile(r"[\s、，,；;]+")


WAKE_UP = "scheduled-wake-up"


async def tick(context: CustomContext) -> None:
    """The periodic job: send what the schedule owes now. A failure is logged and the next
    tick tries again (the delivery log keeps it from sending anything twice). It also sets a
    one-off wake-up at the next step's exact time, so 09:00 means 09:00 whatever the period."""
    try:
        report = await context.dispatcher.tick()
        _wake_up_at_next_slot(context)
        forget_old_updates(context.deps)
    except Exception:
        log.exception("scheduled messages: tick failed; the next tick retries")
        return
    log_outcome(report)


def _wake_up_at_next_slot(context: CustomContext) -> None:
    queue = context.job_queue
    if queue is None:
        return
    delay = seconds_to_next_slot(context.deps)
    for job in queue.get_jobs_by_name(WAKE_UP):
        job.schedule_removal()
    if delay is not None:
        queue.run_once(tick, delay, name=WAKE_UP)  # type: ignore[arg-type]
