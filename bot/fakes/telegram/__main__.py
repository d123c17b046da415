"""``python -m bot.fakes.telegram``: the fake Bot API as a server of its own, to try the real
``liaison-bot run`` on this machine — and the few commands to act as a Telegram user.

    python -m bot.fakes.telegram --port 8088 --write-env try.env     # serve; Ctrl-C stops
    liaison-bot run --env-file try.env                                # another terminal
    python -m bot.fakes.telegram say --port 8088 --user 1001 --name 王芳 /start
    python -m bot.fakes.telegram press --port 8088 --user 1001 "📝 开始填报"
    python -m bot.fakes.telegram photo --port 8088 --user 1001 picture.jpg --caption 义诊
    python -m bot.fakes.telegram file --port 8088 --user 1000 成员单位.csv

``say``, ``press``, ``photo`` and ``file`` act through the server's ``/_control`` routes and
print what the bot answers (its buttons in ［…］).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import mimetypes
import time
from pathlib import Path
from typing import Any

import aiohttp

from bot.fakes import console
from bot.fakes.console import show, until_stopped, write_settings
from bot.fakes.telegram import FakeTelegram, FakeTelegramServer

TOKEN = "123456789:fake-token-for-trying-locally"
OFFICE_ADMIN = 1000
QUIET_SECONDS = 1.5  # the bot has answered when nothing new came for this long
WAIT_SECONDS = 20.0
LONG_POLL_SECONDS = 5.0  # so Ctrl-C ends the fake at once, not after a bot's 50 s poll


def settings_lines(url: str, token: str, data: str) -> list[str]:
    return [
        f"TELEGRAM_BOT_TOKEN={token}",
        f"TELEGRAM_API_BASE_URL={url}/bot",
        f"TELEGRAM_FILE_BASE_URL={url}/file/bot",
        f"OFFICE_ADMIN_IDS={OFFICE_ADMIN}",
        f"DATABASE_URL=sqlite:///{data}/liaison.db",
        f"DATA_DIR={data}",
    ]


async def serve(args: argparse.Namespace) -> None:
    # Update ids go on growing across restarts of the fake, as Telegram's do: a bot that kept
    # its database would otherwise take new updates for ones it has already handled.
    world = FakeTelegram(token=args.token, first_update_id=int(time.time()) * 1000)  # clock-ok
    server = FakeTelegramServer(world, long_poll_cap=LONG_POLL_SECONDS)
    await server.start(args.host, args.port)
    try:
        lines = settings_lines(server.url, args.token, args.data)
        if args.write_env:
            write_settings(Path(args.write_env), lines)
        me = f"python -m bot.fakes.telegram {{}} --port {args.port}"
        show(
            f"Fake Telegram Bot API on {server.url} (bot @{world.bot_username}); Ctrl-C stops.",
            "",
            "Settings for liaison-bot"
            + (f" (written to {args.write_env}):" if args.write_env else ":"),
            *(f"  {line}" for line in lines),
            "",
            "Run the bot against it:",
            f"  liaison-bot run --env-file {args.write_env or 'FILE-WITH-THE-SETTINGS'}",
            "",
            f"Act as a user (user {OFFICE_ADMIN} is an office admin; a link's ?start=CODE is "
            "typed as /start CODE):",
            f"  {me.format('say')} --user {OFFICE_ADMIN} --name 陈静 /help",
            f"  {me.format('file')} --user {OFFICE_ADMIN} 成员单位.csv",
            f"  {me.format('say')} --user 1001 --name 王芳 '/start CODE'",
            f"  {me.format('press')} --user 1001 '📝 开始填报'",
            f"  {me.format('photo')} --user 1001 picture.jpg --caption '社区义诊'",
        )
        await until_stopped()
    finally:
        await server.stop()


def shown(message: dict[str, Any]) -> str:
    """A message as the user sees it: its text or caption, a file's name, its buttons."""
    parts = []
    if "document" in message:
        parts.append(f"［文件 {message['document'].get('file_name', '')}］")
    if "photo" in message:
        parts.append("［照片］")
    parts.append(str(message.get("text") or message.get("caption") or ""))
    buttons = " ".join(f"［{label}］" for label in button_texts(message))
    return "\n".join(part for part in (" ".join(parts).strip(), buttons) if part)


