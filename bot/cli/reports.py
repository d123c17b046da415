"""``liaison-bot summary`` and ``liaison-bot export``: the office's month-end, by default for the
month the office is chasing (as ``/summary`` in chat: last month until its digest day)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.exc import OperationalError

from bot.cli.base import EnvFile, cli, clock, database_problem, fail, settings_from
from bot.domain.periods import YearMonth
from messages.render import strip_markup

if TYPE_CHECKING:
    from bot.deps import Deps

PeriodOption = Annotated[
    str | None,
    typer.Option("--period", help="YYYY-MM (default: the month the office is chasing)."),
]


def _period_option(value: str) -> YearMonth:
    try:
        return YearMonth.parse(value)
    except ValueError:
        fail(f"--period {value!r}: expected YYYY-MM")


def _chosen_month(deps: Deps, period: str | None) -> YearMonth:
    """``--period``, or the month the office is chasing now (``outbox.open_period``)."""
    from bot.domain.outbox import open_period

    if period is not None:
        return _period_option(period)
    with deps.db.session() as session:
        return open_period(session=session, now=deps.clock.now(), tz=deps.settings.tz)


@cli.command()
def summary(period: PeriodOption = None, env_file: EnvFile = None) -> None:
    """A month's reporting as text: counts, missing and late units, tasks behind."""
    from bot.deps import Deps
    from bot.domain.summary import month_summary
    from storage.migrate import upgrade_database

    settings = settings_from(env_file)
    if period is not None:
        _period_option(period)
    deps = Deps.from_settings(settings, clock=clock())
    try:
        upgrade_database(deps.db.engine)
        month = _chosen_month(deps, period)
        with deps.db.session() as session:
            found = month_summary(
                session=session, period=month, now=deps.clock.now(), tz=settings.tz
            )
    except OperationalError as exc:
        fail(database_problem(settings, exc), code=1)
    finally:
        deps.close()
    values = {**found.values, "cli": True}
    typer.echo(strip_markup(deps.renderer.render("summary", **values)))


@cli.command()
def export(
    period: PeriodOption = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Excel 汇总表 to write.")] = None,
    docx: Annotated[Path | None, typer.Option("--docx", help="Word 工作简报 to write.")] = None,
    zip_file: Annotated[Path | None, typer.Option("--zip", help="Photo archive to write.")] = None,
    issue: Annotated[
        int | None, typer.Option("--issue", min=1, help="简报期号 (default: counted per year).")
    ] = None,
    env_file: EnvFile = None,
) -> None:
    """Write the month's Excel 汇总表, Word 工作简报 and photo archive (all three, named by
    month in the current folder, unless some are chosen with --xlsx/--docx/--zip)."""
    from bot.deps import Deps
    from bot.domain.bulletin_issues import IssueNumberTaken
    from bot.exports.files import ExportFile, archive_files, bulletin_file, workbook_file
    from storage.migrate import upgrade_database

    settings = settings_from(env_file)
    if period is not None:
        _period_option(period)
    deps = Deps.from_settings(settings, clock=clock())
    chosen = {"xlsx": xlsx, "docx": docx, "zip": zip_file}
    if not any(chosen.values()):
        chosen = dict.fromkeys(chosen, Path())
    wanted = [(kind, target) for kind, target in chosen.items() if target is not None]
    written = []
    try:
        upgrade_database(deps.db.engine)
        month = _chosen_month(deps, period)
        makers: dict[str, Callable[[], list[ExportFile]]] = {
            "xlsx": lambda: [workbook_file(deps, month)],
            "docx": lambda: [bulletin_file(deps, month, issue=issue)],
            "zip": lambda: archive_files(deps, month, max_bytes=2**62),
        }
        with typer.progressbar(wanted, label=f"{month}", file=sys.stderr) as steps:
            for kind, target in steps:
                for made in makers[kind]():
                    path = target / made.name if target.is_dir() else target
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(made.data)
                    written.append(path)
    except OperationalError as exc:
        fail(database_problem(settings, exc), code=1)
    except IssueNumberTaken as exc:
        fail(f"--issue {exc.number}: {exc.year}年第{exc.number}期 is already {exc.period}", code=1)
    finally:
        deps.close()
    for path in written:
        typer.echo(str(path))
