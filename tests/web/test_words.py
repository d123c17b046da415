"""The console's pages are written once (messages/web/) and take their words from each locale
(messages/<locale>/web/, a file per page): every word a page asks for exists in every language,
including words of branches a page test may not reach."""

from __future__ import annotations

import re

import pytest

from bot.web.render import PAGES, make_web_environment
from messages.render import LOCALES, TEMPLATE_ROOT

IMPORT = re.compile(r'{% import "words/(\w+\.html)" as (\w+) %}')
EXTENDS = re.compile(r'{% extends "(\w+\.html)" %}')
DEFINED = re.compile(r"{% (?:macro (\w+)\(|set (\w+) = )")
PAGE_FILES = sorted(path.name for path in PAGES.glob("*.html"))
# Pages with words of their own; the others (message.html) are layouts that a page extends.
WORDED = [name for name in PAGE_FILES if IMPORT.search((PAGES / name).read_text("utf-8"))]


def source(page: str) -> str:
    """The page and the layouts it extends short of base.html (which imports its own words):
    such a layout uses the words its page imports."""
    text = (PAGES / page).read_text(encoding="utf-8")
    parent = EXTENDS.search(text)
    return text + source(parent[1]) if parent and parent[1] != "base.html" else text


def defined(locale: str, file: str) -> list[str]:
    text = (TEMPLATE_ROOT / locale / "web" / file).read_text(encoding="utf-8")
    return [macro or name for macro, name in DEFINED.findall(text)]


def test_every_page_has_its_words_in_every_language() -> None:
    assert "matrix.html" in WORDED and "message.html" in PAGE_FILES
    for locale in LOCALES:
        assert sorted(p.name for p in (TEMPLATE_ROOT / locale / "web").glob("*.html")) == WORDED


@pytest.mark.parametrize("page", WORDED)
def test_each_word_a_page_uses_is_defined_in_every_language(page: str) -> None:
    imports = IMPORT.findall((PAGES / page).read_text(encoding="utf-8"))
    [(file, alias)] = imports
    assert file == page, "a page's words are in the file of the same name"
    used = set(re.findall(rf"\b{alias}\.(\w+)", source(page)))
    assert used, f"{page} imports {file} but uses none of it"
    words = {locale: defined(locale, file) for locale in LOCALES}
    assert words["zh-CN"] == words["en"], f"{file}: the languages name different words"
    assert used <= set(words["zh-CN"]), f"{page}: {used - set(words['zh-CN'])} missing"


@pytest.mark.parametrize("locale", LOCALES)
def test_words_files_compile_and_hold_only_words(locale: str) -> None:
    """A words file defines macros and separators; nothing in it is markup of a page."""
    environment = make_web_environment(locale)
    for path in sorted((TEMPLATE_ROOT / locale / "web").glob("*.html")):
        module = environment.get_template(f"words/{path.name}").module
        assert str(module).strip() == "", path.name
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            assert line.startswith(("{% macro ", "{% set ", "{#")), (path.name, line)
