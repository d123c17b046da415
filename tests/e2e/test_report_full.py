"""A whole month's report as the issue describes it, and two liaisons writing at once."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from PIL import Image
from sqlmodel import select

from bot.clock import ManualClock
from bot.domain.importing.apply import import_file
from bot.fakes.telegram import FakeUser, SentMessage
from storage.models import (
    Evidence,
    ReportDraft,
    Submission,
    SubmissionIndicatorValue,
    SubmissionTaskStatus,
)
from tests.conftest import BotHarness
from tests.e2e.seed import seed_backup, seed_liaison

TASKS = (
    "具体内容,牵头单位,配合单位,完成时限\n"
    "1.建设健康促进学校,区教委,,2027年\n"
    "2.开展健康讲座,区教委,,每年\n"
)


def indicators_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["指标名称", "目标值", "计量单位", "责任单位"])
    sheet.append(["健康促进学校比例", "≥50%", "%", "区教委"])
    sheet.append(["学生体质达标率", "≥90%", "%", "区教委"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def jpeg(n: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1280, 960), (n * 20, 100, 50)).save(out, format="JPEG")
    return out.getvalue()


async def tap(bot: BotHarness, user: FakeUser, message: SentMessage, label: str) -> SentMessage:
    since = len(bot.world.messages_to(user.id))
    bot.world.press_button(user, message, text=label)
    [reply] = await bot.world.wait_for_messages(user.id, since=since)
    return reply


def prepare(bot: BotHarness) -> FakeUser:
    bot.deps.clock = ManualClock(datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    with bot.deps.db.session() as session:
        import_file(session=session, name="tasks.csv", data=TASKS.encode(), dry_run=False)
        import_file(session=session, name="指标.xlsx", data=indicators_xlsx(), dry_run=False)
    return bot.world.user(1001, "王芳")


async def test_full_report_with_tasks_indicators_album_and_pdf(bot: BotHarness) -> None:
    user = prepare(bot)
    await bot.world.say(user, "/report")
    [ack] = await bot.world.say(user, "11月完成健康学校自评，开展讲座2场。")
    opening = await tap(bot, user, ack, "✅ 完成")
    page = await tap(bot, user, await tap(bot, user, opening, "逐项修改"), "1")
    page = await tap(bot, user, page, "已完成")
    first = await tap(bot, user, await tap(bot, user, page, "2"), "停顿")
    assert "请回复一句原因" in first.text
    [indicator1] = await bot.world.say(user, "讲座场地装修")
    assert "指标 1/2：健康促进学校比例（目标 ≥50%）" in indicator1.text
    [bad] = await bot.world.say(user, "大概一半吧")
    assert "需要一个数值" in bad.text
    [indicator2] = await bot.world.say(user, "12/20")
    assert "指标 2/2：学生体质达标率" in indicator2.text
    problems = await tap(bot, user, indicator2, "跳过")
    assert "第2步" in problems.text
    coordination = await tap(bot, user, problems, "跳过")
    plan = await tap(bot, user, coordination, "跳过")
    assert "第4步" in plan.text
    [photos] = await bot.world.say(user, "12月迎接市级评估")
    assert "照片" in photos.text
    since = len(bot.world.messages_to(1001))
    bot.world.send_album(user, [jpeg(n) for n in range(10)], caption="11月15日·城关小学·健康讲座")
    bot.world.send_document(
        user, b"%PDF-1.4 plan", file_name="自评报告.pdf", mime_type="application/pdf"
    )
    [received] = await bot.world.wait_for_messages(1001, since=since)
    assert "已收到 10 张照片 1 份文件" in received.text
    prompt = bot.world.messages_to(1001)[since - 1]  # the next action moved down to the ack
    await bot.world.wait_until(lambda: not prompt.buttons)
    review = await tap(bot, user, received, "✅ 完成")
    expectations = (
        "1 建设健康促进学校：已完成",
        "2 开展健康讲座：停顿（讲座场地装修）",
        "健康促进学校比例：12/20",
        "学生体质达标率：暂无数据",
        "照片 10 张、文件 1 份",
    )
    for expected in expectations:
        assert expected in review.text, expected
    done = await tap(bot, user, review, "📨 提交")
    assert "按时报送" in done.text
    with bot.deps.db.session() as session:
        submission = session.exec(select(Submission)).one()
        statuses = session.exec(select(SubmissionTaskStatus.status)).all()
        values = session.exec(select(SubmissionIndicatorValue)).all()
        files = session.exec(select(Evidence)).all()
        assert session.exec(select(ReportDraft)).all() == []
    assert (submission.photo_count, submission.document_count) == (10, 1)
    assert sorted(statuses) == ["done", "stalled"]
    school = next(v for v in values if v.raw == "12/20")
    assert (school.value, school.numerator, school.denominator) == (60.0, 12.0, 20.0)
    assert [v.skipped for v in values].count(True) == 1
    assert len(files) == 11
    [amend] = await bot.world.say(user, "/report")  # an amendment starts from what was submitted
    assert "停顿（讲座场地装修）" in amend.text
    assert "健康促进学校比例：12/20" in amend.text
    assert "照片 10 张、文件 1 份" in amend.text


async def test_two_liaisons_of_one_unit_writing_at_once_lose_nothing(bot: BotHarness) -> None:
    user = prepare(bot)
    seed_backup(bot.deps, telegram_id=1002, name="赵敏", unit_name="区教委")
    other = bot.world.user(1002, "赵敏")
    await bot.world.say(user, "/report")
    await bot.world.say(other, "/report")
    for n in range(5):
        bot.world.send_text(user, f"王芳第{n}条")
        bot.world.send_text(other, f"赵敏第{n}条")
    await bot.world.wait_for_messages(1001, 6)
    await bot.world.wait_for_messages(1002, 6)
    with bot.deps.db.session() as session:
        work = session.exec(select(ReportDraft.work_done)).one()
    for n in range(5):
        assert f"王芳第{n}条" in work
        assert f"赵敏第{n}条" in work
