"""Validate what people type: names and Chinese mobile numbers, as they really type them."""

from __future__ import annotations

import re
import unicodedata

_MOBILE = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-()（）]")
_NAME_ALLOWED = re.compile(r"^[\w·•.\- ]+$")
MAX_NAME_LENGTH = 20


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """What a person typed, minus control characters (a NUL byte cannot even be stored in a
    PostgreSQL text column); line breaks and tabs stay."""
    return _CONTROL.sub("", text)


def normalize_cn_mobile(text: str) -> str | None:
    """``+86 138-0013-8000`` or full-width digits → ``13800138000``; None if not a CN mobile."""
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits.removeprefix(prefix)
            break
    return digits if _MOBILE.fullmatch(digits) else None


def normalize_person_name(text: str) -> str | None:
    """A plausible personal name (张三, 欧阳·娜娜, Wang Fang), tidied; None if it is not one."""
    name = " ".join(unicodedata.normalize("NFKC", text).split())
    if not 1 <= len(name) <= MAX_NAME_LENGTH or name.startswith("/"):
        return None
    if not _NAME_ALLOWED.match(name) or not any(ch.isalpha() for ch in name):
        return None
    if any(ch.isdigit() for ch in name):
        return None
    return name
