"""The ``liaison-bot`` command line: run the bot, run the demo, manage the database.

Every command reads settings through ``load_settings``; a bad setting prints one line naming
the environment variable and exits with status 2 (never a traceback).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from bot import __version__
from bot.config import Settings, load_settings
from bot.domain.periods import YearMonth
from bot.errors import ConfigError
from messages.render import Renderer, strip_markup

cli = typer.Typer(
    name="liaison-bot",
    help="Monthly reporting for health-campaign member units, over chat.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
cli.add_typer(db_cli, name="db")

EnvFile = Annotated[
    Path, typer.Option("--env-file", help="Settings file read after the environment.")
]


def main() -> None:
    """Console-script entry point."""
    cli()


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _settings(env_file: Path) -> Settings:
    try:
        return load_settings(env_file)
    except ConfigError as exc:
        _fail(str(exc))


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"liaison-bot {__version__}")
        raise typer.Exit


@cli.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Monthly reporting for health-campaign member units, over chat."""


@cli.command()
def run(env_file: EnvFile = Path(".env")) -> None:
    """Run the bot: upgrade the database, then poll Telegram (or serve the webhook), and with
    TRANSPORT=wecom or both serve the WeCom callback."""
    from bot.app import run_bot

    settings = _settings(env_file)
    if settings.uses_telegram:
        try:
            settings.require_token()
        except ConfigError as exc:
            _fail(str(exc))
    _configure_logging()
    try:
        run_bot(settings)
    except OperationalError as exc:
        _fail(_database_problem(settings, exc), code=1)


@cli.command()
def demo(
    output: Annotated[
        Path, typer.Option("--output", help="Where the transcript and files go.")
    ] = Path("demo-output"),
    transport: Annotated[
        str, typer.Option("--transport", help="telegram (the full scenario) or wecom.")
    ] = "telegram",
) -> None:
    """Play a scripted scenario on a local fake Telegram (or WeCom): no token, no network."""
    if transport not in ("telegram", "wecom"):
        _fail(f"--transport {transport!r}: expected telegram or wecom")
    output.mkdir(parents=True, exist_ok=True)
    if transport == "wecom":
        from bot.demo_wecom import run_wecom_demo

        transcript = asyncio.run(run_wecom_demo(output, echo=typer.echo))
        typer.echo(f"\nTranscript written to {transcript}")
        return
    from bot.demo import run_demo

    transcript = asyncio.run(run_demo(output, echo=typer.echo))
    typer.echo(f"\nTranscript written to {transcript}")


@cli.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="xlsx, csv, docx, txt or md file.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report; write nothing.")
    ] = False,
    env_file: EnvFile = Path(".env"),
) -> None:
    """Import member units, 责任分工 tasks and indicators from the office's own file."""
    from bot.domain.importing.apply import import_file
    from bot.domain.importing.readers import ImportFileError
    from bot.domain.importing.report import report_values
    from storage.db import Database
    from storage.migrate import upgrade_database

    settings = _settings(env_file)
    renderer = Renderer(settings.language)
    if not file.is_file():
        _fail(f"{file}: no such file", code=1)
    database = Database.from_url(settings.database_url)
    try:
        upgrade_database(database.engine)
        with database.session() as session:
            result = import_file(session=session, path=file, dry_run=dry_run)
    except ImportFileError as exc:
        message = renderer.render("import_failed", file=file.name, reason=exc.reason)
        _fail(strip_markup(message), code=1)
    finally:
        database.dispose()
    typer.echo(strip_markup(renderer.render("import_report", **report_values(result, file.name))))


@cli.command()
def units(env_file: EnvFile = Path(".env")) -> None:
    """List member units (tab-separated): name, short name, category, liaison registered."""
    from bot.clock import SystemClock
    from bot.domain.office import unit_list

    settings = _settings(env_file)
    with _session(settings) as session:
        rows = unit_list(session=session, at=SystemClock().now())
    typer.echo(strip_markup(Renderer(settings.language).render("units_table", rows=rows)))


@cli.command()
def tasks(
    unit: Annotated[
        str | None, typer.Option("--unit", help="Only tasks this unit leads or co-operates on.")
    ] = None,
    env_file: EnvFile = Path(".env"),
) -> None:
    """List tasks (tab-separated): code, category, task, lead, co-operating, deadline."""
    from bot.domain.office import task_list

    settings = _settings(env_file)
    with _session(settings) as session:
        rows = task_list(session=session, unit_name=unit)
    if rows is None:
        _fail(f"unit {unit!r} matches no single unit", code=1)
    typer.echo(strip_markup(Renderer(settings.language).render("tasks_table", rows=rows)))


