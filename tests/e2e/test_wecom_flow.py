"""Registration and a whole monthly report on WeCom: callbacks posted encrypted and signed
exactly as WeCom does, replies read from the fake WeCom API — the same domain code as Telegram,
with numbered plain-text choices instead of buttons."""

from __future__ import annotations

import asyncio
import errno
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from PIL import Image
from sqlmodel import select

from bot.clock import ManualClock
from bot.deps import Deps
from bot.fakes.ports import free_port
from bot.fakes.wecom import FakeWeCom, FakeWeComServer
from bot.wecom.callback import CallbackReceiver, callback_app
from bot.wecom.client import WeComClient
from handlers.wecom import WeComAdapter
from storage.files import StoredFile
from storage.migrate import upgrade_database
from storage.models import ChatIdentity, Evidence, Submission
from tests.e2e.seed import backdate_units, invite_code, seed_units
from tests.e2e.test_schedule import moment
from tests.e2e.test_wecom_callback import CRYPTO, PATH, Endpoint, text_message, wall_clock

CHOICES = re.compile(r"回复数字选择：(.+)$", re.MULTILINE)
OFFICE = "chenjing"  # an office admin (WECOM_ADMIN_USERIDS)


@dataclass
class Member:
    userid: str
    endpoint: Endpoint
    world: FakeWeCom
    sent: int = 0  # messages typed so far (each gets its own MsgId)
    seen: int = 0  # replies already read

    async def say(self, text: str) -> list[str]:
        """Type ``text`` in the app; the bot's replies to this member since then."""
        self.sent += 1
        await self.endpoint.post(text_message(text, f"{self.userid}-{self.sent}", user=self.userid))
        return self._new_replies()

    async def send_image(self, media_id: str) -> list[str]:
        return await self.send_media(
            "image", media_id, "<PicUrl>http://example.invalid/p.jpg</PicUrl>"
        )

    async def send_file(self, data: bytes, name: str) -> list[str]:
        media_id = self.world.add_media(data, "application/octet-stream", name)
        return await self.send_media("file", media_id, f"<FileName>{name}</FileName>")

    async def send_media(self, kind: str, media_id: str, extra: str) -> list[str]:
        self.sent += 1
        await self.endpoint.post(
            f"<xml><ToUserName>corp</ToUserName><FromUserName>{self.userid}</FromUserName>"
            f"<CreateTime>{wall_clock()}</CreateTime><MsgType>{kind}</MsgType>{extra}"
            f"<MediaId>{media_id}</MediaId><MsgId>{self.userid}-{self.sent}</MsgId></xml>".encode()
        )
        return self._new_replies()

    def _new_replies(self) -> list[str]:
        replies = [
            m["text"]["content"] if m["msgtype"] == "text" else f"［{m['msgtype']}］"
            for m in self.world.messages_to(self.userid)
        ]
        new, self.seen = replies[self.seen :], len(replies)
        return new

    async def choose(self, reply: str, label: str) -> list[str]:
        """Answer a numbered choice by the number shown for ``label``."""
        found = CHOICES.search(reply)
        assert found is not None, reply
        numbers = dict(
            (name.strip(), number)
            for number, name in (c.split(" ", 1) for c in found.group(1).split(" · "))
        )
        assert label in numbers, (label, numbers)
        return await self.say(numbers[label])


def jpeg(red: int = 20) -> bytes:
    """A small photo; a different ``red`` makes a different file."""
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (red, 140, 90)).save(out, format="JPEG")
    return out.getvalue()


