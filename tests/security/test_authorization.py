"""The authorization matrix: every command and every button kind, tried by every role.

The expected table is written out here, independently of the handlers' own declarations, so
a handler that loosens (or tightens) its permission fails this test. A "refusal" is one of
the guard's polite refusal texts; anything else means the request went through.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.fakes.telegram import FakeUser
from storage.models import MemberUnit, OfficeRole, Transport
from storage.repo_people import add_person_with_identity, grant_office_role
from tests.conftest import BotHarness
from tests.e2e.seed import seed_liaison
from tests.e2e.test_schedule import moment

ROLES = ("stranger", "liaison_a", "liaison_b", "staff", "admin")
IDS = {"stranger": 1003, "liaison_a": 1001, "liaison_b": 1002, "staff": 1010, "admin": 9001}
EVERYONE = set(ROLES)
REGISTERED = {"liaison_a", "liaison_b", "staff", "admin"}
LIAISONS = {"liaison_a", "liaison_b"}
OFFICE = {"staff", "admin"}
ADMIN = {"admin"}

COMMANDS: dict[str, set[str]] = {
    "/start": EVERYONE, "/help": EVERYONE, "/cancel": EVERYONE,
    "/whoami": REGISTERED,
    "/report": LIAISONS, "/status": LIAISONS,
    "/units": OFFICE, "/unit 区教委": OFFICE, "/deadlines": OFFICE, "/digest": OFFICE,
    "/remind": OFFICE, "/summary": OFFICE, "/missing": OFFICE, "/behind": OFFICE,
    "/review": OFFICE, "/web": OFFICE,
    "/invite 区教委": ADMIN, "/office": ADMIN, "/calendar 2026": ADMIN, "/lock 2026-09": ADMIN,
    "/unlock 2026-09": ADMIN, "/extend 区教委 2026-09 2026-10-15 x": ADMIN,
    "/exempt 区教委 2026-09 x": ADMIN,
    "/archive 2026": OFFICE, "/coverage 2026": OFFICE, "/evidence 1": OFFICE,
}  # fmt: skip

# Button kinds with data a client could forge; UNIT_A is the unit of liaison_a.
BUTTONS: dict[str, set[str]] = {
    "rp:{unit_a}:202609:open": {"liaison_a"},  # only the unit's own liaison
    "rp:{unit_b}:202609:noprog": {"liaison_b"},
    "inv:{unit_a}:m0": ADMIN,
    "chg:ok:1": ADMIN,
    "imp:ok:1": ADMIN,
    "rm:202609": OFFICE,
    "sm:202609:xlsx": OFFICE,
    "rv:1:open": OFFICE,
    "ta:{unit_a}:1:1:1": {"liaison_a"},  # the archive's one tap after an album
    "tg:1:1": OFFICE,
    "cov:2026": OFFICE,
}


@dataclass
class Cast:
    users: dict[str, FakeUser]
    unit_a: int
    unit_b: int
    refusals: set[str]


def cast(bot: BotHarness) -> Cast:
    bot.deps.clock = ManualClock(moment("2026-09-28 10:00"))
    seed_liaison(bot.deps, telegram_id=IDS["liaison_a"], name="王芳", unit_names=["区卫生健康委"])
    seed_liaison(bot.deps, telegram_id=IDS["liaison_b"], name="李强", unit_names=["区教委"])
    with bot.deps.db.session() as session:
        staff = add_person_with_identity(
            session=session, name="周敏", transport=Transport.TELEGRAM,
            external_id=str(IDS["staff"]), chat_id=str(IDS["staff"]),
        )  # fmt: skip
        assert staff.id is not None
        grant_office_role(session=session, person_id=staff.id, role=OfficeRole.STAFF)
        units = {u.full_name: u.id for u in session.exec(select(MemberUnit))}
    users = {role: bot.world.user(IDS[role], role) for role in ROLES}
    renderer = bot.deps.renderer
    refusals = {
        renderer.render(name)
        for name in ("not_registered", "office_only", "admin_only", "liaison_only", "not_your_unit")
    }
    return Cast(users, units["区卫生健康委"] or 0, units["区教委"] or 0, refusals)


async def answered(bot: BotHarness, before: int) -> None:
    def arrived() -> bool:
        return len(bot.world.callback_answers) > before

    await bot.world.wait_until(arrived)


@pytest.mark.bot_settings(office_admin_ids=(9001,))
async def test_every_command_by_every_role(bot: BotHarness) -> None:
    roles = cast(bot)
    problems = []
    for command, allowed in COMMANDS.items():
        for role in ROLES:
            since = len(bot.world.messages_to(IDS[role]))
            bot.world.send_text(roles.users[role], command)
            await bot.world.wait_for_messages(IDS[role], since=since)
            reply = bot.world.messages_to(IDS[role])[since].text
            refused = reply in roles.refusals
            if refused == (role in allowed):
                problems.append(f"{command} by {role}: {'refused' if refused else 'allowed'}")
    assert problems == []


@pytest.mark.bot_settings(office_admin_ids=(9001,))
async def test_every_button_kind_by_every_role(bot: BotHarness) -> None:
    roles = cast(bot)
    [anchor] = await bot.world.say(roles.users["admin"], "/help")  # a message to "press" on
    problems = []
    for template, allowed in BUTTONS.items():
        data = template.format(unit_a=roles.unit_a, unit_b=roles.unit_b)
        for role in ROLES:
            answers = len(bot.world.callback_answers)
            bot.world.press_button(roles.users[role], anchor, data=data)
            await answered(bot, answers)
            answer = bot.world.callback_answers[answers]
            refused = bool(answer["show_alert"]) and answer["text"] in roles.refusals
            if refused == (role in allowed):
                problems.append(f"{data} by {role}: {'refused' if refused else 'allowed'}")
    assert problems == []
