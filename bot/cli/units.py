"""``liaison-bot alias|unit|campaign …``: the office's names for its units, the units' lives
(rename, merge, retire, restore) and the campaign's identity, from the command line.

Each command is the same domain call an office admin makes in chat, audit-logged with no
person (the command line acts as the server's own admin). A refusal prints one line and
exits 1; nothing is written then.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session

from bot.cli.base import EnvFile, cli, fail, session_for, settings_from
from messages.render import Renderer, strip_markup

alias_cli = typer.Typer(help="Other names of units, as the office confirms them.")
unit_cli = typer.Typer(help="A unit's life: rename, merge into another, retire, restore.")
cli.add_typer(alias_cli, name="alias", no_args_is_help=True)
cli.add_typer(unit_cli, name="unit", no_args_is_help=True)


def _unit_action(env_file: Path | None, act: Callable[[Session, int], dict[str, Any]]) -> None:
    """Run ``act`` on the default campaign; print what it did (``unit_changed``) or why not."""
    from bot.domain.units.lookup import UnitActionRefused, campaign_of

    settings = settings_from(env_file)
    renderer = Renderer(settings.language)
    try:
        with session_for(settings) as session:
            values = act(session, campaign_of(session).id)
    except UnitActionRefused as refused:
        text = renderer.render("unit_refused", reason=refused.reason, cli=True, **refused.values)
        fail(strip_markup(text), code=1)
    typer.echo(strip_markup(renderer.render("unit_changed", **values)))


# alias -------------------------------------------------------------------------------------


@alias_cli.command("add")
def alias_add(
    name: Annotated[str, typer.Argument(help="The name as a file writes it, e.g. 区教委会.")],
    unit: Annotated[str, typer.Argument(help="The unit it means (its name or short name).")],
    env_file: EnvFile = None,
) -> None:
    """Record NAME as another name of UNIT: imports then match it at once."""
    from bot.domain.units.aliases import add_alias

    def act(session: Session, campaign_id: int) -> dict[str, Any]:
        found = add_alias(session=session, campaign_id=campaign_id, name=name, unit_name=unit,
                          actor_person_id=None)  # fmt: skip
        return {"action": "alias_added", "name": name.strip(), "unit": found.full_name}

    _unit_action(env_file, act)


@alias_cli.command("ignore")
def alias_ignore(
    name: Annotated[str, typer.Argument(help="A name in a file that is not a unit.")],
    env_file: EnvFile = None,
) -> None:
    """Record NAME as not a unit: imports skip it without asking."""
    from bot.domain.units.aliases import ignore_name

    def act(session: Session, campaign_id: int) -> dict[str, Any]:
        ignore_name(session=session, campaign_id=campaign_id, name=name, actor_person_id=None)
        return {"action": "name_ignored", "name": name.strip()}

    _unit_action(env_file, act)


@alias_cli.command("remove")
def alias_remove(
    name: Annotated[str, typer.Argument(help="A confirmed name to forget.")],
    env_file: EnvFile = None,
) -> None:
    """Forget an alias or an ignored name (the next import asks about it again)."""
    from bot.domain.units.aliases import remove_alias

    def act(session: Session, campaign_id: int) -> dict[str, Any]:
        row = remove_alias(session=session, campaign_id=campaign_id, name=name,
                           actor_person_id=None)  # fmt: skip
        return {"action": "alias_removed", "name": row.name, "unit": row.unit}

    _unit_action(env_file, act)


@alias_cli.command("list")
def alias_list(env_file: EnvFile = None) -> None:
    """Confirmed names (tab-separated): name, unit (empty: not a unit)."""
    from bot.domain.units.aliases import list_aliases
    from bot.domain.units.lookup import UnitActionRefused, campaign_of

    settings = settings_from(env_file)
    with session_for(settings) as session:
        try:
            rows = list_aliases(session=session, campaign_id=campaign_of(session).id)
        except UnitActionRefused:
            rows = []
    typer.echo(strip_markup(Renderer(settings.language).render("alias_list", rows=rows)))


# unit --------------------------------------------------------------------------------------


@unit_cli.command("rename")
def unit_rename(
    name: Annotated[str, typer.Argument(help="The unit (any of its names).")],
    new_name: Annotated[str, typer.Argument(help="Its new full name.")],
    env_file: EnvFile = None,
) -> None:
    """Give a unit a new full name; the old one stays as an alias."""
    from bot.domain.units.lifecycle import rename_unit

    def act(session: Session, campaign_id: int) -> dict[str, Any]:
        old, unit = rename_unit(session=session, campaign_id=campaign_id, name=name,
                                new_name=new_name, actor_person_id=None)  # fmt: skip
        return {"action": "renamed", "name": old, "unit": unit.full_name}

    _unit_action(env_file, act)


@unit_cli.command("merge")
def unit_merge(
    source: Annotated[str, typer.Argument(help="The unit that goes away.")],
    into: Annotated[str, typer.Argument(metavar="INTO", help="The word INTO.")],
    target: Annotated[str, typer.Argument(help="The unit that carries on.")],
    keep: Annotated[
        str | None,
        typer.Option("--keep", help="Whose report counts where both reported for a month."),
    ] = None,
    env_file: EnvFile = None,
) -> None:
    """Merge SOURCE INTO TARGET: from the first open month, its reports, liaisons, task links
    and names are TARGET's; closed months keep their numbers."""
    from bot.domain.units.merge import merge_units

    if into.lower() not in ("into", "并入", "到"):
        fail(f"expected: unit merge SOURCE INTO TARGET (not {into!r})", code=2)
    settings = settings_from(env_file)

    def act(session: Session, campaign_id: int) -> dict[str, Any]:
        from bot.clock import current_now

        done = merge_units(
            session=session, campaign_id=campaign_id, source_name=source, target_name=target,
            keep=keep, actor_person_id=None, now=current_now(), tz=settings.tz,
        )  # fmt: skip
        return {"action": "merged", **vars(done)}

    _unit_action(env_file, act)


