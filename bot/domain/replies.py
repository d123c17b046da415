"""What the domain asks a transport to show: replies to the requester, notices to others.

The domain names templates and buttons; each transport renders them its own way (Telegram
inline keyboards, WeCom cards or numbered text choices).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.domain.people import ChatAddress


@dataclass(frozen=True, slots=True)
class Button:
    """A choice: ``label`` names a macro in ``buttons.j2``; ``data`` comes back when pressed."""

    label: str
    data: str
    values: Mapping[str, Any] = field(default_factory=dict)


class Keyboard(StrEnum):
    """Special reply keyboards beyond inline buttons."""

    NONE = "none"
    ASK_PHONE = "ask_phone"  # share-my-number and skip
    REMOVE = "remove"  # take a previous special keyboard away


@dataclass(frozen=True, slots=True)
class Reply:
    template: str
    values: Mapping[str, Any] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()
    keyboard: Keyboard = Keyboard.NONE


@dataclass(frozen=True, slots=True)
class Notice:
    """A message for someone other than the requester (office admins, a replaced liaison)."""

    to: ChatAddress
    reply: Reply


@dataclass(frozen=True, slots=True)
class Outcome:
    reply: Reply
    notices: tuple[Notice, ...] = ()
