"""The pages: each gathers its data in a worker thread (``bot.web.pages``) and renders it.

Handlers stay thin — parse the request, check who is asking, call the domain, render — like
the chat's handlers; a decision goes through the same ``review`` functions as chat's buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlmodel import Session

from bot.domain import review, web_access
from bot.domain.access import allows
from bot.domain.campaign import campaign_identity
from bot.domain.outbox import open_period
from bot.domain.periods import YearMonth
from bot.domain.replies import Outcome
from bot.web import archive_pages, pages
from bot.web.auth import viewer
from bot.web.console import CONSOLE, Console

MAX_COMMENT_FIELD = 4000


def _common(session: Session, console: Console) -> dict[str, Any]:
    """What the layout shows on every page: the campaign's name and the queue's length."""
    identity = campaign_identity(session=session)
    return {"campaign": identity.name if identity else "",
            "waiting": pages.waiting_count(session=session)}  # fmt: skip


async def _page(
    request: web.Request, template: str, gather: Callable[[Session], dict[str, Any]], **extra: Any
) -> web.Response:
    console = request.app[CONSOLE]

    def work(session: Session) -> dict[str, Any]:
        return {**_common(session, console), **gather(session)}

    values = await console.in_thread(work)
    return console.pages.response(
        template, viewer=viewer(request), query=request.query, **values, **extra
    )


def _period(request: web.Request, console: Console, session: Session) -> YearMonth:
    """``?period=YYYY-MM``, or the month the office is chasing (as chat's /summary)."""
    text = request.query.get("period", "")
    if text:
        try:
            return YearMonth.parse(text)
        except ValueError:
            raise web.HTTPBadRequest(text="period: YYYY-MM") from None
    deps = console.deps
    return open_period(session=session, now=deps.clock.now(), tz=deps.settings.tz)


def _int(text: str) -> int:
    """A number in a URL: ASCII digits only ("²".isdigit() holds, but int() refuses it)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise web.HTTPNotFound()
    return int(text)


async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(f"{request.app[CONSOLE].root}/matrix")


async def matrix(request: web.Request) -> web.StreamResponse:
    """报送情况: units × months with the Excel's colours, counts and rates."""
    console = request.app[CONSOLE]
    deps = console.deps

    def gather(session: Session) -> dict[str, Any]:
        return pages.matrix(
            session=session, period=_period(request, console, session), now=deps.clock.now(),
            tz=deps.settings.tz, renderer=deps.renderer,
        )  # fmt: skip

    return await _page(request, "matrix", gather)


async def unit(request: web.Request) -> web.StreamResponse:
    """A unit's months, versions, texts, tasks, indicators, photos, files and liaisons."""
    console = request.app[CONSOLE]
    deps, seen = console.deps, viewer(request)
    unit_id = _int(request.match_info["unit_id"])

    def gather(session: Session) -> dict[str, Any]:
        found = pages.campaign_unit(session=session, unit_id=unit_id)
        if found is None:
            raise web.HTTPNotFound()
        values = pages.unit_page(
            session=session, unit=found, now=deps.clock.now(), tz=deps.settings.tz,
            phones=seen.is_admin,
        )  # fmt: skip
        tags = archive_pages.tags_of(session=session, blocks=values["blocks"].values())
        return {**values, **tags}

    return await _page(request, "unit", gather)


async def report(request: web.Request) -> web.StreamResponse:
    """One version in full; while it waits, 通过 / 退回补充 and the next report to read."""
    console = request.app[CONSOLE]
    submission_id = _int(request.match_info["submission_id"])

    def gather(session: Session) -> dict[str, Any]:
        blocks = pages.report_blocks(
            session=session, submission_ids=[submission_id], tz=console.deps.settings.tz
        )
        if not blocks or pages.campaign_unit(session=session, unit_id=blocks[0].unit_id) is None:
            raise web.HTTPNotFound()
        following = pages.next_waiting(session=session, after=submission_id)
        tags = archive_pages.tags_of(session=session, blocks=blocks)
        return {"block": blocks[0], "following": following, **tags}

    return await _page(request, "report", gather)


async def review_queue(request: web.Request) -> web.StreamResponse:
    """待审: 本月无新进展 approved in one go; the other reports read one after another."""
    console = request.app[CONSOLE]
    page = int(request.query.get("page", "1")) if request.query.get("page", "").isdigit() else 1

    def gather(session: Session) -> dict[str, Any]:
        return pages.review_queue(session=session, page=page, tz=console.deps.settings.tz)

    return await _page(request, "review", gather)


def _back(console: Console, form: Any, fallback: str) -> str:
    """Where to go after a decision: a page of the console only (never another site)."""
    back = str(form.get("back", ""))
    if back.startswith(f"{console.root}/") and not back.startswith("//") and "\\" not in back:
        return back
    return fallback


def _with(url: str, values: dict[str, object], anchor: str = "") -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}{urlencode(values)}" + (f"#{anchor}" if anchor else "")


