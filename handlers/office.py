"""Office commands: /invite, /office (roles), /units (roster with phones), /whoami."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.domain import office, reporting
from bot.domain.access import Permission
from bot.domain.invites import IssuedInvite, deep_link, find_units, issue_invites
from bot.domain.people import IdentityRef
from bot.domain.replies import Button, Reply
from bot.domain.text_input import normalize_person_name
from handlers.context import CustomContext
from handlers.guard import guarded
from handlers.replies import reply_to
from storage.models import AssignmentRole, MemberUnit, OfficeRole, Transport
from storage.repo_units import get_default_campaign

BACKUP_WORDS = {"备用", "备", "backup"}
REPLACE_WORDS = {"更换", "替换", "replace"}
ROLE_WORDS = {"admin": OfficeRole.ADMIN, "管理员": OfficeRole.ADMIN, "staff": OfficeRole.STAFF,
              "工作人员": OfficeRole.STAFF}  # fmt: skip


def invite_reply(context: CustomContext, invites: list[IssuedInvite]) -> Reply:
    tz = context.deps.settings.tz
    rows = [
        {
            "unit": i.unit_name,
            "role": str(i.role),
            "replacement": i.replacement,
            "link": deep_link(context.bot.username, i.code),
            "code": i.code,
            "expires": i.expires_at.astimezone(tz).date().isoformat(),
        }
        for i in invites
    ]
    return Reply("invite_issued", {"invites": rows})


@guarded(Permission.OFFICE_ADMIN)
async def invite(update: Update, context: CustomContext) -> None:
    """/invite 单位名 [备用] [更换]: a registration link, or a picker if the name is ambiguous."""
    words = list(context.args or [])
    role = AssignmentRole.BACKUP if BACKUP_WORDS & set(words) else AssignmentRole.MAIN
    replacement = bool(REPLACE_WORDS & set(words))
    name = " ".join(w for w in words if w not in BACKUP_WORDS | REPLACE_WORDS)
    if not name:
        await reply_to(update, context, Reply("invite_usage"))
        return
    deps = context.deps
    with deps.db.session() as session:
        campaign = get_default_campaign(session=session)
        units = (
            find_units(session=session, campaign_id=campaign.id, query=name)
            if campaign and campaign.id
            else []
        )
        if len(units) == 1:
            issued = issue_invites(
                session=session, units=units, role=role, replacement=replacement,
                now=deps.clock.now(), created_by_person_id=context.requester.person_id,
            )  # fmt: skip
    if not units:
        await reply_to(update, context, Reply("invite_no_unit", {"name": name}))
    elif len(units) > 1:
        await reply_to(update, context, unit_picker(units, role, replacement))
    else:
        await reply_to(update, context, invite_reply(context, issued))


def unit_picker(units: list[MemberUnit], role: AssignmentRole, replacement: bool) -> Reply:
    flag = f"{'b' if role == AssignmentRole.BACKUP else 'm'}{int(replacement)}"
    buttons = tuple(
        (Button("unit", f"inv:{unit.id}:{flag}", {"name": unit.display_name}),) for unit in units
    )
    return Reply("invite_pick_unit", {"count": len(units)}, buttons=buttons)


@guarded(Permission.OFFICE_ADMIN)
async def invite_picked(update: Update, context: CustomContext) -> None:
    """A unit chosen from the /invite picker."""
    query, deps = update.callback_query, context.deps
    assert query is not None and query.data is not None
    _, unit_id, flag = query.data.split(":")
    with deps.db.session() as session:
        unit = session.get(MemberUnit, int(unit_id))
        issued = (
            issue_invites(
                session=session,
                units=[unit],
                role=AssignmentRole.BACKUP if flag[0] == "b" else AssignmentRole.MAIN,
                replacement=flag[1] == "1",
                now=deps.clock.now(),
                created_by_person_id=context.requester.person_id,
            )
            if unit is not None
            else []
        )
    await query.answer()
    await reply_to(
        update,
        context,
        invite_reply(context, issued) if issued else Reply("invite_no_unit", {"name": unit_id}),
    )


@guarded(Permission.OFFICE_ADMIN)
async def office_command(update: Update, context: CustomContext) -> None:
    """/office · /office add ID 姓名 [staff|admin] · /office remove ID."""
    words, deps = list(context.args or []), context.deps
    with deps.db.session() as session:
        if not words:
            reply = Reply("office_list", {"users": office.office_users(session=session)})
        elif (grant := parse_office_grant(words)) is not None:
            user_id, name, role = grant
            reply = office.grant_role(
                session=session,
                actor=context.requester,
                identity=_telegram(user_id, name),
                name=name,
                role=role,
                now=deps.clock.now(),
            )
        else:
            reply = Reply("office_usage")
    await reply_to(update, context, reply)


def parse_office_grant(words: list[str]) -> tuple[str, str, OfficeRole | None] | None:
    """``add ID 姓名 [staff|admin]`` → (id, name, role); ``remove ID`` → (id, "", None)."""
    action, rest = words[0].lower(), words[1:]
    if not rest or not rest[0].isdigit():
        return None
    if action in {"remove", "删除"} and len(rest) == 1:
        return rest[0], "", None
    if action not in {"add", "添加"} or len(rest) < 2:
        return None
    role = ROLE_WORDS.get(rest[-1].lower())
    name = normalize_person_name(" ".join(rest[1:-1] if role else rest[1:]))
    return (rest[0], name, role or OfficeRole.STAFF) if name else None


def _telegram(user_id: str, name: str) -> IdentityRef:
    return IdentityRef(Transport.TELEGRAM, user_id, user_id, name)


@guarded(Permission.OFFICE)
async def units_roster(update: Update, context: CustomContext) -> None:
    """/units: every unit with its liaisons and their phones (office eyes only)."""
    deps = context.deps
    with deps.db.session() as session:
        rows = office.roster(session=session, at=deps.clock.now(), tz=deps.settings.tz)
    registered = sum(row.registered for row in rows)
    await reply_to(update, context, Reply("roster", {"rows": rows, "registered": registered}))


@guarded(Permission.OFFICE)
async def unit_command(update: Update, context: CustomContext) -> None:
    """/unit 单位名: one unit's reports across months (latest version of each, and history)."""
    name, deps = " ".join(context.args or []), context.deps
    with deps.db.session() as session:
        campaign = get_default_campaign(session=session)
        units = (
            find_units(session=session, campaign_id=campaign.id, query=name)
            if name and campaign and campaign.id
            else []
        )
        if len(units) == 1 and units[0].id is not None:
            history = reporting.unit_history(
                session=session, unit_id=units[0].id, tz=deps.settings.tz
            )
            reply = Reply("unit_history", {"unit": units[0].display_name, "history": history})
        elif len(units) > 1:
            reply = Reply(
                "unit_ambiguous", {"name": name, "names": [u.display_name for u in units]}
            )
        else:
            reply = Reply("unit_usage" if not name else "invite_no_unit", {"name": name})
    await reply_to(update, context, reply)


@guarded(Permission.REGISTERED)
async def whoami(update: Update, context: CustomContext) -> None:
    """/whoami: your name, office role and units (never your phone)."""
    who = context.requester
    await reply_to(
        update,
        context,
        Reply("whoami", {"name": who.name, "role": str(who.office_role or ""), "units": who.units}),
    )


def build_handlers() -> list[BaseHandler[Any, CustomContext, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("invite", invite, filters=private),
        CallbackQueryHandler(invite_picked, pattern=r"^inv:\d+:[mb][01]$"),
        CommandHandler("office", office_command, filters=private),
        CommandHandler("units", units_roster, filters=private),
        CommandHandler("whoami", whoami, filters=private),
        CommandHandler("unit", unit_command, filters=private),
    ]