def button_texts(message: dict[str, Any], *, inline: bool | None = None) -> list[str]:
    """The labels of a message's buttons: inline ones, and a reply keyboard's (which the
    user's tap simply sends as text)."""
    rows: list[list[Any]] = []
    if inline is not False:
        rows += (message.get("reply_markup") or {}).get("inline_keyboard") or []
    if inline is not True:
        rows += (message.get("reply_keyboard") or {}).get("keyboard") or []
    return [
        button if isinstance(button, str) else str(button["text"]) for row in rows for button in row
    ]


class Client:
    """Acts as one user through the control API, and prints the bot's answers."""

    def __init__(self, http: aiohttp.ClientSession, args: argparse.Namespace) -> None:
        self.http, self.args = http, args
        self.base = f"http://{args.host}:{args.port}/_control"

    async def messages(self) -> list[dict[str, Any]]:
        async with self.http.get(f"{self.base}/chats/{self.args.user}/messages") as response:
            response.raise_for_status()
            found: list[dict[str, Any]] = await response.json()
            return found

    async def act(self, kind: str, body: dict[str, Any]) -> None:
        before = len(await self.messages())
        body = {**body, "first_name": self.args.name or f"User{self.args.user}"}
        url = f"{self.base}/users/{self.args.user}/{kind}"
        async with self.http.post(url, json=body) as response:
            response.raise_for_status()
        await self.print_answers(before)

    async def print_answers(self, before: int) -> None:
        seen, quiet, waited = before, 0.0, 0.0
        while waited < WAIT_SECONDS and (seen == before or quiet < QUIET_SECONDS):
            await asyncio.sleep(0.25)
            waited += 0.25
            messages = await self.messages()
            if len(messages) > seen:
                for message in messages[seen:]:
                    show(f"bot: {shown(message)}")
                seen, quiet = len(messages), 0.0
            else:
                quiet += 0.25
        if seen == before:
            show("(no answer yet: is liaison-bot run pointed at this server?)")

    async def press(self, label: str) -> None:
        for message in reversed(await self.messages()):
            if label in button_texts(message, inline=True):
                await self.act("press", {"message_id": message["message_id"], "text": label})
                return
            if label in button_texts(message, inline=False):
                await self.act("text", {"text": label})  # a keyboard button sends its text
                return
        raise SystemExit(f"no message to user {self.args.user} has a button {label!r}")


async def act(args: argparse.Namespace) -> None:
    async with aiohttp.ClientSession() as http:
        client = Client(http, args)
        if args.action == "say":
            await client.act("text", {"text": " ".join(args.text)})
        elif args.action == "press":
            await client.press(args.button)
        elif args.action in ("photo", "file"):
            path = Path(args.path)
            data = base64.b64encode(await asyncio.to_thread(path.read_bytes)).decode()
            if args.action == "photo":
                await client.act("photo", {"data_b64": data, "caption": args.caption})
            else:
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                await client.act(
                    "document", {"data_b64": data, "file_name": path.name, "mime_type": mime,
                                 "caption": args.caption},
                )  # fmt: skip


def parser() -> argparse.ArgumentParser:
    root = console.root_parser("bot.fakes.telegram", __doc__, 8088)
    root.add_argument("--token", default=TOKEN, help="the bot token it accepts")
    root.add_argument("--write-env", metavar="FILE", help="also write the settings to FILE")
    root.add_argument("--data", default="try-data", help="DATA_DIR for the settings it prints")
    actions = root.add_subparsers(dest="action")
    helps = {
        "say": "send text (a command, an answer)",
        "press": "tap a button on the latest message showing it",
        "photo": "send a photo",
        "file": "send a file (e.g. 成员单位.csv)",
    }
    for name, help_ in helps.items():
        action = actions.add_parser(name, help=help_)
        console.address(action, 8088)
        action.add_argument("--user", type=int, required=True, help="the user's Telegram id")
        action.add_argument("--name", default="", help="the user's first name")
        if name == "say":
            action.add_argument("text", nargs=argparse.REMAINDER)  # a code may start with "-"
        elif name == "press":
            action.add_argument("button", help="the button's text")
        else:
            action.add_argument("path")
            action.add_argument("--caption", default=None)
    return root


def main(argv: list[str] | None = None) -> None:
    console.run(parser().parse_args(argv), "bot.fakes.telegram", serve, act)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
