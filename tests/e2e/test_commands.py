"""/start, /help and the fallbacks, through the real PTB stack and the fake Bot API server."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import BotHarness
from tests.e2e.seed import seed_liaison

ADMIN_ID = 9001


async def test_start_greets_a_stranger_in_chinese(bot: BotHarness) -> None:
    stranger = bot.world.user(1, "赵敏")
    [reply] = await bot.world.say(stranger, "/start")
    assert "您还没有登记为联络员" in reply.text
    assert "登记链接" in reply.text


async def test_help_for_a_stranger_explains_how_to_start(bot: BotHarness) -> None:
    [reply] = await bot.world.say(bot.world.user(1, "赵敏"), "/help")
    assert "这个机器人做什么" in reply.text
    assert "如何开始" in reply.text


async def test_start_names_the_liaisons_units(bot: BotHarness) -> None:
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区卫生健康委", "区教委"])
    [reply] = await bot.world.say(bot.world.user(1001, "Fang"), "/start")
    assert reply.text.startswith("王芳，您好！")
    assert "• 区卫生健康委" in reply.text
    assert "• 区教委" in reply.text


async def test_liaison_phone_is_never_echoed(bot: BotHarness) -> None:
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=["区教委"])
    user = bot.world.user(1001, "Fang")
    for command in ("/start", "/help", "随便说点什么"):
        await bot.world.say(user, command)
    assert all("13912345678" not in m.text for m in bot.world.messages_to(1001))


@pytest.mark.bot_settings(office_admin_ids=(ADMIN_ID,))
async def test_office_admin_from_settings(bot: BotHarness) -> None:
    admin = bot.world.user(ADMIN_ID, "陈静")
    [start] = await bot.world.say(admin, "/start")
    [help_] = await bot.world.say(admin, "/help")
    assert "创建办管理员" in start.text
    assert "创建办可用命令" in help_.text


async def test_unknown_command_points_to_help(bot: BotHarness) -> None:
    [reply] = await bot.world.say(bot.world.user(1, "赵敏"), "/baosong@liaison_demo_bot 123")
    assert reply.text == "没有“/baosong”这个命令。发送 /help 查看可用命令。"


async def test_free_text_gets_a_hint_not_an_error(bot: BotHarness) -> None:
    seed_liaison(bot.deps, telegram_id=1002, name="李强", unit_names=["区教委"])
    [reply] = await bot.world.say(bot.world.user(1002, "李强"), "本月工作已完成 👍🏻 <b>")
    assert "目前没有需要您填写的内容" in reply.text


async def test_unsupported_content_is_answered(bot: BotHarness) -> None:
    user = bot.world.user(1, "赵敏")
    bot.world.send_contact(user, "+8613800000000")
    [reply] = await bot.world.wait_for_messages(1)
    assert "暂时无法处理这类消息" in reply.text
    assert "13800000000" not in reply.text


async def test_errors_are_apologised_for_without_a_traceback(bot: BotHarness) -> None:
    with bot.deps.db.engine.begin() as connection:
        connection.execute(text("DROP TABLE chat_identity"))
    [reply] = await bot.world.say(bot.world.user(1, "赵敏"), "/start")
    assert "抱歉，处理您的消息时出了问题" in reply.text
    assert "Traceback" not in reply.text
    assert "chat_identity" not in reply.text


@pytest.mark.bot_settings(language="en")
async def test_english_locale(bot: BotHarness) -> None:
    [reply] = await bot.world.say(bot.world.user(1, "Min"), "/start")
    assert "You are not registered as a liaison yet" in reply.text


async def test_command_menu_is_published_in_both_languages(bot: BotHarness) -> None:
    menus = bot.world.commands
    assert [c["command"] for c in menus[""]] == [
        "start",
        "report",
        "status",
        "whoami",
        "help",
        "cancel",
    ]
    assert menus[""] == menus["zh"]
    assert menus["en"][4]["description"] == "Show help"
