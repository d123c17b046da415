"""``liaison-bot archive …`` and ``liaison-bot framework …``: the archive from the command line.

Registered onto the main typer app like the other ``bot.cli`` modules. Like
the other commands: settings from the environment and ``.env``, a bad setting or file is one
line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from bot.cli.base import EnvFile, cli, clock, database_problem, fail, settings_from
from bot.deps import Deps
from messages.render import strip_markup

framework_cli = typer.Typer(help="Indicator frameworks (评估细则) the archive files by.")
cli.add_typer(framework_cli, name="framework", no_args_is_help=True)

FrameworkName = Annotated[
    str, typer.Option("--framework", help="Name (or name and version) of the framework.")
]
Year = Annotated[int, typer.Option("--year", min=2000, max=2100, help="The archive's year.")]


@contextmanager
def _deps(env_file: Path | None) -> Iterator[Deps]:
    from storage.migrate import upgrade_database

    settings = settings_from(env_file)
    deps = Deps.from_settings(settings, clock=clock())
    try:
        upgrade_database(deps.db.engine)
        yield deps
    except OperationalError as exc:
        fail(database_problem(settings, exc), code=1)
    finally:
        deps.close()


@contextmanager
def _session(deps: Deps) -> Iterator[Session]:
    from bot.archive.scope import NoFramework

    try:
        with deps.db.session() as session:
            yield session
    except NoFramework as exc:
        fail(strip_markup(deps.renderer.render("archive_no_framework", name=exc.name)), code=1)


@cli.command("archive")
def archive_command(
    year: Year,
    out: Annotated[Path, typer.Option("--out", help="The ZIP to write (台账).")],
    framework: FrameworkName = "",
    completion: Annotated[
        Path | None,
        typer.Option("--completion", help="The 指标完成情况表 (default: beside the ZIP)."),
    ] = None,
    env_file: EnvFile = None,
) -> None:
    """The year's evaluation archive: evidence filed by indicator (年度/一级/二级/件号 题名),
    000 总目录 and a 归档文件目录 per indicator, and the 指标完成情况表."""
    from bot.archive.files import make_archive
    from bot.archive.scope import NoFramework

    with _deps(env_file) as deps:
        try:
            made = make_archive(deps, year=year, framework=framework, max_bytes=2**62)
        except NoFramework as exc:
            fail(strip_markup(deps.renderer.render("archive_no_framework", name=exc.name)), 1)
        zip_file, table = made.files
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(zip_file.data)
        beside = completion or out.with_name(table.name)
        beside.parent.mkdir(parents=True, exist_ok=True)
        beside.write_bytes(table.data)
        items = made.archive.items
        values: dict[str, Any] = {
            "year": year, "items": len(items), "files": len({i.evidence_id for i in items}),
            "pages": sum(i.pages or 0 for i in items), "parts": 1,
            "indicators": made.coverage.total, "covered": made.coverage.covered,
        }  # fmt: skip
        typer.echo(strip_markup(deps.renderer.render("archive_made", **values)), err=True)
    typer.echo(str(out))
    typer.echo(str(beside))


@cli.command("coverage")
def coverage_command(year: Year, framework: FrameworkName = "", env_file: EnvFile = None) -> None:
    """Indicators with no evidence yet in the year, by 牵头单位 (as /coverage)."""
    from bot.archive.coverage import coverage
    from bot.archive.scope import archive_of

    with _deps(env_file) as deps, _session(deps) as session:
        found = coverage(archive_of(deps, session=session, year=year, framework=framework))
        gaps = [{"unit": g.unit, "indicators": [n.label for n in g.items]} for g in found.gaps]
        text = deps.renderer.render("archive_coverage", year=year, total=found.total,
                                    covered=found.covered, gaps=gaps, cli=True)  # fmt: skip
    typer.echo(strip_markup(text))


@framework_cli.command("import")
def framework_import(
    file: Annotated[Path, typer.Argument(help="xlsx, csv or docx: the framework table.")],
    name: Annotated[str, typer.Option("--name", help="Name (default: the table's title).")] = "",
    version: Annotated[
        str | None, typer.Option("--version", help="Version (default: 2024版 in the title).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check; write nothing.")] = False,
    env_file: EnvFile = None,
) -> None:
    """Import an indicator framework (健康县区评估细则, 慢病示范区考评表 …) as offices keep it."""
    from bot.archive.framework_import import import_framework
    from bot.domain.importing.readers import ImportFileError

    if not file.is_file():
        fail(f"{file}: no such file", code=1)
    with _deps(env_file) as deps, deps.db.session() as session:
        try:
            report = import_framework(session=session, file_name=file.name,
                                      data=file.read_bytes(), name=name, version=version,
                                      dry_run=dry_run)  # fmt: skip
        except ImportFileError as exc:
            text = deps.renderer.render("framework_failed", file=file.name, reason=exc.reason)
            fail(strip_markup(text), code=1)
        if dry_run:
            session.rollback()
        typer.echo(strip_markup(deps.renderer.render("framework_report", report=report)))


@framework_cli.command("list")
def framework_list(env_file: EnvFile = None) -> None:
    """The campaign's frameworks (the last imported is the default)."""
    from bot.archive.frameworks import frameworks_of, load_tree
    from storage.repo_units import get_default_campaign

    with _deps(env_file) as deps, deps.db.session() as session:
        campaign = get_default_campaign(session=session)
        found = (
            frameworks_of(session=session, campaign_id=campaign.id)
            if campaign is not None and campaign.id is not None
            else []
        )
        rows = [(f, len(load_tree(session=session, framework=f).nodes)) for f in found]
        text = deps.renderer.render("framework_list", rows=rows)
    typer.echo(strip_markup(text))


