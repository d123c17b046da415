"""The schedule end to end: a simulated month of prompts and reminders on the CN calendar,
catch-up after downtime, the office digest, and never a message twice.

September 2026 is the test month because its calendar is awkward: the due date 09-30 is
a Wednesday, 中秋 (09-25) sits between T-3 and T-1, the 国庆 holidays push the overdue notice to
10-08, and the digest falls on Saturday 10-10, a 调休 workday.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from telegram import Bot

from bot.broadcast import Outcome
from bot.clock import ManualClock
from bot.config import Settings
from bot.deps import Deps
from bot.domain import outbox
from bot.fakes.telegram import FakeTelegramServer, FakeUser, SentMessage
from bot.scheduler import Channel, Dispatcher, DispatchReport
from handlers.broadcast_sender import TelegramSender
from storage.models import Delivery, DeliveryStatus, Transport
from tests.conftest import BACKENDS, TEST_TOKEN, BotHarness
from tests.e2e.seed import backdate_units, seed_liaison, seed_units

SHANGHAI = ZoneInfo("Asia/Shanghai")
WANG, LI, ADMIN = 1001, 1002, 9001


def moment(text: str) -> datetime:
    """'2026-09-22 09:05' in the office's time zone."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


async def tick(bot: BotHarness, when: str) -> DispatchReport:
    bot.deps.clock = ManualClock(moment(when))
    dispatcher = bot.application.bot_data.dispatcher
    assert dispatcher is not None
    return await dispatcher.tick()


def texts(bot: BotHarness, user_id: int, since: int = 0) -> list[str]:
    return [m.text for m in bot.world.messages_to(user_id)[since:]]


async def campaign(bot: BotHarness) -> dict[int, FakeUser]:
    """Two units with liaisons, one without; an office admin who has opened the bot."""
    bot.deps.clock = ManualClock(moment("2026-09-01 10:00"))
    seed_liaison(bot.deps, telegram_id=WANG, name="王芳", unit_names=["区卫生健康委"])
    seed_liaison(bot.deps, telegram_id=LI, name="李强", unit_names=["区教委"])
    seed_units(bot.deps, "区民政局")
    backdate_units(bot.deps, moment("2026-09-01 00:00"))  # owes September on
    users = {
        uid: bot.world.user(uid, name)
        for uid, name in ((WANG, "王芳"), (LI, "李强"), (ADMIN, "陈静"))
    }
    await bot.world.say(users[ADMIN], "/start")
    return users


