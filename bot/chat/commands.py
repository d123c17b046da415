"""The text commands: one table of names, permissions and what each does.

The first name is the Telegram command (``/digest``); the rest are the words a WeCom member may
type instead (``报送情况``). Each ``run`` takes the command's words and returns an ``Answer``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bot.chat import archive as archive_chat
from bot.chat import month_commands, unit_commands
from bot.chat.call import Answer, Call, answer, send_privately
from bot.domain import office, outbox, registration, reporting, review, unit_record, web_access
from bot.domain.access import Permission, allows
from bot.domain.calendar_admin import (
    load_calendar,
    parse_days,
    parse_kind,
    set_days,
    unset_days,
    year_deadlines,
    year_view,
)
from bot.domain.invites import IssuedInvite, issue_invites, units_matching
from bot.domain.people import IdentityRef
from bot.domain.periods import YearMonth
from bot.domain.reminders import in_working_hours
from bot.domain.replies import Button, Reply
from bot.domain.report_status import status as report_statuses
from bot.domain.standing import TO_REMIND, PeriodStanding
from bot.domain.summary import standing_for, summary_reply
from bot.domain.task_confirmation import confirmations, latest_behind, unconfirmed_values
from bot.domain.text_input import normalize_person_name
from storage.models import AssignmentRole, ExceptionKind, OfficeRole, Transport

Run = Callable[[Call], Awaitable[Answer]]
NAME_SEPARATORS = re.compile(r"[\s、，,；;]+")
BACKUP_WORDS = {"备用", "备", "backup"}
REPLACE_WORDS = {"更换", "替换", "replace"}
ROLE_WORDS = {"admin": OfficeRole.ADMIN, "管理员": OfficeRole.ADMIN, "staff": OfficeRole.STAFF,
              "工作人员": OfficeRole.STAFF}  # fmt: skip
USER_IDS = {
    Transport.TELEGRAM: re.compile(r"^\d{1,20}$"),
    Transport.WECOM: re.compile(r"^[A-Za-z0-9_.@-]{1,64}$"),  # WeCom's userid alphabet
}


@dataclass(frozen=True, slots=True)
class Command:
    names: tuple[str, ...]
    permission: Permission
    run: Run
    private_only: bool = True  # /start and /help also answer in a group


def _period(session: Session, call: Call) -> tuple[YearMonth, list[str]]:
    """``YYYY-MM`` among the words picks the month; otherwise the month the office chases."""
    deps = call.deps
    return outbox.chosen_period(
        session=session, words=list(call.words), now=deps.clock.now(), tz=deps.settings.tz
    )


def _standing(session: Session, call: Call, period: YearMonth) -> PeriodStanding:
    deps = call.deps
    return standing_for(session=session, period=period, now=deps.clock.now(), tz=deps.settings.tz)


# Everyone ---------------------------------------------------------------------------------


async def start(call: Call) -> Answer:
    who = call.who
    if who.is_office:
        return answer(Reply("start_office", {"name": who.name, "role": who.office_role}))
    if who.is_liaison:
        return answer(Reply("start_liaison", {"name": who.name, "units": who.unit_names}))
    return answer(Reply("start_stranger", {"bot_name": call.bot_name}))


async def help_text(call: Call) -> Answer:
    who = call.who
    template = (
        "help_office" if who.is_office else "help_liaison" if who.is_liaison else "help_stranger"
    )
    words = "、".join(
        command.names[1]
        for command in COMMANDS
        if len(command.names) > 1 and allows(who, command.permission)
    )
    return answer(Reply(template, {"admin": who.is_admin, "words": words}))


async def cancel(call: Call) -> Answer:
    """A registration is dropped (the code works again); a report is paused (draft kept)."""
    with call.deps.db.session() as session:
        open_registration = registration.find_open(session=session, who=call.who)
        if open_registration is not None:
            return answer(registration.cancel(session=session, registration=open_registration))
        if review.cancel_comment(session=session, who=call.who):
            return answer(Reply("review_comment_cancelled"))
        if reporting.pause(session=session, who=call.who):
            return answer(Reply("report_paused"))
    return answer(Reply("nothing_to_cancel"))


async def whoami(call: Call) -> Answer:
    """Your name, office role and units (never your phone)."""
    who = call.who
    values = {"name": who.name, "role": str(who.office_role or ""), "units": who.units}
    return answer(Reply("whoami", values))


# Liaisons ---------------------------------------------------------------------------------


async def report(call: Call) -> Answer:
    """Open this month's report (or choose the unit first)."""
    deps = call.deps
    with deps.db.session() as session:
        return answer(
            reporting.start(
                session=session, who=call.who, now=deps.clock.now(), tz=deps.settings.tz
            )
        )


