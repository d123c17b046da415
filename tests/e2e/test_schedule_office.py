"""The office's side of the schedule: /digest, /remind (催报), and task-deadline alerts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from storage.models import (
    AuditEntry,
    DeadlineKind,
    MemberUnit,
    Responsibility,
    Submission,
    SubmissionTaskStatus,
    Task,
    TaskStatus,
    TaskUnit,
)
from storage.repo_units import get_default_campaign
from tests.conftest import BotHarness
from tests.e2e.test_schedule import ADMIN, LI, WANG, campaign, moment, tap, texts, tick


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_digest_on_demand_shows_missing_late_and_unregistered_units(
    bot: BotHarness,
) -> None:
    users = await campaign(bot)
    await tick(bot, "2026-09-22 09:00")
    [prompt] = bot.world.messages_to(WANG)
    bot.deps.clock = ManualClock(moment("2026-10-09 10:00"))  # after the due date
    await tap(bot, users[WANG], prompt, "本月无新进展")
    [digest] = await bot.world.say(users[ADMIN], "/digest 2026-09")
    assert "2026-09 报送情况" in digest.text
    assert "按时 0，逾期 1，未报 1，未登记联络员 1" in digest.text
    assert "逾期报送：区卫生健康委（晚2个工作日）" in digest.text  # 10-08, 10-09 after 国庆
    [refusal] = await bot.world.say(users[LI], "/digest")
    assert "创建办" in refusal.text and "区教委" not in refusal.text


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_remind_all_missing_units_once_a_day(bot: BotHarness) -> None:
    users = await campaign(bot)
    bot.deps.clock = ManualClock(moment("2026-09-28 10:00"))
    [preview] = await bot.world.say(users[ADMIN], "/remind")
    assert "2026-09 待报的单位（2个）：区卫生健康委、区教委" in preview.text  # due 09-30
    assert preview.button_texts == ["📣 催报全部未报单位（2个）"]
    done = await tap(bot, users[ADMIN], preview, "📣 催报全部未报单位（2个）")
    assert "已向 2 个单位的联络员私信催报：区卫生健康委、区教委" in done.text
    [reminder] = bot.world.messages_to(LI)
    assert "创建办提醒" in reminder.text and reminder.button_texts == ["📝 开始填报"]

    # The same day again, by name: not sent twice; an unknown name is said so.
    [again] = await bot.world.say(users[ADMIN], "/remind 区教委、不存在的局")
    assert "今天已催报过，未重复发送：区教委" in again.text
    assert "没有找到这些单位：不存在的局" in again.text
    assert len(bot.world.messages_to(LI)) == 1

    # Next workday, one unit by name.
    bot.deps.clock = ManualClock(moment("2026-09-29 10:00"))
    [one] = await bot.world.say(users[ADMIN], "/remind 区教委")
    assert "已向 1 个单位的联络员私信催报：区教委" in one.text
    assert len(bot.world.messages_to(LI)) == 2 and len(bot.world.messages_to(WANG)) == 1

    with bot.deps.db.session() as session:
        logged = session.exec(select(AuditEntry).where(AuditEntry.action == "remind")).all()
    assert [entry.details["units"] for entry in logged] == ["区卫生健康委、区教委", "区教委"]


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_remind_outside_working_hours_sends_nothing_and_says_why(bot: BotHarness) -> None:
    users = await campaign(bot)
    bot.deps.clock = ManualClock(moment("2026-09-26 10:00"))  # a Saturday
    [reply] = await bot.world.say(users[ADMIN], "/remind 区教委")
    assert "不是工作时间" in reply.text
    assert bot.world.messages_to(LI) == []


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_a_liaison_cannot_remind_or_press_the_remind_button(bot: BotHarness) -> None:
    users = await campaign(bot)
    bot.deps.clock = ManualClock(moment("2026-09-28 10:00"))
    [refusal] = await bot.world.say(users[LI], "/remind")
    assert "创建办" in refusal.text
    [preview] = await bot.world.say(users[ADMIN], "/remind")
    before = len(bot.world.callback_answers)
    bot.world.press_button(users[LI], preview, data="rm:202609")
    await bot.world.wait_until(lambda: len(bot.world.callback_answers) > before)
    assert bot.world.callback_answers[-1]["show_alert"] is True
    assert bot.world.messages_to(WANG) == []


def task_alerts(bot: BotHarness, user_id: int) -> list[str]:
    return [text for text in texts(bot, user_id) if "完成时限" in text]


def seed_task(bot: BotHarness, code: str, deadline: date, kind: DeadlineKind) -> int:
    """A task led by 区卫生健康委 with 区教委 co-operating."""
    with bot.deps.db.session() as session:
        campaign = get_default_campaign(session=session)
        assert campaign is not None and campaign.id is not None
        task = Task(
            campaign_id=campaign.id, code=code, content=f"任务{code}：建设健康步道",
            deadline_kind=kind, deadline_date=deadline,
        )  # fmt: skip
        session.add(task)
        session.flush()
        assert task.id is not None
        units = {u.full_name: u.id for u in session.exec(select(MemberUnit))}
        for name, role in (
            ("区卫生健康委", Responsibility.LEAD),
            ("区教委", Responsibility.COOPERATING),
        ):
            unit_id = units[name]
            assert unit_id is not None
            session.add(TaskUnit(task_id=task.id, unit_id=unit_id, role=role))
        return task.id


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_task_deadline_alerts_lead_and_copy_then_overdue(bot: BotHarness) -> None:
    await campaign(bot)
    seed_task(bot, "1.1", date(2026, 10, 16), DeadlineKind.DATE)
    seed_task(bot, "1.2", date(2026, 10, 16), DeadlineKind.DATE)
    seed_task(bot, "2.1", date(2026, 10, 16), DeadlineKind.DATE_THEN_ONGOING)

    await tick(bot, "2026-10-09 10:00")
    assert task_alerts(bot, WANG) == []
    await tick(bot, "2026-10-10 10:00")  # 5 workdays before 10-16: Saturday 10-10, a 调休 workday
    [lead] = task_alerts(bot, WANG)
    assert "临近完成时限" in lead and all(code in lead for code in ("1.1", "1.2", "2.1"))
    [copy] = task_alerts(bot, LI)
    assert copy.startswith("⏰ 抄送")
    await tick(bot, "2026-10-12 10:00")
    assert len(task_alerts(bot, WANG)) == 1  # once

    # 1.1 is reported done before the deadline; 1.2 is not; 2.1 is ongoing after its date.
    with bot.deps.db.session() as session:
        unit = session.exec(select(MemberUnit).where(MemberUnit.full_name == "区卫生健康委")).one()
        task = session.exec(select(Task).where(Task.code == "1.1")).one()
        assert unit.id is not None and task.id is not None
        submission = Submission(unit_id=unit.id, period="2026-10", due_date=date(2026, 10, 30))
        session.add(submission)
        session.flush()
        assert submission.id is not None
        session.add(
            SubmissionTaskStatus(
                submission_id=submission.id, task_id=task.id, status=TaskStatus.DONE
            )
        )
    await tick(bot, "2026-10-19 09:30")  # the first workday after the deadline
    overdue = task_alerts(bot, WANG)[-1]
    assert "已过完成时限" in overdue and "1.2" in overdue
    assert "1.1" not in overdue and "2.1" not in overdue
    assert len(task_alerts(bot, LI)) == 1  # co-operating units get no overdue notice


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_an_old_plan_does_not_flood_anyone_with_overdue_notices(bot: BotHarness) -> None:
    await campaign(bot)
    seed_task(bot, "9.9", date(2026, 6, 30), DeadlineKind.DATE)
    await tick(bot, "2026-09-22 09:00")
    assert texts(bot, WANG) and task_alerts(bot, WANG) == []
