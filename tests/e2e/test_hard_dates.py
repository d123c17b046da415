"""The office's whole month, played on the dates that break date code.

Import → register → a report with photos → /summary → the three files → /missing → /remind →
the next month's prompts, each scenario starting at one hard date: a due day at 00:00 and at
23:59, the day after (also the 1st of a month), 12-31 → 01-01, 02-28 and 02-29 of 2028, a
调休 Saturday that is a workday, a day inside the 国庆 holiday, and a day in a year the
holiday library does not cover (2027). The expectations are worked out by hand from the rule
(bot/domain/standing.py) and the calendar, so the test cannot agree with a wrong rule.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.clock import ManualClock
from bot.demo import DEMO_DATA, demo_picture
from bot.domain.calendar_admin import campaign_rule, load_calendar
from bot.domain.outbox import month_slots
from bot.domain.periods import YearMonth
from bot.domain.reminders import Step
from bot.exports.sheet_layout import FIRST_ROW, HEADER_ROW
from bot.fakes.telegram import FakeUser, SentMessage
from tests.conftest import BotHarness
from tests.e2e.test_schedule import ADMIN, LI, WANG, moment
from tests.e2e.test_summary import tap_for_document

LINK = re.compile(r"\?start=([A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class HardDate:
    start: str  # when the office imports and the liaison reports (office time)
    month: str  # the month /report opens and the office then looks at
    sent: str  # what the confirmation says about timeliness
    counts: str  # /summary's count line for that month
    to_remind: list[str]  # units /remind lists (owing, a liaison to ask, deadline open or not)
    remind_sends: bool  # inside working hours on a workday: 催报 goes out now
    summary_at: str | None = None  # the office looks later (across a year end)
    joined_after_due: bool = False  # the month shows "—" for units that joined after it

    @property
    def others_owe(self) -> bool:
        return self.counts == ALL_OWE

    @property
    def others(self) -> str:
        """The other units' cell in the Excel matrix for the month."""
        if self.joined_after_due:
            return "—"
        return "待报" if self.others_owe else "新加入"


UNITS_NEW = "应报 1 个单位，已报 1 / 1：按时 1，逾期 0，未登记联络员 0"  # others joined too late
ALL_OWE = "应报 4 个单位，已报 1 / 4：按时 1，逾期 0，待报 1，未登记联络员 2"
LATE_ONE = "应报 1 个单位，已报 1 / 1：按时 0，逾期 1，未报 0，未登记联络员 0"
ON_TIME = "按时报送"

DATES = {
    # November is due Monday 11-30; its prompt went out 11-23, before the import.
    "due day 00:00": HardDate("2026-11-30 00:00", "2026-11", ON_TIME, UNITS_NEW, [], False),
    "due day 23:59": HardDate("2026-11-30 23:59", "2026-11", ON_TIME, UNITS_NEW, [], False),
    # The day after is also the 1st: November is nobody's; December (prompt 12-23) is everyone's.
    "day after, 1st": HardDate("2026-12-01 09:00", "2026-12", ON_TIME, ALL_OWE, ["区教委"], True),
    # December was due Wednesday 12-30: a report at 23:50 on 12-31 is one workday late; the
    # office reads it after midnight, in 2027.
    "12-31 → 01-01": HardDate(
        "2026-12-31 23:50",
        "2026-12",
        "晚于截止日期 2026-12-30 1 个工作日",
        LATE_ONE,
        [],
        False,
        summary_at="2027-01-01 00:10",
        joined_after_due=True,
    ),
    # February 2028 is due on its last day, the 29th (民法典 Art. 202); 2028 has no holiday data.
    "2028-02-28": HardDate("2028-02-28 10:00", "2028-02", ON_TIME, UNITS_NEW, [], True),
    "2028-02-29": HardDate("2028-02-29 10:00", "2028-02", ON_TIME, UNITS_NEW, [], True),
    # Saturday 2026-02-28 is a 调休 workday, and February's due day.
    "调休 Saturday": HardDate("2026-02-28 10:00", "2026-02", ON_TIME, UNITS_NEW, [], True),
    # 10-03 is inside 国庆: September is nobody's, October everyone's; 催报 waits for a workday.
    "国庆 holiday": HardDate("2026-10-03 10:00", "2026-10", ON_TIME, ALL_OWE, ["区教委"], False),
    # 2027 is not in the holiday library: its deadlines count weekends only.
    "uncovered 2027": HardDate("2027-03-15 10:00", "2027-03", ON_TIME, ALL_OWE, ["区教委"], True),
}


async def tap(bot: BotHarness, user: FakeUser, message: SentMessage, label: str) -> SentMessage:
    since = len(bot.world.messages_to(user.id))
    bot.world.press_button(user, message, text=label)
    replies = await bot.world.wait_for_messages(user.id, since=since)
    return replies[-1]


async def import_units(bot: BotHarness, office: FakeUser) -> None:
    since = len(bot.world.messages_to(office.id))
    data = (DEMO_DATA / "成员单位.csv").read_bytes()
    bot.world.send_document(office, data, file_name="成员单位.csv", mime_type="text/csv")
    [check] = await bot.world.wait_for_messages(office.id, since=since)
    done = await tap(bot, office, check, check.button_texts[0])  # 确认导入
    assert "导入完成" in done.text or "已导入" in done.text, done.text


