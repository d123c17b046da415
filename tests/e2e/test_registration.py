"""Invite → register → change of liaison, end to end through the fake Bot API server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.clock import ManualClock
from bot.config import Settings
from bot.fakes.telegram import FakeTelegramServer, FakeUser
from storage.models import AssignmentRole, AuditEntry, Invite, LiaisonAssignment, Person
from tests.conftest import BotHarness, running_bot
from tests.e2e.seed import invite_code, seed_units

ADMIN_ID = 9001
admin_settings = pytest.mark.bot_settings(office_admin_ids=(ADMIN_ID,))


async def register(
    bot: BotHarness, user: FakeUser, code: str, name: str = "王芳", phone: str = "跳过"
) -> str:
    """Walk the whole registration; return the bot's last answer."""
    [ask_name] = await bot.world.say(user, f"/start {code}")
    assert "请回复您的姓名" in ask_name.text, ask_name.text
    [ask_phone] = await bot.world.say(user, name)
    assert "请提供您的手机号" in ask_phone.text, ask_phone.text
    [done] = await bot.world.say(user, phone)
    return done.text


def assignments(bot: BotHarness) -> list[LiaisonAssignment]:
    with bot.deps.db.session() as session:
        return list(session.exec(select(LiaisonAssignment).order_by(col(LiaisonAssignment.id))))


def audit_actions(bot: BotHarness) -> list[str]:
    with bot.deps.db.session() as session:
        return [entry.action for entry in session.exec(select(AuditEntry))]


@admin_settings
async def test_invite_register_and_appear_in_the_roster(bot: BotHarness) -> None:
    [unit_id, _] = seed_units(bot.deps, "区教委", "区总工会")
    code = invite_code(bot.deps, unit_id)
    liaison = bot.world.user(1001, "Fang")
    [ask_name] = await bot.world.say(liaison, f"/start {code}")
    assert "您正在登记为 区教委 的联络员" in ask_name.text
    [ask_phone] = await bot.world.say(liaison, "  王  芳 ")
    assert ask_phone.keyboard_texts == ["📱 分享我的手机号", "跳过"]
    [done] = await bot.world.say(liaison, "+86 139-1234-5678")
    assert "登记完成！王 芳，您已是 区教委 的联络员" in done.text
    assert "13912345678" not in done.text

    [whoami] = await bot.world.say(liaison, "/whoami")
    assert "区教委（主联络员）" in whoami.text
    assert "13912345678" not in whoami.text

    admin = bot.world.user(ADMIN_ID, "陈静")
    [roster] = await bot.world.say(admin, "/units")
    assert "已登记 1/2 个单位" in roster.text
    assert "区教委：王 芳（主） 13912345678" in roster.text
    assert "区总工会：未登记" in roster.text
    assert "liaison_registered" in audit_actions(bot)


async def test_shared_contact_must_be_ones_own(bot: BotHarness) -> None:
    [unit_id] = seed_units(bot.deps, "区教委")
    user = bot.world.user(1001, "Fang")
    await bot.world.say(user, f"/start {invite_code(bot.deps, unit_id)}")
    await bot.world.say(user, "王芳")
    since = len(bot.world.messages_to(1001))
    bot.world.send_contact(user, "13800000000", card_of=bot.world.user(555, "别人"))
    [refused] = await bot.world.wait_for_messages(1001, since=since)
    assert "请分享您本人的手机号" in refused.text
    since = len(bot.world.messages_to(1001))
    bot.world.send_contact(user, "8613912345678")
    [done] = await bot.world.wait_for_messages(1001, since=since)
    assert "登记完成" in done.text
    with bot.deps.db.session() as session:
        assert session.exec(select(Person.phone)).all() == ["13912345678"]


async def test_bad_answers_are_explained_and_nothing_is_lost(bot: BotHarness) -> None:
    [unit_id] = seed_units(bot.deps, "区教委")
    user = bot.world.user(1001, "Fang")
    await bot.world.say(user, f"/start {invite_code(bot.deps, unit_id)}")
    for bad_name in ("12345", "x" * 40, "😀😀"):
        [reply] = await bot.world.say(user, bad_name)
        assert "这看起来不像姓名" in reply.text
    await bot.world.say(user, "王芳")
    [reply] = await bot.world.say(user, "1234")
    assert "请输入11位中国大陆手机号" in reply.text
    [reply] = await bot.world.say(user, "/help")  # a command mid-way does not lose the step
    [done] = await bot.world.say(user, "１３９１２３４５６７８")  # full-width digits
    assert "登记完成！王芳" in done.text