@framework_cli.command("show")
def framework_show(framework: FrameworkName = "", env_file: EnvFile = None) -> None:
    """The framework's items as a tab-separated table (level, code, title, points, units)."""
    from bot.archive.scope import tree_of

    with _deps(env_file) as deps, _session(deps) as session:
        tree = tree_of(session=session, name=framework)
        rows = [
            {"node": node, "lead": node.lead.display_name if node.lead else "",
             "cooperating": "、".join(u.display_name for u in node.cooperating)}
            for node in tree.walk()
        ]  # fmt: skip
        text = deps.renderer.render("framework_items", rows=rows)
    typer.echo(strip_markup(text))


@framework_cli.command("link")
def framework_link(
    file: Annotated[Path, typer.Argument(help="The 责任分工 table with an 指标编号 column.")],
    framework: FrameworkName = "",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check; write nothing.")] = False,
    env_file: EnvFile = None,
) -> None:
    """Link tasks to indicators from a code column (指标编号/对应指标) of the 责任分工 table."""
    from bot.archive.links import links_from_table
    from bot.archive.scope import tree_of
    from bot.domain.importing.readers import ImportFileError

    if not file.is_file():
        fail(f"{file}: no such file", code=1)
    with _deps(env_file) as deps, _session(deps) as session:
        tree = tree_of(session=session, name=framework)
        try:
            report = links_from_table(session=session, campaign_id=tree.framework.campaign_id,
                                      tree=tree, file_name=file.name, data=file.read_bytes(),
                                      dry_run=dry_run)  # fmt: skip
        except ImportFileError as exc:
            text = deps.renderer.render("framework_failed", file=file.name, reason=exc.reason)
            fail(strip_markup(text), code=1)
        text = deps.renderer.render("framework_links", report=report, dry_run=dry_run)
    typer.echo(strip_markup(text))


@framework_cli.command("suggest")
def framework_suggest(
    framework: FrameworkName = "",
    confirm: Annotated[
        bool, typer.Option("--confirm", help="Accept every suggestion listed as a link.")
    ] = False,
    env_file: EnvFile = None,
) -> None:
    """For tasks without a link, the indicator their wording is most like; --confirm links."""
    from bot.archive import links
    from bot.archive.scope import tree_of

    with _deps(env_file) as deps, _session(deps) as session:
        tree = tree_of(session=session, name=framework)
        found = links.suggest(session=session, campaign_id=tree.framework.campaign_id, tree=tree)
        if confirm:
            links.confirm(session=session, suggestions=found)
        text = deps.renderer.render("framework_suggestions", suggestions=found, confirmed=confirm)
    typer.echo(strip_markup(text))
