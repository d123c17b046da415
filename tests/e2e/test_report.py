"""The monthly report conversation (text sections), end to end through the fake server."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.clock import ManualClock
from bot.config import Settings
from bot.fakes.telegram import FakeTelegramServer, FakeUser, SentMessage
from storage.models import ReportDraft, Submission, SubmissionKind, Transport
from storage.repo_people import add_person_with_identity
from tests.conftest import BotHarness, running_bot
from tests.e2e.seed import seed_backup, seed_liaison

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(bot: BotHarness, year: int, month: int, day: int, hour: int) -> None:
    bot.deps.clock = ManualClock(datetime(year, month, day, hour, tzinfo=SHANGHAI))


async def tap(
    bot: BotHarness, user: FakeUser, message: SentMessage, label: str, replies: int = 1
) -> list[SentMessage]:
    since = len(bot.world.messages_to(user.id))
    bot.world.press_button(user, message, text=label)
    return await bot.world.wait_for_messages(user.id, replies, since=since)


def submissions(bot: BotHarness) -> list[Submission]:
    with bot.deps.db.session() as session:
        return list(session.exec(select(Submission).order_by(col(Submission.version))))


async def write_report(bot: BotHarness, user: FakeUser) -> SentMessage:
    """Walk every step; return the review message."""
    [ask] = await bot.world.say(user, "/report")
    assert "第1步：本月完成了哪些工作" in ask.text
    [ack] = await bot.world.say(user, "11月5日在卫星湖社区开展高血压义诊，120人参加。")
    assert "已记录" in ack.text
    await bot.world.say(user, "11月12日举办健康讲座一场。")
    [problems] = await tap(bot, user, ack, "✅ 完成")
    assert "第2步：存在哪些问题" in problems.text
    [coordination] = await bot.world.say(user, "宣传经费不足")
    assert "第3步" in coordination.text
    [plan] = await tap(bot, user, coordination, "跳过")
    assert "第4步" in plan.text
    [photos] = await bot.world.say(user, "12月开展控烟宣传")
    assert "第5步：请发送本月活动照片或材料" in photos.text
    [review] = await tap(bot, user, photos, "跳过")
    return review


async def test_a_full_report_on_time(bot: BotHarness) -> None:
    at(bot, 2026, 11, 23, 10)
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区卫生健康委"])
    user = bot.world.user(1001, "王芳")
    review = await write_report(bot, user)
    assert "请核对 区卫生健康委 · 2026-11 工作进展" in review.text
    assert "高血压义诊，120人参加。\n11月12日举办健康讲座一场。" in review.text
    assert "存在问题：宣传经费不足" in review.text
    assert "需协调解决事项：无" in review.text
    assert review.button_texts == ["📨 提交", "✏️ 修改", "取消"]
    [done] = await tap(bot, user, review, "📨 提交")
    assert "已提交：区卫生健康委 2026-11 工作进展" in done.text
    assert "按时报送（截止日期 2026-11-30）" in done.text
    [saved] = submissions(bot)
    assert (saved.version, saved.kind, saved.workdays_late) == (1, SubmissionKind.REPORT, 0)
    assert saved.problems == "宣传经费不足"
    assert saved.coordination == ""
    [status] = await bot.world.say(user, "/status")
    assert "已报送第 1 版，按时" in status.text


async def test_late_by_workdays(bot: BotHarness) -> None:
    at(bot, 2026, 7, 31, 16)  # July is due on Thursday the 30th
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    review = await write_report(bot, user := bot.world.user(1001, "王芳"))
    [done] = await tap(bot, user, review, "📨 提交")
    assert "晚于截止日期 2026-07-30 1 个工作日" in done.text


async def test_no_progress_is_one_tap(bot: BotHarness) -> None:
    at(bot, 2026, 11, 23, 10)
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区总工会"])
    user = bot.world.user(1001, "王芳")
    [ask] = await bot.world.say(user, "/report")
    [done] = await tap(bot, user, ask, "本月无新进展")
    assert "已记录：区总工会 2026-11 本月无新进展" in done.text
    [saved] = submissions(bot)
    assert saved.kind == SubmissionKind.NO_PROGRESS
    [status] = await bot.world.say(user, "/status")
    assert "（本月无新进展）" in status.text


async def test_resume_after_restart_and_backup_finishes(
    telegram: FakeTelegramServer, bot_settings: Settings
) -> None:
    async with running_bot(telegram, bot_settings) as first:
        at(first, 2026, 11, 23, 10)
        seed_liaison(first.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
        main = first.world.user(1001, "王芳")
        await first.world.say(main, "/report")
        [ack] = await first.world.say(main, "完成了健康学校评估。")
        await tap(first, main, ack, "✅ 完成")
    async with running_bot(telegram, bot_settings) as second:
        at(second, 2026, 11, 24, 9)
        [coordination] = await second.world.say(main, "学校经费紧张")  # answers 存在问题
        assert "第3步" in coordination.text
        with second.deps.db.session() as session:
            draft = session.exec(select(ReportDraft)).one()
        assert draft.work_done == "完成了健康学校评估。"
        assert draft.problems == "学校经费紧张"

        seed_backup(second.deps, telegram_id=1002, name="赵敏", unit_name="区教委")
        deputy = second.world.user(1002, "赵敏")
        [resumed] = await second.world.say(deputy, "/report")
        assert "第3步" in resumed.text  # the backup continues the same draft
        [plan] = await tap(second, deputy, resumed, "跳过")
        [photos] = await second.world.say(deputy, "继续推进")
        [review] = await tap(second, deputy, photos, "跳过")
        [done] = await tap(second, deputy, review, "📨 提交")
        assert "已提交" in done.text
        [saved] = submissions(second)
        assert saved.work_done == "完成了健康学校评估。"
        assert saved.problems == "学校经费紧张"
        assert plan.text.startswith("第4步")


async def test_amending_creates_a_new_version(bot: BotHarness) -> None:
    at(bot, 2026, 11, 23, 10)
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    user = bot.world.user(1001, "王芳")
    review = await write_report(bot, user)
    await tap(bot, user, review, "📨 提交")
    [again] = await bot.world.say(user, "/report")  # starts from the submitted content
    assert "宣传经费不足" in again.text
    [sections] = await tap(bot, user, again, "✏️ 修改")
    [ask] = await tap(bot, user, sections, "存在问题")
    assert "第2步" in ask.text
    [review2] = await bot.world.say(user, "宣传经费已落实，无其他问题")  # back to the review
    assert "存在问题：宣传经费已落实" in review2.text
    [done] = await tap(bot, user, review2, "📨 提交")
    assert "第 2 版" in done.text
    first, second = submissions(bot)
    assert (first.version, second.version) == (1, 2)
    assert first.problems == "宣传经费不足"
    assert second.problems == "宣传经费已落实，无其他问题"
    assert second.work_done == first.work_done


async def test_stale_and_forged_buttons(bot: BotHarness) -> None:
    at(bot, 2026, 11, 23, 10)
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    seed_liaison(bot.deps, telegram_id=1002, name="李强", unit_names=["区总工会"])
    user = bot.world.user(1001, "王芳")
    [ask] = await bot.world.say(user, "/report")
    done_data = ask.buttons[0]["callback_data"]
    [ack] = await bot.world.say(user, "工作内容")
    await tap(bot, user, ack, "✅ 完成")
    since = len(bot.world.messages_to(1001))
    bot.world.press_button(user, ask, data=done_data)  # 完成 again, from the first message
    [stale] = await bot.world.wait_for_messages(1001, since=since)
    assert "这个按钮已经过期" in stale.text
    with bot.deps.db.session() as session:
        assert session.exec(select(ReportDraft.step)).one() == "problems"  # nothing skipped
    other = bot.world.user(1002, "李强")
    answered = len(bot.world.callback_answers)
    bot.world.press_button(other, ask, data=done_data)  # another unit's button
    await bot.world.wait_until(lambda: len(bot.world.callback_answers) > answered)
    assert "您不是这个单位的联络员" in (bot.world.callback_answers[-1]["text"] or "")


async def test_cancel_pauses_and_discard_needs_confirmation(bot: BotHarness) -> None:
    at(bot, 2026, 11, 23, 10)
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    user = bot.world.user(1001, "王芳")
    await bot.world.say(user, "/report")
    await bot.world.say(user, "写了一半")
    [paused] = await bot.world.say(user, "/cancel")
    assert "草稿已保存" in paused.text
    [hint] = await bot.world.say(user, "随便聊聊")  # not captured by the paused report
    assert "目前没有需要您填写的内容" in hint.text
    [resumed] = await bot.world.say(user, "/report")
    assert "已记录 4 字" in resumed.text
    review = await write_rest(bot, user, resumed)
    [confirm] = await tap(bot, user, review, "取消")
    assert "要丢弃 区教委 的这份草稿吗" in confirm.text
    [gone] = await tap(bot, user, confirm, "🗑 丢弃草稿")
    assert "已丢弃" in gone.text
    assert submissions(bot) == []


async def write_rest(bot: BotHarness, user: FakeUser, ask: SentMessage) -> SentMessage:
    [problems] = await tap(bot, user, ask, "✅ 完成")
    [coordination] = await tap(bot, user, problems, "跳过")
    [plan] = await tap(bot, user, coordination, "跳过")
    [photos] = await tap(bot, user, plan, "跳过")
    [review] = await tap(bot, user, photos, "跳过")
    return review


async def test_work_limit_counts_what_is_already_written(bot: BotHarness) -> None:
    """本月完成工作 grows a message at a time; the 20 000-character limit counts what is
    stored (in characters, not bytes: every character here is three bytes in UTF-8), and a
    refused message leaves the stored text as it was."""
    at(bot, 2026, 11, 23, 10)
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    user = bot.world.user(1001, "王芳")
    await bot.world.say(user, "/report")
    [first] = await bot.world.say(user, "健" * 12_000)
    [refused] = await bot.world.say(user, "康" * 8_001)
    assert "内容太长了" in refused.text
    [fits] = await bot.world.say(user, "康" * 8_000)
    assert "内容太长了" not in first.text + fits.text
    with bot.deps.db.session() as session:
        work = session.exec(select(ReportDraft.work_done)).one()
    assert work == "健" * 12_000 + "\n" + "康" * 8_000


async def test_long_text_is_split_and_bad_input_explained(bot: BotHarness) -> None:
    at(bot, 2026, 11, 23, 10)
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    user = bot.world.user(1001, "王芳")
    [ask] = await bot.world.say(user, "/report")
    [empty] = await tap(bot, user, ask, "✅ 完成")
    assert "还没有写本月完成的工作" in empty.text
    for _ in range(3):
        [ack] = await bot.world.say(user, "开展健康教育活动 👍🏻 <b>&amp; " + "很长的内容" * 400)
    [too_long] = await bot.world.say(user, "字" * 20_001)
    assert "内容太长了" in too_long.text
    [problems] = await tap(bot, user, ack, "✅ 完成")
    [coordination] = await tap(bot, user, problems, "跳过")
    [plan] = await tap(bot, user, coordination, "跳过")
    [photos] = await tap(bot, user, plan, "跳过")
    since = len(bot.world.messages_to(1001))
    bot.world.press_button(user, photos, text="跳过")
    review_buttons = ["📨 提交", "✏️ 修改", "取消"]
    await bot.world.wait_until(
        lambda: (
            len(bot.world.messages_to(1001)) > since
            and bot.world.last_message_to(1001).button_texts == review_buttons
        )
    )
    pieces = bot.world.messages_to(1001)[since:]
    review = pieces[-1]
    assert len(pieces) >= 2  # too long for one message
    assert "请核对" in pieces[0].text
    assert not any(piece.buttons for piece in pieces[:-1])
    assert all(len(piece.text) <= 4096 for piece in pieces)
    assert review.button_texts == ["📨 提交", "✏️ 修改", "取消"]
    assert "<b>&amp;" in "".join(piece.text for piece in pieces)  # shown exactly as typed


async def test_several_units_choose_first(bot: BotHarness) -> None:
    at(bot, 2026, 11, 23, 10)
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["某某镇", "某某镇卫生院"])
    user = bot.world.user(1001, "王芳")
    [picker] = await bot.world.say(user, "/report")
    assert picker.button_texts == ["某某镇", "某某镇卫生院"]
    [ask] = await tap(bot, user, picker, "某某镇卫生院")
    assert "某某镇卫生院 · 2026-11" in ask.text


async def test_strangers_and_office_cannot_report(bot: BotHarness) -> None:
    [refused] = await bot.world.say(bot.world.user(5, "路人"), "/report")
    assert "您还没有登记为联络员" in refused.text


async def test_office_sees_a_units_history(bot: BotHarness) -> None:
    from storage.models import OfficeRole
    from storage.repo_people import grant_office_role

    at(bot, 2026, 11, 23, 10)
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    user = bot.world.user(1001, "王芳")
    review = await write_report(bot, user)
    await tap(bot, user, review, "📨 提交")
    [again] = await bot.world.say(user, "/report")
    await tap(bot, user, again, "📨 提交")  # a second version, unchanged
    with bot.deps.db.session() as session:
        staff = add_person_with_identity(
            session=session,
            name="刘洋",
            transport=Transport.TELEGRAM,
            external_id="9002",
            chat_id="9002",
        )
        assert staff.id is not None
        grant_office_role(session=session, person_id=staff.id, role=OfficeRole.STAFF)
    office = bot.world.user(9002, "刘洋")
    [roster] = await bot.world.say(office, "/units")
    assert "区教委：王芳（主） 13912345678，最近报送 2026-11-23" in roster.text
    [history] = await bot.world.say(office, "/unit 区教委")
    assert "区教委 报送记录" in history.text
    assert "2026-11：已报送（共 2 版，以第 2 版为准），11-23 提交，按时" in history.text
    [refused] = await bot.world.say(user, "/unit 区教委")
    assert "仅供创建办使用" in refused.text


async def test_early_in_a_month_last_month_can_be_caught_up(bot: BotHarness) -> None:
    at(bot, 2026, 11, 2, 10)  # the unit is in the campaign before November's prompt
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    at(bot, 2026, 12, 2, 10)  # November was due Monday 11-30 and is unreported
    user = bot.world.user(1001, "王芳")
    [choice] = await bot.world.say(user, "/report")
    assert "区教委 2026-11 的工作进展还没有报送" in choice.text
    assert choice.button_texts == ["补报 2026-11", "填写 2026-12"]
    [ask] = await tap(bot, user, choice, "补报 2026-11")
    assert "区教委 · 2026-11 工作进展" in ask.text
    [done] = await tap(bot, user, ask, "本月无新进展")
    assert "晚于截止日期 2026-11-30 2 个工作日" in done.text
    [now] = await bot.world.say(user, "/report")  # November is in: straight to December
    assert "区教委 · 2026-12 工作进展" in now.text