async def status(call: Call) -> Answer:
    """Where each of my units stands for the month it is reporting."""
    deps = call.deps
    with deps.db.session() as session:
        rows = report_statuses(
            session=session, who=call.who, now=deps.clock.now(), tz=deps.settings.tz
        )
    return answer(Reply("report_status", {"rows": rows}))


# Office -----------------------------------------------------------------------------------


async def summary(call: Call) -> Answer:
    """Counts, missing units, tasks behind; buttons for the files."""
    deps = call.deps
    with deps.db.session() as session:
        period, _ = _period(session, call)
        return answer(
            summary_reply(session=session, period=period, now=deps.clock.now(), tz=deps.settings.tz)
        )


def _standing_reply(template: str) -> Run:
    async def run(call: Call) -> Answer:
        """The month's standing: missing (and late, for the digest), units nobody reminds."""
        with call.deps.db.session() as session:
            period, _ = _period(session, call)
            standing = _standing(session, call, period)
            values = (
                outbox.office_digest_values(session=session, standing=standing)
                if template == "digest"
                else outbox.digest_values(standing)
            )
        return answer(Reply(template, values))

    return run


async def behind(call: Call) -> Answer:
    """Tasks whose latest status is 滞后/停顿 (with the month), and those not confirmed lately."""
    with call.deps.db.session() as session:
        period, _ = _period(session, call)
        found = confirmations(session=session, period=period)
    values = {"period": str(period), "behind": latest_behind(found), **unconfirmed_values(found)}
    return answer(Reply("behind", values))


async def remind(call: Call) -> Answer:
    """The missing units with a button to remind them all; with unit names: those only."""
    with call.deps.db.session() as session:
        period, words = _period(session, call)
        names = [name for name in NAME_SEPARATORS.split(" ".join(words)) if name]
        if not names:
            standing = _standing(session, call, period)
            missing_units = [unit.name for unit in standing.having(*TO_REMIND)]
            buttons = (
                (
                    (
                        Button(
                            "remind_all",
                            f"rm:{period.year:04d}{period.month:02d}",
                            {"count": len(missing_units)},
                        ),
                    ),
                )
                if missing_units
                else ()
            )
            values = {"period": str(period), "missing": missing_units, "open": standing.open}
            return answer(Reply("remind_preview", values, buttons))
        unit_ids, unknown = [], []
        for name in names:
            found = units_matching(session=session, query=name)
            if len(found) == 1 and found[0].id is not None:
                unit_ids.append(found[0].id)
            else:
                unknown.append(name)
    return answer(await send_reminders(call, period, unit_ids, unknown))


async def send_reminders(
    call: Call, period: YearMonth, unit_ids: list[int] | None, unknown: list[str]
) -> Reply:
    """催报 now, privately, to the named units (None: every unit still missing), at most once
    a day per unit; refused outside working hours with the reason; audit-logged."""
    deps = call.deps
    now = deps.clock.now()
    with deps.db.session() as session:
        if not in_working_hours(now, load_calendar(session=session), deps.settings.tz):
            return Reply("remind_done", {"outside_hours": True})
        if unit_ids is not None and not unit_ids:
            return Reply("remind_done", _reminded([], [], unknown, 0))
        planned, skipped = outbox.remind(
            session=session, period=period, unit_ids=unit_ids, now=now, tz=deps.settings.tz
        )
    units, blocked = await send_privately(call, planned, action="remind", period=str(period))
    return Reply("remind_done", _reminded(units, skipped, unknown, blocked))


def _reminded(
    units: list[str], skipped: list[str], unknown: list[str], blocked: int
) -> dict[str, object]:
    return {"outside_hours": False, "units": units, "skipped": skipped, "unknown": unknown,
            "blocked": blocked}  # fmt: skip


async def review_queue(call: Call) -> Answer:
    """Reports waiting for the office, oldest first, one button each."""
    with call.deps.db.session() as session:
        return answer(review.queue_reply(session=session))


async def roster(call: Call) -> Answer:
    """Every unit with its liaisons and their phones (office eyes only)."""
    deps = call.deps
    with deps.db.session() as session:
        rows = office.roster(session=session, at=deps.clock.now(), tz=deps.settings.tz)
    registered = sum(row.registered for row in rows)
    return answer(Reply("roster", {"rows": rows, "registered": registered}))


async def unit_history(call: Call) -> Answer:
    """One unit's reports across months (latest version of each, and history)."""
    name, deps = " ".join(call.words), call.deps
    with deps.db.session() as session:
        units = units_matching(session=session, query=name)
        if len(units) == 1 and units[0].id is not None:
            history = unit_record.unit_history(
                session=session, unit=units[0], now=deps.clock.now(), tz=deps.settings.tz
            )
            return answer(
                Reply("unit_history", {"unit": units[0].display_name, "history": history})
            )
        if len(units) > 1:
            names = [u.display_name for u in units]
            return answer(Reply("unit_ambiguous", {"name": name, "names": names}))
    return answer(Reply("unit_usage" if not name else "invite_no_unit", {"name": name}))