@asynccontextmanager
async def wecom_running(
    make_settings: Any, *, ack_delay: float = 0.0, cards: bool = False
) -> AsyncIterator[tuple[Deps, FakeWeCom, Endpoint]]:
    """The WeCom adapter behind its callback endpoint, against the fake WeCom API (numbered
    choices only, as in the WeChat plug-in, unless ``cards``; files acknowledged at once unless
    ``ack_delay``)."""
    deps = Deps.from_settings(make_settings(), clock=ManualClock(moment("2026-09-25 10:00")))
    upgrade_database(deps.db.engine)
    world = FakeWeCom(corp_id=CRYPTO.receive_id)
    async with FakeWeComServer(world) as api, aiohttp.ClientSession() as session:
        client = WeComClient(base_url=api.base_url, corp_id=world.corp_id, agent_id=1000002,
                             secret=world.secret, session=session)  # fmt: skip
        adapter = WeComAdapter(
            deps, client, admin_userids=(OFFICE,), cards=cards, ack_delay=ack_delay
        )
        receiver = CallbackReceiver(deps, CRYPTO, adapter.handle)
        runner = web.AppRunner(callback_app(receiver, PATH))
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            yield deps, world, Endpoint(f"http://127.0.0.1:{port}{PATH}", receiver, [])
        finally:
            await runner.cleanup()
            deps.close()


@pytest.fixture
async def wecom_bot(make_settings: Any) -> AsyncIterator[tuple[Deps, FakeWeCom, Endpoint]]:
    async with wecom_running(make_settings) as running:
        yield running


async def test_register_and_report_on_wecom(wecom_bot: tuple[Deps, FakeWeCom, Endpoint]) -> None:
    deps, world, endpoint = wecom_bot
    [unit_id] = seed_units(deps, "区卫生健康委")
    code = invite_code(deps, unit_id)
    wang = Member("wangfang", endpoint, world)

    [ask_name] = await wang.say(f"绑定 {code}")
    assert "姓名" in ask_name
    [ask_phone] = await wang.say("王芳")
    assert "手机" in ask_phone
    [done] = await wang.say("跳过")
    assert "登记完成" in done and "区卫生健康委" in done
    with deps.db.session() as session:
        identity = session.exec(select(ChatIdentity)).one()
    assert (identity.transport, identity.external_id) == ("wecom", "wangfang")

    [ask_work] = await wang.say("报送")
    assert "第1步" in ask_work
    [added] = await wang.say("9月20日开展高血压义诊，120人参加。")
    assert "已记录" in added and "回复数字选择" in added
    [problems] = await wang.choose(added, "✅ 完成")
    assert "第2步" in problems
    [coordination] = await wang.say("宣传经费不足")
    [plan] = await wang.choose(coordination, "跳过")
    assert "第4步" in plan
    [photos] = await wang.say("10月开展控烟宣传")
    assert "照片" in photos
    media_id = world.add_media(jpeg(), "image/jpeg", "")
    [received] = await wang.send_image(media_id)
    assert "已收到 1 张照片" in received and "没有说明" in received
    [captioned] = await wang.say("9月20日·卫星湖社区·义诊")
    assert "说明" in captioned
    [review] = await wang.choose(photos, "✅ 完成")
    assert "请核对" in review and "120人参加" in review and "宣传经费不足" in review
    assert "照片 1 张" in review
    [submitted] = await wang.choose(review, "📨 提交")
    assert "已提交" in submitted and "按时" in submitted
    with deps.db.session() as session:
        [row] = session.exec(select(Submission)).all()
    assert row.work_done == "9月20日开展高血压义诊，120人参加。" and row.problems == "宣传经费不足"
    assert row.next_plan == "10月开展控烟宣传" and row.photo_count == 1
    with deps.db.session() as session:
        [kept] = session.exec(select(Evidence)).all()
    assert (
        kept.caption == "9月20日·卫星湖社区·义诊" and deps.files.read_bytes(kept.sha256) == jpeg()
    )

    office = Member(OFFICE, endpoint, world)
    await office.say("审核")
    picture, opened = await office.say("1")  # the photo first, then the report
    assert picture == "［image］" and "9月20日开展高血压义诊" in opened
    [image] = [m for m in world.messages_to(OFFICE) if m["msgtype"] == "image"]
    assert world.media[image["image"]["media_id"]][0] == jpeg()


async def test_a_stranger_and_a_wrong_number_get_clear_answers(
    wecom_bot: tuple[Deps, FakeWeCom, Endpoint],
) -> None:
    _, world, endpoint = wecom_bot
    stranger = Member("zhaomin", endpoint, world)
    [refused] = await stranger.say("报送")
    assert "还没有登记" in refused
    [wrong] = await stranger.say("绑定 不是登记码")
    assert "无效" in wrong


