"""WeCom's callback XML: the encrypted envelope and the message inside it.

Parsed with defusedxml, so a payload with a DTD or entity expansion ("billion laughs") is
refused instead of expanded. Only the fields the bot uses are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException

from bot.wecom.crypto import WeComCryptoError


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message or event from a WeCom member to our app."""

    from_user: str  # the member's userid
    create_time: int
    msg_type: str  # text, image, file, event …
    content: str = ""  # text
    media_id: str = ""  # image, file: fetch with media/get within 3 days
    file_name: str = ""
    msg_id: str = ""  # empty for events
    event: str = ""  # subscribe, enter_agent, template_card_event …
    event_key: str = ""  # a card button's key
    task_id: str = ""  # the card a button belongs to
    response_code: str = ""  # lets us update that card once (72 h)

    @property
    def dedupe_key(self) -> str:
        """WeCom retries a callback it thinks failed: messages carry MsgId; events do not, so
        they are told apart by sender and time (WeCom's own advice)."""
        return self.msg_id or f"{self.from_user}:{self.create_time}:{self.event}:{self.event_key}"


def _parse(data: bytes) -> Element:
    try:
        root: Element = SafeXml.fromstring(data)
    except (DefusedXmlException, SafeXml.ParseError) as exc:
        raise WeComCryptoError(f"unacceptable XML: {type(exc).__name__}") from exc
    return root


def envelope(body: bytes) -> str:
    """The Encrypt field of a callback POST body."""
    encrypted = _parse(body).findtext("Encrypt")
    if not encrypted:
        raise WeComCryptoError("no Encrypt element")
    return encrypted


def incoming(plain: bytes) -> Incoming:
    root = _parse(plain)

    def text(name: str) -> str:
        return (root.findtext(name) or "").strip()

    try:
        created = int(text("CreateTime") or "0")
    except ValueError as exc:
        raise WeComCryptoError("CreateTime is not a number") from exc
    return Incoming(
        from_user=text("FromUserName"),
        create_time=created,
        msg_type=text("MsgType"),
        content=root.findtext("Content") or "",
        media_id=text("MediaId"),
        file_name=text("FileName") or text("Title"),
        msg_id=text("MsgId"),
        event=text("Event"),
        event_key=text("EventKey"),
        task_id=text("TaskId"),
        response_code=text("ResponseCode"),
    )


def envelope_xml(encrypted: str, signature: str, timestamp: str, nonce: str) -> bytes:
    """A passive reply's (or a test client's) envelope around an encrypted payload."""
    return (
        f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
        f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
    ).encode()