def _year(words: tuple[str, ...]) -> int | None:
    if len(words) == 1 and words[0].isdigit() and 2000 <= int(words[0]) <= 2100:
        return int(words[0])
    return None


async def deadlines(call: Call) -> Answer:
    """Each month's due date this year (or the one named)."""
    deps = call.deps
    year = _year(call.words[:1]) or deps.clock.now().astimezone(deps.settings.tz).year
    with deps.db.session() as session:
        rows = year_deadlines(session=session, year=year)
    table = Reply("deadlines_table", {"deadlines": rows})
    if all(row.covered for row in rows):
        return answer(table)
    return answer(Reply("calendar_uncovered", {"year": year}), table)


LOGOUT_WORDS = {"logout", "退出"}


async def web(call: Call) -> Answer:
    """A single-use link into the web console (valid 10 minutes); ``logout`` (退出) ends
    every web session of mine."""
    deps, who = call.deps, call.who
    settings, now = deps.settings, deps.clock.now()
    with deps.db.session() as session:
        if call.words[:1] and call.words[0].lower() in LOGOUT_WORDS and who.person_id:
            ended = web_access.revoke(
                session=session, person_id=who.person_id, actor_person_id=who.person_id, now=now
            )
            return answer(Reply("web_logged_out", {"count": ended}))
        if not settings.web_enabled:
            return answer(Reply("web_off"))
        token = web_access.issue_link(session=session, who=who, now=now)
    if token is None:
        return answer(Reply("review_no_campaign"))
    values = {"url": f"{settings.web_base_url}/login/{token}",
              "minutes": web_access.LINK_MINUTES, "hours": web_access.SESSION_HOURS}  # fmt: skip
    return answer(Reply("web_link", values))


# Office admins ----------------------------------------------------------------------------


def invite_reply(call: Call, invites: list[IssuedInvite]) -> Reply:
    tz, link = call.deps.settings.tz, call.invite_link
    rows = [
        {
            "unit": i.unit_name,
            "role": str(i.role),
            "replacement": i.replacement,
            "link": link(i.code) if link else "",
            "code": i.code,
            "expires": i.expires_at.astimezone(tz).date().isoformat(),
        }
        for i in invites
    ]
    wecom_on = call.deps.settings.uses_wecom or call.identity.transport == Transport.WECOM
    return Reply("invite_issued", {"invites": rows, "wecom_on": wecom_on})


async def invite(call: Call) -> Answer:
    """单位名 [备用] [更换]: a registration code, or a picker if the name is ambiguous."""
    words = call.words
    role = AssignmentRole.BACKUP if BACKUP_WORDS & set(words) else AssignmentRole.MAIN
    replacement = bool(REPLACE_WORDS & set(words))
    name = " ".join(w for w in words if w not in BACKUP_WORDS | REPLACE_WORDS)
    if not name:
        return answer(Reply("invite_usage"))
    deps = call.deps
    with deps.db.session() as session:
        units = units_matching(session=session, query=name)
        if len(units) == 1:
            issued = issue_invites(
                session=session, units=units, role=role, replacement=replacement,
                now=deps.clock.now(), created_by_person_id=call.who.person_id,
            )  # fmt: skip
            return answer(invite_reply(call, issued))
    if not units:
        return answer(Reply("invite_no_unit", {"name": name}))
    flag = f"{'b' if role == AssignmentRole.BACKUP else 'm'}{int(replacement)}"
    buttons = tuple(
        (Button("unit", f"inv:{unit.id}:{flag}", {"name": unit.display_name}),) for unit in units
    )
    return answer(Reply("invite_pick_unit", {"count": len(units)}, buttons=buttons))


async def office_users(call: Call) -> Answer:
    """(nothing) · add ID 姓名 [staff|admin] · remove ID — on the caller's own platform."""
    words, deps = list(call.words), call.deps
    with deps.db.session() as session:
        if not words:
            return answer(Reply("office_list", {"users": office.office_users(session=session)}))
        transport = call.identity.transport
        grant = parse_office_grant(words, transport)
        if grant is None:
            return answer(Reply("office_usage"))
        user_id, name, role = grant
        return answer(
            office.grant_role(
                session=session,
                actor=call.who,
                identity=IdentityRef(transport, user_id, user_id, name or user_id),
                name=name,
                role=role,
                now=deps.clock.now(),
            )
        )