async def register(member: Member, deps: Deps, unit_id: int, name: str = "王芳") -> None:
    """Bind with a fresh code for the unit, give the name, skip the phone."""
    await member.say(f"绑定 {invite_code(deps, unit_id)}")
    await member.say(name)
    await member.say("跳过")


async def submit_quickly(wang: Member) -> None:
    """A short report: work, then skip to the review and submit."""
    await wang.say("报送")
    step = (await wang.say("开展义诊一次。"))[-1]
    step = (await wang.choose(step, "✅ 完成"))[-1]
    while "请核对" not in step:
        step = (await wang.choose(step, "跳过"))[-1]
    await wang.choose(step, "📨 提交")


async def test_the_office_reviews_and_gets_the_files_on_wecom(
    wecom_bot: tuple[Deps, FakeWeCom, Endpoint],
) -> None:
    deps, world, endpoint = wecom_bot
    [unit_id] = seed_units(deps, "区卫生健康委")
    wang, office = Member("wangfang", endpoint, world), Member(OFFICE, endpoint, world)
    await register(wang, deps, unit_id)
    await submit_quickly(wang)

    [refused] = await wang.say("审核")  # a liaison is not the office
    assert "创建办" in refused and "待审" not in refused

    [queue] = await office.say("审核")
    assert "待审报告" in queue and "1 区卫生健康委 · 2026-09" in queue
    [opened] = await office.say("1")
    assert "开展义诊一次。" in opened and "1 ✅ 通过 · 2 ↩️ 退回补充" in opened
    [asked] = await office.choose(opened, "↩️ 退回补充")
    assert "请回复退回" in asked
    [returned] = await office.say("请补充参加人数")
    assert "已退回补充" in returned
    told = wang_last(world)  # the liaison was told privately
    assert "意见：请补充参加人数" in told and "1 📝 修改报告" in told

    [summary] = await office.say("汇总 2026-09")
    assert "2026-09 汇总" in summary and "1 📊 Excel 汇总表" in summary
    await office.choose(summary, "📊 Excel 汇总表")
    [sent_file] = [m for m in world.messages_to(OFFICE) if m["msgtype"] == "file"]
    data, _, name = world.media[sent_file["file"]["media_id"]]
    assert name == "2026-09_汇总表.xlsx" and data[:2] == b"PK"


def wang_last(world: FakeWeCom) -> str:
    return str(world.messages_to("wangfang")[-1]["text"]["content"])


async def test_every_office_command_works_on_wecom(
    wecom_bot: tuple[Deps, FakeWeCom, Endpoint],
) -> None:
    """The office runs the campaign from WeCom alone: import the units, invite a liaison (who
    binds with the code), read the roster and the digest, 催报, extend, lock — the same
    commands as on Telegram, typed as words or with their slash."""
    deps, world, endpoint = wecom_bot
    deps.clock = ManualClock(moment("2026-09-28 10:00"))  # a workday (the 25th is 中秋)
    office = Member(OFFICE, endpoint, world)
    units = "单位名称,简称\n永川区教育委员会,区教委\n永川区民政局,区民政局\n".encode("gbk")
    [check] = await office.send_file(units, "units.csv")
    assert "导入检查" in check and "1 ✅ 确认导入 · 2 取消" in check
    [imported] = await office.choose(check, "✅ 确认导入")
    assert "导入完成" in imported
    backdate_units(deps, moment("2026-09-01 00:00"))  # as if imported before September

    [invited] = await office.say("邀请 区教委")
    code = re.search(r"绑定 (\S+)」", invited)
    assert code is not None and "登记链接" not in invited  # no Telegram here: no link
    li = Member("liqiang", endpoint, world)
    await li.say(f"绑定 {code.group(1)}")
    await li.say("李强")
    [bound] = await li.say("跳过")
    assert "登记完成" in bound and "区教委" in bound

    [roster] = await office.say("名册")
    assert "区教委" in roster and "李强" in roster
    [digest] = await office.say("/digest 2026-09")
    assert "2026-09" in digest and "区教委" in digest
    [preview] = await office.say("催报")
    assert "区教委" in preview and "区民政局" not in preview  # 区民政局 has no liaison yet
    [reminded] = await office.choose(preview, "📣 催报全部未报单位（1个）")
    assert "区教委" in reminded
    assert "2026-09" in li._new_replies()[-1]  # 李强 got the 催报 privately

    [extended] = await office.say("延期 区教委 2026-09 2026-10-15 迎检")
    assert "2026-10-15" in extended
    [locked] = await office.say("锁定 2026-08")
    assert "2026-08" in locked
    helped = "".join(await office.say("帮助"))  # long: in pieces of WeCom's size
    assert "汇总、未报" in helped and "锁定" in helped
    [unknown] = await office.say("/nonsense")
    assert "/nonsense" in unknown
    [refused] = await li.say("/lock 2026-09")  # a liaison is not an admin
    assert "创建办" in refused


