"""The office's review loop end to end: 退回补充 with a comment, resubmission, 通过; the period
lock; extensions and exemptions counted in /summary and the Excel."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from bot.clock import ManualClock
from storage.models import AuditEntry, ReviewAction, ReviewEvent, Submission
from tests.conftest import BotHarness
from tests.e2e.seed import backdate_units, seed_backup, seed_liaison, seed_units
from tests.e2e.test_schedule import ADMIN, LI, WANG, moment, tap, texts, tick
from tests.e2e.test_summary import tap_for_document

BACKUP = 1005


async def reporting_month(bot: BotHarness) -> None:
    bot.deps.clock = ManualClock(moment("2026-09-01 10:00"))
    seed_liaison(bot.deps, telegram_id=WANG, name="王芳", unit_names=["区卫生健康委"])
    seed_backup(bot.deps, telegram_id=BACKUP, name="刘洋", unit_name="区卫生健康委")
    seed_liaison(bot.deps, telegram_id=LI, name="李强", unit_names=["区教委"])
    seed_units(bot.deps, "区总工会")
    backdate_units(bot.deps, moment("2026-09-01 00:00"))
    for uid, name in ((ADMIN, "陈静"), (WANG, "王芳"), (BACKUP, "刘洋"), (LI, "李强")):
        bot.world.user(uid, name)
    await bot.world.say(bot.world.users[ADMIN], "/start")


async def submit_report(bot: BotHarness, user_id: int, work: str) -> None:
    user = bot.world.users[user_id]
    [first] = await bot.world.say(user, "/report")
    late = [label for label in first.button_texts if label.startswith("补报")]
    if late:  # early in a month: catch up last month
        await tap(bot, user, first, late[0])
    [ack] = await bot.world.say(user, work)
    step = await tap(bot, user, ack, "✅ 完成")
    while "跳过" in step.button_texts and "提交" not in " ".join(step.button_texts):
        step = await tap(bot, user, step, "跳过")
    await tap(bot, user, step, "📨 提交")


def events(bot: BotHarness) -> list[tuple[str, str]]:
    with bot.deps.db.session() as session:
        rows = session.exec(select(ReviewEvent).order_by(col(ReviewEvent.id))).all()
        return [(row.action, row.comment) for row in rows]


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_send_back_with_a_comment_then_resubmit_then_approve(bot: BotHarness) -> None:
    await reporting_month(bot)
    admin, wang = bot.world.users[ADMIN], bot.world.users[WANG]
    bot.deps.clock = ManualClock(moment("2026-09-25 10:00"))
    await submit_report(bot, WANG, "开展义诊一次。")

    # The office hears once (batched), not per report.
    seen = len(bot.world.messages_to(ADMIN))
    await tick(bot, "2026-09-28 10:00")
    notice = texts(bot, ADMIN, seen)
    assert any("有 1 份报告待审" in text for text in notice)
    await tick(bot, "2026-09-28 11:00")
    assert len(texts(bot, ADMIN, seen)) == len(notice)  # nothing new: no second ping

    bot.deps.clock = ManualClock(moment("2026-09-28 11:00"))
    [queue] = await bot.world.say(admin, "/review")
    assert "待审报告" in queue.text and queue.button_texts == ["区卫生健康委 · 2026-09"]
    opened = await tap(bot, admin, queue, "区卫生健康委 · 2026-09")
    assert "开展义诊一次。" in opened.text and "第 1 版（待审）" in opened.text
    asked = await tap(bot, admin, opened, "↩️ 退回补充")
    assert "请回复退回" in asked.text
    wang_seen, backup_seen = len(bot.world.messages_to(WANG)), len(bot.world.messages_to(BACKUP))
    [done] = await bot.world.say(admin, "请补充义诊人数和照片")
    assert "已退回补充：区卫生健康委 2026-09" in done.text

    # Main and backup liaison both get the comment, with a button to revise.
    [to_wang] = await bot.world.wait_for_messages(WANG, since=wang_seen)
    [to_backup] = await bot.world.wait_for_messages(BACKUP, since=backup_seen)
    assert "意见：请补充义诊人数和照片" in to_wang.text and to_backup.text == to_wang.text
    assert to_wang.button_texts == ["📝 修改报告"]
    review_step = await tap(bot, wang, to_wang, "📝 修改报告")
    assert "开展义诊一次。" in review_step.text  # the previous content is kept
    sections = await tap(bot, wang, review_step, "✏️ 修改")
    work = await tap(bot, wang, sections, "本月完成工作（追加）")
    assert "本月完成了哪些工作" in work.text
    [ack] = await bot.world.say(wang, "义诊共120人参加。")
    back_to_review = await tap(bot, wang, ack, "✅ 完成")
    assert "义诊共120人参加" in back_to_review.text
    await tap(bot, wang, back_to_review, "📨 提交")

    [queue] = await bot.world.say(admin, "/review")
    assert queue.button_texts == ["区卫生健康委 · 2026-09（已补充）"]
    opened = await tap(bot, admin, queue, queue.button_texts[0])
    assert "第 2 版（已补充）" in opened.text and "请补充义诊人数和照片" in opened.text
    wang_seen = len(bot.world.messages_to(WANG))
    approved = await tap(bot, admin, opened, "✅ 通过")
    assert "已通过：区卫生健康委 2026-09（第 2 版）" in approved.text
    [told] = await bot.world.wait_for_messages(WANG, since=wang_seen)
    assert "审核通过" in told.text

    assert events(bot) == [
        (ReviewAction.SUBMITTED, ""),
        (ReviewAction.RETURNED, "请补充义诊人数和照片"),
        (ReviewAction.RESUBMITTED, ""),
        (ReviewAction.APPROVED, ""),
    ]
    [empty] = await bot.world.say(admin, "/review")
    assert "没有待审的报告" in empty.text
    with bot.deps.db.session() as session:
        actions = {row.action for row in session.exec(select(AuditEntry))}
    assert {"review_returned", "review_approved"} <= actions
    # A stale button (the first version's) cannot decide anything any more.
    stale = await tap(bot, admin, opened, "↩️ 退回补充") if opened.button_texts else None
    assert stale is None or "已经审核过" in stale.text


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_a_liaison_cannot_review_or_lock(bot: BotHarness) -> None:
    await reporting_month(bot)
    bot.deps.clock = ManualClock(moment("2026-09-25 10:00"))
    await submit_report(bot, WANG, "开展义诊一次。")
    li = bot.world.users[LI]
    for command in ("/review", "/lock 2026-09", "/exempt 区教委 2026-09 x"):
        [refusal] = await bot.world.say(li, command)
        assert "创建办" in refusal.text, command
    with bot.deps.db.session() as session:
        submission_id = session.exec(select(Submission.id)).one()
    [queue] = await bot.world.say(bot.world.users[ADMIN], "/review")
    before = len(bot.world.callback_answers)
    bot.world.press_button(li, queue, data=f"rv:{submission_id}:ok")
    await bot.world.wait_until(lambda: len(bot.world.callback_answers) > before)
    assert bot.world.callback_answers[-1]["show_alert"] is True
    assert [action for action, _ in events(bot)] == [ReviewAction.SUBMITTED]


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_a_locked_month_takes_no_amendment_until_unlocked(bot: BotHarness) -> None:
    await reporting_month(bot)
    admin, wang = bot.world.users[ADMIN], bot.world.users[WANG]
    bot.deps.clock = ManualClock(moment("2026-09-25 10:00"))
    await submit_report(bot, WANG, "开展义诊一次。")
    [locked] = await bot.world.say(admin, "/lock 2026-09")
    assert "已锁定 2026-09" in locked.text
    [refused] = await bot.world.say(wang, "/report")
    assert "已由创建办锁定" in refused.text
    [unlocked] = await bot.world.say(admin, "/unlock 2026-09")
    assert "已解锁" in unlocked.text
    [reopened] = await bot.world.say(wang, "/report")
    assert "开展义诊一次。" in reopened.text
    with bot.deps.db.session() as session:
        logged = [row.action for row in session.exec(select(AuditEntry))]
    assert "period_lock" in logged and "period_unlock" in logged
    [usage] = await bot.world.say(admin, "/lock 九月")
    assert "用法" in usage.text


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_extension_and_exemption_change_the_summary_and_the_excel(bot: BotHarness) -> None:
    await reporting_month(bot)
    admin = bot.world.users[ADMIN]
    bot.deps.clock = ManualClock(moment("2026-10-09 10:00"))  # 2 workdays after the due date
    await submit_report(bot, LI, "开展健康学校培训。")
    [before] = await bot.world.say(admin, "/summary 2026-09")
    assert "逾期报送：区教委（晚2个工作日）" in before.text

    [granted] = await bot.world.say(admin, "/extend 区教委 2026-09 2026-10-09 国庆期间集中培训")
    assert "已同意 区教委 2026-09 延期至 2026-10-09" in granted.text
    [exempt] = await bot.world.say(admin, "/exempt 区总工会 2026-09 换届")
    assert "免报" in exempt.text
    [after] = await bot.world.say(admin, "/summary 2026-09")
    assert "应报 2 个单位，已报 1 / 2：按时 1，逾期 0，未报 1，未登记联络员 0" in after.text
    assert "免报：区总工会" in after.text and "延期：区教委（至2026-10-09）" in after.text
    assert "未报：区卫生健康委" in after.text

    workbook = load_workbook(
        io.BytesIO(await tap_for_document(bot, admin, after, "📊 Excel 汇总表"))
    )
    sheet = workbook["报送情况"]
    september = [cell.value for cell in sheet[3]].index("2026-09")  # the units joined then
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=4)}
    assert rows["区教委"][september].value == "按时"
    assert rows["区总工会"][september].value == "免报"
    assert rows["按时率"][september].value == pytest.approx(0.5)
    [bad] = await bot.world.say(admin, "/extend 区教委 2026-09 明天 x")
    assert "用法" in bad.text
