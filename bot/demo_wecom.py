"""``liaison-bot demo --transport wecom``: the same bot on a local fake WeCom.

A member registers by typing ``绑定 登记码`` in the app and reports the month — text, a photo,
numbered choices, a tap on a card's button — exactly as in the WeCom client: every message is
posted to the bot's callback endpoint encrypted and signed the way WeCom does it, and the bot
answers through the fake WeCom API. No network, no WeCom account; a fresh SQLite database
under the output folder.
"""

from __future__ import annotations

import itertools
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.clock import NOW_VARIABLE, SystemClock
from bot.config import Settings
from bot.demo import DEMO_DATA, DEMO_START, demo_picture
from bot.deps import Deps
from bot.domain.importing.apply import import_file
from bot.domain.invites import find_units, issue_invites
from bot.fakes.ports import free_port
from bot.fakes.wecom import FakeWeCom, FakeWeComServer
from bot.fakes.wecom.callbacks import post_callback
from bot.wecom.callback import CallbackReceiver, callback_app
from bot.wecom.client import WeComClient
from bot.wecom.crypto import WeComCrypto
from handlers.wecom import WeComAdapter
from storage.migrate import upgrade_database
from storage.models import AssignmentRole
from storage.repo_units import get_default_campaign

CORP_ID = "ww-demo-corp"
CRYPTO = WeComCrypto("demo-token", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", CORP_ID)
PATH = "/wecom/callback"
CHOICE = re.compile(r"(\d+) ([^·\n]+)")
CARD = "［卡片］"


class DemoMember:
    """A WeCom member typing in the app; what they type and read is echoed as a transcript."""

    def __init__(
        self, userid: str, name: str, url: str, world: FakeWeCom, receiver: CallbackReceiver,
        echo: Callable[[str], None],
    ) -> None:  # fmt: skip
        self.userid, self.name, self.url = userid, name, url
        self.world, self.receiver, self.echo = world, receiver, echo
        self.ids = itertools.count(1)
        self.seen = 0

    async def post(self, inner: str, shown: str) -> str:
        self.echo(f"{self.name}：{shown}")
        xml = (
            f"<xml><ToUserName>{CORP_ID}</ToUserName><FromUserName>{self.userid}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime>{inner}"
            f"<MsgId>{self.userid}{next(self.ids)}</MsgId></xml>"
        )
        status = await post_callback(self.url, xml.encode(), CRYPTO)
        if status != 200:
            raise RuntimeError(f"the WeCom callback answered {status}")
        await self.receiver.drain()
        replies = [_shown(m) for m in self.world.messages_to(self.userid)]
        new, self.seen = replies[self.seen :], len(replies)
        for reply in new:
            self.echo("  机器人 → " + self.name + "：" + reply.replace("\n", "\n      "))
        texts = [reply for reply in new if not reply.startswith(CARD)]
        return texts[-1] if texts else ""

    async def say(self, text: str) -> str:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;")
        return await self.post(f"<MsgType>text</MsgType><Content>{escaped}</Content>", text)

    async def choose(self, reply: str, label: str) -> str:
        """Type the number the bot showed for ``label``."""
        numbers = {
            name.strip(): number
            for number, name in CHOICE.findall(reply.split("回复数字选择：")[-1])
        }
        return await self.say(numbers[label])

    async def tap(self, label: str) -> str:
        """Tap the button ``label`` on the latest card that shows it."""
        key = next(
            button["key"]
            for card in reversed(self.world.cards_to(self.userid))
            for button in card["button_list"]
            if button["text"] == label
        )
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in self.world.click(self.userid, key).items())
        return await self.post(f"<MsgType>event</MsgType>{fields}", f"［点按钮「{label}」］")

    async def photo(self, data: bytes) -> str:
        media_id = self.world.add_media(data, "image/jpeg", "")
        inner = f"<MsgType>image</MsgType><MediaId>{media_id}</MediaId>"
        return await self.post(inner, "［照片］")


def _shown(message: dict[str, Any]) -> str:
    """A message as the member sees it: text, or a card with its buttons."""
    if message["msgtype"] == "template_card":
        card = message["template_card"]
        buttons = " | ".join(button["text"] for button in card["button_list"])
        return f"{CARD}{card['main_title']['title']}　按钮：{buttons}"
    return str(message["text"]["content"])


async def run_wecom_demo(output: Path, *, echo: Callable[[str], None]) -> Path:
    data_dir = output / "data-wecom"
    shutil.rmtree(data_dir, ignore_errors=True)
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        echo(line)

    settings = Settings(_env_file=None, database_url=f"sqlite:///{data_dir / 'demo.db'}",
                        data_dir=data_dir, reminder_tick_seconds=0)  # fmt: skip
    deps = Deps.from_settings(settings, clock=SystemClock({NOW_VARIABLE: DEMO_START}))
    upgrade_database(deps.db.engine)
    with deps.db.session() as session:
        import_file(session=session, path=DEMO_DATA / "成员单位.csv", dry_run=False)
        campaign = get_default_campaign(session=session)
        assert campaign is not None and campaign.id is not None
        [unit] = find_units(session=session, campaign_id=campaign.id, query="区卫生健康委")
        [issued] = issue_invites(session=session, units=[unit], role=AssignmentRole.MAIN,
                                 replacement=False, now=deps.clock.now())  # fmt: skip
    world = FakeWeCom(corp_id=CORP_ID)
    async with FakeWeComServer(world) as api, aiohttp.ClientSession() as session_http:
        client = WeComClient(base_url=api.base_url, corp_id=CORP_ID, agent_id=1000002,
                             secret=world.secret, session=session_http)  # fmt: skip
        receiver = CallbackReceiver(deps, CRYPTO, WeComAdapter(deps, client, ()).handle)
        runner = web.AppRunner(callback_app(receiver, PATH))
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            wang = DemoMember("wangfang", "王芳", f"http://127.0.0.1:{port}{PATH}", world,
                              receiver, say)  # fmt: skip
            say("\n── 企业微信：联络员在应用里输入登记码登记 ──────────────────")
            await wang.say(f"绑定 {issued.code}")
            await wang.say("王芳")
            await wang.say("跳过")
            say("\n── 企业微信：报送本月工作（数字回复代替按钮）──────────────")
            await wang.say("报送")
            added = await wang.say("开展高血压免费筛查，120名居民参加。")
            await wang.choose(added, "✅ 完成")
            coordination = await wang.say("部分社区宣传栏老旧")
            await wang.choose(coordination, "跳过")
            photos = await wang.say("下月开展控烟宣传")
            await wang.photo(demo_picture(1))
            await wang.say("卫星湖社区·高血压筛查")
            await wang.choose(photos, "✅ 完成")
            say("\n── 企业微信：也可以点卡片上的按钮（卡片随即变为“已选择”）──────")
            await wang.tap("📨 提交")
        finally:
            await runner.cleanup()
            deps.close()
    path = output / "transcript-wecom.txt"
    path.write_text("\n".join(lines).lstrip() + "\n", encoding="utf-8")
    return path