@cli.command()
def deadlines(
    year: Annotated[int, typer.Option("--year", min=2000, max=2100, help="The year to list.")],
    env_file: EnvFile = Path(".env"),
) -> None:
    """Each month's due date: YYYY-MM, the date, and why it moved (tab-separated)."""
    from bot.domain.calendar_admin import year_deadlines

    settings = _settings(env_file)
    renderer = Renderer(settings.language)
    with _session(settings) as session:
        rows = year_deadlines(session=session, year=year)
    if not all(row.covered for row in rows):
        typer.echo(strip_markup(renderer.render("calendar_uncovered", year=year)), err=True)
    typer.echo(strip_markup(renderer.render("deadlines_table", deadlines=rows)))


@cli.command()
def rule(
    day: Annotated[
        int | None, typer.Option("--day", min=1, max=31, help="Nominal due day (30: 每月30日前).")
    ] = None,
    shift: Annotated[
        str | None, typer.Option("--shift", help="next or previous workday when it is not one.")
    ] = None,
    grace: Annotated[
        int | None, typer.Option("--grace", min=0, max=20, help="Extra workdays after that.")
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", min=2000, max=2100, help="Due dates of this year.")
    ] = None,
    env_file: EnvFile = Path(".env"),
) -> None:
    """Show the reporting rule, or change it; then list this year's due dates."""
    from dataclasses import replace

    from bot.domain.calendar_admin import campaign_rule, set_campaign_rule, year_deadlines
    from storage.models import ShiftDirection

    settings = _settings(env_file)
    if shift is not None and shift not in {d.value for d in ShiftDirection}:
        _fail(f"--shift {shift!r}: expected next or previous")
    with _session(settings) as session:
        current = campaign_rule(session=session)
        if day is not None or shift is not None or grace is not None:
            wanted = replace(
                current,
                nominal_day=current.nominal_day if day is None else day,
                shift=current.shift if shift is None else ShiftDirection(shift),
                grace_workdays=current.grace_workdays if grace is None else grace,
            )
            if not set_campaign_rule(session=session, rule=wanted, actor_person_id=None):
                _fail("no campaign yet: import the member units first (liaison-bot import)", 1)
            current = wanted
        year = year or datetime.now(settings.tz).year
        rows = year_deadlines(session=session, year=year, rule=current)
    renderer = Renderer(settings.language)
    typer.echo(strip_markup(renderer.render("rule_summary", rule=current)))
    typer.echo(strip_markup(renderer.render("deadlines_table", deadlines=rows)))


def _period_option(value: str) -> YearMonth:
    try:
        return YearMonth.parse(value)
    except ValueError:
        _fail(f"--period {value!r}: expected YYYY-MM")


@cli.command()
def summary(
    period: Annotated[str, typer.Option("--period", help="YYYY-MM")],
    env_file: EnvFile = Path(".env"),
) -> None:
    """A month's reporting as text: counts, missing and late units, tasks behind."""
    from bot.deps import Deps
    from bot.domain.outbox import digest_values
    from bot.domain.summary import month_summary
    from storage.migrate import upgrade_database

    settings = _settings(env_file)
    month = _period_option(period)
    deps = Deps.from_settings(settings)
    try:
        upgrade_database(deps.db.engine)
        with deps.db.session() as session:
            found = month_summary(
                session=session, period=month, now=deps.clock.now(), tz=settings.tz
            )
    except OperationalError as exc:
        _fail(_database_problem(settings, exc), code=1)
    finally:
        deps.close()
    values = {**digest_values(found.standing), "behind": found.behind, "cli": True}
    typer.echo(strip_markup(deps.renderer.render("summary", **values)))


@cli.command()
def export(
    period: Annotated[str, typer.Option("--period", help="YYYY-MM")],
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Excel 汇总表 to write.")] = None,
    docx: Annotated[Path | None, typer.Option("--docx", help="Word 工作简报 to write.")] = None,
    zip_file: Annotated[Path | None, typer.Option("--zip", help="Photo archive to write.")] = None,
    issue: Annotated[
        int | None, typer.Option("--issue", min=1, help="简报期数 (default: the month).")
    ] = None,
    env_file: EnvFile = Path(".env"),
) -> None:
    """Write the month's Excel 汇总表, Word 工作简报 and photo archive (all three, named by
    month in the current folder, unless some are chosen with --xlsx/--docx/--zip)."""
    from bot.deps import Deps
    from bot.exports.files import ExportFile, archive_files, bulletin_file, workbook_file
    from storage.migrate import upgrade_database

    settings = _settings(env_file)
    month = _period_option(period)
    deps = Deps.from_settings(settings)
    chosen = {"xlsx": xlsx, "docx": docx, "zip": zip_file}
    if not any(chosen.values()):
        chosen = dict.fromkeys(chosen, Path())
    makers: dict[str, Callable[[], list[ExportFile]]] = {
        "xlsx": lambda: [workbook_file(deps, month)],
        "docx": lambda: [bulletin_file(deps, month, issue=issue)],
        "zip": lambda: archive_files(deps, month, max_bytes=2**62),
    }
    wanted = [(kind, target) for kind, target in chosen.items() if target is not None]
    written = []
    try:
        upgrade_database(deps.db.engine)
        with typer.progressbar(wanted, label=f"{month}", file=sys.stderr) as steps:
            for kind, target in steps:
                for made in makers[kind]():
                    path = target / made.name if target.is_dir() else target
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(made.data)
                    written.append(path)
    except OperationalError as exc:
        _fail(_database_problem(settings, exc), code=1)
    finally:
        deps.close()
    for path in written:
        typer.echo(str(path))


