"""Task progress in the report: which tasks are asked (only those the unit leads and that are
still open), last time's answer as the default, exceptions from pages, reasons for 滞后/停顿,
a short review, and a row per asked task on submit."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.clock import ManualClock
from bot.domain.importing.apply import import_file
from bot.domain.task_admin import close_task, set_cooperating
from bot.fakes.telegram import FakeUser, SentMessage
from storage.models import Submission, SubmissionTaskStatus, Task, TaskStatus
from tests.conftest import BotHarness
from tests.e2e.seed import seed_liaison

TASKS = """具体内容,牵头单位,配合单位,完成时限
一、健康场所,,,
1.建设健康促进学校,区教委,区卫生健康委,2027年10月底前
2.建设健康社区,卫星湖街道,区教委,长期坚持
3.建设健康企业,区总工会,区卫生健康委,2027年
4.开展近视防控,区教委,,长期坚持
5.完成校医配备,区教委,,2022年12月底前
6.建设健康食堂,区教委,,长期坚持
""".encode()


async def tap(bot: BotHarness, user: FakeUser, message: SentMessage, label: str) -> SentMessage:
    since = len(bot.world.messages_to(user.id))
    bot.world.press_button(user, message, text=label)
    [reply] = await bot.world.wait_for_messages(user.id, since=since)
    return reply


def start(bot: BotHarness, day: int = 23, month: int = 11) -> FakeUser:
    bot.deps.clock = ManualClock(datetime(2026, month, day, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    return bot.world.user(1001, "王芳")


async def test_only_open_tasks_the_unit_leads_are_asked(bot: BotHarness) -> None:
    user = start(bot)
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    with bot.deps.db.session() as session:
        import_file(session=session, name="tasks.csv", data=TASKS, dry_run=False)
        close_task(session=session, code="1.6", at=bot.deps.clock.now())
    await bot.world.say(user, "/report")
    [ack] = await bot.world.say(user, "开展学生健康教育")
    first = await tap(bot, user, ack, "✅ 完成")
    # 1.1 and 1.4 only: 1.2 co-operating, 1.3 someone else's, 1.5 due in 2022, 1.6 closed
    assert "共 2 项任务" in first.text and "2 项尚未报过" in first.text
    assert first.button_texts == ["均按计划", "逐项修改"]
    page = await tap(bot, user, first, "逐项修改")
    assert "1. 1.1 建设健康促进学校 — 未报过" in page.text and "2. 1.4" in page.text
    assert "1.2" not in page.text and "1.5" not in page.text and "1.6" not in page.text
    assert page.button_texts == ["1", "2", "均按计划"]

    with bot.deps.db.session() as session:  # the office turns co-operating tasks on
        set_cooperating(session=session, on=True)
    asked = await tap(bot, user, page, "1")
    again = await tap(bot, user, asked, "按计划")  # 1.2 is now asked too
    assert "已记下：1.1 按计划" in again.text and "2. 1.2 建设健康社区" in again.text


async def test_exceptions_from_pages_with_reasons_and_a_short_review(bot: BotHarness) -> None:
    user = start(bot)
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    with bot.deps.db.session() as session:
        import_file(session=session, name="tasks.csv", data=TASKS, dry_run=False)
    await bot.world.say(user, "/report")
    [ack] = await bot.world.say(user, "开展学生健康教育")
    assert ack.button_texts == ["✅ 完成", "✅ 完成，任务均按计划", "✏️ 完成，修改几项任务"]
    page = await tap(bot, user, ack, "✏️ 完成，修改几项任务")
    asked = await tap(bot, user, page, "1")
    assert "任务 1.1：建设健康促进学校" in asked.text
    assert asked.button_texts == ["按计划", "超前", "已完成", "滞后", "停顿", "本月无进展"]
    stale_status = asked.buttons[0]["callback_data"]
    ask_reason = await tap(bot, user, asked, "滞后")
    assert "任务 1.1 滞后，请回复一句原因" in ask_reason.text
    [noted] = await bot.world.say(user, "评估专家未到位")
    assert "已记下：1.1 滞后（评估专家未到位）" in noted.text and "1. 1.1" in noted.text
    assert "均按计划" in noted.button_texts  # the next action is on the acknowledgement
    older = bot.world.messages_to(1001)[-2]
    await bot.world.wait_until(lambda: not older.buttons)  # … and no longer on older messages

    since = len(bot.world.messages_to(1001))
    bot.world.press_button(user, asked, data=stale_status.replace("1_on", "99_on"))
    [stale] = await bot.world.wait_for_messages(1001, since=since)
    assert "这个按钮已经过期" in stale.text

    problems = await tap(bot, user, noted, "均按计划")
    assert "存在哪些问题" not in problems.text  # the quick way goes straight to the review
    review = problems
    assert "1.1 建设健康促进学校：滞后（评估专家未到位）" in review.text
    assert "其余 2 项按计划" in review.text and "1.4" not in review.text
    full = await tap(bot, user, review, "查看全部任务")
    assert "1.4 开展近视防控：按计划" in full.text
    await tap(bot, user, full, "📨 提交")
    with bot.deps.db.session() as session:
        rows = session.exec(select(SubmissionTaskStatus)).all()
    assert sorted((r.status, r.reason) for r in rows) == [
        (TaskStatus.BEHIND, "评估专家未到位"),
        (TaskStatus.ON_TRACK, ""),
        (TaskStatus.ON_TRACK, ""),
    ]


async def test_next_month_defaults_to_last_months_answers(bot: BotHarness) -> None:
    user = start(bot)
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    with bot.deps.db.session() as session:
        import_file(session=session, name="tasks.csv", data=TASKS, dry_run=False)
    await bot.world.say(user, "/report")
    [ack] = await bot.world.say(user, "开展学生健康教育")
    page = await tap(bot, user, ack, "✏️ 完成，修改几项任务")
    asked = await tap(bot, user, page, "2")
    await tap(bot, user, asked, "停顿")
    [noted] = await bot.world.say(user, "经费未到位")
    review = await tap(bot, user, noted, "均按计划")
    await tap(bot, user, review, "📨 提交")

    start(bot, day=22, month=12)  # December: November's answers are the default
    await bot.world.say(user, "/report")
    [ack] = await bot.world.say(user, "继续开展健康教育")
    first = await tap(bot, user, ack, "✅ 完成")
    assert "共 3 项任务，上次 2 项按计划、1 项停顿" in first.text
    assert first.button_texts == ["其余与上月相同", "逐项修改"]
    review = await tap(bot, user, first, "其余与上月相同")
    while "请核对" not in review.text:
        review = await tap(bot, user, review, "跳过")
    assert "3 项与上月相同" in review.text and "停顿" not in review.text
    await tap(bot, user, review, "📨 提交")
    with bot.deps.db.session() as session:
        december = session.exec(select(Submission).where(Submission.period == "2026-12")).one()
        rows = session.exec(
            select(SubmissionTaskStatus, Task)
            .join(Task)
            .where(SubmissionTaskStatus.submission_id == december.id)
        ).all()
    assert sorted((t.code, r.status, r.reason) for r, t in rows) == [
        ("1.1", TaskStatus.ON_TRACK, ""),
        ("1.4", TaskStatus.STALLED, "经费未到位"),
        ("1.6", TaskStatus.ON_TRACK, ""),
    ]
