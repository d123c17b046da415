"""The web console in-process behind aiohttp's test client, on a seeded campaign.

Liaisons' notices go through a real ``Dispatcher`` whose only channel records what it would
send, so a test sees what a liaison is told after a decision taken in the browser.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from bot.broadcast import Outgoing
from bot.clock import ManualClock
from bot.config import Settings
from bot.deps import Deps
from bot.domain import review, web_access
from bot.domain.people import Requester
from bot.scheduler import Channel, Dispatcher
from bot.web import build_web_app
from bot.web.console import CONSOLE
from storage.migrate import upgrade_database
from storage.models import OfficeRole, Submission, Transport
from storage.repo_people import add_person_with_identity, grant_office_role
from tests.e2e.seed import seed_report
from tests.e2e.test_schedule import moment

BASE_URL = "http://console.test/console"
ROOT = "/console"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@dataclass
class Sent:
    messages: list[Outgoing] = field(default_factory=list)

    async def __call__(self, message: Outgoing) -> None:
        self.messages.append(message)


@dataclass
class Web:
    deps: Deps
    client: TestClient[web.Request, web.Application]
    app: web.Application
    sent: Sent

    @property
    def clock(self) -> ManualClock:
        assert isinstance(self.deps.clock, ManualClock)
        return self.deps.clock

    def office_person(self, user_id: int, name: str, role: OfficeRole | None) -> Requester:
        """A person on Telegram, office staff or admin (``role=None``: no office role)."""
        with self.deps.db.session() as session:
            person = add_person_with_identity(
                session=session, name=name, transport=Transport.TELEGRAM,
                external_id=str(user_id), chat_id=str(user_id),
            )  # fmt: skip
            assert person.id is not None
            if role is not None:
                grant_office_role(session=session, person_id=person.id, role=role)
            return Requester(person.id, name, role)

    def link(self, who: Requester) -> str:
        """The token of a fresh login link, as /web issues it."""
        with self.deps.db.session() as session:
            token = web_access.issue_link(session=session, who=who, now=self.clock.now())
        assert token is not None
        return token

    async def log_in(self, who: Requester) -> None:
        token = self.link(who)
        response = await self.client.post(
            f"{ROOT}/login", data={"token": token}, allow_redirects=False
        )
        assert response.status == 303, await response.text()

    async def page(self, path: str, status: int = 200) -> str:
        response = await self.client.get(f"{ROOT}{path}", allow_redirects=False)
        text = await response.text()
        assert response.status == status, (response.status, text[:500])
        return text

    async def csrf(self) -> str:
        found = CSRF.search(await self.page("/matrix"))
        assert found is not None
        return found[1]

    async def post(self, path: str, data: dict[str, Any] | list[tuple[str, str]]) -> Any:
        return await self.client.post(f"{ROOT}{path}", data=data, allow_redirects=False)

    @property
    def thumbnails_made(self) -> int:
        return self.app[CONSOLE].thumbs.encodes


def settings_for(make_settings: Any, **values: Any) -> Settings:
    return make_settings(  # type: ignore[no-any-return]
        **{"web_port": 8090, "web_base_url": BASE_URL, **values}
    )


@asynccontextmanager
async def running_console(settings: Settings, now: datetime | None = None) -> AsyncIterator[Web]:
    deps = Deps.from_settings(settings, clock=ManualClock(now or moment("2026-09-01 10:00")))
    upgrade_database(deps.db.engine)
    sent = Sent()
    dispatcher = Dispatcher(deps, {Transport.TELEGRAM: Channel(sent, 4096)})
    app = build_web_app(deps, dispatcher=dispatcher)
    async with TestClient(TestServer(app)) as client:
        yield Web(deps, client, app, sent)
        await app[CONSOLE].drain()
    deps.close()


def jpeg(colour: tuple[int, int, int], size: tuple[int, int] = (1200, 900)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=85)
    return out.getvalue()


def submit(site: Web, unit: str, period: str, at: str, **values: Any) -> int:
    """A report as the chat flow leaves it, entered in the review queue."""
    submission_id = seed_report(site.deps, unit_name=unit, period=period,
                                submitted_at=moment(at), **values)  # fmt: skip
    with site.deps.db.session() as session:
        submission = session.get(Submission, submission_id)
        assert submission is not None
        review.record_submission(session=session, submission=submission)
    return submission_id
