"""The month-end in a real browser (Debian's headless Chromium, driven by Playwright): the
clerk asks the bot for a link in chat, opens the matrix and a unit's photos, and reviews a
60-unit month — 40 reports with photos, 20 本月无新进展, 2 sent back — counting every click.

Skipped when Chromium or Playwright is not installed (``.ci/run`` installs both). The
screenshots are kept under the test's tmp dir; with ``LIAISON_SCREENSHOTS=DIR`` they are
copied there too (docs/console-matrix.png in the README comes from this test).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.clock import ManualClock
from bot.domain import review
from storage.models import ReviewAction, ReviewEvent, Submission
from tests.conftest import BotHarness
from tests.e2e.seed import backdate_units, seed_liaison, seed_report
from tests.e2e.test_schedule import ADMIN, moment
from tests.web.harness import jpeg

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ACTIONS_ALLOWED = 30  # the budget: clicks beyond reading, for the whole month-end

DEPARTMENTS = [
    "区卫生健康委",
    "区教委",
    "区总工会",
    "区发展改革委",
    "区财政局",
    "区民政局",
    "区人力社保局",
    "区生态环境局",
    "区住房城乡建委",
    "区城市管理局",
    "区交通局",
    "区农业农村委",
    "区商务委",
    "区文化旅游委",
    "区市场监管局",
    "区体育局",
    "区医保局",
    "区公安分局",
    "区司法局",
    "区应急局",
    "区规划自然资源局",
    "区水利局",
    "区林业局",
    "区退役军人事务局",
    "区统计局",
    "区融媒体中心",
    "团区委",
    "区妇联",
    "区科协",
    "区残联",
    "区红十字会",
    "区疾控中心",
    "区人民医院",
    "区中医院",
    "区妇幼保健院",
]
TOWNS = [
    "胜利路街道",
    "中山路街道",
    "南大街街道",
    "茶山竹海街道",
    "大安街道",
    "陈食街道",
    "卫星湖街道",
    "黄瓜山街道",
    "青峰镇",
    "金龙镇",
    "临江镇",
    "何埂镇",
    "松溉镇",
    "仙龙镇",
    "吉安镇",
    "五间镇",
    "来苏镇",
    "宝峰镇",
    "双石镇",
    "红炉镇",
    "永荣镇",
    "三教镇",
    "板桥镇",
    "朱沱镇",
    "高新区管委会",
]
UNITS = DEPARTMENTS + TOWNS  # 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PORT = _free_port()
BASE = f"http://127.0.0.1:{PORT}"


def _month_end(bot: BotHarness) -> None:
    """Jan–Aug 2026 as a campaign's history; September all in and waiting for review."""
    bot.deps.clock = ManualClock(moment("2026-10-09 10:00"))
    for number, name in enumerate(UNITS):
        seed_liaison(bot.deps, telegram_id=3000 + number, name=f"联络员{number}", unit_names=[name])
    backdate_units(bot.deps, moment("2026-01-01 00:00"))
    for number, name in enumerate(UNITS):
        for month in range(1, 9):
            roll = (number * 7 + month * 3) % 20
            if roll == 0:
                continue  # 未报
            late = 2 if roll in (1, 2) else 0
            seed_report(bot.deps, unit_name=name, period=f"2026-{month:02d}", workdays_late=late,
                        submitted_at=moment(f"2026-{month:02d}-25 10:00"),
                        no_progress=roll == 3)  # fmt: skip
    for number, name in enumerate(UNITS):
        values: dict[str, Any] = {"no_progress": True}
        if number < 40:
            colour = (40 + number * 5, 120, 200 - number * 4)
            values = {
                "work_done": f"{name}本月开展健康讲座{number % 4 + 1}场、义诊1次，"
                f"覆盖群众约{80 + number}人。",
                "problems": "经费不足" if number % 3 == 0 else "",
                "next_plan": "继续推进健康细胞建设。",
                "photos": ((jpeg(colour, (800, 600)), f"9月{number % 28 + 1}日 {name} 健康讲座"),),
            }
        submission_id = seed_report(bot.deps, unit_name=name, period="2026-09",
                                    submitted_at=moment("2026-09-25 10:00"), **values)  # fmt: skip
        with bot.deps.db.session() as session:
            submission = session.get(Submission, submission_id)
            assert submission is not None
            review.record_submission(session=session, submission=submission)


