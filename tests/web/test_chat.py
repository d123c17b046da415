"""/web in chat (网页 on WeCom): who gets a link, and the console that `liaison-bot run`
starts beside the bot (tests.conftest.running_bot starts it as bot.serve does)."""

from __future__ import annotations

import re

import aiohttp
import pytest

from tests.conftest import BotHarness
from tests.e2e.seed import seed_liaison
from tests.e2e.test_schedule import ADMIN, WANG
from tests.web.test_browser import BASE, PORT


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,), web_port=PORT, web_base_url=BASE)
async def test_office_users_get_a_link_that_opens_the_console(bot: BotHarness) -> None:
    seed_liaison(bot.deps, telegram_id=WANG, name="王芳", unit_names=["区卫生健康委"])
    admin, wang = bot.world.user(ADMIN, "陈静"), bot.world.user(WANG, "王芳")
    [refused] = await bot.world.say(wang, "/web")
    assert "login" not in refused.text and "创建办" in refused.text
    [reply] = await bot.world.say(admin, "/web")
    assert "10 分钟" in reply.text and "只能用一次" in reply.text
    found = re.search(rf"{re.escape(BASE)}/login/([A-Za-z0-9_-]+)", reply.text)
    assert found is not None
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(found[0]) as page:
            assert page.status == 200 and "进入创建办网页" in await page.text()
        async with browser.post(f"{BASE}/login", data={"token": found[1]}) as matrix:
            assert matrix.status == 200 and "区卫生健康委" in await matrix.text()
        [done] = await bot.world.say(admin, "/web logout")
        assert "已退出创建办网页（1 个浏览器）" in done.text
        async with browser.get(f"{BASE}/matrix") as again:
            assert again.status == 401


@pytest.mark.bot_settings(office_admin_ids=(ADMIN,))
async def test_without_web_settings_the_office_is_told_it_is_off(bot: BotHarness) -> None:
    [reply] = await bot.world.say(bot.world.user(ADMIN, "陈静"), "/web")
    assert "尚未开启" in reply.text and "WEB_PORT" in reply.text
