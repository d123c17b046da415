"""Office commands and the authorization layer, end to end."""

from __future__ import annotations

import re

import pytest
from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.domain.access import Permission
from handlers import all_handlers
from handlers.context import CustomContext
from handlers.guard import guarded
from tests.conftest import BotHarness
from tests.e2e.seed import seed_liaison, seed_units

ADMIN_ID = 9001
STAFF_ID = 9002
admin_settings = pytest.mark.bot_settings(office_admin_ids=(ADMIN_ID,))


def test_every_handler_goes_through_the_guard() -> None:
    for group in all_handlers().values():
        for handler in group:
            assert hasattr(handler.callback, "permission"), f"{handler.callback} is not guarded"


@admin_settings
@pytest.mark.parametrize(
    ("command", "stranger", "liaison", "staff", "admin"),
    [
        ("/units", "您还没有登记为联络员", "仅供创建办使用", "联络员名册", "联络员名册"),
        (
            "/invite 区教委",
            "您还没有登记为联络员",
            "仅供创建办使用",
            "仅供创建办管理员",
            "登记链接",
        ),
        ("/office", "您还没有登记为联络员", "仅供创建办使用", "仅供创建办管理员", "创建办人员"),
        ("/whoami", "您还没有登记为联络员", "区教委（主联络员）", "创建办工作人员", "创建办管理员"),
    ],
)
async def test_who_may_use_which_command(
    bot: BotHarness, command: str, stranger: str, liaison: str, staff: str, admin: str
) -> None:
    seed_units(bot.deps, "区教委")
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区总工会"])
    admin_user = bot.world.user(ADMIN_ID, "陈静")
    [granted] = await bot.world.say(admin_user, f"/office add {STAFF_ID} 刘洋 staff")
    assert "已设置：刘洋 为创建办工作人员" in granted.text
    if command == "/whoami":
        liaison = "区总工会（主联络员）"
    users = {
        "stranger": (bot.world.user(1, "路人"), stranger),
        "liaison": (bot.world.user(1001, "王芳"), liaison),
        "staff": (bot.world.user(STAFF_ID, "刘洋"), staff),
        "admin": (admin_user, admin),
    }
    for role, (user, expected) in users.items():
        [reply] = await bot.world.say(user, command)
        assert expected in reply.text, f"{role}: {reply.text}"


@admin_settings
async def test_invite_in_chat_and_the_unit_picker(bot: BotHarness) -> None:
    seed_units(bot.deps, "卫星湖街道", "卫星湖街道社区卫生服务中心", "区教委")
    admin = bot.world.user(ADMIN_ID, "陈静")
    [usage] = await bot.world.say(admin, "/invite")
    assert "用法：/invite" in usage.text
    [none] = await bot.world.say(admin, "/invite 不存在的单位")
    assert "没有找到名为“不存在的单位”的成员单位" in none.text
    [picker] = await bot.world.say(admin, "/invite 卫星湖 备用")
    assert picker.button_texts == ["卫星湖街道", "卫星湖街道社区卫生服务中心"]
    since = len(bot.world.messages_to(ADMIN_ID))
    bot.world.press_button(admin, picker, text="卫星湖街道社区卫生服务中心")
    [issued] = await bot.world.wait_for_messages(ADMIN_ID, since=since)
    assert "卫星湖街道社区卫生服务中心（备用联络员）" in issued.text
    link = re.search(r"https://t\.me/liaison_demo_bot\?start=([\w-]+)", issued.text)
    assert link is not None

    liaison = bot.world.user(1001, "Fang")
    [ask_name] = await bot.world.say(liaison, f"/start {link.group(1)}")
    assert "社区卫生服务中心 的备用联络员" in ask_name.text

    [exact] = await bot.world.say(admin, "/invite 区教委 更换")
    assert "区教委</b>" not in exact.text  # rendered, not raw markup
    assert "区教委（主联络员，直接替换现任）" in exact.text


