"""The WeCom adapter: the same commands, buttons and report flow as Telegram (``bot.chat``).

WeCom's WeChat plug-in (微工作台) shows neither markdown nor template cards, so every set of
choices is sent as numbered lines ("回复数字选择：1 完成 · 2 跳过") and the member may answer
with the number or the choice's words; with ``WECOM_CARDS`` the same choices also come as a
button card, greyed out ("已选择：完成") once one is tapped. The numbers a member was offered
are kept in the database, so a restart does not change what "1" means.

A typed line is read in this order: a command with a slash (``/summary 2026-09``, always), then
``绑定 CODE``, an open registration's question, the reviewer's 退回补充 comment, a numbered
choice, a command's Chinese word (``汇总``, ``催报`` … — only for people it is meant for, so a
liaison's report text is never taken for an office command), and the report being written.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import aiohttp

from bot.broadcast import Limits, Outgoing
from bot.chat import buttons, commands, importing
from bot.chat.call import Answer, Call, answer, error_template, from_outcome
from bot.chat.evidence_ack import acknowledgement
from bot.deps import Deps
from bot.domain import evidence, registration, reporting, review
from bot.domain.access import allows, refusal_template
from bot.domain.importing.readers import SUPPORTED
from bot.domain.people import IdentityRef, identify
from bot.domain.replies import Button, Reply
from bot.scheduler import Channel, Dispatcher
from bot.wecom.client import WeComClient, WeComError
from bot.wecom.messages import Incoming
from messages.render import split_text, strip_markup
from storage.models import EvidenceKind, Transport
from storage.repo_choices import offer_choices, offered_choices

log = logging.getLogger(__name__)
BIND = ("绑定", "bind")
CANCEL = ("取消", "cancel")
# The client keeps each member under WeCom's 30 messages a minute; the broadcaster paces bulk
# sends a little below that too, and well under the app-wide rate.
WECOM_LIMITS = Limits(per_second=10.0, per_chat_interval=2.1)
MAX_TEXT_CHARS = 600  # WeCom text stops at 2 048 bytes: 600 CJK characters fit with room
FILE_LIMIT = 20 * 1024 * 1024  # WeCom's limit for a file message
MAX_CARD_BUTTONS = 6  # a button_interaction card holds at most six
CARD_BUTTON_CHARS = 10
CARD_TITLE_CHARS = 26
MAX_PHOTOS_SHOWN = 4  # each picture is a message of its own on WeCom


class WeComAdapter:
    def __init__(
        self, deps: Deps, client: WeComClient, admin_userids: Iterable[str], *,
        cards: bool | None = None, ack_delay: float = evidence.ACK_DELAY_SECONDS,
    ) -> None:  # fmt: skip
        self.deps = deps
        self.ack_delay = ack_delay
        self._bursts: dict[str, evidence.Burst] = {}  # per member: files not yet acknowledged
        self.client = client
        self.admins = frozenset(admin_userids)
        self.cards = deps.settings.wecom_cards if cards is None else cards
        self.channel = Channel(WeComSender(self), MAX_TEXT_CHARS, WECOM_LIMITS,
                               notify=WeComSender(self, duplicate_check=False))  # fmt: skip
        # Notices and 催报 go through a dispatcher; with TRANSPORT=both, ``bot.serve`` puts the
        # one that knows Telegram too here, so a decision on WeCom reaches Telegram users.
        self.dispatcher = Dispatcher(deps, {Transport.WECOM: self.channel})

    async def handle(self, message: Incoming) -> None:
        """One message or event from a member (the callback receiver calls this in the
        background, once per message)."""
        userid = message.from_user
        identity = IdentityRef(Transport.WECOM, userid, userid, userid)
        deps = self.deps
        with deps.db.session() as session:
            who = identify(
                db=session, identity=identity, bootstrap_admin=userid in self.admins,
                at=deps.clock.now(),
            )  # fmt: skip
        call = Call(deps=deps, who=who, identity=identity, dispatcher=self.dispatcher,
                    file_limit=FILE_LIMIT)  # fmt: skip
        try:
            if message.msg_type in ("image", "file"):
                result = await self._receive_file(call, message)
            elif message.msg_type == "text":
                result = await self._text(call, message.content.strip())
            elif message.event == "template_card_event" and message.event_key:
                result = await self._card_pressed(call, message)
            elif message.msg_type == "event":
                return  # entering the app, subscribing …: nothing to answer
            else:
                result = answer(Reply("unsupported_content"))
        except Exception as exc:  # logged, and the member told plainly (never a traceback)
            log.exception("WeCom message %s from %s failed", message.dedupe_key, userid)
            result = answer(Reply(error_template(exc)))
        await self.show(userid, result)

    async def _text(self, call: Call, text: str) -> Answer:
        """A typed line, read in the order the module docstring gives."""
        named = commands.named(text)
        if text.startswith("/"):
            if named is None:
                return answer(Reply("unknown_command", {"command": text.split()[0]}))
            return await self._command(call, *named)
        first, _, rest = text.partition(" ")
        if named is not None and first.lower() in CANCEL:
            return await self._command(call, *named)
        deps, identity, who, now = self.deps, call.identity, call.who, self.deps.clock.now()
        with deps.db.session() as session:
            if first.lower() in BIND:
                return from_outcome(
                    registration.begin(
                        session=session,
                        identity=identity,
                        code=rest.strip(),
                        now=now,
                        bootstrap_admin_ids=self.admins,
                    )
                )
            open_one = registration.find_open(session=session, who=who)
            if open_one is not None:
                return from_outcome(
                    registration.answer_text(
                        session=session,
                        registration=open_one,
                        text=text,
                        skipped=text in ("跳过", "skip"),
                        now=now,
                        bootstrap_admin_ids=self.admins,
                    )
                )
            pending = review.pending_comment(session=session, who=who) if who.is_office else None
            if pending is not None:
                return from_outcome(
                    review.return_with_comment(
                        session=session, who=who, pending=pending, comment=text, at=now
                    )
                )
        chosen = self._chosen(identity.external_id, text)
        if chosen is not None:
            return await buttons.press(call, chosen.data)
        if named is not None and allows(who, named[0].permission):
            return await self._command(call, *named)
        written = self._report_text(call, text)
        if written is not None:
            return written
        if named is not None:  # not reporting: the command word was meant, and is refused
            return await self._command(call, *named)
        return answer(Reply("free_text_hint", {"registered": who.is_registered}))

    async def _command(
        self, call: Call, command: commands.Command, words: tuple[str, ...]
    ) -> Answer:
        if not allows(call.who, command.permission):
            return answer(Reply(refusal_template(call.who, command.permission)))
        return await command.run(replace(call, words=words))

    def _report_text(self, call: Call, text: str) -> Answer | None:
        """Text for the report being written (None when none is)."""
        deps = self.deps
        with deps.db.session() as session:
            reply = reporting.answer_typed(session=session, who=call.who, text=text,
                                           now=deps.clock.now(), tz=deps.settings.tz)  # fmt: skip
        return answer(reply) if reply is not None else None

    async def _card_pressed(self, call: Call, message: Incoming) -> Answer:
        """A button tapped on a card: grey the card out when the choice is the member's to make
        and is used up by it (with the response_code the click brought), then the same as
        typing its number."""
        data, userid = message.event_key, message.from_user
        allowed = buttons.refusal(call.who, data) is None
        if allowed and buttons.used_up(data) and message.response_code:
            chosen = next((b for b in self._offered(userid) if b.data == data), None)
            label = self._label(chosen) if chosen else ""
            replace = self.deps.renderer.render("wecom_card_chosen", label=label)
            try:
                await self.client.update_card_buttons(userid, message.response_code, replace)
            except WeComError as exc:  # the choice still counts; the card just stays as it was
                log.warning("WeCom card %s not updated: %s", message.task_id, exc)
        return await buttons.press(call, data)

    async def _receive_file(self, call: Call, message: Incoming) -> Answer:
        """A photo or file while writing a report: fetched at once (WeCom's media_id expires
        after 3 days) into the same content-addressed store as Telegram's. From an office
        admin who is not reporting, a campaign file to import."""
        who = call.who
        with self.deps.db.session() as session:
            draft = reporting.active_draft(session=session, who=who)
        if message.msg_type == "image":
            name, mime = f"{message.media_id[:16]}.jpg", "image/jpeg"
        else:
            name, mime = message.file_name or "file", ""
        importable = name.lower().endswith(SUPPORTED) and who.is_admin
        if draft is None and not importable:
            return answer(Reply("report_file_without_report"))
        data, served_name = await self.client.download(message.media_id)
        name = served_name or name
        if draft is None:
            return importing.check(call, name, data)
        problem = evidence.refusal(name, len(data))
        if problem is not None:
            return answer(Reply(problem, {"file": name}))
        stored = self.deps.files.put_bytes(data)
        kind = evidence.kind_of(name)
        with self.deps.db.session() as session:
            new = evidence.record(
                session=session, unit_id=draft.unit_id, period=draft.period, sha256=stored.sha256,
                kind=kind, file_name=name, mime_type=mime, size=stored.size, caption="",
                media_group="", person_id=who.person_id,
            )  # fmt: skip
        return await self._acknowledge_burst(call, draft.unit_id, draft.period, kind, new)

    async def _acknowledge_burst(
        self, call: Call, unit_id: int, period: str, kind: EvidenceKind, new: bool
    ) -> Answer:
        """One "已收到 N 张" for a burst of files (WeCom, like Telegram, sends nine photos as
        nine messages): each file waits ``ack_delay``; only the burst's last one answers, for
        all of them. Each file is already stored; only the acknowledgement waits."""
        userid = call.identity.external_id
        burst = self._bursts.setdefault(userid, evidence.Burst())
        burst.add(kind, new)
        mine = burst.count
        await asyncio.sleep(self.ack_delay)
        if self._bursts.get(userid) is not burst or burst.count != mine:
            return Answer()  # a later file of the same burst answers for this one
        del self._bursts[userid]
        reply = acknowledgement(self.deps, unit_id=unit_id, period=period, burst=burst)
        return Answer(replies=(reply,), keep_choices=True)

    # Choices ------------------------------------------------------------------------------

    def _offered(self, userid: str) -> list[Button]:
        with self.deps.db.session() as session:
            rows = offered_choices(session=session, transport=Transport.WECOM, external_id=userid)
        return [
            Button(
                str(r["label"]), str(r["data"]), v if isinstance(v := r.get("values"), dict) else {}
            )
            for r in rows
        ]

    def _label(self, button: Button) -> str:
        return strip_markup(self.deps.renderer.button_label(button.label, **button.values))

    def _chosen(self, userid: str, text: str) -> Button | None:
        """The choice a number (or a choice's own words) stands for, if one is on offer."""
        offered = self._offered(userid)
        if text.isdigit() and 1 <= int(text) <= len(offered):
            return offered[int(text) - 1]
        return next((button for button in offered if text == self._label(button)), None)

    # Sending ------------------------------------------------------------------------------

    async def show(self, userid: str, result: Answer) -> None:
        """Photos, replies, files to the member; notices to others on their own platform."""
        files = self.deps.files
        for sha in result.photos[:MAX_PHOTOS_SHOWN]:
            await self.client.send_image(userid, files.read_bytes(sha), f"{sha[:12]}.jpg")
        for reply in result.replies:
            text = self.deps.renderer.render(reply.template, **reply.values, wecom=True)
            await self.deliver(userid, text, reply.buttons, keep=result.keep_choices)
        for file in result.files:
            await self.client.send_file(userid, file.data, file.name)
        if result.notices:
            await self.dispatcher.notify(result.notices)

    async def deliver(
        self, userid: str, text: str, choices: tuple[tuple[Button, ...], ...], *,
        keep: bool = False, duplicate_check: bool = False,
    ) -> None:  # fmt: skip
        """Rendered text as plain text, the choices as numbered lines (remembered, so the
        member's "1" is understood) and, with cards on, as a button card. A message without
        choices replaces what is on offer unless ``keep`` (a notice, a file acknowledgement).
        ``duplicate_check``: only for scheduled messages (see ``WeComSender``)."""
        flat = [button for row in choices for button in row]
        if flat or not keep:
            self._remember(userid, flat)
        text = strip_markup(text)
        if flat:
            labels = " · ".join(f"{n} {self._label(b)}" for n, b in enumerate(flat, 1))
            text += "\n\n" + self.deps.renderer.render("wecom_choices", choices=labels)
        for piece in split_text(text, MAX_TEXT_CHARS):
            await self.client.send_text(userid, piece, duplicate_check=duplicate_check)
        if self.cards and 1 <= len(flat) <= MAX_CARD_BUTTONS:
            card = self._card(text, flat)
            try:
                await self.client.send_card(userid, card, duplicate_check=duplicate_check)
            except (TimeoutError, aiohttp.ClientError) as exc:
                if not duplicate_check:
                    raise
                # Sent again, the text would be caught by the duplicate check but the card
                # would not (a new task_id each time): with the text and its numbered choices
                # delivered, a card that may have arrived is not sent a second time.
                log.warning("WeCom card to %s may not have arrived (%r)", userid, exc)

    def _remember(self, userid: str, flat: list[Button]) -> None:
        rows: list[dict[str, Any]] = [
            {
                "label": b.label,
                "data": b.data,
                "values": {k: _plain(v) for k, v in b.values.items()},
            }
            for b in flat
        ]
        with self.deps.db.session() as session:
            offer_choices(session=session, transport=Transport.WECOM, external_id=userid,
                          choices=rows, at=self.deps.clock.now())  # fmt: skip

    def _card(self, text: str, flat: list[Button]) -> dict[str, Any]:
        """A button_interaction card: the message's first line as its title, a button per
        choice whose key is the choice's data (checked again when it comes back)."""
        title = next((line.strip() for line in text.splitlines() if line.strip()), "请选择")
        return {
            "card_type": "button_interaction",
            "main_title": {"title": _shortened(title, CARD_TITLE_CHARS),
                           "desc": self.deps.renderer.render("wecom_card_hint")},
            "task_id": f"lb-{uuid.uuid4().hex}",
            "button_list": [
                {"text": _shortened(self._label(b), CARD_BUTTON_CHARS), "style": 1, "key": b.data}
                for b in flat
            ],
        }  # fmt: skip


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(value: object) -> object:
    """A button value as JSON keeps it (names and counts; anything else as its text)."""
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


class WeComSender:
    """The broadcaster's sender for WeCom: scheduled and bulk messages, with their choices.

    Which sends use WeCom's duplicate check, and why: only the schedule's messages — the
    month's prompts and reminders, the office digest, the office's scheduled notices — and
    催报 (``Dispatcher.dispatch``). Each of them is claimed once in the delivery log (催报 once
    a day per unit), so none is meant to repeat within 30 minutes: an identical one is the
    same message sent again — the broadcaster retrying it whole (after a timeout, or after
    45009 on its card when the text had gone out), or a claim left by a crashed process taken
    over after 15 minutes — and should reach the member once. Replies to what a member typed
    or tapped go without it (asked twice, answered twice), and so do notices after a decision
    (``duplicate_check=False``, ``Dispatcher.notify``): a report can be returned twice with the
    same comment, and the second return must arrive too. The check sees only identical JSON,
    so it cannot make a retried card safe (a new task_id each time): ``deliver`` does not send
    a card a second time whose send went unanswered.
    """

    def __init__(self, adapter: WeComAdapter, *, duplicate_check: bool = True) -> None:
        self.adapter = adapter
        self.duplicate_check = duplicate_check

    async def __call__(self, message: Outgoing) -> None:
        choices = message.extra or ()
        await self.adapter.deliver(message.chat_id, message.text, choices, keep=not choices,
                                   duplicate_check=self.duplicate_check)  # fmt: skip
