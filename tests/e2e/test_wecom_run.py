"""WeCom as the bot actually runs it: the schedule's prompt reaches a WeCom liaison with
numbered choices (that still work after a restart) and a card whose buttons work, and
`liaison-bot run` with TRANSPORT=wecom serves the callback."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from sqlmodel import select

from bot.clock import ManualClock
from bot.deps import Deps
from bot.fakes.ports import free_port
from bot.fakes.wecom import FakeWeCom, FakeWeComServer
from bot.fakes.wecom.callbacks import post_callback
from bot.scheduler import Dispatcher
from bot.serve import running_wecom
from storage.migrate import upgrade_database
from storage.models import AssignmentRole, Submission, SubmissionKind, Transport
from storage.repo_people import add_person_with_identity, assign_liaison
from tests.e2e.seed import backdate_units, invite_code, seed_units
from tests.e2e.test_cli import clean_env, cli_clock, command
from tests.e2e.test_schedule import moment
from tests.e2e.test_wecom_callback import CRYPTO, PATH, Endpoint, text_message, wall_clock
from tests.e2e.test_wecom_flow import Member


def wecom_settings(api_base_url: str, port: int) -> dict[str, Any]:
    return {
        "transport": "wecom", "wecom_corp_id": CRYPTO.receive_id, "wecom_agent_id": 1000002,
        "wecom_secret": "fake-secret", "wecom_token": CRYPTO.token,
        "wecom_encoding_aes_key": CRYPTO.encoding_aes_key, "wecom_api_base_url": api_base_url,
        "wecom_callback_listen": "127.0.0.1", "wecom_callback_port": port,
    }  # fmt: skip


async def prompted_liaison(api_base_url: str, port: int, make_settings: Any) -> Deps:
    """王芳 of 区卫生健康委 on WeCom, on the day of September's T-5 prompt."""
    settings = make_settings(**wecom_settings(api_base_url, port))
    deps = Deps.from_settings(settings, clock=ManualClock(moment("2026-09-01 10:00")))
    upgrade_database(deps.db.engine)
    [unit_id] = seed_units(deps, "区卫生健康委")
    with deps.db.session() as session:
        person = add_person_with_identity(
            session=session, name="王芳", transport=Transport.WECOM,
            external_id="wangfang", chat_id="wangfang",
        )  # fmt: skip
        assert person.id is not None
        assign_liaison(session=session, unit_id=unit_id, person_id=person.id,
                       role=AssignmentRole.MAIN, valid_from=deps.clock.now())  # fmt: skip
    backdate_units(deps, moment("2026-09-01 00:00"))
    deps.clock = ManualClock(moment("2026-09-22 09:00"))
    return deps


def recorded_kind(deps: Deps) -> SubmissionKind:
    with deps.db.session() as session:
        [row] = session.exec(select(Submission)).all()
    return row.kind


@asynccontextmanager
async def prompted_on_wecom(make_settings: Any) -> AsyncIterator[tuple[Deps, FakeWeCom, int]]:
    """王芳 has just been sent September's T-5 prompt on WeCom; the bot is stopped again."""
    world = FakeWeCom(corp_id=CRYPTO.receive_id)
    async with FakeWeComServer(world) as api:
        port = free_port()
        deps = await prompted_liaison(api.base_url, port, make_settings)
        async with running_wecom(deps) as wecom:
            await Dispatcher(deps, {Transport.WECOM: wecom.channel}).tick()
        try:
            yield deps, world, port
        finally:
            deps.close()


async def test_the_month_end_prompt_is_answered_by_number_even_after_a_restart(
    make_settings: Any,
) -> None:
    async with prompted_on_wecom(make_settings) as (deps, world, port):
        text, card = world.messages_to("wangfang")
        assert "2026-09 工作进展开始报送" in text["text"]["content"]
        assert "回复数字选择：1 📝 开始填报 · 2 本月无新进展" in text["text"]["content"]
        buttons = card["template_card"]["button_list"]  # the same choices, as buttons
        assert [b["text"] for b in buttons] == ["📝 开始填报", "本月无新进展"]
        async with running_wecom(deps) as wecom:  # a new process: nothing held in memory
            endpoint = Endpoint(f"http://127.0.0.1:{port}{PATH}", wecom.receiver, [])
            wang = Member("wangfang", endpoint, world, seen=2)
            [recorded] = await wang.say("2")
            assert "本月无新进展" in recorded and "按时" in recorded
        assert recorded_kind(deps) == SubmissionKind.NO_PROGRESS


async def test_tapping_the_card_counts_and_greys_the_card_out(make_settings: Any) -> None:
    async with prompted_on_wecom(make_settings) as (deps, world, port):
        [card] = world.cards_to("wangfang")
        key = next(b["key"] for b in card["button_list"] if b["text"] == "本月无新进展")
        async with running_wecom(deps) as wecom:
            endpoint = Endpoint(f"http://127.0.0.1:{port}{PATH}", wecom.receiver, [])
            await endpoint.post(card_click(world, "wangfang", key))
        [update] = world.card_updates
        assert update["userids"] == ["wangfang"]
        assert update["button"] == {"replace_name": "已选择：本月无新进展"}
        recorded = world.messages_to("wangfang")[-1]["text"]["content"]
        assert "本月无新进展" in recorded and "按时" in recorded
        assert recorded_kind(deps) == SubmissionKind.NO_PROGRESS


def card_click(world: FakeWeCom, userid: str, key: str) -> bytes:
    """The callback WeCom posts when ``userid`` taps the button ``key`` on a card."""
    fields = "".join(f"<{name}><![CDATA[{value}]]></{name}>"
                     for name, value in world.click(userid, key).items())  # fmt: skip
    return (
        f"<xml><ToUserName><![CDATA[{CRYPTO.receive_id}]]></ToUserName><FromUserName>"
        f"<![CDATA[{userid}]]></FromUserName><CreateTime>{wall_clock()}</CreateTime>"
        f"<MsgType><![CDATA[event]]></MsgType>{fields}<AgentID>1000002</AgentID></xml>"
    ).encode()


async def test_run_with_transport_wecom_serves_the_callback(
    tmp_path: Path, make_settings: Any
) -> None:
    world = FakeWeCom(corp_id=CRYPTO.receive_id)
    async with FakeWeComServer(world) as api:
        port = free_port()
        database = f"sqlite:///{tmp_path / 'data' / 'bot.db'}"
        deps = Deps.from_settings(make_settings(database_url=database), clock=cli_clock())
        upgrade_database(deps.db.engine)
        code = invite_code(deps, seed_units(deps, "区卫生健康委")[0])
        deps.close()
        env = {key.upper(): str(value) for key, value in wecom_settings(api.base_url, port).items()}
        process = await asyncio.create_subprocess_exec(
            *command(), "run", cwd=tmp_path,
            env=clean_env(**env, DATABASE_URL=database, DATA_DIR=str(tmp_path / "data")),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            reply = await post_when_listening(port, text_message(f"绑定 {code}", "1", user="lq"))
            assert reply == 200
            for _ in range(100):
                if world.messages_to("lq"):
                    break
                await asyncio.sleep(0.1)
            [ask_name] = [m["text"]["content"] for m in world.messages_to("lq")]
            assert "姓名" in ask_name
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()


async def post_when_listening(port: int, plain: bytes) -> int:
    """Post a signed, encrypted callback once the bot's endpoint accepts connections."""
    for _ in range(100):
        try:
            return await post_callback(f"http://127.0.0.1:{port}{PATH}", plain, CRYPTO)
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.2)
    raise AssertionError("the WeCom callback never started listening")
