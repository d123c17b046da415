"""Photos, files and the month's downloads, for office users only.

A photo or file is served only if it belongs to a month its unit has submitted (the rule of
the photo ZIP: a draft's files are not the office's yet). Thumbnails and originals are named
by their sha256, so browsers may keep them: a second visit to a page fetches nothing again.
The three downloads are the files chat's /summary buttons send, built by ``bot.exports``.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

from aiohttp import web
from sqlmodel import Session

from bot.domain.periods import YearMonth
from bot.web.console import CONSOLE, Console
from storage.models import Evidence, EvidenceKind
from storage.repo_units import get_default_campaign
from storage.repo_web import published_evidence

log = logging.getLogger(__name__)

# Content-addressed: the bytes behind a URL never change. Private: a shared cache must not
# keep them (they are behind the login).
IMMUTABLE = "private, max-age=31536000, immutable"
KINDS = ("xlsx", "docx", "zip")
ZIP_LIMIT = 4 * 1024**3  # the browser takes one ZIP, whatever its size (chat splits at 20/50 MB)


def _evidence(session: Session, sha256: str) -> Evidence | None:
    campaign = get_default_campaign(session=session)
    if campaign is None or campaign.id is None:
        return None
    return published_evidence(session=session, sha256=sha256, campaign_id=campaign.id)


async def _published(request: web.Request, console: Console) -> Evidence:
    sha256 = request.match_info["sha256"]
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise web.HTTPNotFound()
    found = await console.in_thread(_evidence, sha256)
    if found is None or not console.deps.files.exists(sha256):
        raise web.HTTPNotFound()
    return found


async def thumbnail(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    found = await _published(request, console)
    path = await asyncio.to_thread(console.thumbs.get, found.sha256)
    if path is None:  # not a picture Pillow reads: the original instead
        raise web.HTTPFound(f"{console.root}/photo/{found.sha256}")
    return web.FileResponse(path, headers={"Cache-Control": IMMUTABLE,
                                           "Content-Type": "image/jpeg"})  # fmt: skip


async def original(request: web.Request) -> web.StreamResponse:
    """A photo at full size, shown in the browser."""
    console = request.app[CONSOLE]
    found = await _published(request, console)
    kind = found.mime_type if found.mime_type.startswith("image/") else "application/octet-stream"
    headers = {"Cache-Control": IMMUTABLE, "Content-Type": kind}
    if found.kind != EvidenceKind.PHOTO or kind == "application/octet-stream":
        headers["Content-Disposition"] = disposition(found.file_name or found.sha256[:12])
    return web.FileResponse(console.deps.files.path_for(found.sha256), headers=headers)


async def document(request: web.Request) -> web.StreamResponse:
    """A file a unit sent (pdf, Word, Excel …), downloaded under its own name."""
    console = request.app[CONSOLE]
    found = await _published(request, console)
    headers = {
        "Cache-Control": IMMUTABLE,
        "Content-Type": found.mime_type or "application/octet-stream",
        "Content-Disposition": disposition(found.file_name or found.sha256[:12]),
    }
    return web.FileResponse(console.deps.files.path_for(found.sha256), headers=headers)


def disposition(name: str) -> str:
    """An attachment named in Chinese: RFC 6266's filename* for browsers, an ASCII fallback."""
    fallback = "".join(c if (c.isascii() and c.isalnum()) or c in "-_." else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


async def download(request: web.Request) -> web.StreamResponse:
    """Build the month's Excel 汇总表, Word 工作简报 or photo ZIP, as chat sends them."""
    # Imported here: openpyxl and python-docx are only needed when someone downloads.
    from bot.exports.files import archive_files, bulletin_file, workbook_file

    console = request.app[CONSOLE]
    kind = request.match_info["kind"]
    try:
        period = YearMonth.parse(request.match_info["period"])
    except ValueError:
        raise web.HTTPNotFound() from None
    if kind not in KINDS:
        raise web.HTTPNotFound()
    deps = console.deps
    if kind == "xlsx":
        made = await asyncio.to_thread(workbook_file, deps, period)
    elif kind == "docx":
        made = await asyncio.to_thread(bulletin_file, deps, period)
    else:
        [made] = await asyncio.to_thread(archive_files, deps, period, max_bytes=ZIP_LIMIT)
    headers = {"Content-Type": made.mime_type, "Content-Disposition": disposition(made.name),
               "Cache-Control": "no-store"}  # fmt: skip
    return web.Response(body=made.data, headers=headers)
