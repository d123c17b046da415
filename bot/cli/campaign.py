"""The campaign from the command line: importing, units and tasks, the reporting rule, due
dates and the workday calendar."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.base import EnvFile, cli, clock, fail, session_for, settings_from
from bot.config import Settings
from messages.render import Renderer, strip_markup


@cli.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="xlsx, csv, docx, txt or md file.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report; write nothing.")
    ] = False,
    create: Annotated[
        list[str] | None,
        typer.Option("--create", help="Create this unit the file names (may be repeated)."),
    ] = None,
    create_unmatched: Annotated[
        bool,
        typer.Option("--create-unmatched", help="Create every name that resembles no unit."),
    ] = False,
    retire_missing: Annotated[
        bool,
        typer.Option("--retire-missing", help="Retire stored tasks this plan no longer has."),
    ] = False,
    env_file: EnvFile = None,
) -> None:
    """Import member units, 责任分工 tasks and indicators from the office's own file.

    A name that is no unit's is never created on its own: it is listed (with the units it
    may mean) and the exit status is 3 until each is confirmed (alias add, alias ignore,
    --create NAME) or --create-unmatched is given."""
    from bot.domain.importing.apply import import_file
    from bot.domain.importing.readers import ImportFileError
    from bot.domain.importing.report import report_values
    from storage.db import Database
    from storage.migrate import upgrade_database

    settings = settings_from(env_file)
    renderer = Renderer(settings.language)
    if not file.is_file():
        fail(f"{file}: no such file", code=1)
    database = Database.from_url(settings.database_url)
    try:
        upgrade_database(database.engine)
        with database.session() as session:
            result = import_file(
                session=session, path=file, dry_run=dry_run, create=create or (),
                create_unmatched=create_unmatched, retire_missing=retire_missing,
            )  # fmt: skip
    except ImportFileError as exc:
        message = renderer.render("import_failed", file=file.name, reason=exc.reason)
        fail(strip_markup(message), code=1)
    finally:
        database.dispose()
    values = report_values(result, file.name, cli_file=str(file))
    typer.echo(strip_markup(renderer.render("import_report", **values)))
    if result.unresolved and not create_unmatched:
        raise typer.Exit(3)


@cli.command()
def units(env_file: EnvFile = None) -> None:
    """List member units (tab-separated): name, short name, category, liaison registered."""
    from bot.domain.office import unit_list

    settings = settings_from(env_file)
    with session_for(settings) as session:
        rows = unit_list(session=session, at=clock().now())
    typer.echo(strip_markup(Renderer(settings.language).render("units_table", rows=rows)))


tasks_cli = typer.Typer(
    help="List tasks; close or reopen one; ask co-operating units too.",
    invoke_without_command=True,
)
cli.add_typer(tasks_cli, name="tasks")


@tasks_cli.callback()
def tasks(
    context: typer.Context,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Only tasks this unit leads or co-operates on.")
    ] = None,
    env_file: EnvFile = None,
) -> None:
    """List tasks (tab-separated): code, category, task, lead, co-operating, deadline, and
    whether they are asked this month (not when closed or a one-off past its deadline)."""
    if context.invoked_subcommand is not None:
        return
    from bot.domain.office import task_list

    settings = settings_from(env_file)
    with session_for(settings) as session:
        rows = task_list(session=session, unit_name=unit, period=this_month(settings))
    if rows is None:
        fail(f"unit {unit!r} matches no single unit", code=1)
    typer.echo(strip_markup(Renderer(settings.language).render("tasks_table", rows=rows)))


def _task_action(env_file: Path | None, action: str, code: str) -> None:
    from bot.domain.task_admin import TaskActionRefused, close_task, reopen_task

    settings = settings_from(env_file)
    renderer = Renderer(settings.language)
    try:
        with session_for(settings) as session:
            if action == "closed":
                task = close_task(session=session, code=code, at=clock().now())
            else:
                task = reopen_task(session=session, code=code)
            values = {"code": task.code, "content": task.content}
    except TaskActionRefused as refused:
        fail(strip_markup(renderer.render("task_refused", reason=refused.reason, code=code)), 1)
    typer.echo(strip_markup(renderer.render("task_changed", action=action, **values)))


@tasks_cli.command("close")
def tasks_close(
    code: Annotated[str, typer.Argument(help="The task's code, e.g. 1.2.3.")],
    env_file: EnvFile = None,
) -> None:
    """Close a task: no unit is asked about it from now on (what was submitted stays)."""
    _task_action(env_file, "closed", code)


@tasks_cli.command("reopen")
def tasks_reopen(
    code: Annotated[str, typer.Argument(help="The task's code, e.g. 1.2.3.")],
    env_file: EnvFile = None,
) -> None:
    """Reopen a closed task: its units are asked about it again."""
    _task_action(env_file, "reopened", code)


def _on_or_off(word: str) -> bool:
    """on/off (yes/no, true/false, 1/0, 开/关); anything else is refused, not read as off."""
    words = {"on": True, "yes": True, "true": True, "1": True, "开": True,
             "off": False, "no": False, "false": False, "0": False, "关": False}  # fmt: skip
    if word.lower() not in words:
        raise typer.BadParameter(f"{word!r}: on or off")
    return words[word.lower()]


@tasks_cli.command("cooperating")
def tasks_cooperating(
    on: Annotated[bool, typer.Argument(help="on: co-operating units are asked too; off: not.",
                                       parser=_on_or_off, metavar="on|off")],
    env_file: EnvFile = None,
) -> None:  # fmt: skip
    """Whether co-operating (配合) units are asked about tasks too (default: only leads)."""
    from bot.domain.task_admin import TaskActionRefused, set_cooperating

    settings = settings_from(env_file)
    renderer = Renderer(settings.language)
    try:
        with session_for(settings) as session:
            set_cooperating(session=session, on=on)
    except TaskActionRefused as refused:
        fail(strip_markup(renderer.render("task_refused", reason=refused.reason, code="")), 1)
    typer.echo(strip_markup(renderer.render("task_changed", action="cooperating", on=on)))


@cli.command()
def deadlines(
    year: Annotated[
        int | None,
        typer.Option("--year", min=2000, max=2100, help="The year to list (default: this year)."),
    ] = None,
    env_file: EnvFile = None,
) -> None:
    """Each month's due date: YYYY-MM, the date, and why it moved (tab-separated)."""
    from bot.domain.calendar_admin import year_deadlines

    settings = settings_from(env_file)
    renderer = Renderer(settings.language)
    year = year or this_year(settings)
    with session_for(settings) as session:
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
        int | None,
        typer.Option("--year", min=2000, max=2100, help="Due dates of this year (default: now)."),
    ] = None,
    env_file: EnvFile = None,
) -> None:
    """Show the reporting rule, or change it; then list this year's due dates."""
    from dataclasses import replace

    from bot.domain.calendar_admin import campaign_rule, set_campaign_rule, year_deadlines
    from storage.models import ShiftDirection

    settings = settings_from(env_file)
    if shift is not None and shift not in {d.value for d in ShiftDirection}:
        fail(f"--shift {shift!r}: expected next or previous")
    with session_for(settings) as session:
        current = campaign_rule(session=session)
        if day is not None or shift is not None or grace is not None:
            wanted = replace(
                current,
                nominal_day=current.nominal_day if day is None else day,
                shift=current.shift if shift is None else ShiftDirection(shift),
                grace_workdays=current.grace_workdays if grace is None else grace,
            )
            if not set_campaign_rule(session=session, rule=wanted, actor_person_id=None):
                fail("no campaign yet: import the member units first (liaison-bot import)", 1)
            current = wanted
        year = year or this_year(settings)
        rows = year_deadlines(session=session, year=year, rule=current)
    renderer = Renderer(settings.language)
    typer.echo(strip_markup(renderer.render("rule_summary", rule=current)))
    typer.echo(strip_markup(renderer.render("deadlines_table", deadlines=rows)))