async def register(bot: BotHarness, office: FakeUser, user: FakeUser, unit: str) -> None:
    [link] = await bot.world.say(office, f"/invite {unit}")
    found = LINK.search(link.text)
    assert found is not None, link.text
    await bot.world.say(user, f"/start {found.group(1)}")
    await bot.world.say(user, user.first_name)
    [done] = await bot.world.say(user, "跳过")
    assert f"您已是 {unit} 的联络员" in done.text, done.text


async def report_with_photos(bot: BotHarness, user: FakeUser, month: str) -> str:
    """Work done, problems skipped, a plan, two photos with a caption, 提交: the confirmation."""
    [ask] = await bot.world.say(user, "/report")
    assert f"区卫生健康委 · {month} 工作进展" in ask.text, ask.text
    [ack] = await bot.world.say(user, "开展高血压免费筛查，120名居民参加。")
    step = await tap(bot, user, ack, "✅ 完成")
    while "下月工作计划" not in step.text:
        step = await tap(bot, user, step, "跳过")
    [photos] = await bot.world.say(user, "下月开展控烟宣传")
    since = len(bot.world.messages_to(user.id))
    bot.world.send_album(user, [demo_picture(1), demo_picture(2)], caption="卫星湖社区·高血压筛查")
    await bot.world.wait_for_messages(user.id, since=since)
    review = await tap(bot, user, photos, "✅ 完成")
    return (await tap(bot, user, review, "📨 提交")).text


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
@pytest.mark.parametrize("case", list(DATES.values()), ids=list(DATES))
async def test_the_month_on_a_hard_date(bot: BotHarness, case: HardDate) -> None:
    bot.deps.clock = ManualClock(moment(case.start))
    office = bot.world.user(ADMIN, "陈静")
    wang, li = bot.world.user(WANG, "王芳"), bot.world.user(LI, "李强")
    await bot.world.say(office, "/start")
    await import_units(bot, office)
    await register(bot, office, wang, "区卫生健康委")
    await register(bot, office, li, "区教委")
    confirmation = await report_with_photos(bot, wang, case.month)
    assert case.sent in confirmation, confirmation

    if case.summary_at:
        bot.deps.clock = ManualClock(moment(case.summary_at))
    [summary] = await bot.world.say(office, f"/summary {case.month}")
    assert f"{case.month} 汇总" in summary.text
    assert case.counts in summary.text, summary.text
    # Counts equal lists: the units that do not owe the month are listed, not counted.
    if not case.others_owe:
        assert "本月不计入应报）：区教委、区总工会、卫星湖街道" in summary.text
    else:
        assert "待报（截止" in summary.text and "：区教委\n" in summary.text

    book = load_workbook(
        io.BytesIO(await tap_for_document(bot, office, summary, "📊 Excel 汇总表"))
    )
    sheet = book["报送情况"]
    column = [cell.value for cell in sheet[HEADER_ROW]].index(case.month)
    cells = {row[0].value: row[column].value for row in sheet.iter_rows(min_row=FIRST_ROW)}
    assert cells["区卫生健康委"] == ("逾期" if "晚于" in case.sent else "按时")
    assert cells["区教委"] == case.others
    assert cells["区总工会"] == ("待报（无联络员）" if case.others_owe else case.others)
    bulletin = Document(
        io.BytesIO(await tap_for_document(bot, office, summary, "📄 Word 工作简报"))
    )
    assert len(bulletin.inline_shapes) == 2  # both photos of 王芳's album
    photos = zipfile.ZipFile(io.BytesIO(await tap_for_document(bot, office, summary, "🖼 照片包")))
    assert sum(name.endswith(".jpg") for name in photos.namelist()) == 2

    [missing] = await bot.world.say(office, f"/missing {case.month}")
    for unit in case.to_remind:
        assert f"• {unit}（待报）" in missing.text, missing.text
    [preview] = await bot.world.say(office, f"/remind {case.month}")
    if not case.to_remind:
        assert "没有需要催报的单位" in preview.text, preview.text
    else:
        assert f"待报的单位（{len(case.to_remind)}个）：{'、'.join(case.to_remind)}" in preview.text
        done = await tap(bot, office, preview, preview.button_texts[0])
        if case.remind_sends:
            assert "已向 1 个单位的联络员私信催报：区教委" in done.text, done.text
            assert "创建办提醒" in bot.world.messages_to(LI)[-1].text
        else:
            assert "工作时间" in done.text, done.text

    # The next month: its prompt reaches both liaisons, on a workday at 09:00.
    following = YearMonth.parse(case.month).next()
    with bot.deps.db.session() as session:
        _, slots = month_slots(
            following, campaign_rule(session=session), load_calendar(session=session),
            bot.deps.settings.tz,
        )  # fmt: skip
    prompt_at = next(slot.at for slot in slots if slot.step == Step.PROMPT)
    with bot.deps.db.session() as session:
        assert load_calendar(session=session).is_workday(prompt_at.date())
    bot.deps.clock = ManualClock(prompt_at + timedelta(minutes=1))
    dispatcher = bot.application.bot_data.dispatcher
    assert dispatcher is not None
    await dispatcher.tick()
    for user, unit in ((wang, "区卫生健康委"), (li, "区教委")):
        assert f"{unit} {following} 工作进展开始报送" in bot.world.messages_to(user.id)[-1].text
