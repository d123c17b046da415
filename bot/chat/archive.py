"""The archive's commands and buttons, for every platform (``commands.COMMANDS`` and
``buttons.KINDS`` take them from ``COMMANDS`` and ``BUTTONS`` here).

- ``/archive [年度]`` (归档): the year's ZIP (in parts under the platform's limit) and the
  指标完成情况表, made in a worker thread.
- ``/coverage [年度]`` (佐证): indicators without evidence yet, by 牵头单位, with a button to
  nudge those units once (delivery log, working hours).
- ``/evidence #号 [指标 代码… | 题名 … | 说明 … | 文号 …]`` (材料): a file's indicators and
  题名; the office retags or corrects it.
- ``ta:…`` the liaison's one tap after an album; ``tg:…`` the office toggling a file's
  indicator; ``cov:YYYY`` the nudge.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from bot.archive import retag, tags
from bot.archive.coverage import Coverage, coverage, plan_nudges
from bot.archive.frameworks import Tree
from bot.archive.scope import NoFramework, archive_of, tree_of
from bot.chat.call import Answer, Call, answer, send_privately
from bot.domain.access import Permission
from bot.domain.calendar_admin import load_calendar
from bot.domain.periods import YearMonth
from bot.domain.reminders import in_working_hours
from bot.domain.replies import Button, Reply
from bot.domain.reporting import button_data
from storage.models import Evidence
from storage.models_archive import TagSource
from storage.repo_units import get_default_campaign

if TYPE_CHECKING:
    from bot.exports.files import ExportFile

log = logging.getLogger(__name__)
SUBCOMMANDS = {
    "指标": "tags", "tags": "tags", "题名": "title", "title": "title", "说明": "caption",
    "caption": "caption", "文号": "number", "number": "number",
}  # fmt: skip


def _year(call: Call) -> int | None:
    """The year named (2000–2100), this year when none; None for anything else."""
    if not call.words:
        return call.deps.clock.now().astimezone(call.deps.settings.tz).year
    word = call.words[0].removesuffix("年")
    return int(word) if word.isdigit() and 2000 <= int(word) <= 2100 else None


async def archive(call: Call) -> Answer:
    """The year's 台账 ZIP and 指标完成情况表."""
    year = _year(call)
    if year is None:
        return answer(Reply("archive_usage"))
    # Imported here: openpyxl and python-docx cost memory an idle bot need not hold.
    from bot.archive.files import make_archive

    try:
        made = await asyncio.to_thread(
            make_archive, call.deps, year=year, max_bytes=call.file_limit
        )
    except NoFramework as exc:
        return answer(Reply("archive_no_framework", {"name": exc.name}))
    except Exception:
        log.exception("archive %s failed", year)
        return answer(Reply("export_failed", {"period": str(year)}))
    refusals, files = _within_limit(made.files, call.file_limit, year)
    items = made.archive.items
    values = {
        "year": year, "items": len(items), "files": len({i.evidence_id for i in items}),
        "pages": sum(i.pages or 0 for i in items),
        "parts": sum(f.name.endswith(".zip") for f in files),
        "indicators": made.coverage.total, "covered": made.coverage.covered,
    }  # fmt: skip
    return Answer(replies=(Reply("archive_made", values), *refusals), files=tuple(files))


