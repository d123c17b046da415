"""Check text sent with ``parse_mode=HTML`` the way Telegram does, and reduce it to plain text.

Telegram rejects malformed markup with "can't parse entities"; doing the same here makes a
template bug fail the tests instead of failing for a real user.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
     "tg-spoiler", "span", "blockquote", "tg-emoji"}
)  # fmt: skip
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_TAG = re.compile(r"</?[a-zA-Z][\w-]*(?:\s[^<>]*)?>")


class ParseEntitiesError(ValueError):
    """The text is not valid Telegram HTML."""


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise ParseEntitiesError(f'unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise ParseEntitiesError(f'unexpected end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_plain(text: str) -> str:
    """Validate Telegram HTML and return the text a user would see."""
    for amp in re.finditer("&", text):
        if not _ENTITY.match(text, amp.start()):
            raise ParseEntitiesError(f"unsupported entity at byte offset {amp.start()}")
    for lt in re.finditer("<", text):
        if not _TAG.match(text, lt.start()):
            raise ParseEntitiesError(f"unsupported start tag at byte offset {lt.start()}")
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if checker.stack:
        raise ParseEntitiesError(
            f'can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
        )
    return "".join(checker.parts)  # convert_charrefs already unescaped the entities
