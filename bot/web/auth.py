"""Logging in through a chat link, the session cookie, and the checks every request passes.

- ``GET /login/<token>`` shows a page with one button; only its ``POST`` uses the link up.
  Chat apps fetch links to build previews, and a preview must not spend a one-time link.
- The session cookie is HttpOnly, SameSite=Strict, Secure when the console is reached over
  https, and lasts ``SESSION_HOURS``. Only its sha256 is stored.
- Every form carries a CSRF token derived from the session token (an HMAC: nothing more to
  store, and no other site can compute it); a POST without it, or from another origin, is
  refused. Every request reads the person's office role again, so a revoked role or session
  ends access at once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from sqlmodel import Session

from bot.domain import web_access
from bot.domain.access import REVIEW, allows
from bot.domain.people import Requester
from bot.web.console import CONSOLE, Console

log = logging.getLogger(__name__)

COOKIE = "liaison_console"
PUBLIC = ("/login", "/static/")  # under the console's root: reachable without a session


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking at the page, as chat would see them, and their session."""

    who: Requester
    token: str
    csrf: str

    @property
    def may_review(self) -> bool:
        return allows(self.who, REVIEW)

    @property
    def is_admin(self) -> bool:
        return self.who.is_admin


VIEWER = web.RequestKey("viewer", Viewer)


def csrf_for(token: str) -> str:
    return hmac.new(token.encode(), b"csrf", hashlib.sha256).hexdigest()


def viewer(request: web.Request) -> Viewer:
    found = request.get(VIEWER)
    if not isinstance(found, Viewer):
        raise web.HTTPUnauthorized()
    return found


def _public(request: web.Request, console: Console) -> bool:
    path = request.path.removeprefix(console.root)
    return path.startswith(PUBLIC)


@web.middleware
async def authenticate(request: web.Request, handler: Any) -> web.StreamResponse:
    """Resolve the cookie to an office user, or answer with the page that explains /web."""
    console = request.app[CONSOLE]
    if _public(request, console):
        return await handler(request)  # type: ignore[no-any-return]
    token = request.cookies.get(COOKIE, "")
    who = await console.in_thread(_who, console, token) if token else None
    if who is None or not who.is_office:
        status = 401 if who is None else 403
        page = "login_needed" if who is None else "not_office"
        response = console.pages.response(page, status=status, viewer=None)
        if token and who is None:
            response.del_cookie(COOKIE, path=console.cookie_path)
        return response
    request[VIEWER] = Viewer(who, token, csrf_for(token))
    if request.method == "POST":
        form = await request.post()
        sent = str(form.get("csrf", ""))
        if not hmac.compare_digest(sent, csrf_for(token)) or not _same_origin(request, console):
            log.warning("web: a form without a valid CSRF token or from another origin refused")
            return console.pages.response("forbidden", status=403, viewer=request[VIEWER])
    return await handler(request)  # type: ignore[no-any-return]


def _who(session: Session, console: Console, token: str) -> Requester | None:
    now = console.deps.clock.now()
    found = web_access.session_of(session=session, token=token, now=now)
    if found is None:
        return None
    return web_access.requester_of(
        session=session, person_id=found.person_id, bootstrap=console.bootstrap(), now=now
    )


def _same_origin(request: web.Request, console: Console) -> bool:
    """A browser names the page a form came from: it must be the console's own."""
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    base = urlsplit(console.deps.settings.web_base_url or "")
    return origin == f"{base.scheme}://{base.netloc}"


LOCAL = ("127.0.0.1", "::1")


def client_of(request: web.Request) -> str:
    """The address a login attempt is counted against. Behind a reverse proxy on the same
    host every request comes from the proxy: then the address the proxy appended last to
    X-Forwarded-For (the one it saw; anything before it the client could have written)."""
    remote = request.remote or "?"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and remote in LOCAL:
        return forwarded.split(",")[-1].strip()[:64] or remote
    return remote


async def login_page(request: web.Request) -> web.StreamResponse:
    """The page a chat link opens: one button, so that link previews do not use it up."""
    console = request.app[CONSOLE]
    token = request.match_info["token"]
    refusal = await console.in_thread(_check, console, token, client_of(request))
    if refusal is not None:
        return _refused(console, refusal)
    return console.pages.response("login", token=token, viewer=None)


def _check(session: Session, console: Console, token: str, client: str) -> str | None:
    refusal = web_access.check_link(
        session=session, token=token, client=client, now=console.deps.clock.now()
    )
    return None if refusal is None else refusal.value


async def login(request: web.Request) -> web.StreamResponse:
    """Use the link up, start the session, set the cookie, open the matrix."""
    console = request.app[CONSOLE]
    form = await request.post()
    token = str(form.get("token", ""))
    result = await console.in_thread(_redeem, console, token, client_of(request))
    if isinstance(result, str):
        return _refused(console, result)
    response = web.HTTPSeeOther(f"{console.root}/matrix")
    response.set_cookie(
        COOKIE, result.token, max_age=web_access.SESSION_HOURS * 3600, path=console.cookie_path,
        httponly=True, samesite="Strict", secure=console.deps.settings.web_secure,
    )  # fmt: skip
    raise response


def _redeem(session: Session, console: Console, token: str, client: str) -> web_access.Login | str:
    now = console.deps.clock.now()
    result = web_access.redeem_link(session=session, token=token, client=client, now=now)
    return result.value if isinstance(result, web_access.Refusal) else result


def _refused(console: Console, refusal: str) -> web.Response:
    status = 429 if refusal == web_access.Refusal.TOO_MANY else 403
    minutes = int(web_access.FAILURE_WINDOW.total_seconds() // 60)
    return console.pages.response(
        "login_refused", status=status, refusal=refusal, minutes=minutes, viewer=None
    )


async def logout(request: web.Request) -> web.StreamResponse:
    """End this browser's session (chat's /web logout ends all of them)."""
    console, seen = request.app[CONSOLE], viewer(request)
    await console.in_thread(_end, console, seen.token, console.deps.clock.now())
    response = console.pages.response("logged_out", viewer=None)
    response.del_cookie(COOKIE, path=console.cookie_path)
    return response


def _end(session: Session, console: Console, token: str, now: datetime) -> None:
    found = web_access.session_of(session=session, token=token, now=now)
    if found is not None:
        web_access.log_out(session=session, web_session=found, token=token, now=now)