calendar_cli = typer.Typer(help="The workday calendar: holidays and 调休 the office enters.")
cli.add_typer(calendar_cli, name="calendar", no_args_is_help=True)


@calendar_cli.command("show")
def calendar_show(
    year: Annotated[int, typer.Argument(min=2000, max=2100)], env_file: EnvFile = None
) -> None:
    """List a year's holidays and adjusted workdays, and where they come from."""
    from bot.domain.calendar_admin import year_view

    settings = settings_from(env_file)
    renderer = Renderer(settings.language)
    with session_for(settings) as session:
        view = year_view(session=session, year=year)
    if not view.covered:
        typer.echo(strip_markup(renderer.render("calendar_uncovered", year=year)), err=True)
    typer.echo(strip_markup(renderer.render("calendar_year", view=view)))


@calendar_cli.command("set")
def calendar_set(
    days: Annotated[str, typer.Argument(help="YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD")],
    kind: Annotated[str, typer.Argument(help="holiday or workday")],
    note: Annotated[str, typer.Option("--note", help="e.g. 春节, 调休")] = "",
    env_file: EnvFile = None,
) -> None:
    """Declare days as holidays or workdays (overrides the library calendar)."""
    from bot.domain.calendar_admin import parse_kind, set_days

    settings = settings_from(env_file)
    chosen = _days(days)
    workday = parse_kind(kind)
    if workday is None:
        fail(f"{kind!r}: expected holiday or workday")
    with session_for(settings) as session:
        set_days(session=session, days=chosen, workday=workday, note=note, actor_person_id=None)
    message = Renderer(settings.language).render(
        "calendar_changed", first=chosen[0], last=chosen[-1], workday=workday, note=note,
        count=len(chosen), removed=None,
    )  # fmt: skip
    typer.echo(strip_markup(message))


@calendar_cli.command("unset")
def calendar_unset(
    days: Annotated[str, typer.Argument(help="YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD")],
    env_file: EnvFile = None,
) -> None:
    """Remove the office's entries for these days."""
    from bot.domain.calendar_admin import unset_days

    settings = settings_from(env_file)
    chosen = _days(days)
    with session_for(settings) as session:
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
        fail(f"{spec!r}: expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD (at most a year)")


def this_month(settings: Settings) -> str:
    """The office's current month, YYYY-MM (in TIMEZONE)."""
    return f"{clock().now().astimezone(settings.tz):%Y-%m}"


def this_year(settings: Settings) -> int:
    """The office's current year (in TIMEZONE)."""
    return clock().now().astimezone(settings.tz).year
