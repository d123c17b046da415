"""The office imports the 永川 member list, then a duty table written by someone else, in
chat: one question per name that is no unit's, answers remembered, nothing invented — on
Telegram (buttons) and on WeCom (numbered choices, the same table of buttons)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.deps import Deps
from bot.fakes.telegram.world import SentMessage
from bot.fakes.wecom import FakeWeCom
from storage.models import Campaign, MemberUnit, UnitAlias
from tests.conftest import BotHarness
from tests.e2e.seed import seed_liaison
from tests.e2e.test_wecom_callback import Endpoint
from tests.e2e.test_wecom_flow import OFFICE, Member
from tests.seedfiles import write_member_list, write_rows, yongchuan_members

ADMIN_ID = 9001
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DUTIES = [
    ["具体内容", "牵头单位", "配合单位", "完成时限"],
    ["1.建设健康促进学校", "区教委会", "区卫生建康委、卫星湖街道办", "2023年"],
    ["2.建设健康社区", "区卫生健康委", "县医改办", "长期坚持"],
]


def unit_names(deps: Deps) -> list[str]:
    with deps.db.session() as session:
        return list(session.exec(select(MemberUnit.full_name)))


async def send(bot: BotHarness, name: str, data: bytes, replies: int) -> list[SentMessage]:
    since = bot.world.count_to(ADMIN_ID)
    admin = bot.world.user(ADMIN_ID, "陈静")
    bot.world.send_document(admin, data, file_name=name, mime_type=XLSX)
    return await bot.world.wait_for_messages(ADMIN_ID, replies, since=since)


async def tap(bot: BotHarness, message: SentMessage, label: str) -> SentMessage:
    since = bot.world.count_to(ADMIN_ID)
    bot.world.press_button(bot.world.user(ADMIN_ID, "陈静"), message, text=label)
    [reply] = await bot.world.wait_for_messages(ADMIN_ID, since=since)
    return reply


@pytest.mark.bot_settings(office_admin_ids=(ADMIN_ID,))
async def test_names_are_asked_one_by_one_and_remembered_on_telegram(
    bot: BotHarness, tmp_path: Path
) -> None:
    members = write_member_list(yongchuan_members(), tmp_path / "成员单位.xlsx").read_bytes()
    [check] = await send(bot, "成员单位.xlsx", members, 1)
    assert "将新建 29" in check.text and check.button_texts == ["✅ 确认导入", "取消"]
    assert "导入完成" in (await tap(bot, check, "✅ 确认导入")).text

    duties = write_rows(DUTIES, tmp_path / "分工.xlsx").read_bytes()
    report, question = await send(bot, "分工.xlsx", duties, 2)
    assert "疑似：区教委会 → 区教委" in report.text
    assert "疑似：区卫生建康委 → 区卫生健康委" in report.text
    assert "卫星湖街道办" in report.text and "县医改办" in report.text
    assert "请确认名称（还有 4 个）" in question.text and "区教委会" in question.text
    assert question.button_texts == ["是 区教委", "新建单位", "不是单位，忽略"]

    second = await tap(bot, question, "是 区教委")
    assert "已记下：区教委会 就是 区教委" in second.text and "区卫生建康委" in second.text
    third = await tap(bot, second, "是 区卫生健康委")
    assert "卫星湖街道办" in third.text and "与已有单位都不相近" in third.text
    fourth = await tap(bot, third, "新建单位")
    assert "确认导入时将新建：卫星湖街道办" in fourth.text and "县医改办" in fourth.text
    final = await tap(bot, fourth, "不是单位，忽略")
    assert "已记下" not in final.text and "将新建的单位（1）：卫星湖街道办" in final.text
    assert final.button_texts == ["✅ 确认导入", "取消"]
    assert len(unit_names(bot.deps)) == 29  # nothing created before 确认导入
    done = await tap(bot, final, "✅ 确认导入")
    assert "新建的单位（1）：卫星湖街道办" in done.text
    assert len(unit_names(bot.deps)) == 30

    [again] = await send(bot, "分工.xlsx", duties, 1)  # the same file: nothing to ask
    assert "疑似" not in again.text and "请确认" not in again.text
    assert "任务：将新建 0，更新 0，未变 2" in again.text
    assert again.button_texts == ["✅ 确认导入", "取消"]
    with bot.deps.db.session() as session:
        aliases = {a.name: a.unit_id is not None for a in session.exec(select(UnitAlias))}
    assert aliases == {"区教委会": True, "区卫生建康委": True, "县医改办": False}


@pytest.mark.bot_settings(office_admin_ids=(ADMIN_ID,))
async def test_campaign_and_unit_commands_are_for_admins(bot: BotHarness) -> None:
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委", "区教委会"])
    admin = bot.world.user(ADMIN_ID, "陈静")
    [shown] = await bot.world.say(admin, "/campaign 地区 永川区")
    assert "地区：永川区" in shown.text and "区/县/市：区" in shown.text
    [named] = await bot.world.say(admin, "/campaign 名称 永川区创建国家健康促进区")
    assert "名称：永川区创建国家健康促进区" in named.text
    with bot.deps.db.session() as session:
        assert session.exec(select(Campaign)).one().region == "永川区"
    [merged] = await bot.world.say(admin, "/merge 区教委会 并入 区教委")
    assert "已将 区教委会 并入 区教委" in merged.text
    [listed] = await bot.world.say(admin, "/alias")
    assert "区教委会\t区教委" in listed.text
    [retired] = await bot.world.say(admin, "/retire 区教委 2026-02-01")
    assert "自 2026-02-01 起" in retired.text
    [restored] = await bot.world.say(admin, "/restore 区教委")
    assert "已恢复 区教委" in restored.text
    [unknown] = await bot.world.say(admin, "/rename 不存在 新名")
    assert "没有名为“不存在”的单位" in unknown.text
    liaison = bot.world.user(1001, "王芳")
    for line in ("/campaign", "/merge 区教委 区教委会", "/alias 甲 区教委", "/retire 区教委"):
        [refused] = await bot.world.say(liaison, line)
        assert "仅供创建办使用" in refused.text, refused.text
    assert sorted(unit_names(bot.deps)) == ["区教委", "区教委会"]  # merged, kept as history


async def test_names_are_asked_with_numbered_choices_on_wecom(
    wecom_bot: tuple[Deps, FakeWeCom, Endpoint], tmp_path: Path
) -> None:
    _, world, endpoint = wecom_bot
    office = Member(OFFICE, endpoint, world)
    members = write_member_list(yongchuan_members(), tmp_path / "成员单位.csv").read_bytes()
    [check] = await office.send_file(members, "成员单位.csv")
    [imported] = await office.choose(check, "✅ 确认导入")
    assert "新建 29" in imported

    duties = write_rows(DUTIES, tmp_path / "分工.xlsx").read_bytes()
    report, question = await office.send_file(duties, "分工.xlsx")
    assert "疑似：区教委会 → 区教委" in report and "回复数字" not in report
    assert "1 是 区教委 · 2 新建单位 · 3 不是单位，忽略" in question
    [second] = await office.choose(question, "是 区教委")
    assert "已记下：区教委会 就是 区教委" in second
    [third] = await office.say("1")  # 是 区卫生健康委, by its number
    assert "卫星湖街道办" in third
    [fourth] = await office.choose(third, "新建单位")
    [final] = await office.choose(fourth, "不是单位，忽略")
    assert "1 ✅ 确认导入 · 2 取消" in final
    [done] = await office.choose(final, "✅ 确认导入")
    assert "新建的单位（1）：卫星湖街道办" in done
    [again] = await office.send_file(duties, "分工.xlsx")
    assert "请确认" not in again and "任务：将新建 0，更新 0，未变 2" in again
    [identity] = await office.say("活动信息 地区 永川区")  # the command's WeCom word
    assert "地区：永川区" in identity
    [merged] = await office.say("单位合并 区妇联 并入 区总工会")
    assert "已将 区妇联 并入 区总工会" in merged


@pytest.fixture
async def wecom_bot(make_settings: Any) -> Any:
    from tests.e2e.test_wecom_flow import wecom_running

    async with wecom_running(make_settings) as running:
        yield running


@pytest.mark.bot_settings(office_admin_ids=(ADMIN_ID,))
async def test_tasks_gone_from_a_new_plan_are_retired_on_confirmation(
    bot: BotHarness, tmp_path: Path
) -> None:
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    rows = [DUTIES[0], *[[f"{n}.任务{n}", "区教委", "", "每年"] for n in (1, 2, 3)]]
    [check] = await send(bot, "a.xlsx", write_rows(rows, tmp_path / "a.xlsx").read_bytes(), 1)
    await tap(bot, check, "✅ 确认导入")
    shorter = write_rows(rows[:2], tmp_path / "b.xlsx").read_bytes()
    [check] = await send(bot, "b.xlsx", shorter, 1)
    assert "计划中已没有的任务（2，可在确认导入时一并停用）" in check.text
    assert check.button_texts == ["✅ 确认导入", "✅ 确认导入并停用 2 项旧任务", "取消"]
    done = await tap(bot, check, "✅ 确认导入并停用 2 项旧任务")
    assert "已停用：不再询问，历史保留" in done.text
    [listed] = await send(bot, "b.xlsx", shorter, 1)
    assert "计划中已没有的任务" not in listed.text
