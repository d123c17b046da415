"""Render message templates; one Jinja2 environment per locale, built by a factory.

Templates produce Telegram-style HTML (``<b>``, ``<i>``): autoescaping keeps whatever a user
typed from being read as markup. Other transports turn the HTML into their own format.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATE_ROOT = Path(__file__).parent
LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"


def make_environment(locale: str) -> Environment:
    """A sandboxed-from-typos environment: undefined variables raise instead of vanishing."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}; known: {', '.join(LOCALES)}")
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_ROOT / locale),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=StrictUndefined,
        auto_reload=False,  # templates ship with the package: no stat() on every render
    )
    # Rendering for a WeCom member passes wecom=True: a few texts tell them to type 绑定 or a
    # number where Telegram has a link or a button.
    environment.globals["wecom"] = False
    return environment


class Renderer:
    """Renders ``<name>.j2`` in a locale, falling back to the default locale's wording."""

    def __init__(self, default_locale: str = DEFAULT_LOCALE) -> None:
        self.default_locale = default_locale
        self._environments = {locale: make_environment(locale) for locale in LOCALES}

    def render(self, template: str, /, *, locale: str | None = None, **context: Any) -> str:
        """Render ``template`` (a file stem); positional-only so any variable name is free."""
        environment = self._environments[locale or self.default_locale]
        text = environment.get_template(f"{template}.j2").render(**context)
        return _BLANK_LINES.sub("\n\n", text).strip()

    def button_label(self, name: str, /, *, locale: str | None = None, **values: Any) -> str:
        """A button's text: the macro ``name`` in the locale's ``buttons.j2``."""
        return self._macro("buttons", name, locale, values)

    def label(self, name: str, /, *, locale: str | None = None, **values: Any) -> str:
        """A short text for files (sheet names, column headers, statuses): ``labels.j2``.

        Plain text, not HTML: values are not escaped (a unit called "A&B" stays "A&B")."""
        return Markup(self._macro("labels", name, locale, values)).unescape()

    def _macro(self, file: str, name: str, locale: str | None, values: dict[str, Any]) -> str:
        environment = self._environments[locale or self.default_locale]
        macro = getattr(environment.get_template(f"{file}.j2").module, name)
        return str(macro(**values)).strip()

    def template_names(self, locale: str) -> list[str]:
        return sorted(path.stem for path in (TEMPLATE_ROOT / locale).glob("*.j2"))


def split_text(text: str, limit: int) -> Iterator[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters, preferring line breaks.

    Markup tags in our templates never span lines, so cutting at a line break keeps each
    piece valid; a single over-long line is cut hard, but never inside an entity or a tag.
    Blank pieces are dropped: chat platforms refuse empty messages.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    piece = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            pieces.append(piece)
            cut = _safe_cut(line, limit)
            pieces.append(line[:cut])
            piece, line = "", line[cut:]
        if len(piece) + len(line) > limit:
            pieces.append(piece)
            piece = ""
        piece += line
    pieces.append(piece)
    return (p.rstrip("\n") for p in pieces if p.strip())


def _safe_cut(line: str, limit: int) -> int:
    """Where to cut an over-long line: at ``limit``, or before an entity or tag it would split."""
    for opener, closer in (("&", ";"), ("<", ">")):
        start = line.rfind(opener, 0, limit)
        if start > 0 and line.find(closer, start, limit) == -1:
            return start
    return limit


_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
# Optional blocks in a template leave their blank lines behind when empty: a message never
# means more than one blank line in a row.
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def strip_markup(text: str) -> str:
    """Rendered HTML as plain text, for the terminal and for transports without markup."""
    return html.unescape(_TAG.sub("", text))
