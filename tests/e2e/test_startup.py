"""`liaison-bot run` on day one, as the office's IT person meets it: every start-up failure is
one line on stderr, a non-zero exit status and never a secret; Telegram goes through a proxy;
with TRANSPORT=both a transport that cannot start is retried while the other one serves.

Everything runs against local fakes (bot/fakes) and a CONNECT proxy (tests/netfakes.py) on
127.0.0.1; the bot is a real subprocess with its clock pinned (LIAISON_BOT_NOW)."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.fakes.ports import free_port
from bot.fakes.telegram import FakeTelegram, FakeTelegramServer
from bot.fakes.wecom import FakeWeCom, FakeWeComServer
from tests.conftest import TEST_TOKEN
from tests.e2e.test_cli import clean_env, command
from tests.e2e.test_wecom_callback import CRYPTO, text_message
from tests.e2e.test_wecom_run import post_when_listening, wecom_settings
from tests.netfakes import connect_proxy, self_signed_certificate, server_context

PINNED = "2026-09-15T10:00:00+08:00"  # a Tuesday: nothing in these tests depends on it
WECOM_SECRET = "fake-secret"  # what FakeWeCom accepts (wecom_settings uses it)


def bot_env(tmp_path: Path, **values: Any) -> dict[str, str]:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'bot.db'}",
           "DATA_DIR": str(tmp_path / "data"), "LIAISON_BOT_NOW": PINNED,
           "REMINDER_TICK_SECONDS": "0"}  # fmt: skip
    env.update({key: str(value) for key, value in values.items()})
    return clean_env(**env)


async def failed_run(tmp_path: Path, **values: Any) -> tuple[int | None, str]:
    """Run the bot to its end (it must not start); its exit status and stderr."""
    process = await asyncio.create_subprocess_exec(
        *command(), "run", cwd=tmp_path, env=bot_env(tmp_path, **values),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), 90)
    finally:
        if process.returncode is None:
            process.kill()
    return process.returncode, stderr.decode()


def one_line(stderr: str, *secrets: str) -> str:
    """The single line the IT person reads; no secret in it (nor anywhere in stderr)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    for secret in secrets:
        assert secret not in stderr
    assert "Traceback" not in stderr
    return lines[0]


def wecom_env(api_base_url: str, port: int, **changes: Any) -> dict[str, Any]:
    values = {key.upper(): value for key, value in wecom_settings(api_base_url, port).items()}
    values.update(changes)
    return values