async def test_registration_survives_a_restart(
    telegram: FakeTelegramServer, bot_settings: Settings
) -> None:
    async with running_bot(telegram, bot_settings) as first:
        [unit_id] = seed_units(first.deps, "区教委")
        user = first.world.user(1001, "Fang")
        await first.world.say(user, f"/start {invite_code(first.deps, unit_id)}")
        await first.world.say(user, "王芳")
    async with running_bot(telegram, bot_settings) as second:
        [done] = await second.world.say(user, "13912345678")
        assert "登记完成！王芳，您已是 区教委 的联络员" in done.text


async def test_expired_reused_and_resumed_codes(bot: BotHarness) -> None:
    clock = ManualClock(bot.deps.clock.now())
    bot.deps.clock = clock
    [unit_id] = seed_units(bot.deps, "区教委")
    old_code = invite_code(bot.deps, unit_id)
    clock.advance(timedelta(days=15))
    [expired] = await bot.world.say(bot.world.user(1, "甲"), f"/start {old_code}")
    assert "已过期" in expired.text

    code = invite_code(bot.deps, unit_id)
    first, second = bot.world.user(1, "甲"), bot.world.user(2, "乙")
    await bot.world.say(first, f"/start {code}")
    [again] = await bot.world.say(first, f"/start {code}")  # tapping the link again resumes
    assert "请回复您的姓名" in again.text
    [used] = await bot.world.say(second, f"/start {code}")
    assert "已经使用过了" in used.text
    await bot.world.say(first, "甲某")
    await bot.world.say(first, "跳过")
    [used_after] = await bot.world.say(second, f"/start {code}")
    assert "已经使用过了" in used_after.text


async def test_wrong_codes_lock_out_after_five_tries(bot: BotHarness) -> None:
    [unit_id] = seed_units(bot.deps, "区教委")
    user = bot.world.user(1, "甲")
    for remaining in (4, 3, 2, 1):
        [reply] = await bot.world.say(user, f"/start WRONG{remaining}code")
        assert f"还可再试 {remaining} 次" in reply.text
    [last] = await bot.world.say(user, "/start WRONGagain")
    assert "无效" in last.text
    [locked] = await bot.world.say(user, f"/start {invite_code(bot.deps, unit_id)}")
    assert "输错次数太多" in locked.text
    [other] = await bot.world.say(
        bot.world.user(2, "乙"), f"/start {invite_code(bot.deps, unit_id)}"
    )
    assert "请回复您的姓名" in other.text  # the lockout is per person


async def test_codes_are_stored_hashed(bot: BotHarness) -> None:
    [unit_id] = seed_units(bot.deps, "区教委")
    code = invite_code(bot.deps, unit_id)
    assert 22 <= len(code) <= 64
    with bot.deps.db.session() as session:
        [invite] = session.exec(select(Invite)).all()
    assert code not in invite.code_sha256
    assert len(invite.code_sha256) == 64


@admin_settings
async def test_change_of_liaison_needs_the_office(bot: BotHarness) -> None:
    [unit_id] = seed_units(bot.deps, "区教委")
    admin = bot.world.user(ADMIN_ID, "陈静")
    await bot.world.say(admin, "/start")  # the admin has talked to the bot before
    old, new = bot.world.user(1001, "Fang"), bot.world.user(1002, "Qiang")
    await register(bot, old, invite_code(bot.deps, unit_id), name="王芳")

    since = len(bot.world.messages_to(ADMIN_ID))
    pending = await register(bot, new, invite_code(bot.deps, unit_id), name="李强")
    assert "更换联络员需要创建办确认" in pending
    [request] = await bot.world.wait_for_messages(ADMIN_ID, since=since)
    assert "现任联络员：王芳" in request.text
    assert request.button_texts == ["✅ 同意更换", "❌ 不同意"]

    # Neither the applicant nor a liaison can approve by replaying the admin's button.
    bot.world.press_button(new, request, text="✅ 同意更换")
    bot.world.press_button(old, request, data="chg:ok:1")
    await bot.world.wait_until(lambda: len(bot.world.callback_answers) == 2)
    answers = [answer["text"] or "" for answer in bot.world.callback_answers]
    assert "您还没有登记为联络员" in answers[0]
    assert "仅供创建办" in answers[1]
    assert [a.role for a in assignments(bot) if a.valid_to is None] == [AssignmentRole.MAIN]

    old_since, new_since = len(bot.world.messages_to(1001)), len(bot.world.messages_to(1002))
    bot.world.press_button(admin, request, text="✅ 同意更换")
    [farewell] = await bot.world.wait_for_messages(1001, since=old_since)
    [welcome] = await bot.world.wait_for_messages(1002, since=new_since)
    assert "已更换联络员，您不再代表该单位报送" in farewell.text
    assert "您现在是 区教委 的联络员" in welcome.text
    history = assignments(bot)
    assert len(history) == 2
    assert history[0].valid_to is not None  # kept as history, closed
    assert history[1].valid_to is None

    [refused] = await bot.world.say(old, "/whoami")
    assert "您还没有登记为联络员" in refused.text
    since = len(bot.world.messages_to(ADMIN_ID))
    approve_data = "chg:ok:1"  # still on another admin's copy of the request
    bot.world.press_button(admin, request, data=approve_data)  # a stale second tap
    [stale] = await bot.world.wait_for_messages(ADMIN_ID, since=since)
    assert "已经处理过了" in stale.text
    assert {"liaison_change_requested", "liaison_change_approved", "liaison_replaced"} <= set(
        audit_actions(bot)
    )


