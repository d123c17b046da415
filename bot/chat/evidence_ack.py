"""The one acknowledgement for a burst of files, the same on every platform.

Telegram and WeCom each gather a burst (an album, nine photos sent as nine messages) and ask
this for the single "已收到 N 张照片" reply, so what follows an album is decided in one place.
"""

from __future__ import annotations

from dataclasses import replace

from bot.archive import hook as archive_hook
from bot.deps import Deps
from bot.domain import evidence, reporting
from bot.domain.replies import Reply


def acknowledgement(deps: Deps, *, unit_id: int, period: str, burst: evidence.Burst) -> Reply:
    """ "已收到 N 张照片…" with what the month holds now (and the archive's follow-up)."""
    with deps.db.session() as session:
        files = evidence.counts(session=session, unit_id=unit_id, period=period)
        reply = burst.acknowledgement(files)
        # ARCHIVE HOOK (issue 24): tag buttons and the one six-element question for the album.
        reply = archive_hook.after_files(
            session=session, unit_id=unit_id, period=period, acknowledgement=reply
        )
        if reply.buttons:
            return reply
        # the next action rides on the acknowledgement, the latest message (issue 20)
        buttons = reporting.step_buttons(session=session, unit_id=unit_id, period=period,
                                         now=deps.clock.now(), tz=deps.settings.tz)  # fmt: skip
        return replace(reply, buttons=buttons)
