"""The archive's handlers: the year's 台账 ZIP and 指标完成情况表 (made by ``bot.archive.files``
as /archive and ``liaison-bot archive`` make them), and a file's indicators, which the office
retags with the function chat's /evidence … 指标 uses (``bot.archive.retag``)."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import PurePosixPath
from typing import IO, Any

from aiohttp import web
from sqlmodel import Session

from bot.archive.codes import safe_name
from bot.archive.scope import NoFramework
from bot.deps import Deps
from bot.domain.access import allows
from bot.web import archive_pages
from bot.web.auth import viewer
from bot.web.console import CONSOLE
from bot.web.media import disposition
from bot.web.views import _back, _int, _page, _with

log = logging.getLogger(__name__)

KINDS = ("zip", "xlsx")


async def archive_download(request: web.Request) -> web.StreamResponse:
    """The year's archive ZIP or its 指标完成情况表 (``?framework=ID`` when there are several),
    made when clicked into a temporary file and streamed from it."""
    console, seen = request.app[CONSOLE], viewer(request)
    if not allows(seen.who, archive_pages.ARCHIVE):
        return console.pages.response("forbidden", status=403, viewer=seen)
    kind, year_text = request.match_info["kind"], request.match_info["year"]
    plain = year_text.isascii() and year_text.isdigit() and len(year_text) == 4
    year = int(year_text) if plain else 0
    if kind not in KINDS or not archive_pages.FIRST_YEAR <= year <= archive_pages.LAST_YEAR:
        raise web.HTTPNotFound()
    framework_id = request.query.get("framework", "")[:12]
    key = await console.in_thread(
        lambda session: archive_pages.framework_key(session=session, framework_id=framework_id)
    )
    if key is None:
        raise web.HTTPNotFound()
    try:
        spool, name, mime = await asyncio.to_thread(_made, console.deps, kind, year, key)
    except NoFramework:  # the framework went away since the page was shown
        raise web.HTTPSeeOther(f"{console.root}/downloads") from None
    headers = {"Content-Type": mime, "Content-Disposition": disposition(name),
               "Cache-Control": "no-store"}  # fmt: skip
    # aiohttp streams the file in chunks and closes it (a temporary file: then it is gone).
    return web.Response(body=spool, headers=headers)


def _made(deps: Deps, kind: str, year: int, framework: str) -> tuple[IO[bytes], str, str]:
    """Make the file as /archive and the CLI do, into a temporary file: the ZIP whole (no
    platform limit: it is the office's PC), one original in memory at a time."""
    from bot.archive.files import completion_file, write_archive
    from bot.exports.files import ZIP

    deps.settings.data_dir.mkdir(parents=True, exist_ok=True)
    spool = tempfile.TemporaryFile(dir=deps.settings.data_dir)  # noqa: SIM115 (closed by aiohttp)
    try:
        if kind == "zip":
            name, mime = write_archive(deps, year=year, framework=framework, out=spool), ZIP
        else:
            table = completion_file(deps, year=year, framework=framework)
            spool.write(table.data)
            name, mime = table.name, table.mime_type
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    if framework:  # not the default framework: say which, the files would share a name
        path = PurePosixPath(name)
        name = f"{path.stem}_{safe_name(framework)}{path.suffix}"
    log.info("web: archive %s %s made (%d bytes)", year, kind, size)
    return spool, name, mime


async def evidence(request: web.Request) -> web.StreamResponse:
    """A file's indicators; for admins, every indicator of the framework to tick."""
    console = request.app[CONSOLE]
    evidence_id = _int(request.match_info["evidence_id"])
    back = _back(console, request.query, f"{console.root}/evidence/{evidence_id}")

    def gather(session: Session) -> dict[str, Any]:
        found = archive_pages.evidence_page(
            session=session, evidence_id=evidence_id, renderer=console.deps.renderer
        )
        if not found:
            raise web.HTTPNotFound()
        return found

    may_retag = allows(viewer(request).who, archive_pages.RETAG)
    return await _page(request, "evidence", gather, back=back, may_retag=may_retag)


async def retag(request: web.Request) -> web.StreamResponse:
    """The ticked indicators become the file's (none: it is filed under 未归类)."""
    console, seen = request.app[CONSOLE], viewer(request)
    if not allows(seen.who, archive_pages.RETAG):
        return console.pages.response("forbidden", status=403, viewer=seen)
    evidence_id = _int(request.match_info["evidence_id"])
    form = await request.post()
    values = [str(value) for value in form.getall("item", [])]
    item_ids = [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 12]
    if len(item_ids) != len(values):
        raise web.HTTPBadRequest(text="item: an indicator's number")
    now = console.deps.clock.now()
    try:
        unit = await console.in_thread(
            lambda session: archive_pages.set_indicators(
                session=session, evidence_id=evidence_id, item_ids=item_ids,
                person_id=seen.who.person_id, at=now,
            )
        )  # fmt: skip
    except ValueError:
        raise web.HTTPBadRequest(text="item: not an indicator of the framework") from None
    if unit is None:
        raise web.HTTPNotFound()
    back = _back(console, form, f"{console.root}/evidence/{evidence_id}")
    raise web.HTTPSeeOther(_with(back, {"done": "retagged", "unit": unit}, f"e{evidence_id}"))
