"""Office outputs: /summary, /missing, /behind, and the files they send — opened and read."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from PIL import Image
from sqlmodel import select

from bot.clock import ManualClock
from bot.fakes.telegram import FakeUser, SentMessage
from storage.models import (
    Indicator,
    IndicatorUnit,
    MemberUnit,
    Responsibility,
    SubmissionIndicatorValue,
    Task,
    TaskStatus,
    TaskUnit,
)
from storage.repo_units import get_default_campaign
from tests.conftest import BACKENDS, BotHarness
from tests.e2e.seed import backdate_units, seed_liaison, seed_report, seed_units
from tests.e2e.test_schedule import ADMIN, LI, WANG, moment

PERIOD = "2026-09"


def picture(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (40 * shade, 120, 90)).save(out, format="JPEG")
    return out.getvalue()


async def month_with_reports(bot: BotHarness) -> dict[int, FakeUser]:
    """Five units: 卫健委 on time with 3 photos and a task behind; 教委 late; 民政局 no progress;
    文旅委 registered but silent; 总工会 without a liaison."""
    bot.deps.clock = ManualClock(moment("2026-09-01 10:00"))
    seed_liaison(bot.deps, telegram_id=WANG, name="王芳", unit_names=["区卫生健康委"])
    seed_liaison(bot.deps, telegram_id=LI, name="李强", unit_names=["区教委"])
    seed_liaison(bot.deps, telegram_id=1003, name="赵敏", unit_names=["区民政局"])
    seed_liaison(bot.deps, telegram_id=1004, name="孙丽", unit_names=["区文旅委"])
    seed_units(bot.deps, "区总工会")
    backdate_units(bot.deps, moment("2026-01-01 00:00"))
    with bot.deps.db.session() as session:
        campaign = get_default_campaign(session=session)
        assert campaign is not None and campaign.id is not None
        units = {u.full_name: u.id or 0 for u in session.exec(select(MemberUnit))}
        task = Task(campaign_id=campaign.id, code="1.1", category_path=["一、健康环境"],
                    content="建设健康步道2条", deadline_raw="2026年底")  # fmt: skip
        session.add(task)
        indicator = Indicator(campaign_id=campaign.id, name="健康促进学校比例", target_raw="≥50%",
                              comparator=">=", target_value=50, measure="%")  # fmt: skip
        session.add(indicator)
        session.flush()
        assert task.id is not None and indicator.id is not None
        session.add(
            TaskUnit(task_id=task.id, unit_id=units["区卫生健康委"], role=Responsibility.LEAD)
        )
        session.add(
            TaskUnit(task_id=task.id, unit_id=units["区教委"], role=Responsibility.COOPERATING)
        )
        session.add(IndicatorUnit(indicator_id=indicator.id, unit_id=units["区教委"],
                                  role=Responsibility.LEAD))  # fmt: skip
        indicator_id = indicator.id
    seed_report(
        bot.deps, unit_name="区卫生健康委", period=PERIOD, submitted_at=moment("2026-09-28 10:00"),
        work_done="9月5日开展高血压义诊，120人参加。", problems="宣传经费不足",
        next_plan="10月开展控烟宣传", photos=((picture(1), "9月5日·卫星湖社区·义诊"),
        (picture(2), "9月12日·健康讲座"), (picture(3), "第三张")),
        task_statuses=(("1.1", TaskStatus.BEHIND, "征地手续未完成"),),
    )  # fmt: skip
    submission = seed_report(
        bot.deps, unit_name="区教委", period=PERIOD, submitted_at=moment("2026-10-09 10:00"),
        workdays_late=2, work_done="开展健康学校创建培训。", photos=((picture(4), ""),),
    )  # fmt: skip
    with bot.deps.db.session() as session:
        value = SubmissionIndicatorValue(
            submission_id=submission, indicator_id=indicator_id, raw="8/20", numerator=8,
            denominator=20,
        )  # fmt: skip
        session.add(value)
    seed_report(bot.deps, unit_name="区民政局", period=PERIOD, no_progress=True,
                submitted_at=moment("2026-09-29 09:00"))  # fmt: skip
    bot.deps.clock = ManualClock(moment("2026-10-09 15:00"))  # before September's digest day
    users = {uid: bot.world.user(uid, name) for uid, name in ((ADMIN, "陈静"), (WANG, "王芳"))}
    await bot.world.say(users[ADMIN], "/start")
    return users


def east_asia_font(element: Any) -> str | None:
    """The font Word uses for CJK characters: w:rPr/w:rFonts/@w:eastAsia."""
    fonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


async def tap_for_document(
    bot: BotHarness, user: FakeUser, message: SentMessage, label: str
) -> bytes:
    since = len(bot.world.messages_to(user.id))
    bot.world.press_button(user, message, text=label)
    await bot.world.wait_until(  # building a file imports openpyxl/python-docx: allow for a
        lambda: any(m.kind == "document" for m in bot.world.messages_to(user.id)[since:]),
        timeout=30,  # busy machine
    )
    [document] = [m for m in bot.world.messages_to(user.id)[since:] if m.kind == "document"]
    return bot.world.file_bytes(document.raw["document"]["file_id"])


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
@pytest.mark.bot_settings(
    office_admin_ids=(ADMIN,), bulletin_to="区委、区政府", bulletin_cc="市爱卫办"
)
async def test_summary_in_chat_and_its_three_files(bot: BotHarness) -> None:
    users = await month_with_reports(bot)
    [summary] = await bot.world.say(users[ADMIN], "/summary")  # September is still chased
    text = summary.text
    assert "2026-09 汇总（截止 2026-09-30）" in text
    assert (
        "应报 5 个单位，已报 3 / 5：按时 2，逾期 1，未报 1，未登记联络员 1（其中“本月无新进展” 1）"
        in text
    )
    assert "按时报送率 40%" in text
    assert "未报：区文旅委\n" in text  # exactly the units counted as 未报
    assert "未登记联络员（无法提醒，请发 /invite 单位名 生成登记链接）：区总工会" in text
    assert "逾期报送：区教委（晚2个工作日）" in text
    assert "1.1 建设健康步道2条 — 区卫生健康委：滞后（征地手续未完成）" in text
    assert summary.button_texts == ["📊 Excel 汇总表", "📄 Word 工作简报", "🖼 照片包"]

    workbook = load_workbook(
        io.BytesIO(await tap_for_document(bot, users[ADMIN], summary, "📊 Excel 汇总表"))
    )
    assert workbook.sheetnames == ["报送情况", "趋势", "本月进展", "任务进度", "指标"]
    status = workbook["报送情况"]
    assert status.freeze_panes == "B4"  # under the title rows and the column titles
    assert status["A1"].value == "健康促进区报送情况（2026年9月）"
    assert status["A2"].value == "截至日期：2026年10月9日"
    header = [cell.value for cell in status[3]]
    assert header[0] == "单位" and header[9] == "2026-09" and header[-1] == "按时率"
    rows = {row[0].value: row for row in status.iter_rows(min_row=4)}
    assert rows["区卫生健康委"][9].value == "按时"
    assert rows["区卫生健康委"][9].fill.fgColor.rgb.endswith("C6EFCE")
    assert rows["区教委"][9].value == "逾期" and rows["区教委"][9].fill.fgColor.rgb.endswith(
        "FFEB9C"
    )
    assert rows["区民政局"][9].value == "无新进展"
    assert rows["区文旅委"][9].value == "未报" and rows["区文旅委"][9].fill.fgColor.rgb.endswith(
        "FFC7CE"
    )
    assert rows["区总工会"][9].value == "未报（无联络员）"
    assert rows["区卫生健康委"][1].value == "未报"  # January: owed, not reported
    assert rows["按时率"][9].value == pytest.approx(0.4)
    progress = {
        row[0].value: [c.value for c in row] for row in workbook["本月进展"].iter_rows(min_row=4)
    }
    assert progress["区卫生健康委"][1:4] == [
        "按时",
        "9月5日开展高血压义诊，120人参加。",
        "宣传经费不足",
    ]
    assert progress["区卫生健康委"][6:] == [3, "王芳"]
    assert progress["区教委"][1] == "逾期2个工作日"
    assert not any("139" in str(value) for row in progress.values() for value in row)  # no phones
    tasks = [[c.value for c in row] for row in workbook["任务进度"].iter_rows(min_row=4)]
    assert tasks == [["1.1", "一、健康环境", "建设健康步道2条", "区卫生健康委", "区教委",
                      "2026年底", "区卫生健康委", "滞后", "征地手续未完成", "2026-09",
                      "2026-09", None]]  # fmt: skip
    indicators = [[c.value for c in row] for row in workbook["指标"].iter_rows(min_row=4)]
    assert indicators == [["健康促进学校比例", "≥50%", "8/20", 10, "区教委", "2026-09"]]

    bulletin = Document(
        io.BytesIO(await tap_for_document(bot, users[ADMIN], summary, "📄 Word 工作简报"))
    )
    paragraphs = [p.text for p in bulletin.paragraphs]
    captions = [p.text for table in bulletin.tables for c in table._cells for p in c.paragraphs]
    captions += paragraphs
    assert paragraphs[0] == "健康促进区工作简报"  # the campaign's name; no region set
    assert paragraphs[1] == "2026年第1期"  # the campaign's first bulletin
    assert paragraphs[2].startswith("创建办\t2026年10月9日")
    assert any(  # no region word set: no "全区"
        p.startswith(
            "2026年9月，5个成员单位应报送工作进展，已报送3个，"
            "其中按时报送2个、逾期报送1个，未报送2个"
        )
        for p in paragraphs
    )
    assert "（一）区卫生健康委" in paragraphs
    assert "9月5日开展高血压义诊，120人参加。" in paragraphs
    assert "图：区卫生健康委·9月5日·卫星湖社区·义诊" in captions
    assert "图：区卫生健康委·9月12日·健康讲座" in captions
    assert not any("第三张" in p for p in captions)  # at most two photos a unit
    assert "图：区教委·未说明" in captions
    assert len(bulletin.inline_shapes) == 3
    assert any(
        "任务1.1（建设健康步道2条）：区卫生健康委报告滞后，原因：征地手续未完成。" in p
        for p in paragraphs
    )
    assert "区卫生健康委：10月开展控烟宣传" in paragraphs
    assert "报：区委、区政府" in paragraphs and "送：市爱卫办" in paragraphs
    table = [[cell.text for cell in row.cells] for row in bulletin.tables[-1].rows]
    assert table[0] == ["序号", "单位", "报送情况"] and ["2", "区教委", "逾期2个工作日"] in table
    heading = next(p for p in bulletin.paragraphs if p.text == "一、总体进展")
    assert east_asia_font(heading.runs[0]._element) == "黑体"
    assert east_asia_font(bulletin.styles["Normal"].element) == "仿宋_GB2312"

    archive = zipfile.ZipFile(
        io.BytesIO(await tap_for_document(bot, users[ADMIN], summary, "🖼 照片包"))
    )
    names = sorted(archive.namelist())
    assert "区卫生健康委/2026-09/2026-09-28_9月5日·卫星湖社区·义诊.jpg" in names
    assert "区教委/2026-09/2026-10-09_未说明.jpg" in names
    assert len(names) == 5  # four photos and the index
    index = load_workbook(io.BytesIO(archive.read("index.xlsx"))).active
    assert index is not None
    listed = {row[0].value: row[6].value for row in index.iter_rows(min_row=2)}
    assert len(listed) == 4 and all(len(digest) == 64 for digest in listed.values())


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_missing_and_behind(bot: BotHarness) -> None:
    users = await month_with_reports(bot)
    [missing] = await bot.world.say(users[ADMIN], "/missing 2026-09")
    assert "• 区文旅委" in missing.text and "• 区总工会（未登记联络员）" in missing.text
    assert "区教委" not in missing.text
    [behind] = await bot.world.say(users[ADMIN], "/behind 2026-09")
    assert "区卫生健康委：滞后（2026-09），原因：征地手续未完成" in behind.text
    assert "未确认" not in behind.text  # the campaign's first month of reports: nothing flagged
    [none] = await bot.world.say(users[ADMIN], "/behind 2026-08")
    assert "截至 2026-08，没有任务的最新进度为滞后或停顿。" in none.text


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_a_liaison_gets_a_polite_refusal(bot: BotHarness) -> None:
    users = await month_with_reports(bot)
    for command in ("/summary", "/missing", "/behind"):
        [refusal] = await bot.world.say(users[WANG], command)
        assert "创建办" in refusal.text and "汇总" not in refusal.text
    [summary] = await bot.world.say(users[ADMIN], "/summary")
    before = len(bot.world.callback_answers)
    bot.world.press_button(users[WANG], summary, data="sm:202609:xlsx")
    await bot.world.wait_until(lambda: len(bot.world.callback_answers) > before)
    assert bot.world.callback_answers[-1]["show_alert"] is True
    assert not any(m.kind == "document" for m in bot.world.messages_to(WANG))
