"""``liaison-bot invite`` and ``liaison-bot office``: registration codes and office roles, for
Telegram and WeCom alike."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.base import EnvFile, cli, clock, fail, settings_from
from bot.config import Settings
from bot.errors import ConfigError
from messages.render import Renderer


@cli.command()
def invite(
    units: Annotated[
        list[str] | None, typer.Argument(help="Unit names (full, short or alias).")
    ] = None,
    all_units: Annotated[bool, typer.Option("--all", help="Every active unit.")] = False,
    backup: Annotated[bool, typer.Option("--backup", help="Invite backup liaisons.")] = False,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="New liaison replaces the current one, no confirmation."),
    ] = False,
    days: Annotated[
        int, typer.Option("--days", min=1, max=90, help="Days the links stay valid.")
    ] = 14,
    bot_username: Annotated[
        str | None, typer.Option("--bot-username", help="Skip asking Telegram for the bot's name.")
    ] = None,
    env_file: EnvFile = None,
) -> None:
    """Print a registration code per unit (tab-separated: paste it into Excel): a t.me link on
    Telegram, the exact 绑定 line to send in the app on WeCom, both with TRANSPORT=both."""
    from datetime import timedelta

    from bot.domain.invites import deep_link, find_units, issue_invites
    from storage.db import Database
    from storage.models import AssignmentRole
    from storage.repo_units import get_default_campaign, list_units

    settings = settings_from(env_file)
    if not units and not all_units:
        fail("name the units to invite, or pass --all")
    username = None
    if settings.uses_telegram:
        username = (bot_username or "").strip().lstrip("@") or _bot_username(settings)
    database = Database.from_url(settings.database_url)
    try:
        with database.session() as session:
            campaign = get_default_campaign(session=session)
            if campaign is None or campaign.id is None:
                fail("no campaign yet: import the member units first", code=1)
            if all_units:
                chosen = list_units(session=session, campaign_id=campaign.id)
            else:
                chosen = []
                for name in units or []:
                    found = find_units(session=session, campaign_id=campaign.id, query=name)
                    if len(found) != 1:
                        names = "、".join(u.display_name for u in found) or "none"
                        fail(f"unit {name!r} matches {len(found)} units ({names})", code=1)
                    chosen.extend(found)
            issued = issue_invites(
                session=session,
                units=chosen,
                role=AssignmentRole.BACKUP if backup else AssignmentRole.MAIN,
                replacement=replace,
                now=clock().now(),
                ttl=timedelta(days=days),
            )
    finally:
        database.dispose()
    telegram, wecom = username is not None, settings.uses_wecom
    typer.echo(
        "\t".join(["单位", "角色", *(["登记链接"] if telegram else []),
                   *(["企业微信发送"] if wecom else []), "登记码", "有效期至"])
    )  # fmt: skip
    for item in issued:
        expires = item.expires_at.astimezone(settings.tz).date().isoformat()
        role = "备用" if item.role == AssignmentRole.BACKUP else "主"
        link = [deep_link(username, item.code)] if username is not None else []
        bind = [f"绑定 {item.code}"] if wecom else []
        typer.echo("\t".join([item.unit_name, role, *link, *bind, item.code, expires]))


def _bot_username(settings: Settings) -> str:
    """Ask the Bot API (at TELEGRAM_API_BASE_URL, through the proxy) for the bot's username."""
    from telegram import Bot
    from telegram.error import TelegramError

    from bot.app import telegram_request
    from bot.logs import SecretMask
    from bot.startup import telegram_problem

    async def ask() -> str:
        bot = Bot(
            settings.require_token(), base_url=settings.telegram_api_base_url,
            request=telegram_request(settings),
        )  # fmt: skip
        async with bot:
            return bot.username

    try:
        return asyncio.run(ask())
    except ConfigError as exc:
        fail(f"{exc} (or pass --bot-username)")
    except TelegramError as exc:
        problem = SecretMask(settings.secret_values())(telegram_problem(settings, exc))
        fail(f"{problem} (or pass --bot-username)", code=1)


office_cli = typer.Typer(help="Office users and roles.", no_args_is_help=True)
cli.add_typer(office_cli, name="office")

TelegramId = Annotated[
    int | None, typer.Option("--telegram-id", help="The person's Telegram user id.")
]
WeComUserId = Annotated[
    str | None,
    typer.Option("--wecom-userid", help="The person's WeCom userid (通讯录 → the member → 账号)."),
]


@office_cli.command("add")
def office_add(
    name: Annotated[str, typer.Option("--name", help="The person's name.")],
    telegram_id: TelegramId = None,
    wecom_userid: WeComUserId = None,
    role: Annotated[str, typer.Option("--role", help="staff or admin.")] = "staff",
    env_file: EnvFile = None,
) -> None:
    """Give someone an office role (staff: view and export; admin: everything)."""
    _set_office_role(env_file, telegram_id, wecom_userid, name, role)


@office_cli.command("remove")
def office_remove(
    telegram_id: TelegramId = None, wecom_userid: WeComUserId = None, env_file: EnvFile = None
) -> None:
    """Take someone's office role away."""
    _set_office_role(env_file, telegram_id, wecom_userid, "", None)


def _set_office_role(
    env_file: Path | None, telegram_id: int | None, wecom_userid: str | None, name: str,
    role: str | None,
) -> None:  # fmt: skip
    from bot.domain.office import grant_role
    from bot.domain.people import IdentityRef, Requester
    from bot.domain.text_input import normalize_person_name
    from storage.db import Database
    from storage.models import OfficeRole, Transport

    settings = settings_from(env_file)
    if (telegram_id is None) == (wecom_userid is None):
        fail("name the person with exactly one of --telegram-id or --wecom-userid")
    if role is not None and role not in {"staff", "admin"}:
        fail("--role must be staff or admin")
    clean_name = normalize_person_name(name) if role is not None else ""
    if clean_name is None:
        fail(f"--name {name!r} does not look like a person's name")
    if wecom_userid is not None:
        userid = wecom_userid.strip()
        if not userid or any(c.isspace() for c in userid):
            fail(f"--wecom-userid {wecom_userid!r}: a WeCom userid has no spaces")
        identity = IdentityRef(Transport.WECOM, userid, userid, clean_name)
    else:
        identity = IdentityRef(Transport.TELEGRAM, str(telegram_id), str(telegram_id), clean_name)
    database = Database.from_url(settings.database_url)
    try:
        with database.session() as session:
            reply = grant_role(
                session=session,
                actor=Requester(None, "cli", OfficeRole.ADMIN),
                identity=identity,
                name=clean_name,
                role=OfficeRole(role) if role else None,
                now=clock().now(),
            )
        typer.echo(Renderer(settings.language).render(reply.template, **reply.values))
    finally:
        database.dispose()
