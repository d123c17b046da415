"""``python -m bot.fakes.wecom``: the fake WeCom API as a server of its own, to try the real
``liaison-bot run`` with ``TRANSPORT=wecom`` on this machine — and the commands to act as a
member typing in the WeCom app.

    python -m bot.fakes.wecom --port 8090 --write-env try-wecom.env    # serve; Ctrl-C stops
    liaison-bot run --env-file try-wecom.env                            # another terminal
    python -m bot.fakes.wecom say --port 8090 --user wangfang 绑定 CODE
    python -m bot.fakes.wecom tap --port 8090 --user wangfang 📨 提交
    python -m bot.fakes.wecom photo --port 8090 --user wangfang picture.jpg

A member's message is encrypted and signed as WeCom does and posted to the bot's callback
(``--callback``, by default where the printed settings make the bot listen); the bot's
answers reach this fake through the WeCom API and are printed (cards with their buttons).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.fakes import console
from bot.fakes.console import show, until_stopped, write_settings
from bot.fakes.wecom.callbacks import member_message, post_callback
from bot.fakes.wecom.server import FakeWeCom, FakeWeComServer
from bot.wecom.crypto import WeComCrypto

CORP_ID = "ww-fake-corp"
AGENT_ID = 1000002
SECRET = "fake-app-secret"
TOKEN = "fakecallbacktoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OFFICE_ADMIN = "chenjing"
CALLBACK_PATH = "/wecom/callback"
QUIET_SECONDS = 1.5
WAIT_SECONDS = 20.0


def settings_lines(base_url: str, callback_port: int, data: str) -> list[str]:
    return [
        "TRANSPORT=wecom",
        f"WECOM_CORP_ID={CORP_ID}",
        f"WECOM_AGENT_ID={AGENT_ID}",
        f"WECOM_SECRET={SECRET}",
        f"WECOM_TOKEN={TOKEN}",
        f"WECOM_ENCODING_AES_KEY={AES_KEY}",
        f"WECOM_API_BASE_URL={base_url}",
        "WECOM_CALLBACK_LISTEN=127.0.0.1",
        f"WECOM_CALLBACK_PORT={callback_port}",
        f"WECOM_ADMIN_USERIDS={OFFICE_ADMIN}",
        f"DATABASE_URL=sqlite:///{data}/liaison.db",
        f"DATA_DIR={data}",
    ]


class Members:
    """The control routes: post what a member does to the bot's callback, list what the bot
    sent them."""

    def __init__(self, world: FakeWeCom, callback_url: str) -> None:
        self.world, self.callback_url = world, callback_url
        self.crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
        # MsgIds go on growing across restarts, as WeCom's do (the bot drops repeats).
        self.ids = itertools.count(int(time.time()) * 1000)  # clock-ok

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/_control/users/{userid}/{action}", self.act),
            web.get("/_control/users/{userid}/messages", self.messages),
        ]

    async def messages(self, request: web.Request) -> web.Response:
        return web.json_response(self.world.messages_to(request.match_info["userid"]))

    async def act(self, request: web.Request) -> web.Response:
        userid, action = request.match_info["userid"], request.match_info["action"]
        body: dict[str, Any] = await request.json()
        msg_id = str(next(self.ids))
        if action == "text":
            fields = {"MsgType": "text", "Content": str(body["text"])}
        elif action in ("image", "file"):
            data = base64.b64decode(body["data_b64"])
            name = str(body.get("file_name") or "")
            media_id = self.world.add_media(data, str(body["mime_type"]), name)
            fields = {"MsgType": action, "MediaId": media_id}
            if action == "file":
                fields["FileName"] = name
        elif action == "tap":
            key = self._button_key(userid, str(body["button"]))
            if key is None:
                return web.json_response({"error": "no card shows that button"}, status=404)
            fields = {"MsgType": "event", **self.world.click(userid, key)}
            msg_id = ""
        else:
            raise web.HTTPNotFound
        plain = member_message(CORP_ID, userid, fields, msg_id)
        try:
            status = await post_callback(self.callback_url, plain, self.crypto)
        except aiohttp.ClientError:
            return web.json_response({"status": 0, "error": f"nothing at {self.callback_url}"})
        return web.json_response({"status": status})

    def _button_key(self, userid: str, label: str) -> str | None:
        for card in reversed(self.world.cards_to(userid)):
            for button in card["button_list"]:
                if button["text"] == label:
                    return str(button["key"])
        return None


async def serve(args: argparse.Namespace) -> None:
    world = FakeWeCom(corp_id=CORP_ID, secret=SECRET)
    callback = args.callback or f"http://127.0.0.1:{args.callback_port}{CALLBACK_PATH}"
    members = Members(world, callback)
    server = FakeWeComServer(world, host=args.host, port=args.port, extra_routes=members.routes())
    async with server:
        lines = settings_lines(server.base_url, args.callback_port, args.data)
        if args.write_env:
            write_settings(Path(args.write_env), lines)
        me = f"python -m bot.fakes.wecom {{}} --port {args.port}"
        show(
            f"Fake WeCom API on {server.base_url}; members' messages go to {callback}. "
            "Ctrl-C stops.",
            "",
            "Settings for liaison-bot"
            + (f" (written to {args.write_env}):" if args.write_env else ":"),
            *(f"  {line}" for line in lines),
            "",
            "Run the bot against it:",
            f"  liaison-bot run --env-file {args.write_env or 'FILE-WITH-THE-SETTINGS'}",
            "",
            f"Act as a member ({OFFICE_ADMIN} is an office admin; choices are answered by "
            "their number):",
            f"  {me.format('say')} --user {OFFICE_ADMIN} 帮助",
            f"  {me.format('file')} --user {OFFICE_ADMIN} 成员单位.csv",
            f"  {me.format('say')} --user wangfang 绑定 CODE",
            f"  {me.format('say')} --user wangfang 报送",
            f"  {me.format('tap')} --user wangfang '📨 提交'",
            f"  {me.format('photo')} --user wangfang picture.jpg",
        )
        await until_stopped()


def shown(message: dict[str, Any]) -> str:
    kind = message.get("msgtype")
    if kind == "template_card":
        card = message["template_card"]
        buttons = " ".join(f"［{b['text']}］" for b in card["button_list"])
        return f"［卡片］{card['main_title']['title']} {buttons}"
    if kind in ("file", "image"):
        return f"［{'文件' if kind == 'file' else '图片'}］"
    return str((message.get("text") or {}).get("content", ""))


async def act(args: argparse.Namespace) -> None:
    base = f"http://{args.host}:{args.port}/_control/users/{args.user}"
    async with aiohttp.ClientSession() as http:

        async def sent() -> list[dict[str, Any]]:
            async with http.get(f"{base}/messages") as response:
                response.raise_for_status()
                found: list[dict[str, Any]] = await response.json()
                return found

        before = len(await sent())
        if args.action == "say":
            body: dict[str, Any] = {"text": " ".join(args.text)}
            action = "text"
        elif args.action == "tap":
            body, action = {"button": args.button}, "tap"
        else:
            path = Path(args.path)
            data = base64.b64encode(await asyncio.to_thread(path.read_bytes)).decode()
            action = "image" if args.action == "photo" else "file"
            mime = "image/jpeg" if action == "image" else "application/octet-stream"
            body = {"data_b64": data, "file_name": path.name, "mime_type": mime}
        async with http.post(f"{base}/{action}", json=body) as response:
            answer = await response.json()
            if response.status == 404:
                sys.exit(f"{args.user} has no card with a button {args.button!r}")
        if answer.get("status") != 200:
            reason = answer.get("error") or f"it answered {answer.get('status')}"
            show(f"(the bot's callback did not take it: {reason}; is liaison-bot running?)")
            return
        seen, quiet, waited = before, 0.0, 0.0
        while waited < WAIT_SECONDS and (seen == before or quiet < QUIET_SECONDS):
            await asyncio.sleep(0.25)
            waited += 0.25
            messages = await sent()
            if len(messages) > seen:
                for message in messages[seen:]:
                    show(f"bot: {shown(message)}")
                seen, quiet = len(messages), 0.0
            else:
                quiet += 0.25
        if seen == before:
            show("(no answer yet)")


def parser() -> argparse.ArgumentParser:
    root = console.root_parser("bot.fakes.wecom", __doc__, 8090)
    root.add_argument("--callback-port", type=int, default=8081,
                      help="WECOM_CALLBACK_PORT for the bot (default 8081)")  # fmt: skip
    root.add_argument("--callback", help="the bot's callback URL, if not on 127.0.0.1")
    root.add_argument("--write-env", metavar="FILE", help="also write the settings to FILE")
    root.add_argument(
        "--data", default="try-wecom-data", help="DATA_DIR for the settings it prints"
    )
    actions = root.add_subparsers(dest="action")
    helps = {
        "say": "type text in the app (a word command, an answer, a number for a choice)",
        "tap": "tap a button on the latest card showing it",
        "photo": "send a photo",
        "file": "send a file (e.g. 成员单位.csv)",
    }
    for name, help_ in helps.items():
        action = actions.add_parser(name, help=help_)
        console.address(action, 8090)
        action.add_argument("--user", required=True, help="the member's WeCom userid")
        if name == "say":
            action.add_argument("text", nargs=argparse.REMAINDER)  # a code may start with "-"
        elif name == "tap":
            action.add_argument("button", help="the button's text")
        else:
            action.add_argument("path")
    return root


def main(argv: list[str] | None = None) -> None:
    console.run(parser().parse_args(argv), "bot.fakes.wecom", serve, act)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
