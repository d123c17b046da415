"""What the console's handlers share: the bot's services, the pages, the thumbnails, and the
dispatcher that tells liaisons about decisions taken in the browser."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Concatenate, ParamSpec, TypeVar

from aiohttp import web
from sqlmodel import Session

from bot.deps import Deps
from bot.domain.replies import Notice
from bot.scheduler import Dispatcher
from bot.web.render import Pages
from bot.web.thumbs import Thumbnails
from storage.models import Transport

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Console:
    deps: Deps
    pages: Pages
    thumbs: Thumbnails
    dispatcher: Dispatcher | None = None  # set once the bot's transports are running
    deliveries: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def root(self) -> str:
        return self.deps.settings.web_root

    @property
    def cookie_path(self) -> str:
        return self.root or "/"

    def bootstrap(self) -> dict[Transport, list[str]]:
        """The admins named in settings, by transport (as chat recognises them)."""
        settings = self.deps.settings
        return {
            Transport.TELEGRAM: [str(user_id) for user_id in settings.office_admin_ids],
            Transport.WECOM: list(settings.wecom_admin_userids),
        }

    async def in_thread(
        self, work: Callable[Concatenate[Session, P], R], /, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Run ``work`` with a database session (committed when it returns) in a worker
        thread: a 1 000-unit page must not hold up the bot's chats in the event loop."""

        def run() -> R:
            with self.deps.db.session() as session:
                return work(session, *args, **kwargs)

        return await asyncio.to_thread(run)

    def notify(self, notices: Sequence[Notice]) -> None:
        """Tell the liaisons, after the decision is committed, without making the clerk wait
        for the platforms' pacing (a batch of 40 approvals is 40+ messages)."""
        if not notices:
            return
        if self.dispatcher is None:
            log.warning("web: %d notices not sent: no chat transport is running", len(notices))
            return
        task = asyncio.create_task(self.dispatcher.notify(notices))
        self.deliveries.add(task)
        task.add_done_callback(self._delivered)

    def _delivered(self, task: asyncio.Task[None]) -> None:
        self.deliveries.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("web: notices failed", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait for notices still being sent (at shutdown)."""
        if self.deliveries:
            await asyncio.gather(*self.deliveries, return_exceptions=True)


CONSOLE = web.AppKey("console", Console)
