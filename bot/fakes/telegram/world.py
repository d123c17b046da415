"""The fake Telegram's state: users, the bot's messages, files, and the update queue.

:class:`FakeTelegram` is what tests and the demo talk to. User actions (``send_text``,
``send_album``, ``press_button`` …) become updates exactly as Telegram would deliver them;
Bot API methods (called through :mod:`bot.fakes.telegram.server`) change the state and
answer with the JSON objects python-telegram-bot expects. Every change wakes waiters, so
tests wait for the bot's replies instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.fakes.telegram.flood import FloodControl, FloodLimits
from bot.fakes.telegram.html import ParseEntitiesError, html_to_plain

log = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_BOT_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files
MAX_PHOTO_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_UPLOAD_BYTES = 50 * 1024 * 1024


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram's description, optional parameters."""

    def __init__(self, code: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user who chats privately with the bot (chat id == user id)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str = "zh-hans"

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if (value := getattr(self, key)) is not None:
                data[key] = value
        return data

    def private_chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username:
            chat["username"] = self.username
        return chat


@dataclass
class FakeFile:
    data: bytes
    file_id: str
    file_unique_id: str
    file_path: str


@dataclass
class SentMessage:
    """A message the bot sent, as stored by the fake (``raw`` is the Bot API object)."""

    raw: dict[str, Any]
    reply_keyboard: dict[str, Any] | None = None  # Telegram does not echo these in ``raw``

    @property
    def message_id(self) -> int:
        return int(self.raw["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.raw["chat"]["id"])

    @property
    def text(self) -> str:
        """What the user reads: the text, or a media caption."""
        return str(self.raw.get("text") or self.raw.get("caption") or "")

    @property
    def kind(self) -> str:
        for kind in ("photo", "document", "text"):
            if kind in self.raw:
                return kind
        return "other"

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline buttons, row after row."""
        markup = self.raw.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    @property
    def button_texts(self) -> list[str]:
        return [str(button["text"]) for button in self.buttons]

    @property
    def keyboard_texts(self) -> list[str]:
        """Reply-keyboard buttons (e.g. share contact), row after row."""
        markup = self.reply_keyboard or {}
        return [
            str(button["text"] if isinstance(button, dict) else button)
            for row in markup.get("keyboard", [])
            for button in row
        ]


@dataclass(frozen=True)
class TranscriptEvent:
    """One line of the chat as a person would see it, in order of occurrence."""

    chat_id: int
    sender: str  # the user's first name, or "bot"
    kind: str  # text, photo, document, contact, button, edit
    text: str


@dataclass
class FakeTelegram:
    """The fake's world: what users did, what the bot sent, and the pending updates."""

    token: str
    bot_id: int = 5_000_000_001
    bot_username: str = "liaison_demo_bot"
    bot_name: str = "创建办联络助手"
    limits: FloodLimits = field(default_factory=FloodLimits)
    clock: Callable[[], float] = time.monotonic
    on_event: Callable[[TranscriptEvent], None] | None = None

    users: dict[int, FakeUser] = field(default_factory=dict)
    blocked_by: set[int] = field(default_factory=set)
    sent: list[SentMessage] = field(default_factory=list)
    transcript: list[TranscriptEvent] = field(default_factory=list)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)  # every update, as sent
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    flood_429s: int = 0
    webhook_url: str | None = None
    webhook_secret: str | None = None
    first_update_id: int = 1  # a fake restarted beside a kept database starts higher

    def __post_init__(self) -> None:
        self._flood = FloodControl(self.limits, self.clock)
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(self.first_update_id)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._files: dict[str, FakeFile] = {}
        self._file_numbers = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._media_groups = itertools.count(1)
        self._waiters: set[asyncio.Future[None]] = set()
        # by chat: tests and benchmarks poll "has chat X got its reply" after every change
        self._sent_to: dict[int, list[SentMessage]] = {}

    # ----------------------------------------------------------------- users acting

    def user(self, user_id: int, first_name: str, **details: Any) -> FakeUser:
        """Create (or return) a user who can talk to the bot."""
        if user_id not in self.users:
            self.users[user_id] = FakeUser(user_id, first_name, **details)
        return self.users[user_id]

    def send_text(self, user: FakeUser, text: str) -> dict[str, Any]:
        """The user types ``text``; a leading ``/command`` is marked as Telegram marks it."""
        message = self._user_message(user, text=text)
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._deliver(user, "message", message, "text", text)

    def send_photo(
        self,
        user: FakeUser,
        data: bytes,
        *,
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> dict[str, Any]:
        """The user sends one photo (Telegram delivers several sizes; the last is largest)."""
        message = self._user_message(user, photo=self._photo_sizes(data))
        if caption:
            message["caption"] = caption
        if media_group_id:
            message["media_group_id"] = media_group_id
        return self._deliver(user, "message", message, "photo", caption or "")

    def send_album(
        self, user: FakeUser, photos: Sequence[bytes], *, caption: str | None = None
    ) -> list[dict[str, Any]]:
        """An album: one update per photo, sharing a media_group_id, caption on the first."""
        group = f"album{next(self._media_groups)}"
        return [
            self.send_photo(user, data, caption=caption if i == 0 else None, media_group_id=group)
            for i, data in enumerate(photos)
        ]

    def send_document(
        self,
        user: FakeUser,
        data: bytes,
        *,
        file_name: str,
        mime_type: str,
        caption: str | None = None,
    ) -> dict[str, Any]:
        stored = self._store_file(data, f"documents/{file_name}")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        message = self._user_message(user, document=document)
        if caption:
            message["caption"] = caption
        return self._deliver(user, "message", message, "document", f"{file_name} {caption or ''}")

    def send_contact(
        self, user: FakeUser, phone_number: str, *, card_of: FakeUser | None = None
    ) -> dict[str, Any]:
        """The user shares a contact: by default their own (the share-my-number button),
        or ``card_of`` someone else's, as when forwarding a contact card."""
        owner = card_of or user
        contact = {
            "phone_number": phone_number,
            "first_name": owner.first_name,
            "user_id": owner.id,
        }
        message = self._user_message(user, contact=contact)
        return self._deliver(user, "message", message, "contact", phone_number)

    def press_button(
        self,
        user: FakeUser,
        message: SentMessage,
        *,
        text: str | None = None,
        data: str | None = None,
    ) -> dict[str, Any]:
        """Tap the inline button labelled ``text``; ``data`` sends any callback data (forgery)."""
        if text is not None:
            matches = [b for b in message.buttons if b["text"] == text]
            if not matches:
                raise LookupError(f"no button {text!r} in {message.button_texts}")
            data = str(matches[0]["callback_data"])
        if data is None:
            raise ValueError("press_button needs text= or data=")
        query = {
            "id": str(next(self._callback_ids)),
            "from": user.to_api(),
            "message": message.raw,
            "chat_instance": str(message.chat_id),
            "data": data,
        }
        label = text if text is not None else data
        return self._deliver(user, "callback_query", query, "button", label)

    def block_bot(self, user: FakeUser) -> None:
        """The user blocks the bot: sends to them now fail with 403."""
        self.blocked_by.add(user.id)

    # ------------------------------------------------------------- reading results

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return list(self._sent_to.get(chat_id, ()))

    def count_to(self, chat_id: int) -> int:
        """How many messages the bot has sent to the chat (no copy: cheap to poll)."""
        return len(self._sent_to.get(chat_id, ()))

    def last_message_to(self, chat_id: int) -> SentMessage:
        messages = self.messages_to(chat_id)
        if not messages:
            raise LookupError(f"the bot has sent nothing to chat {chat_id}")
        return messages[-1]

    async def wait_until(self, condition: Callable[[], bool], *, timeout: float = 10.0) -> None:
        """Wait until ``condition()`` holds after some change; TimeoutError otherwise."""
        async with asyncio.timeout(timeout):
            while not condition():
                await self._next_change()

    async def wait_for_messages(
        self, chat_id: int, count: int = 1, *, since: int = 0, timeout: float = 10.0
    ) -> list[SentMessage]:
        """Wait until the bot has sent ``count`` messages to the chat after the first ``since``."""
        await self.wait_until(lambda: self.count_to(chat_id) >= since + count, timeout=timeout)
        return self.messages_to(chat_id)[since : since + count]

    async def say(
        self, user: FakeUser, text: str, *, replies: int = 1, timeout: float = 10.0
    ) -> list[SentMessage]:
        """Send ``text`` as the user and wait for ``replies`` messages from the bot."""
        since = len(self.messages_to(user.id))
        self.send_text(user, text)
        return await self.wait_for_messages(user.id, replies, since=since, timeout=timeout)

    # -------------------------------------------------------------- Bot API methods

    def get_me(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def record_call(self, method: str) -> None:
        """Remember that the bot called ``method`` (tests wait for e.g. the first getUpdates)."""
        self.calls.append(method)
        self._notify()

    def confirm_updates(self, offset: int) -> None:
        """getUpdates with ``offset`` confirms (forgets) every update with a smaller id."""
        self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def pending_updates(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._updates[:limit]

    async def wait_for_updates(self, timeout: float) -> None:
        """Long polling: return when an update is pending or ``timeout`` has passed."""
        with contextlib.suppress(TimeoutError):
            await self.wait_until(lambda: bool(self._updates), timeout=timeout)

    def take_update(self) -> dict[str, Any] | None:
        """Webhook delivery: remove and return the oldest pending update."""
        return self._updates.pop(0) if self._updates else None

    def requeue(self, update: dict[str, Any]) -> None:
        """A webhook delivery failed: the update goes back to the front, as Telegram retries.
        Tests also use it to deliver an update a second time."""
        self._updates.insert(0, update)

    def send_message(
        self, chat_id: int, text: str, *, parse_mode: str | None, reply_markup: Any
    ) -> dict[str, Any]:
        plain = self._checked_text(text, parse_mode, MAX_MESSAGE_LENGTH, "message text")
        self._admit(chat_id)
        message = self._bot_message(chat_id, text=plain)
        return self._record(message, reply_markup, "text", plain)

    def send_media(
        self,
        chat_id: int,
        kind: str,
        data: bytes,
        *,
        file_name: str,
        caption: str | None,
        parse_mode: str | None,
        reply_markup: Any = None,
        admit: bool = True,
    ) -> dict[str, Any]:
        """sendPhoto/sendDocument (and each item of sendMediaGroup)."""
        limit = MAX_PHOTO_UPLOAD_BYTES if kind == "photo" else MAX_DOCUMENT_UPLOAD_BYTES
        if len(data) > limit:
            raise ApiError(413, "Request Entity Too Large")
        plain = self._checked_text(caption or "", parse_mode, MAX_CAPTION_LENGTH, "caption", True)
        if admit:
            self._admit(chat_id)
        if kind == "photo":
            message = self._bot_message(chat_id, photo=self._photo_sizes(data, strict=True))
        else:
            stored = self._store_file(data, f"documents/{file_name}")
            message = self._bot_message(
                chat_id,
                document={
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_name": file_name,
                    "file_size": len(data),
                },
            )
        if plain:
            message["caption"] = plain
        return self._record(message, reply_markup, kind, f"{file_name} {plain}".strip())

    def admit_group(self, chat_id: int) -> None:
        """A media group counts once against the flood limits."""
        self._admit(chat_id)

    def edit_message(
        self,
        chat_id: int,
        message_id: int,
        *,
        text: str | None,
        parse_mode: str | None,
        reply_markup: Any,
    ) -> dict[str, Any]:
        target = next(
            (m for m in self._sent_to.get(chat_id, ()) if m.message_id == message_id), None
        )
        if target is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        new = dict(target.raw)
        if text is not None:
            new["text"] = self._checked_text(text, parse_mode, MAX_MESSAGE_LENGTH, "message text")
        if reply_markup:
            new["reply_markup"] = reply_markup
        else:
            new.pop("reply_markup", None)
        if new == target.raw:
            raise ApiError(400, "Bad Request: message is not modified")
        new["edit_date"] = int(time.time())
        text_changed = new.get("text") != target.raw.get("text")
        target.raw = new
        self._event(
            TranscriptEvent(chat_id, "bot", "edit", SentMessage(new).text if text_changed else "")
        )
        return new

    def answer_callback_query(self, query_id: str, text: str | None, show_alert: bool) -> None:
        self.callback_answers.append({"id": query_id, "text": text, "show_alert": show_alert})
        self._notify()

    def get_file(self, file_id: str) -> dict[str, Any]:
        stored = self._files.get(file_id)
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > MAX_BOT_DOWNLOAD_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def file_by_path(self, file_path: str) -> bytes | None:
        for stored in self._files.values():
            if stored.file_path == file_path:
                return stored.data
        return None

    def file_bytes(self, file_id: str) -> bytes:
        """Bytes behind a file_id the bot sent or received (e.g. to check an upload)."""
        return self._files[file_id].data

    # --------------------------------------------------------------------- helpers

    def _user_message(self, user: FakeUser, **content: Any) -> dict[str, Any]:
        self.users.setdefault(user.id, user)
        self.blocked_by.discard(user.id)  # writing to the bot unblocks it
        return {
            "message_id": self._next_message_id(user.id),
            "date": int(time.time()),
            "chat": user.private_chat(),
            "from": user.to_api(),
            **content,
        }

    def _deliver(
        self, user: FakeUser, kind: str, payload: dict[str, Any], event_kind: str, text: str
    ) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._updates.append(update)
        self.delivered.append(update)
        self._event(TranscriptEvent(user.id, user.first_name, event_kind, text))
        return payload

    def _bot_message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        user = self.users[chat_id]
        return {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": user.private_chat(),
            "from": self.get_me(),
            **content,
        }

    def _record(
        self, message: dict[str, Any], reply_markup: Any, kind: str, text: str
    ) -> dict[str, Any]:
        keyboard = None
        if reply_markup and "inline_keyboard" in reply_markup:
            message["reply_markup"] = reply_markup  # Telegram echoes only inline keyboards
        elif reply_markup:
            keyboard = reply_markup
        stored = SentMessage(message, reply_keyboard=keyboard)
        self.sent.append(stored)
        self._sent_to.setdefault(stored.chat_id, []).append(stored)
        self._event(TranscriptEvent(stored.chat_id, "bot", kind, text))
        return message

    def _admit(self, chat_id: int) -> None:
        if chat_id not in self.users:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked_by:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        retry_after = self._flood.try_send(chat_id)
        if retry_after:
            self.flood_429s += 1
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )

    @staticmethod
    def _checked_text(
        text: str, parse_mode: str | None, limit: int, what: str, empty_ok: bool = False
    ) -> str:
        plain = text
        if parse_mode and parse_mode.upper() == "HTML":
            try:
                plain = html_to_plain(text)
            except ParseEntitiesError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if not plain.strip() and not empty_ok:
            raise ApiError(400, f"Bad Request: {what} is empty")
        if len(plain) > limit:
            raise ApiError(400, f"Bad Request: {what} is too long")
        return plain

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _store_file(self, data: bytes, path_hint: str) -> FakeFile:
        number = next(self._file_numbers)
        folder, _, name = path_hint.rpartition("/")
        stored = FakeFile(
            data=data,
            file_id=f"FILE{number:06d}{'x' * 20}",
            file_unique_id=f"U{number:06d}",
            file_path=f"{folder}/file_{number}_{name}" if folder else f"file_{number}_{name}",
        )
        self._files[stored.file_id] = stored
        return stored

    def _photo_sizes(self, data: bytes, *, strict: bool = False) -> list[dict[str, Any]]:
        """Telegram's PhotoSize list: a thumbnail, then the full picture."""
        sizes = []
        for blob, (width, height) in _renditions(data, strict=strict):
            stored = self._store_file(blob, "photos/photo.jpg")
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(blob),
                }
            )
        return sizes

    def _event(self, event: TranscriptEvent) -> None:
        self.transcript.append(event)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # an observer's failure must not change what the bot sees
                log.exception("transcript observer failed on %s", event)
        self._notify()

    async def _next_change(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await waiter
        finally:
            self._waiters.discard(waiter)

    def _notify(self) -> None:
        """Wake everyone waiting for a change (they re-check their own condition)."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)


def _renditions(data: bytes, *, strict: bool) -> Iterable[tuple[bytes, tuple[int, int]]]:
    """A 90-px thumbnail and the original, with their sizes (Pillow reads the picture)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            size = image.size
            thumb = image.convert("RGB")
            thumb.thumbnail((90, 90))
            out = io.BytesIO()
            thumb.save(out, format="JPEG")
            return [(out.getvalue(), thumb.size), (data, size)]
    except (UnidentifiedImageError, OSError):
        if strict:
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED") from None
        return [(data, (0, 0))]
