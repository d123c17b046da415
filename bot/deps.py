"""The services a running bot needs, built once from Settings and handed to handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import Clock, SystemClock, set_now_source
from bot.config import Settings
from messages.render import Renderer
from storage.db import Database
from storage.files import ContentStore


@dataclass
class Heartbeat:
    """Signs of life for ``/healthz``: when the schedule last finished a tick, and what each
    transport is doing (running, or retrying and why)."""

    last_tick: datetime | None = None
    transports: dict[str, str] = field(default_factory=dict)


@dataclass
class Deps:
    settings: Settings
    db: Database
    files: ContentStore
    renderer: Renderer
    clock: Clock = field(default_factory=SystemClock)
    heartbeat: Heartbeat = field(default_factory=Heartbeat)

    def __post_init__(self) -> None:
        # Timestamps written without an explicit value follow this bot's clock, also when a
        # test or the demo swaps ``deps.clock`` later.
        set_now_source(lambda: self.clock.now())

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Clock | None = None) -> Deps:
        """Wire the real services; nothing connects to a database until first use."""
        return cls(
            settings=settings,
            db=Database.from_url(settings.database_url),
            files=ContentStore(settings.data_dir / "files"),
            renderer=Renderer(settings.language),
            clock=clock or SystemClock(),  # LIAISON_BOT_NOW may pin it
        )

    def close(self) -> None:
        self.db.dispose()
