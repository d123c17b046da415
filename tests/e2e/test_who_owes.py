"""Who owes a period, through every command, for units imported on November's due day
(2026-11-30, "每月30日前"), the day after it, and earlier in the month.

The rule (bot/domain/standing.py): a unit that submitted always counts; one that did not owes
the month only if it was in the campaign when the month's prompt was due (2026-11-23 09:00),
otherwise it is 新加入; before the deadline has passed it is 待报, never 未报.
"""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.clock import ManualClock
from bot.exports.sheet_layout import FIRST_ROW, HEADER_ROW
from bot.fakes.telegram import FakeUser
from tests.conftest import BotHarness
from tests.e2e.seed import seed_liaison, seed_units
from tests.e2e.test_schedule import ADMIN, LI, WANG, moment, tick
from tests.e2e.test_summary import tap_for_document

pytestmark = pytest.mark.bot_settings(office_admin_ids=(ADMIN,))


async def campaign_imported_at(bot: BotHarness, when: str) -> dict[int, FakeUser]:
    """区卫生健康委 (王芳), 区教委 (李强, who stays silent) and 区总工会 (no liaison)."""
    bot.deps.clock = ManualClock(moment(when))
    seed_liaison(bot.deps, telegram_id=WANG, name="王芳", unit_names=["区卫生健康委"])
    seed_liaison(bot.deps, telegram_id=LI, name="李强", unit_names=["区教委"])
    seed_units(bot.deps, "区总工会")
    users = {
        uid: bot.world.user(uid, name)
        for uid, name in ((WANG, "王芳"), (LI, "李强"), (ADMIN, "陈静"))
    }
    await bot.world.say(users[ADMIN], "/start")
    return users


async def no_progress(bot: BotHarness, user: FakeUser, when: str, month: str) -> str:
    """The liaison sends /report and taps 本月无新进展; the confirmation."""
    bot.deps.clock = ManualClock(moment(when))
    [ask] = await bot.world.say(user, "/report")
    assert f"区卫生健康委 · {month} 工作进展" in ask.text, ask.text
    since = len(bot.world.messages_to(user.id))
    bot.world.press_button(user, ask, text="本月无新进展")
    replies = await bot.world.wait_for_messages(user.id, since=since)
    return replies[-1].text


async def office_says(bot: BotHarness, users: dict[int, FakeUser], text: str) -> str:
    [reply] = await bot.world.say(users[ADMIN], text)
    return reply.text


async def test_units_imported_on_the_due_day_owe_the_next_month_not_this_one(
    bot: BotHarness,
) -> None:
    users = await campaign_imported_at(bot, "2026-11-30 08:00")
    confirmation = await no_progress(bot, users[WANG], "2026-11-30 10:00", "2026-11")
    assert "按时报送" in confirmation

    summary = await office_says(bot, users, "/summary")
    assert "2026-11 汇总（截止 2026-11-30）" in summary
    assert "应报 1 个单位，已报 1 / 1：按时 1，逾期 0，未登记联络员 0" in summary
    assert "报送中，截止 2026-11-30" in summary and "按时报送率" not in summary
    assert "新加入（2026-11 提醒发出后加入，本月不计入应报）：区教委、区总工会" in summary
    assert "未报" not in summary.replace("未报单位", "")
    digest = await office_says(bot, users, "/digest")
    assert "应报 1 个单位，已报 1 / 1" in digest and "新加入" in digest
    missing = await office_says(bot, users, "/missing")
    assert "2026-11 应报的 1 个单位都已报送" in missing
    assert "新加入（2026-11 提醒发出后加入，本月不计入应报）：区教委、区总工会" in missing
    remind = await office_says(bot, users, "/remind")
    assert "2026-11 没有需要催报的单位" in remind
    history = await office_says(bot, users, "/unit 区卫生健康委")
    assert "2026-11：本月无新进展，11-30 提交，按时" in history

    [summary_message] = await bot.world.say(users[ADMIN], "/summary")
    book = load_workbook(
        io.BytesIO(await tap_for_document(bot, users[ADMIN], summary_message, "📊 Excel 汇总表"))
    )
    sheet = book["报送情况"]
    header = [cell.value for cell in sheet[HEADER_ROW]]
    column = header.index("2026-11")
    rows = {
        row[0].value: [cell.value for cell in row] for row in sheet.iter_rows(min_row=FIRST_ROW)
    }
    assert rows["区卫生健康委"][column] == "无新进展"
    assert rows["区教委"][column] == rows["区总工会"][column] == "新加入"
    assert "2026-10" not in header  # the year starts with the campaign's first month
    assert rows["按时率"][column] == "已报1/1"  # an open month has no rate yet
    bulletin = Document(
        io.BytesIO(await tap_for_document(bot, users[ADMIN], summary_message, "📄 Word 工作简报"))
    )
    text = "\n".join(p.text for p in bulletin.paragraphs)
    assert "1个成员单位应报送" in text and "已报送1个" in text

    # December is theirs: the prompt reaches both liaisons, nobody reminds 区总工会.
    await tick(bot, "2026-12-23 09:00")
    assert "区教委 2026-12 工作进展开始报送" in bot.world.messages_to(LI)[-1].text
    assert "区卫生健康委 2026-12 工作进展开始报送" in bot.world.messages_to(WANG)[-1].text