async def decide(request: web.Request) -> web.StreamResponse:
    """通过 or 退回补充 (with its comment) on one report: the chat's decision, from a form."""
    console, seen = request.app[CONSOLE], viewer(request)
    if not seen.may_review:
        return console.pages.response("forbidden", status=403, viewer=seen)
    submission_id = _int(request.match_info["submission_id"])
    form = await request.post()
    action = str(form.get("action", ""))
    comment = str(form.get("comment", ""))[:MAX_COMMENT_FIELD]
    now = console.deps.clock.now()

    def work(session: Session) -> Outcome:
        if action == "return":
            return review.return_now(
                session=session, who=seen.who, submission_id=submission_id, comment=comment, at=now
            )
        return review.approve(session=session, who=seen.who, submission_id=submission_id, at=now)

    if action not in ("approve", "return"):
        raise web.HTTPBadRequest(text="action: approve or return")
    outcome = await console.in_thread(work)
    console.notify(outcome.notices)
    back = _back(console, form, f"{console.root}/review")
    done = {"done": outcome.reply.template, "unit": outcome.reply.values.get("unit", "")}
    if outcome.reply.template in review.UNDECIDED:
        raise web.HTTPSeeOther(_with(back, done, f"r{submission_id}"))
    raise web.HTTPSeeOther(_with(back, done, str(form.get("anchor", ""))))


async def approve_batch(request: web.Request) -> web.StreamResponse:
    """通过 several at once: the ticked reports, every report on the page, or every waiting
    本月无新进展 — each decided as a single approval is."""
    console, seen = request.app[CONSOLE], viewer(request)
    if not seen.may_review:
        return console.pages.response("forbidden", status=403, viewer=seen)
    form = await request.post()
    which = str(form.get("which", ""))
    field = {"ticked": "id", "page": "shown"}.get(which)
    values = [str(value) for value in form.getall(field, [])] if field else []
    chosen = [int(value) for value in values if value.isdigit() and len(value) < 12]
    now = console.deps.clock.now()

    def work(session: Session) -> review.Batch:
        ids = review.waiting_without_progress(session=session) if which == "no_progress" else chosen
        return review.approve_many(session=session, who=seen.who, submission_ids=ids, at=now)

    batch = await console.in_thread(work)
    console.notify(batch.notices)
    back = _back(console, form, f"{console.root}/review")
    done = {"done": "batch", "approved": len(batch.approved), "skipped": batch.skipped}
    raise web.HTTPSeeOther(_with(back, done))


async def tasks(request: web.Request) -> web.StreamResponse:
    """任务进度, filtered: 滞后/停顿, not confirmed for three months, one unit."""
    console = request.app[CONSOLE]
    only = request.query.get("only", "")
    only = only if only in ("behind", "stale") else ""
    unit_name = request.query.get("unit", "")[:100]

    def gather(session: Session) -> dict[str, Any]:
        period = _period(request, console, session)
        return pages.tasks(session=session, period=period, only=only, unit=unit_name)

    return await _page(request, "tasks", gather)


async def indicators(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]

    def gather(session: Session) -> dict[str, Any]:
        return pages.indicators(session=session, period=_period(request, console, session))

    return await _page(request, "indicators", gather)


async def downloads(request: web.Request) -> web.StreamResponse:
    """The three files of the month and the eleven before it; the evaluation archive of each
    year with reports (``bot.web.archive_views``), for whoever chat's /archive serves."""
    console = request.app[CONSOLE]
    may_archive = allows(viewer(request).who, archive_pages.ARCHIVE)

    def gather(session: Session) -> dict[str, Any]:
        period = _period(request, console, session)
        months = [period]
        for _ in range(11):
            months.append(months[-1].previous())
        offers = archive_pages.archive_offers(session=session, renderer=console.deps.renderer)
        return {"period": period, "months": months, **offers}

    return await _page(request, "downloads", gather, may_archive=may_archive)


async def sessions(request: web.Request) -> web.StreamResponse:
    """Admins: who is logged in, with a button to end a person's sessions."""
    console, seen = request.app[CONSOLE], viewer(request)
    if not seen.is_admin:
        return console.pages.response("forbidden", status=403, viewer=seen)
    now = console.deps.clock.now()

    def gather(session: Session) -> dict[str, Any]:
        return {"people": web_access.logged_in(session=session, now=now)}

    return await _page(request, "sessions", gather)


async def revoke(request: web.Request) -> web.StreamResponse:
    console, seen = request.app[CONSOLE], viewer(request)
    if not seen.is_admin:
        return console.pages.response("forbidden", status=403, viewer=seen)
    form = await request.post()
    person_id = _int(str(form.get("person_id", "")))
    now = console.deps.clock.now()
    ended = await console.in_thread(
        lambda session: web_access.revoke(
            session=session, person_id=person_id, actor_person_id=seen.who.person_id, now=now
        )
    )
    raise web.HTTPSeeOther(_with(f"{console.root}/sessions", {"done": "revoked", "count": ended}))