def parse_office_grant(
    words: list[str], transport: Transport = Transport.TELEGRAM
) -> tuple[str, str, OfficeRole | None] | None:
    """``add ID 姓名 [staff|admin]`` → (id, name, role); ``remove ID`` → (id, "", None)."""
    action, rest = words[0].lower(), words[1:]
    if not rest or not USER_IDS[transport].match(rest[0]):
        return None
    if action in {"remove", "删除"} and len(rest) == 1:
        return rest[0], "", None
    if action not in {"add", "添加"} or len(rest) < 2:
        return None
    role = ROLE_WORDS.get(rest[-1].lower())
    name = normalize_person_name(" ".join(rest[1:-1] if role else rest[1:]))
    return (rest[0], name, role or OfficeRole.STAFF) if name else None


async def calendar(call: Call) -> Answer:
    """YEAR · set DAYS holiday|workday [note] · unset DAYS."""
    words, actor = call.words, call.who.person_id
    with call.deps.db.session() as session:
        year = _year(words)
        if year is not None:
            return answer(Reply("calendar_year", {"view": year_view(session=session, year=year)}))
        days = _days_or_none(words[1]) if len(words) >= 2 else None
        if days and words[0] == "set" and len(words) >= 3:
            workday = parse_kind(words[2])
            if workday is not None:
                note = " ".join(words[3:])
                set_days(session=session, days=days, workday=workday, note=note,
                         actor_person_id=actor)  # fmt: skip
                values = {"first": days[0], "last": days[-1], "workday": workday, "note": note}
                return answer(
                    Reply("calendar_changed", {**values, "count": len(days), "removed": None})
                )
        if days and words[0] == "unset" and len(words) == 2:
            removed = unset_days(session=session, days=days, actor_person_id=actor)
            values = {"first": days[0], "last": days[-1], "removed": removed}
            return answer(Reply("calendar_changed", values))
    return answer(Reply("calendar_usage"))


def _days_or_none(spec: str) -> list[date] | None:
    try:
        return parse_days(spec)
    except ValueError:
        return None


ANYONE, REGISTERED, LIAISON = Permission.ANYONE, Permission.REGISTERED, Permission.LIAISON
OFFICE, ADMIN = Permission.OFFICE, Permission.OFFICE_ADMIN
COMMANDS: tuple[Command, ...] = (
    Command(("start", "开始"), ANYONE, start, private_only=False),
    Command(("help", "帮助", "菜单"), ANYONE, help_text, private_only=False),
    Command(("cancel", "取消"), ANYONE, cancel),
    Command(("whoami", "我是谁"), REGISTERED, whoami),
    Command(("report", "报送", "填报"), LIAISON, report),
    Command(("status", "进度"), LIAISON, status),
    Command(("summary", "汇总"), OFFICE, summary),
    Command(("missing", "未报"), OFFICE, _standing_reply("missing")),
    Command(("behind", "滞后"), OFFICE, behind),
    Command(("digest", "报送情况"), OFFICE, _standing_reply("digest")),
    Command(("remind", "催报"), OFFICE, remind),
    Command(("review", "审核"), OFFICE, review_queue),
    Command(("units", "名册"), OFFICE, roster),
    Command(("unit", "单位"), OFFICE, unit_history),
    Command(("deadlines", "截止日期"), OFFICE, deadlines),
    Command(("web", "网页"), OFFICE, web),
    Command(("invite", "邀请"), ADMIN, invite),
    Command(("office", "人员"), ADMIN, office_users),
    Command(("lock", "锁定"), ADMIN, month_commands.locker(True)),
    Command(("unlock", "解锁"), ADMIN, month_commands.locker(False)),
    Command(("extend", "延期"), ADMIN, month_commands.excepter(ExceptionKind.EXTENSION)),
    Command(("exempt", "免报"), ADMIN, month_commands.excepter(ExceptionKind.EXEMPTION)),
    Command(("calendar", "日历"), ADMIN, calendar),
    # WeCom words that a report's text would not start with ("活动…" would)
    Command(("campaign", "活动信息"), ADMIN, unit_commands.campaign),
    Command(("alias", "单位别名"), ADMIN, unit_commands.alias),
    Command(("rename", "单位改名"), ADMIN, unit_commands.rename),
    Command(("merge", "单位合并"), ADMIN, unit_commands.merge),
    Command(("retire", "单位撤销"), ADMIN, unit_commands.retire),
    Command(("restore", "单位恢复"), ADMIN, unit_commands.restore),
    *(Command(*row) for row in archive_chat.COMMANDS),  # /archive, /coverage, /evidence
)
BY_NAME = {name: command for command in COMMANDS for name in command.names}


def named(text: str) -> tuple[Command, tuple[str, ...]] | None:
    """The command a typed line names (``/digest 2026-09`` or ``报送情况 2026-09``), with its
    words; None when the first word names no command."""
    words = text.split()
    if not words:
        return None
    command = BY_NAME.get(words[0].removeprefix("/").split("@", 1)[0].lower())
    return (command, tuple(words[1:])) if command else None
