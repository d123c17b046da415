"""``/healthz`` on the bot's listeners (database reachable, the schedule ticking, transports
up), and the one dispatcher of TRANSPORT=both holding back what only a transport that is still
starting could deliver."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import aiohttp
from sqlalchemy import create_engine
from sqlmodel import select

from bot.app import Webhook, create_app, running_application
from bot.broadcast import Outgoing
from bot.clock import ManualClock
from bot.deps import Deps
from bot.fakes.ports import free_port
from bot.fakes.telegram import FakeTelegramServer
from bot.health import schedule_state
from bot.scheduler import Channel, Dispatcher
from storage.db import Database
from storage.migrate import upgrade_database
from storage.models import AssignmentRole, Delivery, Transport
from storage.repo_people import add_person_with_identity, assign_liaison
from tests.e2e.seed import backdate_units, seed_liaison, seed_units
from tests.e2e.test_schedule import moment


async def get_health(port: int) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"http://127.0.0.1:{port}/healthz") as response,
    ):
        return response.status, json.loads(await response.text())


async def test_the_webhook_server_answers_healthz(
    telegram: FakeTelegramServer, make_settings: Any
) -> None:
    settings = make_settings(telegram_api_base_url=telegram.api_base_url, reminder_tick_seconds=60)
    deps = Deps.from_settings(settings, clock=ManualClock(moment("2026-09-22 09:00")))
    upgrade_database(deps.db.engine)
    port = free_port()
    webhook = Webhook(port=port, url=f"http://127.0.0.1:{port}/hook", secret="s3cret")
    async with running_application(create_app(settings, deps=deps), webhook=webhook):
        status, body = await get_health(port)
        assert (status, body["database"], body["schedule"]) == (200, "ok", "starting")
        deps.heartbeat.last_tick = moment("2026-09-22 09:00")
        deps.clock = ManualClock(moment("2026-09-22 09:02"))
        status, body = await get_health(port)
        assert (status, body["status"], body["schedule"]) == (200, "ok", "ok")
        assert body["last_tick"] == "2026-09-22T09:00:00+08:00"

        deps.clock = ManualClock(moment("2026-09-22 09:30"))  # no tick for half an hour
        status, body = await get_health(port)
        assert (status, body["status"], body["schedule"]) == (503, "failing", "late")

        deps.clock = ManualClock(moment("2026-09-22 09:01"))
        working = deps.db
        deps.db = Database(create_engine("sqlite:////nonexistent-folder/liaison.db"))
        try:
            status, body = await get_health(port)
        finally:
            deps.db = working
        assert status == 503 and body["database"].startswith("unreachable: ")
        deps.heartbeat.transports["wecom"] = "retrying: WECOM_SECRET: WeCom rejected …"
        status, body = await get_health(port)
        assert status == 503 and body["transports"]["wecom"].startswith("retrying: ")


def test_the_schedule_is_off_when_ticks_are_off(make_settings: Any) -> None:
    deps = Deps.from_settings(make_settings(reminder_tick_seconds=0))
    assert schedule_state(deps, moment("2020-01-01 00:00")) == "off"
    late = Deps.from_settings(make_settings(reminder_tick_seconds=60),
                              clock=ManualClock(moment("2026-09-22 09:07")))  # fmt: skip
    assert schedule_state(late, moment("2026-09-22 09:00")) == "starting"  # 3 ticks + 5 min
    assert schedule_state(late, moment("2026-09-22 09:00") - timedelta(minutes=2)) == "late"


async def test_messages_wait_for_a_transport_that_is_still_starting(make_settings: Any) -> None:
    """TRANSPORT=both, Telegram still retrying: WeCom members get their prompt; a Telegram
    liaison's stays unclaimed (not failed) and goes out on the first tick after Telegram
    starts."""
    deps = Deps.from_settings(make_settings(), clock=ManualClock(moment("2026-09-01 10:00")))
    upgrade_database(deps.db.engine)
    seed_liaison(deps, telegram_id=1001, name="王芳", unit_names=["区卫生健康委"])
    [unit_id] = seed_units(deps, "区教委")
    with deps.db.session() as session:
        person = add_person_with_identity(session=session, name="李强",
                                          transport=Transport.WECOM, external_id="liqiang",
                                          chat_id="liqiang")  # fmt: skip
        assert person.id is not None
        assign_liaison(session=session, unit_id=unit_id, person_id=person.id,
                       role=AssignmentRole.MAIN, valid_from=deps.clock.now())  # fmt: skip
    backdate_units(deps, moment("2026-09-01 00:00"))
    sent: dict[Transport, list[str]] = {Transport.TELEGRAM: [], Transport.WECOM: []}

    def channel(transport: Transport) -> Channel:
        async def send(message: Outgoing) -> None:
            sent[transport].append(message.chat_id)

        return Channel(send, 4096)

    dispatcher = Dispatcher(deps, {})
    dispatcher.waiting_for.update({Transport.TELEGRAM, Transport.WECOM})
    dispatcher.start_channel(Transport.WECOM, channel(Transport.WECOM))
    deps.clock = ManualClock(moment("2026-09-22 09:00"))  # September's T-5 prompt
    first = await dispatcher.tick()
    assert sent == {Transport.TELEGRAM: [], Transport.WECOM: ["liqiang"]}
    assert first.claimed == 1
    with deps.db.session() as session:
        assert len(session.exec(select(Delivery)).all()) == 1  # 王芳's prompt not claimed

    dispatcher.start_channel(Transport.TELEGRAM, channel(Transport.TELEGRAM))
    deps.clock = ManualClock(moment("2026-09-22 09:05"))
    second = await dispatcher.tick()
    assert second.claimed == 1
    assert sent == {Transport.TELEGRAM: ["1001"], Transport.WECOM: ["liqiang"]}
    deps.close()