async def test_units_imported_the_day_after_are_new_for_the_month_just_due(
    bot: BotHarness,
) -> None:
    users = await campaign_imported_at(bot, "2026-12-01 09:00")
    # November is not theirs: /report opens December straight away, no catch-up offer.
    confirmation = await no_progress(bot, users[WANG], "2026-12-01 10:00", "2026-12")
    assert "按时报送" in confirmation

    november = await office_says(bot, users, "/summary")  # still the month being chased
    assert "2026-11 没有需要报送的单位（新加入的 3 个单位本月不计）" in november
    missing = await office_says(bot, users, "/missing")
    assert "2026-11 没有需要报送的单位" in missing
    december = await office_says(bot, users, "/summary 2026-12")
    assert "应报 3 个单位，已报 1 / 3：按时 1，逾期 0，待报 1，未登记联络员 1" in december
    assert "待报（截止 2026-12-30）：区教委" in december
    assert "\n未报" not in december and "按时报送率" not in december
    remind = await office_says(bot, users, "/remind 2026-12")
    assert "2026-12 待报的单位（1个）：区教委" in remind

    # No overdue notice for November (nobody owed it); December's prompt to 李强 only.
    seen = {user: len(bot.world.messages_to(user)) for user in (WANG, LI)}
    await tick(bot, "2026-12-02 09:00")
    assert {user: len(bot.world.messages_to(user)) for user in (WANG, LI)} == seen
    await tick(bot, "2026-12-23 09:00")
    assert "区教委 2026-12 工作进展开始报送" in bot.world.messages_to(LI)[-1].text
    assert len(bot.world.messages_to(WANG)) == 2  # the report and its confirmation: no prompt


async def test_units_imported_earlier_in_the_month_owe_it(bot: BotHarness) -> None:
    users = await campaign_imported_at(bot, "2026-11-10 10:00")
    confirmation = await no_progress(bot, users[WANG], "2026-11-30 23:59", "2026-11")
    assert "按时报送" in confirmation  # 23:59 on the due day is still on time

    open_month = await office_says(bot, users, "/summary")
    assert "应报 3 个单位，已报 1 / 3：按时 1，逾期 0，待报 1，未登记联络员 1" in open_month
    assert "待报（截止 2026-11-30）：区教委" in open_month and "按时报送率" not in open_month
    remind = await office_says(bot, users, "/remind")
    assert "2026-11 待报的单位（1个）：区教委" in remind

    # The next day the month has closed: 区教委 is 未报 and counts against the rate.
    bot.deps.clock = ManualClock(moment("2026-12-01 10:00"))
    closed = await office_says(bot, users, "/summary")
    assert "应报 3 个单位，已报 1 / 3：按时 1，逾期 0，未报 1，未登记联络员 1" in closed
    assert "按时报送率 33%" in closed and "\n未报：区教委\n" in closed
    missing = await office_says(bot, users, "/missing")
    assert "2026-11 未报送（截止 2026-11-30；已报 1 / 3）" in missing
    assert "• 区教委\n" in missing and "• 区总工会（未登记联络员）" in missing
    [offer] = await bot.world.say(users[LI], "/report")
    assert "区教委 2026-11 的工作进展还没有报送" in offer.text
    assert offer.button_texts == ["补报 2026-11", "填写 2026-12"]
    history = await office_says(bot, users, "/unit 区教委")
    assert "2026-11：未报（截止 2026-11-30）" in history
    assert "2026-12：待报（截止 2026-12-30）" in history


async def test_an_extension_granted_after_a_late_report_makes_it_on_time_everywhere(
    bot: BotHarness,
) -> None:
    users = await campaign_imported_at(bot, "2026-11-10 10:00")
    bot.deps.clock = ManualClock(moment("2026-12-02 10:00"))
    [offer] = await bot.world.say(users[WANG], "/report")
    since = len(bot.world.messages_to(WANG))
    bot.world.press_button(users[WANG], offer, text="补报 2026-11")
    [ask] = await bot.world.wait_for_messages(WANG, since=since)
    since = len(bot.world.messages_to(WANG))
    bot.world.press_button(users[WANG], ask, text="本月无新进展")
    late = (await bot.world.wait_for_messages(WANG, since=since))[-1].text
    assert "晚于截止日期 2026-11-30 2 个工作日" in late
    before = await office_says(bot, users, "/unit 区卫生健康委")
    assert "2026-11：本月无新进展，12-02 提交，晚 2 个工作日" in before

    granted = await office_says(bot, users, "/extend 区卫生健康委 2026-11 2026-12-04 系统故障")
    assert "延期至 2026-12-04" in granted
    after = await office_says(bot, users, "/unit 区卫生健康委")
    assert "2026-11：本月无新进展，12-02 提交，按时（延期至 2026-12-04）" in after
    summary = await office_says(bot, users, "/summary 2026-11")
    assert "按时 1，逾期 0" in summary and "延期：区卫生健康委（至2026-12-04）" in summary


async def test_an_open_month_in_the_word_bulletin_is_pending_not_missing(bot: BotHarness) -> None:
    users = await campaign_imported_at(bot, "2026-11-10 10:00")
    await no_progress(bot, users[WANG], "2026-11-27 10:00", "2026-11")
    [summary] = await bot.world.say(users[ADMIN], "/summary")
    bulletin = Document(
        io.BytesIO(await tap_for_document(bot, users[ADMIN], summary, "📄 Word 工作简报"))
    )
    text = "\n".join(p.text for p in bulletin.paragraphs)
    assert "已报送1个" in text and "尚待报送2个" in text and "按时报送率" not in text
    cells = [cell.text for table in bulletin.tables for row in table.rows for cell in row.cells]
    assert "待报" in cells and "待报（无联络员）" in cells and "未报" not in cells