@contextmanager
def port_in_use() -> Iterator[int]:
    """A port some other program already listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


async def test_a_rejected_token_is_one_line_without_the_token(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    wrong = "123456789:Wrong-token_that-is-secret"
    code, stderr = await failed_run(
        tmp_path, TELEGRAM_BOT_TOKEN=wrong, TELEGRAM_API_BASE_URL=telegram.api_base_url,
        TELEGRAM_FILE_BASE_URL=telegram.file_base_url,
    )  # fmt: skip
    assert code == 1
    line = one_line(stderr, wrong, "Wrong-token_that-is-secret")
    assert line.startswith("error: TELEGRAM_BOT_TOKEN: Telegram rejected the token")
    assert "@BotFather" in line


async def test_an_unreachable_bot_api_says_a_proxy_is_needed(tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    code, stderr = await failed_run(
        tmp_path, TELEGRAM_BOT_TOKEN=TEST_TOKEN, TELEGRAM_API_BASE_URL=f"{nowhere}/bot"
    )
    assert code == 1
    line = one_line(stderr, TEST_TOKEN, TEST_TOKEN.split(":")[1])
    assert line.startswith(f"error: TELEGRAM_API_BASE_URL: cannot reach {nowhere} (")
    assert "TELEGRAM_PROXY (or HTTPS_PROXY)" in line and "TRANSPORT=wecom" in line


@pytest.fixture
async def https_telegram(tmp_path: Path) -> Any:
    """The fake Bot API over TLS (as Telegram), with the certificate the bot must trust."""
    cert, key = self_signed_certificate(tmp_path)
    server = FakeTelegramServer(FakeTelegram(token=TEST_TOKEN), long_poll_cap=0.05)
    await server.start(ssl_context=server_context(cert, key))
    try:
        yield server, cert
    finally:
        await server.stop()


@pytest.mark.parametrize("setting", ["HTTPS_PROXY", "TELEGRAM_PROXY"])
async def test_telegram_goes_through_the_proxy(
    tmp_path: Path, https_telegram: Any, setting: str
) -> None:
    server, cert = https_telegram
    async with connect_proxy() as proxy:
        process = await asyncio.create_subprocess_exec(
            *command(), "run", cwd=tmp_path,
            env=bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TEST_TOKEN, SSL_CERT_FILE=cert,
                        TELEGRAM_API_BASE_URL=server.api_base_url,
                        TELEGRAM_FILE_BASE_URL=server.file_base_url,
                        **{setting: f"http://office:proxy-pass@127.0.0.1:{proxy.port}"}),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            world = server.world
            await world.wait_until(lambda: "getupdates" in world.calls, timeout=60)
            [reply] = await world.say(world.user(1, "赵敏"), "/start", timeout=20)
            assert "您还没有登记为联络员" in reply.text
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()
        assert proxy.tunnels and set(proxy.tunnels) == {server.url.removeprefix("https://")}
        assert any(line.startswith("Proxy-Authorization: Basic") for line in proxy.headers)
        assert "proxy-pass" not in stderr.decode() and TEST_TOKEN not in stderr.decode()


@pytest.mark.parametrize("setting", ["HTTPS_PROXY", "TELEGRAM_PROXY"])
async def test_a_proxy_that_refuses_is_one_line_naming_it(
    tmp_path: Path, https_telegram: Any, setting: str
) -> None:
    server, cert = https_telegram
    async with connect_proxy(refuse=True) as proxy:
        code, stderr = await failed_run(
            tmp_path, TELEGRAM_BOT_TOKEN=TEST_TOKEN, SSL_CERT_FILE=cert,
            TELEGRAM_API_BASE_URL=server.api_base_url,
            **{setting: f"http://office:proxy-pass@127.0.0.1:{proxy.port}"},
        )  # fmt: skip
    assert code == 1
    line = one_line(stderr, "proxy-pass", TEST_TOKEN)
    assert line.startswith(f"error: {setting}: cannot reach {server.url} through the proxy ")
    assert f"http://office:***@127.0.0.1:{proxy.port}" in line


async def test_a_busy_webhook_port_is_one_line(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    with port_in_use() as port:
        code, stderr = await failed_run(
            tmp_path, TELEGRAM_BOT_TOKEN=TEST_TOKEN, TELEGRAM_API_BASE_URL=telegram.api_base_url,
            WEBHOOK_URL="https://bot.example.org/telegram", WEBHOOK_SECRET="hook-Secret_1",
            WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=port,
        )  # fmt: skip
    assert code == 1
    line = one_line(stderr, TEST_TOKEN, "hook-Secret_1")
    assert line == (
        f"error: WEBHOOK_PORT: 127.0.0.1:{port} is already in use (is another liaison-bot "
        "running?); stop the other program or choose another port"
    )


async def test_a_busy_callback_port_is_one_line(tmp_path: Path) -> None:
    async with FakeWeComServer(FakeWeCom(corp_id=CRYPTO.receive_id)) as api:
        with port_in_use() as port:
            code, stderr = await failed_run(tmp_path, **wecom_env(api.base_url, port))
    assert code == 1
    line = one_line(stderr, WECOM_SECRET, CRYPTO.encoding_aes_key)
    assert line.startswith(f"error: WECOM_CALLBACK_PORT: 127.0.0.1:{port} is already in use")


async def test_a_callback_path_without_its_slash_is_one_line(tmp_path: Path) -> None:
    code, stderr = await failed_run(
        tmp_path, **wecom_env("http://127.0.0.1:9", free_port(), WECOM_CALLBACK_PATH="wecom")
    )
    assert code == 2
    assert one_line(stderr) == (
        "error: WECOM_CALLBACK_PATH: must be a URL path starting with / (such as /wecom/callback)"
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"WECOM_CORP_ID": "ww-not-this-corp"}, "error: WECOM_CORP_ID: WeCom does not know this "
         "企业ID (40013 invalid corpid); copy it from the admin console"),
        ({"WECOM_SECRET": "a-wrong-app-secret"}, "error: WECOM_SECRET: WeCom rejected the app's "
         "Secret (40001 invalid credential); copy it again from 应用管理 → the app → Secret"),
        ({}, "error: WeCom refuses requests from this server's IP (127.0.0.1) (60020): add it "
         "to the app's 企业可信IP (应用管理 → the app → 企业可信IP)"),
    ],
)  # fmt: skip
async def test_wecom_credentials_are_checked_at_start(
    tmp_path: Path, change: dict[str, str], expected: str
) -> None:
    world = FakeWeCom(corp_id=CRYPTO.receive_id)
    if not change:
        world.trusted_ips = {"203.0.113.7"}  # the office forgot this server's IP
    async with FakeWeComServer(world) as api:
        env = wecom_env(api.base_url, free_port(), **change)
        code, stderr = await failed_run(tmp_path, **env)
    assert code == 1
    line = one_line(stderr, env["WECOM_SECRET"], CRYPTO.encoding_aes_key, CRYPTO.token)
    assert line.startswith(expected)


async def test_an_unreachable_database_is_one_line_on_run(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody:hunter2@127.0.0.1:1/none"
    code, stderr = await failed_run(tmp_path, TELEGRAM_BOT_TOKEN=TEST_TOKEN, DATABASE_URL=url)
    assert code == 1
    line = one_line(stderr, "hunter2", TEST_TOKEN)
    assert line.startswith("error: DATABASE_URL: cannot use postgresql+psycopg://nobody:***@")


async def test_nothing_can_start_with_both_is_one_line_too(tmp_path: Path) -> None:
    code, stderr = await failed_run(
        tmp_path, TRANSPORT="both", TELEGRAM_BOT_TOKEN=TEST_TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{free_port()}/bot",
        **{k: v for k, v in wecom_env(f"http://127.0.0.1:{free_port()}", free_port()).items()
           if k != "TRANSPORT"},
    )  # fmt: skip
    assert code == 1
    line = one_line(stderr, TEST_TOKEN, WECOM_SECRET)
    assert "TELEGRAM_API_BASE_URL: cannot reach" in line
    assert "; WECOM_API_BASE_URL: cannot reach" in line


async def health(port: int) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"http://127.0.0.1:{port}/healthz") as response,
    ):
        return response.status, json.loads(await response.text())


async def health_when(port: int, wanted: Any, timeout: float = 40) -> dict[str, Any]:
    for _ in range(int(timeout / 0.25)):
        try:
            status, body = await health(port)
            if wanted(status, body):
                return body
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.25)
    raise AssertionError(f"/healthz never became what was wanted on port {port}")


async def test_with_both_an_unreachable_telegram_is_retried_while_wecom_serves(
    tmp_path: Path, make_settings: Any
) -> None:
    """The office's network cannot reach Telegram yet: WeCom members are served at once; when
    Telegram becomes reachable, it starts too, without a restart."""
    from bot.deps import Deps
    from storage.migrate import upgrade_database
    from tests.e2e.seed import invite_code, seed_units

    database = f"sqlite:///{tmp_path / 'data' / 'bot.db'}"
    deps = Deps.from_settings(make_settings(database_url=database))
    upgrade_database(deps.db.engine)
    code = invite_code(deps, seed_units(deps, "区卫生健康委")[0])
    deps.close()
    world = FakeWeCom(corp_id=CRYPTO.receive_id)
    telegram_port, callback_port = free_port(), free_port()
    async with FakeWeComServer(world) as api:
        env = wecom_env(api.base_url, callback_port, TRANSPORT="both")
        process = await asyncio.create_subprocess_exec(
            *command(), "run", cwd=tmp_path,
            env=bot_env(tmp_path, **env, TELEGRAM_BOT_TOKEN=TEST_TOKEN,
                        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{telegram_port}/bot",
                        TELEGRAM_FILE_BASE_URL=f"http://127.0.0.1:{telegram_port}/file/bot",
                        REMINDER_TICK_SECONDS="1"),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        fake = FakeTelegramServer(FakeTelegram(token=TEST_TOKEN), long_poll_cap=0.05)
        try:
            waiting = await health_when(callback_port, lambda status, _: status == 503)
            assert waiting["transports"]["wecom"] == "running"
            assert waiting["transports"]["telegram"].startswith(
                "retrying: TELEGRAM_API_BASE_URL: cannot reach"
            )
            bind = text_message(f"绑定 {code}", "1", user="lq")
            assert await post_when_listening(callback_port, bind) == 200
            for _ in range(100):
                if world.messages_to("lq"):
                    break
                await asyncio.sleep(0.1)
            assert "姓名" in world.messages_to("lq")[0]["text"]["content"]

            await fake.start("127.0.0.1", telegram_port)  # Telegram becomes reachable
            running = await health_when(callback_port, lambda status, _: status == 200)
            assert running["transports"] == {"wecom": "running", "telegram": "running"}
            assert running["database"] == "ok" and running["last_tick"] is not None
            [reply] = await fake.world.say(fake.world.user(7, "赵敏"), "/start", timeout=20)
            assert "您还没有登记为联络员" in reply.text
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
            await fake.stop()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "telegram cannot start: TELEGRAM_API_BASE_URL: cannot reach" in log
    assert "telegram started" in log
    assert TEST_TOKEN not in log and TEST_TOKEN.split(":")[1] not in log
    assert WECOM_SECRET not in log and CRYPTO.encoding_aes_key not in log
    assert "apscheduler" not in log.lower()  # a tick a second, and not a line of it