@unit_cli.command("retire")
def unit_retire(
    name: Annotated[str, typer.Argument(help="The unit (any of its names).")],
    from_day: Annotated[
        str | None, typer.Option("--from", help="YYYY-MM-DD (default: today).")
    ] = None,
    env_file: EnvFile = None,
) -> None:
    """Retire (撤销) a unit from a day: no prompts, not counted from then on; earlier months
    keep their numbers."""
    from bot.clock import current_now
    from bot.domain.units.lifecycle import retire_unit

    settings = settings_from(env_file)
    try:
        on = (
            date.fromisoformat(from_day)
            if from_day
            else current_now().astimezone(settings.tz).date()
        )
    except ValueError:
        fail(f"--from {from_day!r}: expected YYYY-MM-DD", code=2)

    def act(session: Session, campaign_id: int) -> dict[str, Any]:
        unit = retire_unit(session=session, campaign_id=campaign_id, name=name, on=on,
                           actor_person_id=None)  # fmt: skip
        return {"action": "retired", "unit": unit.full_name, "day": on.isoformat()}

    _unit_action(env_file, act)


@unit_cli.command("restore")
def unit_restore(
    name: Annotated[str, typer.Argument(help="The retired unit.")],
    env_file: EnvFile = None,
) -> None:
    """Undo a retirement: the unit owes reports again."""
    from bot.domain.units.lifecycle import restore_unit

    def act(session: Session, campaign_id: int) -> dict[str, Any]:
        unit = restore_unit(session=session, campaign_id=campaign_id, name=name,
                            actor_person_id=None)  # fmt: skip
        return {"action": "restored", "unit": unit.full_name}

    _unit_action(env_file, act)


# campaign ----------------------------------------------------------------------------------


@cli.command("campaign")
def campaign(
    name: Annotated[
        str | None, typer.Option("--name", help="e.g. 永川区创建国家健康促进区")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="e.g. 健康促进区")] = None,
    region: Annotated[str | None, typer.Option("--region", help="e.g. 永川区")] = None,
    region_word: Annotated[
        str | None, typer.Option("--region-word", help="区, 县, 市 or 旗 (全区, 全县 …)")
    ] = None,
    office: Annotated[
        str | None, typer.Option("--office", help="编发单位, e.g. 永川区创建办")
    ] = None,
    env_file: EnvFile = None,
) -> None:
    """Show the campaign's name, kind, region and office, or set some of them."""
    from bot.domain.campaign import IdentityRefused, campaign_identity, set_identity

    settings = settings_from(env_file)
    renderer = Renderer(settings.language)
    given = {"name": name, "kind": kind, "region": region, "region_word": region_word,
             "office_name": office}  # fmt: skip
    changes = {key: value for key, value in given.items() if value is not None}
    try:
        with session_for(settings) as session:
            identity = (
                set_identity(session=session, changes=changes, actor_person_id=None)
                if changes
                else campaign_identity(session=session)
            )
    except IdentityRefused as refused:
        text = renderer.render("campaign_refused", field=refused.field, value=refused.value)
        fail(strip_markup(text), code=2)
    text = renderer.render("campaign_identity", identity=identity, changed=bool(changes), cli=True)
    typer.echo(strip_markup(text))