calendar_cli = typer.Typer(help="The workday calendar: holidays and 调休 the office enters.")
cli.add_typer(calendar_cli, name="calendar", no_args_is_help=True)


@calendar_cli.command("show")
def calendar_show(
    year: Annotated[int, typer.Argument(min=2000, max=2100)], env_file: EnvFile = Path(".env")
) -> None:
    """List a year's holidays and adjusted workdays, and where they come from."""
    from bot.domain.calendar_admin import year_view

    settings = _settings(env_file)
    renderer = Renderer(settings.language)
    with _session(settings) as session:
        view = year_view(session=session, year=year)
    if not view.covered:
        typer.echo(strip_markup(renderer.render("calendar_uncovered", year=year)), err=True)
    typer.echo(strip_markup(renderer.render("calendar_year", view=view)))


@calendar_cli.command("set")
def calendar_set(
    days: Annotated[str, typer.Argument(help="YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD")],
    kind: Annotated[str, typer.Argument(help="holiday or workday")],
    note: Annotated[str, typer.Option("--note", help="e.g. 春节, 调休")] = "",
    env_file: EnvFile = Path(".env"),
) -> None:
    """Declare days as holidays or workdays (overrides the library calendar)."""
    from bot.domain.calendar_admin import parse_kind, set_days

    settings = _settings(env_file)
    chosen = _days(days)
    workday = parse_kind(kind)
    if workday is None:
        _fail(f"{kind!r}: expected holiday or workday")
    with _session(settings) as session:
        set_days(session=session, days=chosen, workday=workday, note=note, actor_person_id=None)
    message = Renderer(settings.language).render(
        "calendar_changed", first=chosen[0], last=chosen[-1], workday=workday, note=note,
        count=len(chosen), removed=None,
    )  # fmt: skip
    typer.echo(strip_markup(message))


@calendar_cli.command("unset")
def calendar_unset(
    days: Annotated[str, typer.Argument(help="YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD")],
    env_file: EnvFile = Path(".env"),
) -> None:
    """Remove the office's entries for these days."""
    from bot.domain.calendar_admin import unset_days

    settings = _settings(env_file)
    chosen = _days(days)
    with _session(settings) as session:
        removed = unset_days(session=session, days=chosen, actor_person_id=None)
    message = Renderer(settings.language).render(
        "calendar_changed", first=chosen[0], last=chosen[-1], removed=removed
    )
    typer.echo(strip_markup(message))


def _days(spec: str) -> list[date]:
    from bot.domain.calendar_admin import parse_days

    try:
        return parse_days(spec)
    except ValueError:
        _fail(f"{spec!r}: expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD (at most a year)")


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    from storage.db import Database
    from storage.migrate import upgrade_database

    database = Database.from_url(settings.database_url)
    try:
        upgrade_database(database.engine)
        with database.session() as session:
            yield session
    except OperationalError as exc:
        _fail(_database_problem(settings, exc), code=1)
    finally:
        database.dispose()


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
    env_file: EnvFile = Path(".env"),
) -> None:
    """Print a registration link per unit (tab-separated: paste it into Excel)."""
    from datetime import timedelta

    from bot.clock import SystemClock
    from bot.domain.invites import deep_link, find_units, issue_invites
    from storage.db import Database
    from storage.models import AssignmentRole
    from storage.repo_units import get_default_campaign, list_units

    settings = _settings(env_file)
    if not units and not all_units:
        _fail("name the units to invite, or pass --all")
    username = bot_username or _bot_username(settings)
    database = Database.from_url(settings.database_url)
    try:
        with database.session() as session:
            campaign = get_default_campaign(session=session)
            if campaign is None or campaign.id is None:
                _fail("no campaign yet: import the member units first", code=1)
            if all_units:
                chosen = list_units(session=session, campaign_id=campaign.id)
            else:
                chosen = []
                for name in units or []:
                    found = find_units(session=session, campaign_id=campaign.id, query=name)
                    if len(found) != 1:
                        names = "、".join(u.display_name for u in found) or "none"
                        _fail(f"unit {name!r} matches {len(found)} units ({names})", code=1)
                    chosen.extend(found)
            issued = issue_invites(
                session=session,
                units=chosen,
                role=AssignmentRole.BACKUP if backup else AssignmentRole.MAIN,
                replacement=replace,
                now=SystemClock().now(),
                ttl=timedelta(days=days),
            )
    finally:
        database.dispose()
    typer.echo("单位\t角色\t登记链接\t登记码\t有效期至")
    for item in issued:
        expires = item.expires_at.astimezone(settings.tz).date().isoformat()
        role = "备用" if item.role == AssignmentRole.BACKUP else "主"
        link = deep_link(username, item.code)
        typer.echo(f"{item.unit_name}\t{role}\t{link}\t{item.code}\t{expires}")