def _within_limit(
    made: list[ExportFile], limit: int, year: int
) -> tuple[list[Reply], list[ExportFile]]:
    """The files a chat can carry, and a refusal (with the command to use) for the others."""
    refusals, files = [], []
    for file in made:
        if len(file.data) <= limit:
            files.append(file)
            continue
        values = {"file": file.name, "size_mb": round(len(file.data) / 1_048_576, 1),
                  "limit_mb": limit // 1_048_576, "year": year}  # fmt: skip
        refusals.append(Reply("archive_too_big", values))
    return refusals, files


async def coverage_command(call: Call) -> Answer:
    """Indicators with no evidence yet this year, by 牵头单位."""
    year = _year(call)
    if year is None:
        return answer(Reply("archive_usage"))
    try:
        found = await asyncio.to_thread(_coverage, call, year)
    except NoFramework as exc:
        return answer(Reply("archive_no_framework", {"name": exc.name}))
    units = [gap for gap in found.gaps if gap.unit_id is not None]
    buttons = ((Button("archive_nudge", f"cov:{year}", {"count": len(units)}),),) if units else ()
    values = {
        "year": year, "total": found.total, "covered": found.covered,
        "gaps": [{"unit": g.unit, "indicators": [n.label for n in g.items]} for g in found.gaps],
    }  # fmt: skip
    return answer(Reply("archive_coverage", values, buttons))


def _coverage(call: Call, year: int) -> Coverage:
    with call.deps.db.session() as session:
        return coverage(archive_of(call.deps, session=session, year=year))


async def nudge_button(call: Call, parts: list[str]) -> Answer:
    """cov:YYYY — one private message to each lead unit with indicators still uncovered."""
    year, deps = int(parts[0]), call.deps
    now = deps.clock.now()
    with deps.db.session() as session:
        if not in_working_hours(now, load_calendar(session=session), deps.settings.tz):
            return answer(Reply("remind_done", {"outside_hours": True}))
    try:
        found = await asyncio.to_thread(_coverage, call, year)
    except NoFramework as exc:
        return answer(Reply("archive_no_framework", {"name": exc.name}))
    with deps.db.session() as session:
        planned, skipped = plan_nudges(
            session=session, found=found, unit_ids=None, now=now, tz=deps.settings.tz
        )
    units, blocked = await send_privately(call, planned, action="coverage_nudge", year=str(year))
    values = {"units": units, "skipped": skipped, "blocked": blocked, "year": year}
    return answer(Reply("archive_nudged", values))


async def evidence_command(call: Call) -> Answer:
    """#号 · #号 指标 2.3 … · #号 题名 … · #号 说明 … · #号 文号 …"""
    words, deps = call.words, call.deps
    if not words:
        return answer(Reply("archive_evidence_usage"))
    action = SUBCOMMANDS.get(words[1].lower()) if len(words) > 1 else None
    if len(words) > 1 and action is None:
        return answer(Reply("archive_evidence_usage"))
    rest, who, now = list(words[2:]), call.who, deps.clock.now()
    with deps.db.session() as session:
        evidence = _evidence(session, words[0])
        if evidence is None:
            return answer(Reply("archive_evidence_unknown", {"token": words[0]}))
        tree = _tree_or_none(session)
        if action == "tags":
            if tree is None:
                return answer(Reply("archive_no_framework", {"name": ""}))
            unknown = retag.retag(session=session, tree=tree, evidence=evidence, codes=rest,
                                  person_id=who.person_id, at=now)  # fmt: skip
            if unknown:
                return answer(Reply("archive_unknown_codes", {"codes": unknown}))
        elif action == "title":
            retag.set_title(session=session, evidence=evidence, title=" ".join(rest),
                            person_id=who.person_id, at=now)  # fmt: skip
        elif action == "number":
            retag.set_doc_number(session=session, evidence=evidence, number=" ".join(rest),
                                 person_id=who.person_id, at=now)  # fmt: skip
        elif action == "caption" and rest:
            retag.set_caption(session=session, evidence=evidence, caption=" ".join(rest),
                              person_id=who.person_id)  # fmt: skip
        return answer(_view_reply(session, tree, evidence, call))


async def toggle_button(call: Call, parts: list[str]) -> Answer:
    """tg:EVIDENCE:ITEM — the office adds or removes one indicator of a file."""
    deps = call.deps
    with deps.db.session() as session:
        evidence = _evidence(session, parts[0])
        tree = _tree_or_none(session)
        item_id = int(parts[1])
        if evidence is None or tree is None or item_id not in tree.nodes:
            return answer(Reply("report_stale"))
        retag.toggle(session=session, tree=tree, evidence=evidence, item_id=item_id,
                     person_id=call.who.person_id, at=deps.clock.now())  # fmt: skip
        return answer(_view_reply(session, tree, evidence, call))


async def album_button(call: Call, parts: list[str]) -> Answer:
    """ta:UNIT:FIRST:LAST:ITEM — the liaison files the album (files FIRST..LAST) there."""
    unit_id, first, last, item_id = (int(part) for part in parts)
    deps = call.deps
    with deps.db.session() as session:
        tree = _tree_or_none(session)
        if tree is None or item_id not in tree.nodes:
            return answer(Reply("report_stale"))
        album = session.exec(
            select(Evidence).where(
                Evidence.unit_id == unit_id, col(Evidence.id) >= first, col(Evidence.id) <= last
            )
        ).all()
        count = tags.set_tags(
            session=session, evidence_ids=[e.id for e in album if e.id is not None],
            item_ids=[item_id], source=TagSource.LIAISON, person_id=call.who.person_id,
            at=deps.clock.now(),
        )  # fmt: skip
    values = {"count": count, "label": tree.nodes[item_id].label}
    # The tapped message loses its buttons: the photo step's own come back with the answer.
    step = _step_buttons(unit_id, album[0].period) if album else ()
    return answer(Reply("archive_album_tagged", values, step))


def _step_buttons(unit_id: int, period: str) -> tuple[tuple[Button, ...], ...]:
    data = button_data(unit_id, YearMonth.parse(period))
    return ((Button("work_done", f"{data}:done"), Button("skip", f"{data}:skip")),)


def _evidence(session: Session, token: str) -> Evidence | None:
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return None
    return retag.find_evidence(session=session, token=token, campaign_id=campaign.id)


def _tree_or_none(session: Session) -> Tree | None:
    try:
        return tree_of(session=session)
    except NoFramework:
        return None


def _view_reply(session: Session, tree: Tree | None, evidence: Evidence, call: Call) -> Reply:
    shown = retag.view(session=session, tree=tree, evidence=evidence, renderer=call.deps.renderer)
    tagged = {node.id for node in shown.tags}
    buttons = tuple(
        (
            Button(
                "archive_toggle", f"tg:{evidence.id}:{node.id}",
                {"label": node.label, "on": node.id in tagged},
            ),
        )
        for node in shown.choices[: tags.MAX_CHOICES + len(tagged)]
    )  # fmt: skip
    values = {
        "id": evidence.id, "unit": shown.unit, "period": evidence.period,
        "kind": str(evidence.kind), "caption": evidence.caption, "title": shown.title,
        "doc_number": shown.doc_number, "tags": [node.label for node in shown.tags],
        "chosen": shown.chosen, "framework": tree is not None,
    }  # fmt: skip
    return Reply("archive_evidence", values, buttons)


ANYONE, LIAISON, OFFICE = Permission.ANYONE, Permission.LIAISON, Permission.OFFICE
# (names, permission, run): rows of ``commands.COMMANDS``.
COMMANDS = (
    (("archive", "归档"), OFFICE, archive),
    (("coverage", "佐证"), OFFICE, coverage_command),
    (("evidence", "材料"), OFFICE, evidence_command),
)
# (prefix, pattern, permission, press, unit_scoped, kept): rows of ``buttons.KINDS``.
BUTTONS = (
    ("ta", r"^ta:\d+:\d+:\d+:\d+$", LIAISON, album_button, True, False),
    ("tg", r"^tg:\d+:\d+$", OFFICE, toggle_button, False, True),
    ("cov", r"^cov:\d{4}$", OFFICE, nudge_button, False, False),
)