async def tap(bot: BotHarness, user: FakeUser, message: SentMessage, label: str) -> SentMessage:
    since = len(bot.world.messages_to(user.id))
    bot.world.press_button(user, message, text=label)
    [reply] = await bot.world.wait_for_messages(user.id, since=since)
    return reply


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_a_month_of_reminders_goes_only_to_units_that_have_not_reported(
    bot: BotHarness,
) -> None:
    users = await campaign(bot)
    admin_seen = len(bot.world.messages_to(ADMIN))

    # Before the prompt's day, and before 09:00 on it: nothing.
    assert (await tick(bot, "2026-09-21 10:00")).claimed == 0
    assert (await tick(bot, "2026-09-22 08:59")).claimed == 0

    # T-5 workdays: the month's prompt to every unit with a liaison, with both buttons.
    report = await tick(bot, "2026-09-22 09:00")
    assert report.count(Outcome.SENT) == 2
    [prompt] = bot.world.messages_to(WANG)
    assert "区卫生健康委" in prompt.text and "2026-09-30" in prompt.text and "周三" in prompt.text
    assert prompt.button_texts == ["📝 开始填报", "本月无新进展"]
    assert "区教委" in texts(bot, LI)[0]

    # The same tick again, or later the same day: nothing twice.
    assert (await tick(bot, "2026-09-22 09:00")).claimed == 0
    assert (await tick(bot, "2026-09-22 15:00")).claimed == 0

    # 王芳 answers 本月无新进展 from the prompt: her unit has reported.
    confirmation = await tap(bot, users[WANG], prompt, "本月无新进展")
    assert "本月无新进展" in confirmation.text and "按时" in confirmation.text

    # T-3 (09-24, because 中秋 09-25 is a holiday), T-1, T, T+1 (after 国庆): only 李强.
    for when, words in (
        ("2026-09-24 09:01", "还有 3 个工作日截止"),
        ("2026-09-29 09:01", "明天（2026-09-30）截止"),
        ("2026-09-30 09:01", "今天（2026-09-30）是"),
        ("2026-10-08 09:01", "已过截止日"),
    ):
        before = len(texts(bot, LI))
        await tick(bot, when)
        assert len(texts(bot, LI)) == before + 1, when
        assert words in texts(bot, LI)[-1], when
    assert len(bot.world.messages_to(WANG)) == 2  # the prompt and her confirmation
    assert len(bot.world.messages_to(LI)) == 5

    # Holidays and weekends in between: nothing goes out.
    for when in ("2026-09-25 10:00", "2026-09-27 10:00", "2026-10-03 10:00"):
        assert (await tick(bot, when)).claimed == 0, when

    # T+3 (a 调休 Saturday): the office digest — missing 区教委, 区民政局 without a liaison.
    await tick(bot, "2026-10-10 09:30")
    digest = texts(bot, ADMIN, admin_seen)[-1]
    assert "2026-09 报送情况" in digest
    assert "按时 1，逾期 0，未报 1，未登记联络员 1" in digest
    assert "未报：区教委" in digest
    assert "区民政局" in digest.split("未登记联络员（")[1]
    assert "/remind" in digest
    assert (await tick(bot, "2026-10-12 09:30")).claimed == 0  # the digest went once

    with bot.deps.db.session() as session:
        statuses = {row.status for row in session.exec(select(Delivery))}
    assert statuses == {DeliveryStatus.SENT}


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_downtime_across_t_minus_1_sends_one_catch_up(bot: BotHarness) -> None:
    await campaign(bot)
    await tick(bot, "2026-09-22 09:00")  # prompt
    await tick(bot, "2026-09-24 09:00")  # T-3
    seen = len(bot.world.messages_to(LI))
    # The bot is down from 09-28 until 09-30 10:00: T-1 (09-29) was never sent.
    report = await tick(bot, "2026-09-30 10:00")
    assert report.count(Outcome.SENT) == 2  # one message to each liaison, not two
    new = texts(bot, LI, seen)
    assert len(new) == 1 and "今天（2026-09-30）是" in new[0]
    assert (await tick(bot, "2026-09-30 10:01")).claimed == 0


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_a_restart_on_the_same_day_sends_the_missed_reminder_once(bot: BotHarness) -> None:
    await campaign(bot)
    await tick(bot, "2026-09-22 09:00")
    # Down over 09:00 on T-1; back at 15:00 the same day: the T-1 reminder still goes, once.
    report = await tick(bot, "2026-09-29 15:00")
    assert report.count(Outcome.SENT) == 2
    assert "明天（2026-09-30）截止" in texts(bot, LI)[-1]
    # After 18:00 nothing goes, even what is due.
    assert (await tick(bot, "2026-09-30 18:30")).claimed == 0
    assert (await tick(bot, "2026-10-08 08:00")).claimed == 0
    report = await tick(bot, "2026-10-08 09:00")
    assert report.count(Outcome.SENT) == 2 and "已过截止日" in texts(bot, LI)[-1]


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_a_liaison_who_blocked_the_bot_is_reported_to_the_office(bot: BotHarness) -> None:
    users = await campaign(bot)
    bot.world.block_bot(users[LI])
    report = await tick(bot, "2026-09-22 09:00")
    assert report.count(Outcome.SENT) == 1 and report.count(Outcome.BLOCKED) == 1
    since = len(bot.world.messages_to(ADMIN))
    await tick(bot, "2026-09-22 09:01")
    [notice] = texts(bot, ADMIN, since)
    assert "李强（区教委）" in notice and "收不到" in notice
    await tick(bot, "2026-09-24 09:00")  # T-3 finds him blocked again: no second notice
    assert len(texts(bot, ADMIN, since)) == 1
    with bot.deps.db.session() as session:
        blocked = session.exec(
            select(Delivery).where(Delivery.status == DeliveryStatus.BLOCKED)
        ).all()
    assert {row.kind for row in blocked} == {"prompt", "before"}


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_office_admins_hear_in_november_that_next_year_has_no_holiday_data(
    bot: BotHarness,
) -> None:
    await campaign(bot)
    since = len(bot.world.messages_to(ADMIN))
    await tick(bot, "2026-10-30 10:00")  # October's due day: liaisons are reminded, but
    assert texts(bot, ADMIN, since) == []  # the office hears of next year only from November
    await tick(bot, "2026-11-02 10:00")
    warning = texts(bot, ADMIN, since)
    assert any("2027 年没有法定节假日数据" in text for text in warning)
    await tick(bot, "2026-11-03 10:00")
    assert sum("2027 年没有" in text for text in texts(bot, ADMIN, since)) == 1


