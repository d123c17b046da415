"""The deploy files and README "Running for real" only use commands and options liaison-bot
has (what those commands do is tested where they run: tests/e2e/test_backup.py,
test_startup.py, test_cli_day_one.py), and the image holds every package the project ships."""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from bot.cli import cli

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


CALL = re.compile(r"(?:^|[\s`(])(?:\S*\.venv/bin/)?liaison-bot ([^`'\"&;|#)\n]*)", re.M)


def liaison_bot_calls(text: str) -> list[list[str]]:
    """Every ``liaison-bot SUBCOMMAND …`` in shell-ish text or prose, as words (up to a quote,
    a comment or the next command)."""
    calls = [match.group(1).split() for match in CALL.finditer(text)]
    return [words for words in calls if words and re.fullmatch(r"[a-z][a-z-]*", words[0])]


def check(words: list[str]) -> None:
    """The subcommand exists and takes every ``--option`` given (typer's own click tree)."""
    command: Any = get_command(cli)
    rest = list(words)
    while hasattr(command, "commands") and rest and rest[0] in command.commands:
        command = command.commands[rest.pop(0)]
    assert not hasattr(command, "commands"), f"no such command: liaison-bot {' '.join(words)}"
    known = {option for param in command.params for option in param.opts}
    for word in rest:
        if word.startswith("--"):
            assert word.split("=")[0] in known, f"liaison-bot {' '.join(words)}: {word}?"


def unit_commands(name: str) -> list[list[str]]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / name, encoding="utf-8")
    calls = []
    for key in ("ExecStart", "ExecStartPost"):
        value = parser.get("Service", key, fallback="").replace("$$", "$").replace("%%", "%")
        calls += liaison_bot_calls(value)
    return calls


@pytest.mark.parametrize("name", ["liaison-bot.service", "liaison-bot-backup.service"])
def test_the_systemd_units_run_real_commands(name: str) -> None:
    calls = unit_commands(name)
    assert calls
    for words in calls:
        check(words)
        assert "--env-file" in words  # the one settings file, whatever the working directory


def test_the_running_for_real_section_uses_real_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running for real")[1].split("\n## ")[0]
    calls = liaison_bot_calls(section)
    used = {words[0] for words in calls}
    assert {"run", "db", "import", "backup", "restore", "verify"} <= used
    for words in calls:
        check(words)


def test_the_image_holds_every_package_and_runs_the_bot() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    packages = re.search(r"include = \[([^\]]+)\]", pyproject)
    assert packages is not None
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    for package in re.findall(r'"(\w+)\*"', packages.group(1)):
        assert f"COPY {package} {package}" in dockerfile
    assert 'CMD ["liaison-bot", "run"]' in dockerfile
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    assert "dockerfile: deploy/Dockerfile" in compose and "/healthz" in compose
    assert "env_file: liaison.env" in compose and (DEPLOY / "liaison.env.example").is_file()