async def test_a_forged_card_tap_for_another_unit_is_refused_and_changes_nothing(
    wecom_bot: tuple[Deps, FakeWeCom, Endpoint],
) -> None:
    deps, world, endpoint = wecom_bot
    mine, theirs = seed_units(deps, "区卫生健康委", "区教委")
    wang = Member("wangfang", endpoint, world)
    await register(wang, deps, mine)
    world.response_codes["RC-forged"] = "some-card"  # a code WeCom would accept
    await endpoint.post(
        f"<xml><ToUserName>corp</ToUserName><FromUserName>wangfang</FromUserName>"
        f"<CreateTime>{wall_clock()}</CreateTime><MsgType>event</MsgType>"
        f"<Event>template_card_event</Event><EventKey>rp:{theirs}:202609:noprog</EventKey>"
        f"<TaskId>some-card</TaskId><ResponseCode>RC-forged</ResponseCode></xml>".encode()
    )
    assert "您不是这个单位的联络员" in wang_last(world)
    assert world.card_updates == []  # no card greyed out for a refused tap
    with deps.db.session() as session:
        assert session.exec(select(Submission)).all() == []


async def test_a_burst_of_photos_is_acknowledged_once(make_settings: Any) -> None:
    """Nine photos arrive as nine messages: each is stored at once, and one "已收到" answers
    for all of them (WeCom also counts every message against the member's 30 a minute)."""
    async with wecom_running(make_settings, ack_delay=0.3) as (deps, world, endpoint):
        [unit_id] = seed_units(deps, "区卫生健康委")
        wang = Member("wangfang", endpoint, world)
        await register(wang, deps, unit_id)
        await wang.say("报送")
        pictures = [jpeg(red=shade * 60) for shade in range(3)]
        media = [world.add_media(data, "image/jpeg", "") for data in pictures]
        replies = await asyncio.gather(*(wang.send_image(media_id) for media_id in media))
        acknowledged = [text for batch in replies for text in batch]
        assert len(acknowledged) == 1 and "已收到 3 张照片" in acknowledged[0]
        with deps.db.session() as session:
            assert len(session.exec(select(Evidence)).all()) == 3


async def test_a_full_disk_is_said_plainly_on_wecom_and_the_photo_can_be_sent_again(
    wecom_bot: tuple[Deps, FakeWeCom, Endpoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    deps, world, endpoint = wecom_bot
    [unit_id] = seed_units(deps, "区卫生健康委")
    wang = Member("wangfang", endpoint, world)
    await register(wang, deps, unit_id)
    await wang.say("报送")
    media_id = world.add_media(jpeg(), "image/jpeg", "")

    def no_space(_data: bytes) -> StoredFile:
        raise OSError(errno.ENOSPC, "No space left on device")

    real_put = deps.files.put_bytes
    monkeypatch.setattr(deps.files, "put_bytes", no_space)
    [told] = await wang.send_image(media_id)
    assert "存储空间" in told
    with deps.db.session() as session:
        assert session.exec(select(Evidence)).all() == []
    monkeypatch.setattr(deps.files, "put_bytes", real_put)
    [received] = await wang.send_image(world.add_media(jpeg(), "image/jpeg", ""))
    assert "已收到 1 张照片" in received