def another_instance(settings: Settings, api_base_url: str, when: str) -> DispatchReport:
    """A second bot process's tick: its own thread, event loop, engine and HTTP client."""

    async def run() -> DispatchReport:
        deps = Deps.from_settings(settings, clock=ManualClock(moment(when)))
        sender = Bot(TEST_TOKEN, base_url=api_base_url)
        await sender.initialize()
        try:
            channel = Channel(TelegramSender(sender), 4096)
            return await Dispatcher(deps, {Transport.TELEGRAM: channel}).tick()
        finally:
            await sender.shutdown()
            deps.close()

    return asyncio.run(run())


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_two_instances_on_one_database_send_every_reminder_once(
    bot: BotHarness, telegram: FakeTelegramServer
) -> None:
    """Bot processes sharing the database race on every tick; the delivery log's unique key
    lets exactly one of them send each message."""
    await campaign(bot)
    liaisons = [WANG, LI]
    for number in range(12):
        user_id = 2000 + number
        bot.world.user(user_id, f"联络员{number}")
        seed_liaison(
            bot.deps, telegram_id=user_id, name=f"联络员{number}", unit_names=[f"单位{number:02d}"]
        )
        liaisons.append(user_id)
    backdate_units(bot.deps, moment("2026-09-01 00:00"))
    first = bot.application.bot_data.dispatcher
    assert first is not None
    for when in ("2026-09-22 09:00", "2026-09-24 09:00", "2026-09-30 09:00"):
        bot.deps.clock = ManualClock(moment(when))
        reports = await asyncio.gather(
            first.tick(),
            *(
                asyncio.to_thread(another_instance, bot.settings, telegram.api_base_url, when)
                for _ in range(2)
            ),
        )
        assert sum(r.count(Outcome.SENT) for r in reports) == 14, (when, reports)
    for user_id in liaisons:
        assert len(bot.world.messages_to(user_id)) == 3, user_id


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_a_message_claimed_by_one_dispatcher_is_not_sent_by_another(
    bot: BotHarness,
) -> None:
    """Both planned the same reminders before either claimed them (the race the log's unique
    key exists for): the second finds every key taken and sends nothing."""
    await campaign(bot)
    bot.deps.clock = ManualClock(moment("2026-09-22 09:00"))
    dispatcher = bot.application.bot_data.dispatcher
    assert dispatcher is not None
    with bot.deps.db.session() as session:
        planned = outbox.plan(
            session=session, now=bot.deps.clock.now(), tz=SHANGHAI, office=dispatcher.office()
        )
    assert len(planned) == 2
    first, second = await asyncio.gather(dispatcher.dispatch(planned), dispatcher.dispatch(planned))
    assert (first.claimed, second.claimed) == (2, 0)
    assert len(bot.world.messages_to(LI)) == 1


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,), reminder_tick_seconds=1)
async def test_the_running_bot_ticks_by_itself(bot: BotHarness) -> None:
    """With REMINDER_TICK_SECONDS set, the application's job queue drives the schedule."""
    bot.deps.clock = ManualClock(moment("2026-09-22 09:00"))
    bot.world.user(WANG, "王芳")
    seed_liaison(bot.deps, telegram_id=WANG, name="王芳", unit_names=["区卫生健康委"])
    backdate_units(bot.deps, moment("2026-09-01 00:00"))
    [prompt] = await bot.world.wait_for_messages(WANG, timeout=10)
    assert "2026-09 工作进展开始报送" in prompt.text
    # Besides the periodic tick, the scheduler wakes at the next step's exact time (T-3).
    queue = bot.application.job_queue
    assert queue is not None
    await bot.world.wait_until(lambda: bool(queue.get_jobs_by_name("scheduled-wake-up")))
    [wake] = queue.get_jobs_by_name("scheduled-wake-up")
    assert wake.next_t is not None
    expected = (moment("2026-09-24 09:00") - moment("2026-09-22 09:00")).total_seconds()
    wall = datetime.now(SHANGHAI)  # clock-ok: APScheduler schedules jobs on the wall clock
    assert abs((wake.next_t - wall).total_seconds() - expected) < 120
