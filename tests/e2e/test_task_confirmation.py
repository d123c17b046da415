"""The office loses nothing (issue 20): /behind, the 任务进度 sheet, the bulletin and the office
digest show each task's latest status with the month it was last confirmed, and flag the open
tasks no lead unit confirmed in three months — to the office, never to a liaison.

July to September 2026: 区卫生健康委 reported 1.1 滞后 in July and has said nothing of it since
(its later reports hold 1.2 only); 区教委 leads 1.3 and never reported on it; 区民政局 finished
1.4 in July. September's office digest falls on 10-10 (a 调休 Saturday).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from bot.clock import ManualClock
from bot.deps import Deps
from bot.domain.periods import YearMonth
from bot.exports.files import bulletin_file, workbook_file
from bot.fakes.telegram import FakeUser
from storage.models import MemberUnit, Responsibility, Task, TaskStatus, TaskUnit
from storage.repo_units import get_default_campaign
from tests.conftest import BotHarness
from tests.e2e.seed import backdate_units, seed_liaison, seed_report, seed_units
from tests.e2e.test_schedule import ADMIN, LI, WANG, moment, texts, tick
from tests.e2e.test_wecom_flow import OFFICE, Member, wecom_running

SEPTEMBER = YearMonth(2026, 9)
TASKS = (  # code, content, lead unit
    ("1.1", "建设健康步道2条", "区卫生健康委"),
    ("1.2", "开展健康讲座", "区卫生健康委"),
    ("1.3", "创建健康促进学校", "区教委"),
    ("1.4", "建设健康主题公园", "区民政局"),
)


def seed_tasks(deps: Deps) -> None:
    with deps.db.session() as session:
        campaign = get_default_campaign(session=session)
        assert campaign is not None and campaign.id is not None
        units = {u.full_name: u.id or 0 for u in session.exec(select(MemberUnit))}
        for number, (code, content, lead) in enumerate(TASKS):
            task = Task(campaign_id=campaign.id, code=code, content=content, sort_order=number)
            session.add(task)
            session.flush()
            assert task.id is not None
            session.add(TaskUnit(task_id=task.id, unit_id=units[lead], role=Responsibility.LEAD))
            if code == "1.1":  # 区教委 co-operates: not asked, its word does not confirm
                session.add(TaskUnit(task_id=task.id, unit_id=units["区教委"],
                                     role=Responsibility.COOPERATING))  # fmt: skip


async def three_months(bot: BotHarness) -> dict[int, FakeUser]:
    seed_three_months(bot.deps)
    users = {uid: bot.world.user(uid, name)
             for uid, name in ((ADMIN, "陈静"), (WANG, "王芳"), (LI, "李强"))}  # fmt: skip
    await bot.world.say(users[ADMIN], "/start")
    return users


def seed_three_months(deps: Deps) -> None:
    """July to September's reports; the clock on 10-09, before September's digest."""
    deps.clock = ManualClock(moment("2026-07-01 10:00"))
    seed_liaison(deps, telegram_id=WANG, name="王芳", unit_names=["区卫生健康委"])
    seed_liaison(deps, telegram_id=LI, name="李强", unit_names=["区教委"])
    seed_units(deps, "区民政局")
    backdate_units(deps, moment("2026-06-01 00:00"))
    seed_tasks(deps)
    on_track, behind = TaskStatus.ON_TRACK, TaskStatus.BEHIND
    seed_report(deps, unit_name="区卫生健康委", period="2026-07",
                submitted_at=moment("2026-07-24 10:00"),
                task_statuses=(("1.1", behind, "征地手续未完成"),
                               ("1.2", on_track, "")))  # fmt: skip
    seed_report(deps, unit_name="区民政局", period="2026-07",
                submitted_at=moment("2026-07-24 11:00"),
                task_statuses=(("1.4", TaskStatus.DONE, ""),))  # fmt: skip
    for month, day in (("2026-08", "2026-08-24"), ("2026-09", "2026-09-24")):
        seed_report(deps, unit_name="区卫生健康委", period=month,
                    submitted_at=moment(f"{day} 10:00"),
                    task_statuses=(("1.2", on_track, ""),))  # fmt: skip
        seed_report(deps, unit_name="区教委", period=month,
                    submitted_at=moment(f"{day} 11:00"))  # fmt: skip
    deps.clock = ManualClock(moment("2026-10-09 10:00"))


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_behind_shows_the_latest_status_and_the_tasks_nobody_confirmed(
    bot: BotHarness,
) -> None:
    users = await three_months(bot)
    [behind] = await bot.world.say(users[ADMIN], "/behind 2026-09")
    assert "截至 2026-09 最新进度为滞后或停顿的任务（1）" in behind.text
    assert "区卫生健康委：滞后（2026-07），原因：征地手续未完成" in behind.text  # July's word
    assert "1 项任务 3 个月未确认：1.3 创建健康促进学校" in behind.text
    assert "1.4" not in behind.text  # 已完成: nothing to confirm
    # October's window (August–October) no longer holds July: 1.1 is flagged too
    [october] = await bot.world.say(users[ADMIN], "/behind 2026-10")
    assert "2 项任务 3 个月未确认：1.1 建设健康步道2条、1.3 创建健康促进学校" in october.text
    # /summary says the same: July's 滞后 with its month, and the line for the office
    [summary] = await bot.world.say(users[ADMIN], "/summary 2026-09")
    assert "区卫生健康委：滞后（征地手续未完成），2026-07 报告" in summary.text
    assert "1 项任务 3 个月未确认：1.3 创建健康促进学校" in summary.text
    # a liaison may not read it
    [refusal] = await bot.world.say(users[LI], "/behind 2026-09")
    assert "创建办" in refusal.text and "1.3" not in refusal.text


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,), language="en")
async def test_behind_in_english(bot: BotHarness) -> None:
    users = await three_months(bot)
    [behind] = await bot.world.say(users[ADMIN], "/behind 2026-10")
    assert "区卫生健康委: behind (2026-07); reason: 征地手续未完成" in behind.text
    assert "2 tasks not confirmed for 3 months: 1.1 建设健康步道2条; 1.3 创建健康促进学校" in (
        behind.text
    )


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_the_office_digest_flags_them_and_liaisons_never_hear_of_it(
    bot: BotHarness,
) -> None:
    await three_months(bot)
    admin_seen = len(texts(bot, ADMIN))
    await tick(bot, "2026-10-10 09:30")  # September's digest day
    digest = texts(bot, ADMIN, admin_seen)[-1]
    assert "2026-09 报送情况" in digest
    assert "1 项任务 3 个月未确认：1.3 创建健康促进学校" in digest
    for day in range(12, 31):  # October's prompt and reminders go to the liaisons
        await tick(bot, f"2026-10-{day:02d} 09:30")
    heard = texts(bot, WANG) + texts(bot, LI)
    assert any("2026-10" in text for text in heard)
    for text in heard:
        assert "未确认" not in text and "创建健康促进学校" not in text, text
    [on_demand] = await bot.world.say(bot.world.user(ADMIN, "陈静"), "/digest 2026-09")
    assert "1 项任务 3 个月未确认" in on_demand.text


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_the_sheet_and_the_bulletin_say_when_each_task_was_last_confirmed(
    bot: BotHarness,
) -> None:
    await three_months(bot)
    book = load_workbook(io.BytesIO(workbook_file(bot.deps, YearMonth(2026, 10)).data))
    sheet = book["任务进度"]
    titles = [cell.value for cell in sheet[3]]
    assert titles[-3:] == ["报送月份", "最近确认", "备注"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=4)}
    assert [c.value for c in rows["1.1"]][6:] == [
        "区卫生健康委", "滞后", "征地手续未完成", "2026-07", "2026-07", "3个月未确认"
    ]  # fmt: skip
    assert rows["1.1"][-1].fill.fgColor.rgb.endswith("FFC7CE")  # red, like 未报
    assert [c.value for c in rows["1.2"]][-2:] == ["2026-09", None]
    assert [c.value for c in rows["1.3"]][-2:] == ["—", "3个月未确认"]  # never reported
    assert [c.value for c in rows["1.4"]][-3:] == ["2026-07", "2026-07", None]  # 已完成
    assert sheet.print_title_rows == "$3:$3" and sheet.page_setup.orientation == "landscape"

    document = Document(io.BytesIO(bulletin_file(bot.deps, SEPTEMBER).data))
    paragraphs = [p.text for p in document.paragraphs]
    assert (
        "任务1.1（建设健康步道2条）：区卫生健康委2026年7月报告滞后，原因：征地手续未完成。"
        in paragraphs
    )
    assert "另有1项任务3个月未确认进度（任务1.3）。" in paragraphs
    problems = paragraphs.index("三、存在问题")
    assert (
        problems
        < paragraphs.index("另有1项任务3个月未确认进度（任务1.3）。")
        < (paragraphs.index("四、下步工作"))
    )


async def test_behind_on_wecom_is_the_same(make_settings: Any) -> None:
    """滞后 (or /behind) on WeCom: the same domain function and template, for the office only."""
    async with wecom_running(make_settings) as (deps, world, endpoint):
        seed_three_months(deps)
        office = Member(OFFICE, endpoint, world)
        [behind] = await office.say("滞后 2026-09")
        assert "区卫生健康委：滞后（2026-07），原因：征地手续未完成" in behind
        assert "1 项任务 3 个月未确认：1.3 创建健康促进学校" in behind
        [digest] = await office.say("报送情况 2026-09")
        assert "1 项任务 3 个月未确认" in digest
        stranger = Member("zhaomin", endpoint, world)
        [refusal] = await stranger.say("滞后 2026-09")
        assert "1.3" not in refusal and "未确认" not in refusal and "滞后（" not in refusal
