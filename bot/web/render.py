"""The console's pages: one set of templates for every language, ``messages/web/<page>.html``,
each importing its words from ``messages/<locale>/web/<page>.html`` (as ``words/<page>.html``):
a change to the markup is made once, and a language cannot drift from the others.

Pages are plain HTML rendered on the server (autoescaped: whatever a liaison typed stays
text), styled by one small stylesheet, with no script: they work in WeCom's built-in browser,
on a phone, and on an intranet without access to any CDN.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from aiohttp import web
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined

from bot.exports.workbook import FILLS
from messages.render import LOCALES, TEMPLATE_ROOT, Renderer

PAGES = TEMPLATE_ROOT / "web"

# Pages show people's reports: never keep them in a shared cache, never leak the URL onward.
PAGE_HEADERS = {"Cache-Control": "no-store", "Content-Type": "text/html; charset=utf-8"}


def make_web_environment(locale: str) -> Environment:
    """The shared pages by name (``matrix.html``), the locale's words as ``words/<page>.html``."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}; known: {', '.join(LOCALES)}")
    words = PrefixLoader({"words": FileSystemLoader(TEMPLATE_ROOT / locale / "web")})
    environment = Environment(
        loader=ChoiceLoader([words, FileSystemLoader(PAGES)]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        auto_reload=False,
    )
    environment.globals["lang"] = locale  # <html lang>
    return environment


class Pages:
    """Renders ``<name>.html`` in the configured language, with what every page needs."""

    def __init__(self, renderer: Renderer, root: str, tz: tzinfo) -> None:
        self.environment = make_web_environment(renderer.default_locale)

        def local(moment: datetime, pattern: str = "%Y-%m-%d %H:%M") -> str:
            """A stored (UTC) instant in office time."""
            return moment.astimezone(tz).strftime(pattern)

        self.environment.filters["local"] = local
        self.environment.filters["megabytes"] = lambda size: f"{size / 1_048_576:.1f}"
        self.environment.globals.update(
            root=root,  # the console's path prefix: links work behind a reverse proxy's path
            label=renderer.label,  # the same short texts as the Excel (按时, 逾期, …)
            status_label=renderer.button_label,  # task statuses as the chat's buttons say them
        )

    def render(self, name: str, /, **context: Any) -> str:
        return self.environment.get_template(f"{name}.html").render(**context)

    def response(self, name: str, /, *, status: int = 200, **context: Any) -> web.Response:
        return web.Response(
            status=status, body=self.render(name, **context).encode(), headers=PAGE_HEADERS
        )


def stylesheet(base: str) -> str:
    """The stylesheet with one class per status colour of the Excel (``FILLS``), so the
    matrix can never show a colour the 汇总表 does not."""
    colours = "".join(f".s-{key}{{background:#{fill}}}\n" for key, fill in FILLS.items())
    return base + colours