@admin_settings
async def test_office_roles_can_be_granted_and_revoked(bot: BotHarness) -> None:
    admin = bot.world.user(ADMIN_ID, "陈静")
    staff = bot.world.user(STAFF_ID, "刘洋")
    [bad] = await bot.world.say(admin, "/office add abc 刘洋")
    assert "用法" in bad.text
    await bot.world.say(admin, f"/office add {STAFF_ID} 刘洋")
    [listing] = await bot.world.say(admin, "/office")
    assert "• 刘洋（工作人员）" in listing.text
    [roster] = await bot.world.say(staff, "/units")
    assert "联络员名册" in roster.text
    [removed] = await bot.world.say(admin, f"/office remove {STAFF_ID}")
    assert "已取消 刘洋 的创建办身份" in removed.text
    [refused] = await bot.world.say(staff, "/units")
    assert "您还没有登记为联络员" in refused.text
    await bot.world.say(admin, f"/office add {STAFF_ID} 刘洋 admin")
    [promoted] = await bot.world.say(staff, "/office")
    assert "• 刘洋（管理员）" in promoted.text


async def test_unit_scoped_buttons_refuse_other_units(bot: BotHarness) -> None:
    """A button carrying a unit id acts only for that unit's own liaisons."""
    [own, other] = seed_units(bot.deps, "区教委", "区总工会")
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=[])
    from storage.models import AssignmentRole, Transport
    from storage.repo_people import assign_liaison, find_person_by_identity

    with bot.deps.db.session() as session:
        person = find_person_by_identity(
            session=session, transport=Transport.TELEGRAM, external_id="1001"
        )
        assert person is not None and person.id is not None
        assign_liaison(
            session=session, unit_id=own, person_id=person.id, role=AssignmentRole.MAIN,
            valid_from=bot.deps.clock.now(),
        )  # fmt: skip
    acted: list[str] = []

    @guarded(Permission.LIAISON, unit_scoped=True)
    async def act(update: Update, _context: CustomContext) -> None:
        assert update.callback_query is not None
        acted.append(update.callback_query.data or "")
        await update.callback_query.answer("ok")

    bot.application.add_handler(CallbackQueryHandler(act, pattern=r"^test:"), group=-5)
    user = bot.world.user(1001, "王芳")
    [start] = await bot.world.say(user, "/start")
    bot.world.press_button(user, start, data=f"test:{other}:x")
    bot.world.press_button(user, start, data="test:notanumber:x")
    bot.world.press_button(user, start, data=f"test:{own}:x")
    await bot.world.wait_until(lambda: len(bot.world.callback_answers) == 3)
    assert acted == [f"test:{own}:x"]
    refusals = [a["text"] for a in bot.world.callback_answers[:2]]
    assert all("您不是这个单位的联络员" in (text or "") for text in refusals)


@admin_settings
async def test_calendar_and_deadlines_in_chat(bot: BotHarness) -> None:
    admin = bot.world.user(ADMIN_ID, "陈静")
    [usage] = await bot.world.say(admin, "/calendar")
    assert "用法" in usage.text
    [warning, table] = await bot.world.say(admin, "/deadlines 2027", replies=2)
    assert "2027 年没有法定节假日数据" in warning.text
    assert table.text.startswith("2027-01\t2027-02-01")
    [done] = await bot.world.say(admin, "/calendar set 2027-02-06..2027-02-13 holiday 春节")
    assert "已设置 2027-02-06 至 2027-02-13 为休息日（春节），共 8 天" in done.text
    [year] = await bot.world.say(admin, "/calendar 2027")
    assert "2027-02-13\t休\t春节（创建办录入）" in year.text
    [table] = await bot.world.say(admin, "/deadlines 2027")
    assert table.text.startswith("2027-01")
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    [refused] = await bot.world.say(
        bot.world.user(1001, "王芳"), "/calendar set 2027-01-01 workday"
    )
    assert "仅供创建办使用" in refused.text
