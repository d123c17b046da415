"""The console as an aiohttp application: routes, the checks every request passes, headers."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest

from bot.deps import Deps
from bot.scheduler import Dispatcher
from bot.web import archive_views, auth, media, views
from bot.web.console import CONSOLE, Console
from bot.web.render import Pages, stylesheet
from bot.web.thumbs import Thumbnails

log = logging.getLogger(__name__)

STYLESHEET = Path(__file__).with_name("console.css")
# No script, no frame, nothing from another site; forms post only back here.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # a page's URL never travels to another site
    "X-Frame-Options": "DENY",
}
_TOKEN_IN_PATH = re.compile(r"/login/[^ ?]+")


def build_web_app(deps: Deps, *, dispatcher: Dispatcher | None = None) -> web.Application:
    """The web console on ``deps`` (the bot's own services); ``dispatcher`` tells liaisons
    about decisions (it may also be set later, on ``app[CONSOLE].dispatcher``)."""
    settings = deps.settings
    console = Console(
        deps=deps,
        pages=Pages(deps.renderer, settings.web_root, settings.tz),
        thumbs=Thumbnails(deps.files, settings.data_dir / "thumbs"),
        dispatcher=dispatcher,
    )
    app = web.Application(middlewares=[_errors, auth.authenticate], client_max_size=1024**2)
    app[CONSOLE] = console
    css = stylesheet(STYLESHEET.read_text(encoding="utf-8"))
    root = settings.web_root

    async def style(_: web.Request) -> web.Response:
        return web.Response(text=css, content_type="text/css",
                            headers={"Cache-Control": "private, max-age=3600"})  # fmt: skip

    app.router.add_routes(
        [
            web.get(f"{root}/static/console.css", style),
            web.get(f"{root}/login/{{token}}", auth.login_page),
            web.post(f"{root}/login", auth.login),
            web.post(f"{root}/logout", auth.logout),
            web.get(f"{root}/" if root else "/", views.home),
            web.get(f"{root}/matrix", views.matrix),
            web.get(f"{root}/unit/{{unit_id}}", views.unit),
            web.get(f"{root}/report/{{submission_id}}", views.report),
            web.get(f"{root}/review", views.review_queue),
            web.post(f"{root}/review/batch", views.approve_batch),
            web.post(f"{root}/review/{{submission_id}}", views.decide),
            web.get(f"{root}/tasks", views.tasks),
            web.get(f"{root}/indicators", views.indicators),
            web.get(f"{root}/downloads", views.downloads),
            web.get(f"{root}/download/{{period}}/{{kind}}", media.download),
            web.get(f"{root}/archive/{{year}}/{{kind}}", archive_views.archive_download),
            web.get(f"{root}/evidence/{{evidence_id}}", archive_views.evidence),
            web.post(f"{root}/evidence/{{evidence_id}}/tags", archive_views.retag),
            web.get(f"{root}/thumb/{{sha256}}", media.thumbnail),
            web.get(f"{root}/photo/{{sha256}}", media.original),
            web.get(f"{root}/file/{{sha256}}", media.document),
            web.get(f"{root}/sessions", views.sessions),
            web.post(f"{root}/sessions/revoke", views.revoke),
        ]
    )
    if root:
        app.router.add_get(root, views.home)
    app.on_shutdown.append(_drain)
    return app


async def _drain(app: web.Application) -> None:
    await app[CONSOLE].drain()


@web.middleware
async def _errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Security headers on everything; an error is a page in the office's language, and the
    traceback goes to the log, not to the browser."""
    console = request.app[CONSOLE]
    try:
        response: web.StreamResponse = await handler(request)
    except web.HTTPException as error:
        if error.status < 400:  # a redirect: raised on, as aiohttp wants it
            error.headers.update(SECURITY_HEADERS)
            raise
        page = {404: "not_found", 403: "forbidden"}.get(error.status, "bad_request")
        response = console.pages.response(page, status=error.status,
                                          viewer=request.get(auth.VIEWER))  # fmt: skip
    except Exception:
        log.exception("web: %s %s failed", request.method, _masked(request.path))
        response = console.pages.response("error", status=500, viewer=request.get(auth.VIEWER))
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _masked(path: str) -> str:
    """A path fit for the log: a login token is a secret."""
    return _TOKEN_IN_PATH.sub("/login/***", path)


class MaskedAccessLogger(AbstractAccessLogger):
    """One line per request, with login tokens masked (a token in a log is a key left out)."""

    def log(self, request: BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %d %.0fms", request.remote, request.method, _masked(request.path),
            response.status, time * 1000,
        )  # fmt: skip
