"""The evaluation archive in chat, as its users meet it (Telegram against the fake server).

A liaison reports with an album and two documents: one tap files the album under an
indicator, one question completes its caption. The office reads the captions in the review,
retags a file, sends /archive and opens the ZIP and the workbooks it gets: the folder tree,
continuous 件号, the 目录 columns and page counts, a file in two folders, 佐证材料编号 in the
指标完成情况表. /coverage lists what is still missing and nudges the lead unit once.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlmodel import select

from bot.archive.files import make_archive
from bot.archive.framework_import import import_framework
from bot.archive.frameworks import choose_framework, load_tree
from bot.archive.links import links_from_table
from bot.clock import ManualClock
from bot.deps import Deps
from bot.domain.importing.apply import import_file
from bot.fakes.telegram import FakeUser, SentMessage
from storage.models import AssignmentRole, Delivery, Evidence, EvidenceKind, Transport
from storage.repo_people import add_person_with_identity, assign_liaison
from storage.repo_units import add_unit, create_campaign
from tests.archive_files import SHORT, UNITS, county_xlsx, docx, pdf, tasks_xlsx
from tests.conftest import BotHarness
from tests.e2e.test_wecom_flow import OFFICE, Member, wecom_running

TZ = ZoneInfo("Asia/Shanghai")
WANG, ADMIN = 1001, 9001
CATALOG_HEADER = ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]


def jpeg(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (shade, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def seed_campaign(
    deps: Deps, *, liaison: tuple[Transport, str] = (Transport.TELEGRAM, "1001")
) -> None:
    """The units (with short names), 王芳 as 区卫健委's liaison, the 健康县区 framework and the
    责任分工 table with its 指标编号 column — as the office would have imported them."""
    with deps.db.session() as session:
        campaign = create_campaign(session=session, name="永川区健康县区建设")
        assert campaign.id is not None
        campaign.report_cooperating_tasks = True  # 区卫健委 only co-operates: asked all the same
        units = {}
        for order, name in enumerate(UNITS):
            unit = add_unit(session=session, campaign_id=campaign.id, full_name=name,
                            short_name=SHORT.get(name, ""), sort_order=order)  # fmt: skip
            unit.created_at = datetime(2026, 1, 1, tzinfo=TZ)
            units[name] = unit
        person = add_person_with_identity(session=session, name="王芳", transport=liaison[0],
                                          external_id=liaison[1], chat_id=liaison[1])  # fmt: skip
        assert person.id is not None
        health, since = units["区卫生健康委员会"].id, datetime(2026, 1, 1, tzinfo=TZ)
        assert health is not None
        assign_liaison(session=session, unit_id=health, person_id=person.id,
                       role=AssignmentRole.MAIN, valid_from=since)  # fmt: skip
        import_framework(session=session, file_name="细则.xlsx", data=county_xlsx())
        import_file(session=session, name="责任分工.xlsx", data=tasks_xlsx(), dry_run=False)
        framework = choose_framework(session=session, campaign_id=campaign.id)
        assert framework is not None
        tree = load_tree(session=session, framework=framework)
        links_from_table(session=session, campaign_id=campaign.id, tree=tree,
                         file_name="责任分工.xlsx", data=tasks_xlsx())  # fmt: skip


async def tap(bot: BotHarness, user: FakeUser, message: SentMessage, label: str) -> SentMessage:
    since = len(bot.world.messages_to(user.id))
    bot.world.press_button(user, message, text=label)
    [reply] = await bot.world.wait_for_messages(user.id, since=since)
    return reply


async def to_photo_step(bot: BotHarness, wang: FakeUser) -> SentMessage:
    """/report, work done, every task 按计划, every text step skipped: the photo step."""
    [opened] = await bot.world.say(wang, "/report")
    if "填写 2026-11" in opened.button_texts:  # October is overdue: report November itself
        await tap(bot, wang, opened, "填写 2026-11")
    [step] = await bot.world.say(wang, "11月开展健康社区创建和健康学校督导")
    step = await tap(bot, wang, step, "✅ 完成")
    while "请发送本月活动照片" not in step.text:
        label = "均按计划" if "均按计划" in step.button_texts else "跳过"
        step = await tap(bot, wang, step, label)
    return step


def zip_of(bot: BotHarness, message: SentMessage) -> bytes:
    return bot.world.file_bytes(message.raw["document"]["file_id"])


def rows_of(data: bytes, sheet: int = 0) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(data))
    return list(book.worksheets[sheet].iter_rows(values_only=True))


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_a_year_of_reports_becomes_the_archive_the_office_hands_evaluators(
    bot: BotHarness,
) -> None:
    bot.deps.clock = ManualClock(datetime(2026, 11, 23, 10, tzinfo=TZ))  # a Monday
    seed_campaign(bot.deps)
    wang, office = bot.world.user(WANG, "王芳"), bot.world.user(ADMIN, "陈静")
    await to_photo_step(bot, wang)

    # An album with a caption that lacks 地点 and 人物: one acknowledgement, one question,
    # the unit's few indicators as buttons (plus the step's own).
    since = len(bot.world.messages_to(WANG))
    bot.world.send_album(wang, [jpeg(n * 40) for n in range(3)], caption="11月18日健康讲座")
    [ack] = await bot.world.wait_for_messages(WANG, since=since)
    assert "已收到 3 张照片" in ack.text and "照片说明还缺地点、人物、背景" in ack.text
    assert ack.button_texts == ["🏷 2.3 健康社区建设", "🏷 2.4 健康促进学校",
                                "🏷 1 纳入县区发展规划", "🏷 2 制定健康县区实施方案", "✅ 完成",
                                "跳过"]  # fmt: skip
    tagged = await tap(bot, wang, ack, "🏷 2.3 健康社区建设")
    assert "已将 3 个文件归入指标“2.3 健康社区建设”" in tagged.text
    assert tagged.button_texts == ["✅ 完成", "跳过"]  # the tapped message lost its buttons
    [answered] = await bot.world.say(wang, "在卫星湖社区活动室，社区居民40余人参加")
    assert "已为 3 张照片补充说明" in answered.text

    since = len(bot.world.messages_to(WANG))
    bot.world.send_document(wang, pdf(3), file_name="健康社区创建方案.pdf",
                            mime_type="application/pdf")  # fmt: skip
    bot.world.send_document(wang, docx(1, saved_pages=2), file_name="永卫发〔2026〕12号 通知.docx",
                            mime_type="application/octet-stream")  # fmt: skip
    [files_ack] = await bot.world.wait_for_messages(WANG, since=since)
    assert "已收到 2 份文件" in files_ack.text and "还缺" not in files_ack.text  # no photos
    review = await tap(bot, wang, files_ack, "✅ 完成")
    done = await tap(bot, wang, review, "📨 提交")
    assert "已提交" in done.text

    # The office reads each caption in the review and retags the plan.
    [queue] = await bot.world.say(office, "/review")
    since = len(bot.world.messages_to(ADMIN))
    bot.world.press_button(office, queue, text=queue.button_texts[0])
    opened = (await bot.world.wait_for_messages(ADMIN, 4, since=since))[-1]  # 3 photos, text
    assert (
        "#1–#3 照片 3 张：11月18日健康讲座；在卫星湖社区活动室，社区居民40余人参加" in opened.text
    )
    assert "#4 文件：健康社区创建方案.pdf" in opened.text
    [shown] = await bot.world.say(office, "/evidence 4")
    assert "归档指标（按任务默认）：2.3 健康社区建设；2.4 健康促进学校" in shown.text
    [retagged] = await bot.world.say(office, "/evidence 4 指标 2.3")
    assert "归档指标：2.3 健康社区建设" in retagged.text
    toggled = await tap(bot, office, retagged, "➕ 2.4 健康促进学校")
    assert "归档指标：2.3 健康社区建设；2.4 健康促进学校" in toggled.text
    [titled] = await bot.world.say(office, "/evidence 4 题名 卫星湖社区健康社区创建方案")
    assert "题名：卫星湖社区健康社区创建方案" in titled.text

    # /archive: the reply, the ZIP and the 指标完成情况表.
    replies = await bot.world.say(office, "/archive 2026", replies=3)
    assert "<b>" not in replies[0].text and "2026 年度台账" in replies[0].text
    assert "共 7 件（5 个文件，13 页）" in replies[0].text
    names = [m.raw["document"]["file_name"] for m in replies[1:]]
    assert names == ["2026年度台账.zip", "2026年度指标完成情况表.xlsx"]
    bundle = zipfile.ZipFile(io.BytesIO(zip_of(bot, replies[1])))
    folder_23 = "2026/002 营造健康环境/001 2.3 健康社区建设"
    folder_24 = "2026/002 营造健康环境/002 2.4 健康促进学校"
    assert sorted(bundle.namelist()) == sorted([
        "2026/000 总目录.xlsx", "2026/000 指标完成情况表.xlsx",
        f"{folder_23}/000 归档文件目录.xlsx",
        f"{folder_23}/0001 11月18日健康讲座；在卫星湖社区活动室，社区居民40余人参加.jpg",
        f"{folder_23}/0002 11月18日健康讲座；在卫星湖社区活动室，社区居民40余人参加.jpg",
        f"{folder_23}/0003 11月18日健康讲座；在卫星湖社区活动室，社区居民40余人参加.jpg",
        f"{folder_23}/0004 卫星湖社区健康社区创建方案.pdf",
        f"{folder_23}/0005 永卫发〔2026〕12号 通知.docx",
        f"{folder_24}/000 归档文件目录.xlsx",
        f"{folder_24}/0006 卫星湖社区健康社区创建方案.pdf",
        f"{folder_24}/0007 永卫发〔2026〕12号 通知.docx",
    ])  # fmt: skip
    with bot.deps.db.session() as session:
        stored = {e.id: e for e in session.exec(select(Evidence))}
    assert bundle.read(f"{folder_23}/0004 卫星湖社区健康社区创建方案.pdf") == pdf(3)
    assert bundle.read(f"{folder_24}/0006 卫星湖社区健康社区创建方案.pdf") == pdf(3)
    assert len({e.sha256 for e in stored.values()}) == 5  # five files kept once each
    assert all(bundle.getinfo(n).flag_bits & 0x800 for n in bundle.namelist())  # UTF-8 names

    catalog = rows_of(bundle.read(f"{folder_23}/000 归档文件目录.xlsx"))
    assert catalog[0][0] == "归档文件目录（健康县区评估细则 2024版·2026年度）"
    assert catalog[1][0].startswith("年度：2026") and "保管期限：10年" in catalog[1][0]
    assert list(catalog[2]) == CATALOG_HEADER
    lines = catalog[3:]
    assert [line[0] for line in lines] == [1, 2, 3, 4, 5]
    assert [line[1] for line in lines] == [f"2026-D10-2.3-000{n}" for n in range(1, 6)]
    assert [line[7] for line in lines] == [1, 1, 1, 3, 2]  # 页数: photos 1, PDF 3, DOCX 2
    assert lines[0][3] == "区卫生健康委员会" and lines[0][5] == "20261118"
    assert lines[0][8] == "照片，摄影者：王芳" and lines[0][6] is None  # 密级 blank
    assert lines[3][8] == "同见0006" and lines[4][2] == "永卫发〔2026〕12号"
    book = load_workbook(io.BytesIO(bundle.read(f"{folder_23}/000 归档文件目录.xlsx")))
    sheet = book.active
    assert sheet is not None
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    assert sheet.print_title_rows == "$1:$3"  # the header on every printed page

    overview = rows_of(bundle.read("2026/000 总目录.xlsx"))
    assert list(overview[2]) == [
        "序号",
        "一级指标",
        "二级指标",
        "件数",
        "起止件号",
        "页数",
        "文件夹",
    ]
    assert [row[2:6] for row in overview[3:8]] == [
        ("1 纳入县区发展规划", 0, None, 0), ("2 制定健康县区实施方案", 0, None, 0),
        ("2.3 健康社区建设", 5, "0001-0005", 8), ("2.4 健康促进学校", 2, "0006-0007", 5),
        ("2.5 全民健身", 0, None, 0),
    ]  # fmt: skip
    assert overview[8][:6] == ("合计", None, None, 7, None, 13)
    every = rows_of(bundle.read("2026/000 总目录.xlsx"), sheet=1)
    assert [row[0] for row in every[3:]] == list(range(1, 8))  # 件号 run on, no gap

    completion = rows_of(zip_of(bot, replies[2]))
    cited = {row[2]: row[12] for row in completion[3:]}
    assert cited["2.3 健康社区建设"] == "0001-0005" and cited["2.4 健康促进学校"] == "0006-0007"
    assert cited["2.5 全民健身"] is None
    assert completion[3:] == rows_of(bundle.read("2026/000 指标完成情况表.xlsx"))[3:]

    # /coverage: what is still missing, by lead unit; one nudge, however often tapped.
    [found] = await bot.world.say(office, "/coverage")
    assert "5 项指标中 2 项已有材料，3 项还没有" in found.text
    assert "区卫健委" in found.text and "制定健康县区实施方案" in found.text
    assert "区体育局" in found.text and "2.5 全民健身" in found.text
    since = len(bot.world.messages_to(WANG))
    nudged = await tap(bot, office, found, "📣 提醒牵头单位（3个）")
    assert "已私信提醒 1 个牵头单位：区卫健委" in nudged.text
    [nudge] = await bot.world.wait_for_messages(WANG, since=since)
    assert "制定健康县区实施方案" in nudge.text and "2.3" not in nudge.text
    [again] = await bot.world.say(office, "/coverage")
    repeated = await tap(bot, office, again, "📣 提醒牵头单位（3个）")
    assert "本月已提醒过，未重复发送：区卫健委" in repeated.text
    with bot.deps.db.session() as session:
        assert len(session.exec(select(Delivery).where(Delivery.kind == "coverage")).all()) == 1

    # Over the platform's limit: parts, each a complete archive with the 总目录.
    parts = make_archive(bot.deps, year=2026, max_bytes=60_000).files[:-1]
    assert len(parts) > 1
    numbers: list[str] = []
    for part in parts:
        names_in = zipfile.ZipFile(io.BytesIO(part.data)).namelist()
        assert "2026/000 总目录.xlsx" in names_in
        numbers += sorted(re.findall(r"/(\d{4}) ", " ".join(names_in)))
    assert sorted(numbers) == [f"{n:04d}" for n in range(1, 8)]


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_the_archive_needs_a_framework_and_refuses_liaisons(bot: BotHarness) -> None:
    bot.deps.clock = ManualClock(datetime(2026, 11, 23, 10, tzinfo=TZ))
    with bot.deps.db.session() as session:
        create_campaign(session=session, name="永川区健康县区建设")
    office = bot.world.user(ADMIN, "陈静")
    [none] = await bot.world.say(office, "/archive 2026")
    assert "还没有导入指标体系" in none.text and "liaison-bot framework import" in none.text
    [usage] = await bot.world.say(office, "/archive 明年")
    assert "/archive [年度]" in usage.text
    [unknown] = await bot.world.say(office, "/evidence #99")
    assert "没有编号为 #99 的材料" in unknown.text
    with bot.deps.db.session() as session:
        assert session.exec(select(Evidence).where(Evidence.kind == EvidenceKind.PHOTO)).all() == []


async def test_the_same_on_wecom_from_a_photo_to_the_archive(make_settings: Any) -> None:
    """WeCom sends photos one message each, without captions: the conversation's own question
    is the photo's one question; the tag choices come as numbers; /archive arrives as files."""
    async with wecom_running(make_settings) as (deps, world, endpoint):
        deps.clock = ManualClock(datetime(2026, 11, 23, 10, tzinfo=TZ))
        seed_campaign(deps, liaison=(Transport.WECOM, "wangfang"))
        wang, office = Member("wangfang", endpoint, world), Member(OFFICE, endpoint, world)
        [opened] = await wang.say("报送")
        if "填写 2026-11" in opened:
            await wang.choose(opened, "填写 2026-11")
        step = (await wang.say("11月开展健康社区创建"))[-1]
        step = (await wang.choose(step, "✅ 完成"))[-1]
        while "请发送本月活动照片" not in step:
            step = (await wang.choose(step, "均按计划" if "均按计划" in step else "跳过"))[-1]
        [ack] = await wang.send_image(world.add_media(jpeg(90), "image/jpeg", ""))
        assert "已收到 1 张照片" in ack and "没有说明" in ack and "还缺" not in ack
        assert "🏷 2.3 健康社区建设" in ack and "✅ 完成" in ack
        [tagged] = await wang.choose(ack, "🏷 2.3 健康社区建设")
        assert "已将 1 个文件归入指标“2.3 健康社区建设”" in tagged and "1 ✅ 完成" in tagged
        [captioned] = await wang.say("11月18日·卫星湖社区·健康讲座，居民40人")
        assert "已为 1 张照片补充说明" in captioned
        [review] = await wang.choose(captioned, "✅ 完成")
        [submitted] = await wang.choose(review, "📨 提交")
        assert "已提交" in submitted

        made = await office.say("归档 2026")
        assert "2026 年度台账" in made[0] and made[1:] == ["［file］", "［file］"]
        sent = [m for m in world.messages_to(OFFICE) if m["msgtype"] == "file"]
        data, _, name = world.media[sent[0]["file"]["media_id"]]
        assert name == "2026年度台账.zip"
        bundle = zipfile.ZipFile(io.BytesIO(data))
        folder = "2026/002 营造健康环境/001 2.3 健康社区建设"
        photo = f"{folder}/0001 11月18日·卫星湖社区·健康讲座，居民40人.jpg"
        assert bundle.read(photo) == jpeg(90)
        [gaps] = await office.say("佐证 2026")
        assert "5 项指标中 1 项已有材料" in gaps and "📣 提醒牵头单位（4个）" in gaps
