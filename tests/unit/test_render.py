"""Templates: both locales complete, all render, user text escaped; message splitting."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.fakes.telegram.html import html_to_plain
from messages.render import LOCALES, Renderer, split_text

# One sample context per template: adding a template without a sample fails the test below.
SAMPLES: dict[str, dict[str, Any]] = {
    "bot_commands": {},
    "error_generic": {},
    "free_text_hint": {"registered": True},
    "help_liaison": {},
    "help_office": {},
    "help_stranger": {},
    "not_registered": {},
    "start_liaison": {"name": "王芳", "units": ["区卫生健康委", "卫星湖街道"]},
    "start_office": {"name": "陈静", "role": "admin"},
    "start_stranger": {"bot_name": "创建办联络助手"},
    "unknown_command": {"command": "/foo"},
    "unsupported_content": {},
}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def test_every_locale_has_the_same_templates(renderer: Renderer) -> None:
    names = {locale: renderer.template_names(locale) for locale in LOCALES}
    assert names["zh-CN"] == names["en"] == sorted(SAMPLES)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_template_renders_valid_telegram_html(
    renderer: Renderer, locale: str, template: str
) -> None:
    text = renderer.render(template, locale=locale, **SAMPLES[template])
    assert text.strip()
    html_to_plain(text)  # raises on markup Telegram would refuse


def test_default_locale_is_chinese(renderer: Renderer) -> None:
    assert "没有" in renderer.render("unknown_command", command="/x")
    assert "There is no command" in Renderer("en").render("unknown_command", command="/x")


def test_user_text_is_escaped(renderer: Renderer) -> None:
    text = renderer.render("start_office", name="<b>张&三</b>", role="staff")
    assert "&lt;b&gt;张&amp;三&lt;/b&gt;" in text
    assert html_to_plain(text).startswith("<b>张&三</b>")


def test_missing_variable_raises_instead_of_vanishing(renderer: Renderer) -> None:
    with pytest.raises(Exception, match="name"):
        renderer.render("start_office", role="admin")


def test_split_prefers_line_breaks() -> None:
    text = "第一行\n第二行\n第三行"
    assert list(split_text(text, 8)) == ["第一行\n第二行", "第三行"]


def test_split_does_not_cut_inside_an_entity_or_tag() -> None:
    line = "ab&amp;cd<b>ef</b>gh"
    pieces = list(split_text(line, 6))
    assert "".join(pieces) == line
    for piece in pieces:
        assert len(piece) <= 6
        assert piece.count("<") == piece.count(">")
        assert piece.count("&") == piece.count(";")


@given(st.text(alphabet=st.sampled_from("ab 中\n"), max_size=300), st.integers(1, 50))
def test_split_keeps_all_content_within_the_limit(text: str, limit: int) -> None:
    pieces = list(split_text(text, limit))
    assert all(0 < len(piece) <= limit and piece.strip() for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())