class Clicks:
    """Every click the clerk makes, as reading (opening a page to look) or acting."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.acting: list[str] = []
        self.reading: list[str] = []

    async def act(self, locator: Any, why: str) -> None:
        async with self.page.expect_navigation():
            await locator.click()
        self.acting.append(why)

    async def read(self, locator: Any, why: str) -> None:
        async with self.page.expect_navigation():
            await locator.click()
        self.reading.append(why)


def browser_env() -> dict[str, str | float | bool]:
    """The browser's environment without libfaketime: Chromium's sandboxed processes crash when
    it is preloaded (tools/faketime/run moves the clock for the bot, not for the browser)."""
    hidden = {"LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC"}
    return {name: value for name, value in os.environ.items() if name not in hidden}


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)")
@pytest.mark.bot_settings(office_admin_ids=(ADMIN,), web_port=PORT, web_base_url=BASE)
async def test_a_clerk_does_the_month_end_in_the_browser(bot: BotHarness, tmp_path: Path) -> None:
    playwright_api = pytest.importorskip("playwright.async_api")
    _month_end(bot)
    admin = bot.world.user(ADMIN, "陈静")
    [reply] = await bot.world.say(admin, "/web")
    found = re.search(rf"{re.escape(BASE)}/login/[A-Za-z0-9_-]+", reply.text)
    assert found is not None, reply.text
    shots = tmp_path / "screenshots"
    shots.mkdir()

    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, env=browser_env()
        )
        context = await browser.new_context(viewport={"width": 1366, "height": 900})
        page = await context.new_page()
        clicks = Clicks(page)
        await page.goto(found[0])  # the clerk taps the link in chat
        clicks.acting.append("open the link from chat")
        await clicks.act(page.get_by_role("button", name="进入创建办网页"), "log in")

        # 报送情况: the matrix.
        assert await page.locator("h1").first.inner_text() == "报送情况 · 2026 年 1–9 月"
        assert "应报 60" in await page.locator(".counts").inner_text()
        await page.screenshot(path=shots / "matrix.png", full_page=True)
        await page.screenshot(path=shots / "matrix-top.png")

        # A unit's photos, full size.
        await clicks.read(page.get_by_role("link", name="区卫生健康委", exact=True), "open a unit")
        assert await page.locator(".photos img").count() == 1
        await page.screenshot(path=shots / "unit.png", full_page=True)
        await clicks.read(page.locator(".photos a").first, "open a photo")
        assert (await page.evaluate("document.contentType")) == "image/jpeg"
        await page.go_back()

        # 待审: every 本月无新进展 at once, two reports sent back, one approved alone, the rest
        # approved a page at a time after reading them.
        await clicks.read(page.get_by_role("link", name=re.compile("^待审")), "open the queue")
        await page.screenshot(path=shots / "review.png")
        await clicks.act(
            page.get_by_role("button", name=re.compile("全部通过")), "approve 无新进展"
        )
        for number in range(2):
            report = page.locator("article.report").nth(number)
            textarea = report.locator("textarea")
            await textarea.click()
            clicks.acting.append("focus the comment")
            await textarea.type("请补充活动照片的时间和地点。")
            await clicks.act(report.get_by_role("button", name="退回补充", exact=True), "send back")
        first = page.locator("article.report").first
        await clicks.act(first.get_by_role("button", name="通过", exact=True), "approve one")
        while await page.get_by_role("button", name=re.compile("通过本页全部")).count():
            await page.screenshot(path=shots / "review-page.png", full_page=True)
            await clicks.act(page.get_by_role("button", name=re.compile("通过本页全部")),
                             "approve the page")  # fmt: skip
        assert "没有待审的报告" in await page.locator("main").inner_text()

        # The same pages on a phone (same login): readable without zooming.
        phone = await context.new_page()
        await phone.set_viewport_size({"width": 390, "height": 844})
        await phone.goto(f"{BASE}/matrix")
        await phone.screenshot(path=shots / "phone-matrix.png")
        await phone.get_by_role("link", name="区卫生健康委", exact=True).click()
        await phone.wait_for_load_state()
        await phone.screenshot(path=shots / "phone-unit.png")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        await browser.close()

    with bot.deps.db.session() as session:
        decided = session.exec(
            select(ReviewEvent.action).where(col(ReviewEvent.action).in_(
                [ReviewAction.APPROVED, ReviewAction.RETURNED]))
        ).all()  # fmt: skip
    assert decided.count(ReviewAction.APPROVED) == 58
    assert decided.count(ReviewAction.RETURNED) == 2
    print(f"clicks beyond reading: {len(clicks.acting)} {clicks.acting}")  # noqa: T201
    print(f"reading clicks: {len(clicks.reading)}")  # noqa: T201
    assert len(clicks.acting) <= ACTIONS_ALLOWED
    if os.environ.get("LIAISON_SCREENSHOTS"):
        shutil.copytree(shots, os.environ["LIAISON_SCREENSHOTS"], dirs_exist_ok=True)
