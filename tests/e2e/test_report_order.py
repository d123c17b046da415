"""Liaisons typing at the same time: each one's quick messages are kept in the order they were
typed, while the bot handles different liaisons side by side (``bot.ordering``)."""

from __future__ import annotations

from sqlmodel import select

from bot.clock import ManualClock
from storage.models import ReportDraft
from tests.conftest import BotHarness
from tests.e2e.seed import backdate_units, seed_liaison
from tests.e2e.test_schedule import moment

PEOPLE = {1001: ("王芳", "区卫生健康委"), 1002: ("李强", "区教委"), 1003: ("赵敏", "区民政局")}


async def test_a_burst_of_messages_is_kept_in_order_for_each_liaison(bot: BotHarness) -> None:
    bot.deps.clock = ManualClock(moment("2026-09-24 10:00"))
    for user_id, (name, unit) in PEOPLE.items():
        seed_liaison(bot.deps, telegram_id=user_id, name=name, unit_names=[unit])
    backdate_units(bot.deps, moment("2026-09-01 00:00"))
    users = [bot.world.user(user_id, name) for user_id, (name, _) in PEOPLE.items()]
    for user in users:
        await bot.world.say(user, "/report")
    seen = {user.id: len(bot.world.messages_to(user.id)) for user in users}
    for line in range(6):  # all at once, interleaved, no waiting for replies
        for user in users:
            bot.world.send_text(user, f"{user.first_name}第{line}项")
    for user in users:
        await bot.world.wait_for_messages(user.id, 6, since=seen[user.id])
    with bot.deps.db.session() as session:
        drafts = {d.unit_id: d.work_done for d in session.exec(select(ReportDraft))}
    assert len(drafts) == 3
    for user in users:
        typed = [f"{user.first_name}第{line}项" for line in range(6)]
        [work] = [text for text in drafts.values() if user.first_name in text]
        assert [line for line in work.splitlines() if line] == typed