def _bot_username(settings: Settings) -> str:
    """Ask the Bot API (at TELEGRAM_API_BASE_URL) for the bot's username."""
    from telegram import Bot
    from telegram.error import TelegramError

    async def ask() -> str:
        async with Bot(settings.require_token(), base_url=settings.telegram_api_base_url) as bot:
            return bot.username

    try:
        return asyncio.run(ask())
    except ConfigError as exc:
        _fail(f"{exc} (or pass --bot-username)")
    except TelegramError as exc:
        _fail(f"cannot ask Telegram for the bot's username ({exc}); pass --bot-username", code=1)


office_cli = typer.Typer(help="Office users and roles.", no_args_is_help=True)
cli.add_typer(office_cli, name="office")


@office_cli.command("add")
def office_add(
    telegram_id: Annotated[
        int, typer.Option("--telegram-id", help="The person's Telegram user id.")
    ],
    name: Annotated[str, typer.Option("--name", help="The person's name.")],
    role: Annotated[str, typer.Option("--role", help="staff or admin.")] = "staff",
    env_file: EnvFile = Path(".env"),
) -> None:
    """Give someone an office role (staff: view and export; admin: everything)."""
    _set_office_role(env_file, telegram_id, name, role)


@office_cli.command("remove")
def office_remove(
    telegram_id: Annotated[
        int, typer.Option("--telegram-id", help="The person's Telegram user id.")
    ],
    env_file: EnvFile = Path(".env"),
) -> None:
    """Take someone's office role away."""
    _set_office_role(env_file, telegram_id, "", None)


def _set_office_role(env_file: Path, telegram_id: int, name: str, role: str | None) -> None:
    from bot.clock import SystemClock
    from bot.domain.office import grant_role
    from bot.domain.people import IdentityRef, Requester
    from bot.domain.text_input import normalize_person_name
    from storage.db import Database
    from storage.models import OfficeRole, Transport

    settings = _settings(env_file)
    if role is not None and role not in {"staff", "admin"}:
        _fail("--role must be staff or admin")
    clean_name = normalize_person_name(name) if role is not None else ""
    if clean_name is None:
        _fail(f"--name {name!r} does not look like a person's name")
    database = Database.from_url(settings.database_url)
    try:
        with database.session() as session:
            reply = grant_role(
                session=session,
                actor=Requester(None, "cli", OfficeRole.ADMIN),
                identity=IdentityRef(
                    Transport.TELEGRAM, str(telegram_id), str(telegram_id), clean_name
                ),
                name=clean_name,
                role=OfficeRole(role) if role else None,
                now=SystemClock().now(),
            )
        typer.echo(Renderer(settings.language).render(reply.template, **reply.values))
    finally:
        database.dispose()


@db_cli.command("upgrade")
def db_upgrade(env_file: EnvFile = Path(".env")) -> None:
    """Create or upgrade the schema to the latest revision."""
    from storage.db import Database
    from storage.migrate import current_revision, upgrade_database

    settings = _settings(env_file)
    database = Database.from_url(settings.database_url)
    try:
        upgrade_database(database.engine)
        typer.echo(f"database at revision {current_revision(database.engine)}")
    except OperationalError as exc:
        _fail(_database_problem(settings, exc), code=1)
    finally:
        database.dispose()


@db_cli.command("revision")
def db_revision(
    message: Annotated[str, typer.Option("--message", "-m", help="What the change is.")],
) -> None:
    """(Maintainers) Write the next migration from the current models."""
    from storage.migrate import write_revision

    path = write_revision(message)
    typer.echo(f"wrote {path}; review it, then run ruff format on it")


def _database_problem(settings: Settings, exc: OperationalError) -> str:
    from sqlalchemy.engine import make_url

    where = make_url(settings.database_url).render_as_string(hide_password=True)
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return f"DATABASE_URL: cannot use {where}: {reason}"


def _configure_logging() -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level="INFO")
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


import bot.archive.cli  # noqa: E402, F401  (registers `archive`, `coverage` and `framework`)
