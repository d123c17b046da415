"""README "Try the real bot locally", command for command: the runnable fake (Telegram or
WeCom) in one process, the real `liaison-bot run` in another, the office's commands and a
liaison acting through the fake — registration, then the start of a report.

Each command below must appear in README.md exactly as written; the test runs it with free
ports in place of the README's, the invite's code in place of CODE, and `.venv/bin/` being
this interpreter's folder."""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

from bot.fakes.ports import free_port
from tests.e2e.test_cli import clean_env

ROOT = Path(__file__).resolve().parents[2]
PINNED = "2026-09-15T10:00:00+08:00"

TELEGRAM = [
    ".venv/bin/python -m bot.fakes.telegram --port 8088 --write-env try.env",
    ".venv/bin/liaison-bot run --env-file try.env",
    ".venv/bin/liaison-bot import bot/demo_data/成员单位.csv --env-file try.env",
    ".venv/bin/liaison-bot invite 区卫生健康委 --env-file try.env",
    ".venv/bin/python -m bot.fakes.telegram say --port 8088 --user 1001 --name 王芳 /start CODE",
    ".venv/bin/python -m bot.fakes.telegram say --port 8088 --user 1001 --name 王芳 王芳",
    ".venv/bin/python -m bot.fakes.telegram press --port 8088 --user 1001 跳过",
    ".venv/bin/python -m bot.fakes.telegram say --port 8088 --user 1001 --name 王芳 /report",
]
WECOM = [
    ".venv/bin/python -m bot.fakes.wecom --port 8090 --callback-port 8081 "
    "--write-env try-wecom.env",
    ".venv/bin/liaison-bot run --env-file try-wecom.env",
    ".venv/bin/liaison-bot import bot/demo_data/成员单位.csv --env-file try-wecom.env",
    ".venv/bin/liaison-bot invite 区卫生健康委 --env-file try-wecom.env",
    ".venv/bin/python -m bot.fakes.wecom say --port 8090 --user wangfang 绑定 CODE",
    ".venv/bin/python -m bot.fakes.wecom say --port 8090 --user wangfang 王芳",
    ".venv/bin/python -m bot.fakes.wecom say --port 8090 --user wangfang 跳过",
    ".venv/bin/python -m bot.fakes.wecom say --port 8090 --user wangfang 报送",
]


def test_the_readme_shows_these_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Try the real bot locally")[1].split("\n## ")[0]
    for command in TELEGRAM + WECOM:
        assert command in section, command


class Session:
    """The README's commands, run in ``folder`` with the ports swapped for free ones."""

    def __init__(self, folder: Path, ports: dict[str, int]) -> None:
        self.folder, self.ports, self.code = folder, ports, ""

    def argv(self, command: str) -> list[str]:
        for port, free in self.ports.items():
            command = command.replace(f"--port {port}", f"--port {free}")
        command = command.replace("CODE", self.code)
        command = command.replace("bot/demo_data/", f"{ROOT}/bot/demo_data/")
        binaries = f"{Path(sys.executable).parent}/"
        return [part.replace(".venv/bin/", binaries) for part in shlex.split(command)]

    def env(self) -> dict[str, str]:
        return clean_env(LIAISON_BOT_NOW=PINNED, PYTHONPATH=str(ROOT))

    def run(self, command: str) -> str:
        done = subprocess.run(
            self.argv(command), cwd=self.folder, env=self.env(), capture_output=True,
            text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        return done.stdout

    @contextmanager
    def serving(self, command: str, ready: str) -> Iterator[subprocess.Popen[str]]:
        """Start a long-running command; wait until its output (or log) shows ``ready``."""
        process = subprocess.Popen(
            self.argv(command), cwd=self.folder, env=self.env(), text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        assert process.stdout is not None
        seen: list[str] = []
        started = threading.Event()

        def read(stream: IO[str]) -> None:  # all of it, so the pipe never fills
            for line in stream:
                seen.append(line)
                if ready in line:
                    started.set()
            started.set()

        reader = threading.Thread(target=read, args=(process.stdout,), daemon=True)
        reader.start()
        try:
            started.wait(timeout=60)
            assert any(ready in line for line in seen), f"{command}: {''.join(seen)}"
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            reader.join(timeout=10)
            process.stdout.close()
        assert process.returncode in (0, -signal.SIGTERM), "".join(seen)


def test_trying_the_real_bot_on_the_fake_telegram(tmp_path: Path) -> None:
    session = Session(tmp_path, {"8088": free_port()})
    fake, run, import_units, invite, start, name, skip, report = TELEGRAM
    with session.serving(fake, "Act as a user"):
        settings = (tmp_path / "try.env").read_text(encoding="utf-8")
        assert f"TELEGRAM_API_BASE_URL=http://127.0.0.1:{session.ports['8088']}/bot" in settings
        with session.serving(run, "Application started"):
            assert "新建的单位（4）" in session.run(import_units)
            row = session.run(invite).splitlines()[1]
            session.code = row.split("\t")[3]
            assert "您正在登记为 区卫生健康委 的联络员" in session.run(start)
            assert "［📱 分享我的手机号］ ［跳过］" in session.run(name)
            assert "登记完成！王芳" in session.run(skip)
            opened = session.run(report)
            assert "第1步" in opened and "［✅ 完成］" in opened
    assert (tmp_path / "try-data" / "liaison.db").is_file()


def test_trying_the_real_bot_on_the_fake_wecom(tmp_path: Path) -> None:
    callback = free_port()
    session = Session(tmp_path, {"8090": free_port()})
    fake, run, import_units, invite, bind, name, skip, report = WECOM
    fake = fake.replace("--callback-port 8081", f"--callback-port {callback}")
    with session.serving(fake, "Act as a member"):
        settings = (tmp_path / "try-wecom.env").read_text(encoding="utf-8")
        assert f"WECOM_CALLBACK_PORT={callback}" in settings
        with session.serving(run, "WeCom callback listening"):
            assert "新建的单位（4）" in session.run(import_units)
            row = session.run(invite).splitlines()[1]
            _unit, _role, line, session.code, _expires = row.split("\t")
            assert line == f"绑定 {session.code}"
            assert "您正在登记为 区卫生健康委 的联络员" in session.run(bind)
            session.run(name)
            assert "登记完成！王芳" in session.run(skip)
            opened = session.run(report)
            assert "第1步" in opened and "回复数字选择：1 ✅ 完成" in opened
            assert "［卡片］" in opened


@pytest.mark.parametrize("fake", ["bot.fakes.telegram", "bot.fakes.wecom"])
def test_acting_with_no_fake_running_says_so(tmp_path: Path, fake: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", fake, "say", "--port", str(free_port()), "--user", "1", "hi"],
        cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().startswith("nothing listens on 127.0.0.1:")
