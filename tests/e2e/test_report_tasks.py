"""Task progress in the report: one task at a time, reasons for 滞后/停顿, kept on submit."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.clock import ManualClock
from bot.domain.importing.apply import import_file
from bot.fakes.telegram import FakeUser, SentMessage
from storage.models import SubmissionTaskStatus, TaskStatus
from tests.conftest import BotHarness
from tests.e2e.seed import seed_liaison

TASKS = """具体内容,牵头单位,配合单位,完成时限
一、健康场所,,,
1.建设健康促进学校,区教委,区卫生健康委,2023年10月底前
2.建设健康社区,卫星湖街道,区教委,长期坚持
3.建设健康企业,区总工会,区卫生健康委,2023年
""".encode()


async def tap(bot: BotHarness, user: FakeUser, message: SentMessage, label: str) -> SentMessage:
    since = len(bot.world.messages_to(user.id))
    bot.world.press_button(user, message, text=label)
    [reply] = await bot.world.wait_for_messages(user.id, since=since)
    return reply


async def test_task_statuses_with_reasons(bot: BotHarness) -> None:
    bot.deps.clock = ManualClock(datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    with bot.deps.db.session() as session:
        import_file(session=session, name="tasks.csv", data=TASKS, dry_run=False)
    user = bot.world.user(1001, "王芳")
    await bot.world.say(user, "/report")
    [ack] = await bot.world.say(user, "开展学生健康教育")
    first = await tap(bot, user, ack, "✅ 完成")
    assert "任务进度 1/2（1.1）" in first.text  # 区教委 leads 1.1, co-operates on 1.2, not 1.3
    assert first.button_texts == ["按计划", "超前", "已完成", "滞后", "停顿", "本月无进展"]
    on_track_for_first = first.buttons[0]["callback_data"]
    ask_reason = await tap(bot, user, first, "滞后")
    assert "任务 1.1 滞后，请回复一句原因" in ask_reason.text
    [second] = await bot.world.say(user, "评估专家未到位")
    assert "任务进度 2/2（1.2）" in second.text

    since = len(bot.world.messages_to(1001))
    bot.world.press_button(user, first, data=on_track_for_first)  # stale: task 1.1 is answered
    [stale] = await bot.world.wait_for_messages(1001, since=since)
    assert "这个按钮已经过期" in stale.text

    problems = await tap(bot, user, second, "按计划")
    assert "第2步：存在哪些问题" in problems.text
    coordination = await tap(bot, user, problems, "跳过")
    plan = await tap(bot, user, coordination, "跳过")
    photos = await tap(bot, user, plan, "跳过")
    review = await tap(bot, user, photos, "跳过")
    assert "1.1 建设健康促进学校：滞后（评估专家未到位）" in review.text
    assert "1.2 建设健康社区：按计划" in review.text
    await tap(bot, user, review, "📨 提交")
    with bot.deps.db.session() as session:
        rows = session.exec(select(SubmissionTaskStatus)).all()
    assert sorted((r.status, r.reason) for r in rows) == [
        (TaskStatus.BEHIND, "评估专家未到位"),
        (TaskStatus.ON_TRACK, ""),
    ]
