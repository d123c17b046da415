"""What a monthly report costs a liaison, measured on each transport: a unit leading 77 tasks
reports three months running, and every tap and typed message the liaison sends is counted
by the harness (the fake Telegram's transcript; the messages posted to the WeCom callback).

- first month ever, all 按计划: at most 4 interactions from /report to 已提交;
- second month, nothing changed but one task 滞后 with its reason: at most 8;
- third month, 本月无新进展: 1 interaction after the prompt.

With ``INTERACTIONS_OUT=path`` the counts are also written there as JSON
(``bench/interactions.py`` runs these tests and prints them).
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.clock import ManualClock
from bot.deps import Deps
from bot.domain.importing.apply import import_file
from storage.models import Submission, SubmissionKind, SubmissionTaskStatus, TaskStatus
from tests.conftest import BotHarness
from tests.e2e.seed import seed_liaison, seed_units
from tests.e2e.test_wecom_flow import CHOICES, Member, register, wecom_running

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNIT = "区卫生健康委"
LATE_TASK = "6.3"  # the 滞后 one: on page 6 of 10, reached by typing its code


def plan_csv() -> bytes:
    """A 责任分工 table of 77 tasks (11 headings of 7) that the unit leads."""
    lines = ["具体内容,牵头单位,配合单位,完成时限"]
    numerals = [*"一二三四五六七八九十", "十一"]
    for heading, numeral in enumerate(numerals, 1):
        lines.append(f"{numeral}、工程{heading},,,")
        lines += [f"{n}.工程{heading}第{n}项工作,{UNIT},区教委,长期坚持" for n in range(1, 8)]
    return ("\n".join(lines) + "\n").encode()


class Liaison:
    """One liaison on one transport: what they send, counted."""

    def __init__(self, send: Callable[[str], Awaitable[str]], tap: Callable[[str], Awaitable[str]]):
        self._send, self._tap = send, tap
        self.count = 0

    async def say(self, text: str) -> str:
        self.count += 1
        return await self._send(text)

    async def tap(self, label: str) -> str:
        self.count += 1
        return await self._tap(label)


async def three_months(liaison: Liaison, deps: Deps) -> dict[str, int]:
    """The three scenarios, month after month; the interactions each took."""
    counts: dict[str, int] = {}
    deps.clock = ManualClock(datetime(2026, 10, 23, 10, tzinfo=SHANGHAI))
    start = liaison.count
    await liaison.say("/report")
    await liaison.say("10月开展健康教育讲座2场。")
    review = await liaison.tap("✅ 完成，任务均按计划")
    assert "其余 77 项按计划" in review or "77 项按计划" in review, review
    assert "已提交" in await liaison.tap("📨 提交")
    counts["first_month_all_on_track"] = liaison.count - start

    deps.clock = ManualClock(datetime(2026, 11, 23, 10, tzinfo=SHANGHAI))
    start = liaison.count
    await liaison.say("/report")
    await liaison.say("11月开展义诊1次。")
    page = await liaison.tap("✏️ 完成，修改几项任务")
    assert "第 1/10 页" in page, page
    asked = await liaison.say(LATE_TASK)
    assert f"任务 {LATE_TASK}" in asked, asked
    await liaison.tap("滞后")
    noted = await liaison.say("场地尚在协调")
    assert "已记下" in noted, noted
    review = await liaison.tap("其余与上月相同")
    assert "滞后（场地尚在协调）" in review and "其余 76 项与上月相同" in review, review
    assert "已提交" in await liaison.tap("📨 提交")
    counts["one_task_behind"] = liaison.count - start

    deps.clock = ManualClock(datetime(2026, 12, 22, 10, tzinfo=SHANGHAI))
    assert "第1步" in await liaison.say("/report")
    start = liaison.count
    assert "本月无新进展" in await liaison.tap("本月无新进展")
    counts["no_progress_after_prompt"] = liaison.count - start
    return counts


def check(deps: Deps, counts: dict[str, int], transport: str) -> None:
    assert counts["first_month_all_on_track"] <= 4, counts
    assert counts["one_task_behind"] <= 8, counts
    assert counts["no_progress_after_prompt"] == 1, counts
    with deps.db.session() as session:
        rows = session.exec(
            select(Submission.period, SubmissionTaskStatus.status).join(
                Submission, col(Submission.id) == col(SubmissionTaskStatus.submission_id)
            )
        ).all()
        kinds = session.exec(select(Submission.period, Submission.kind)).all()
    # a row per asked task for each reported month; 本月无新进展 confirms none (see README)
    assert sum(1 for period, _ in rows if period == "2026-10") == 77
    november = [status for period, status in rows if period == "2026-11"]
    assert len(november) == 77 and november.count(TaskStatus.BEHIND) == 1
    assert ("2026-12", SubmissionKind.NO_PROGRESS) in kinds
    assert not [period for period, _ in rows if period == "2026-12"]  # confirms no task
    out = os.environ.get("INTERACTIONS_OUT")
    if out:
        path = Path(out)
        found: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
        found[transport] = counts
        path.write_text(json.dumps(found, ensure_ascii=False, indent=1))


async def test_telegram_interactions(bot: BotHarness) -> None:
    bot.deps.clock = ManualClock(datetime(2026, 10, 1, 9, tzinfo=SHANGHAI))
    seed_liaison(bot.deps, telegram_id=1001, name="王芳", unit_names=[UNIT])
    with bot.deps.db.session() as session:
        import_file(session=session, name="plan.csv", data=plan_csv(), dry_run=False)
    world, user = bot.world, bot.world.user(1001, "王芳")

    async def send(text: str) -> str:
        [reply] = await world.say(user, text)
        return reply.text

    async def tap(label: str) -> str:
        target = next(m for m in reversed(world.messages_to(1001)) if label in m.button_texts)
        since = world.count_to(1001)
        world.press_button(user, target, text=label)
        [reply] = await world.wait_for_messages(1001, since=since)
        return reply.text

    liaison = Liaison(send, tap)
    counts = await three_months(liaison, bot.deps)
    sent = [e for e in world.transcript if e.sender != "bot" and e.kind in ("text", "button")]
    assert len(sent) == liaison.count  # what the fake saw the user send
    check(bot.deps, counts, "telegram")


async def test_wecom_interactions(make_settings: Any) -> None:
    async with wecom_running(make_settings, cards=True) as (deps, world, endpoint):
        [unit_id] = seed_units(deps, UNIT)
        with deps.db.session() as session:
            import_file(session=session, name="plan.csv", data=plan_csv(), dry_run=False)
        wang = Member("wangfang", endpoint, world)
        await register(wang, deps, unit_id)

        def one_step(replies: list[str]) -> str:
            """Each answer is one text plus at most its card (WeCom: 30 messages a minute)."""
            texts = [r for r in replies if r != "［template_card］"]
            assert len(texts) == 1 and len(replies) - len(texts) <= 1, replies
            return texts[0]

        async def send(text: str) -> str:
            return one_step(await wang.say(text))

        async def tap(label: str) -> str:
            texts = [m["text"]["content"] for m in world.messages_to("wangfang")
                     if m["msgtype"] == "text"]  # fmt: skip
            offer = next(t for t in reversed(texts) if CHOICES.search(t))
            return one_step(await wang.choose(offer, label))

        before = wang.sent
        liaison = Liaison(send, tap)
        counts = await three_months(liaison, deps)
        assert wang.sent - before == liaison.count  # messages posted to the callback
        check(deps, counts, "wecom")