@admin_settings
async def test_rejected_change_keeps_the_old_liaison(bot: BotHarness) -> None:
    [unit_id] = seed_units(bot.deps, "区教委")
    admin = bot.world.user(ADMIN_ID, "陈静")
    await bot.world.say(admin, "/start")
    await register(bot, bot.world.user(1001, "Fang"), invite_code(bot.deps, unit_id), "王芳")
    since = len(bot.world.messages_to(ADMIN_ID))
    await register(bot, bot.world.user(1002, "Qiang"), invite_code(bot.deps, unit_id), "李强")
    [request] = await bot.world.wait_for_messages(ADMIN_ID, since=since)
    new_since = len(bot.world.messages_to(1002))
    bot.world.press_button(admin, request, text="❌ 不同意")
    [told] = await bot.world.wait_for_messages(1002, since=new_since)
    assert "未同意您担任 区教委 的联络员" in told.text
    [whoami] = await bot.world.say(bot.world.user(1001, "Fang"), "/whoami")
    assert "区教委（主联络员）" in whoami.text


async def test_replacement_invite_and_backup_need_no_confirmation(bot: BotHarness) -> None:
    [unit_id] = seed_units(bot.deps, "区教委")
    old, new, deputy = (bot.world.user(i, n) for i, n in [(1, "甲"), (2, "乙"), (3, "丙")])
    await register(bot, old, invite_code(bot.deps, unit_id), "王芳")
    since = len(bot.world.messages_to(1))
    done = await register(bot, new, invite_code(bot.deps, unit_id, replacement=True), "李强")
    assert "登记完成" in done
    [farewell] = await bot.world.wait_for_messages(1, since=since)
    assert "不再代表该单位报送" in farewell.text
    done = await register(
        bot, deputy, invite_code(bot.deps, unit_id, role=AssignmentRole.BACKUP), "赵敏"
    )
    assert "您已是 区教委 的备用联络员" in done
    current = [(a.person_id, a.role) for a in assignments(bot) if a.valid_to is None]
    assert [role for _, role in current] == [AssignmentRole.MAIN, AssignmentRole.BACKUP]


async def test_one_person_for_several_units(bot: BotHarness) -> None:
    first, second = seed_units(bot.deps, "某某镇", "某某镇卫生院")
    user = bot.world.user(1, "甲")
    await register(bot, user, invite_code(bot.deps, first), "王芳")
    [done] = await bot.world.say(user, f"/start {invite_code(bot.deps, second)}")
    assert "登记完成！王芳，您已是 某某镇卫生院 的联络员" in done.text  # no questions again
    [start] = await bot.world.say(user, "/start")
    assert "• 某某镇\n• 某某镇卫生院" in start.text


async def test_cancel_frees_the_link(bot: BotHarness) -> None:
    [unit_id] = seed_units(bot.deps, "区教委")
    code = invite_code(bot.deps, unit_id)
    user = bot.world.user(1, "甲")
    await bot.world.say(user, f"/start {code}")
    [cancelled] = await bot.world.say(user, "/cancel")
    assert "已取消登记" in cancelled.text
    [hint] = await bot.world.say(user, "王芳")  # no longer registering: a hint, not a name
    assert "您还没有登记为联络员" in hint.text
    [again] = await bot.world.say(bot.world.user(2, "乙"), f"/start {code}")
    assert "请回复您的姓名" in again.text
    [nothing] = await bot.world.say(user, "/cancel")
    assert "当前没有需要取消的操作" in nothing.text
