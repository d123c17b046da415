"""The WeCom adapter: the same domain flows as Telegram, in plain text.

WeCom's WeChat plug-in (微工作台) shows neither markdown nor template cards, so every choice
is offered as a numbered line ("回复数字：1 完成 · 2 跳过") and the member answers with the
number (or the choice's words). So far: registration by ``绑定 CODE`` (name, then mobile or
跳过) and the monthly report (``报送`` or ``/report``; every step, photos and files, the review
and submitting).
The numbered choices offered to each member are kept in memory: after a restart, ``报送``
shows the current step again. Authorization is the domain's own: a member acts only for units
they report for, exactly as the Telegram guard checks it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlmodel import Session

from bot.broadcast import Limits, Outgoing
from bot.deps import Deps
from bot.domain import evidence, registration, reporting
from bot.domain.access import may_act_for_unit
from bot.domain.people import IdentityRef, Requester, identify
from bot.domain.periods import YearMonth
from bot.domain.replies import Button, Outcome, Reply
from bot.wecom.client import WeComClient
from bot.wecom.messages import Incoming
from handlers import wecom_office
from messages.render import split_text, strip_markup
from storage.models import EvidenceKind, MemberUnit, Transport

log = logging.getLogger(__name__)
BIND = ("绑定", "bind")
REPORT = ("报送", "/report", "report")
# WeCom lets an app send a member 30 messages a minute and drops the excess silently: pace
# below that (and well under the app-wide rate) instead of relying on 45009.
WECOM_LIMITS = Limits(per_second=10.0, per_chat_interval=2.1)
MAX_TEXT_CHARS = 600  # WeCom text stops at 2 048 bytes: 600 CJK characters fit with room


class WeComAdapter:
    def __init__(self, deps: Deps, client: WeComClient, admin_userids: Iterable[str]) -> None:
        self.deps = deps
        self.client = client
        self.admins = frozenset(admin_userids)
        self.choices: dict[str, list[Button]] = {}  # per member: what the numbers mean now

    async def handle(self, message: Incoming) -> None:
        """One message from a member (the callback receiver calls this in the background)."""
        userid = message.from_user
        identity = IdentityRef(Transport.WECOM, userid, userid, userid)
        deps = self.deps
        with deps.db.session() as session:
            who = identify(
                session=session, identity=identity, bootstrap_admin=userid in self.admins,
                at=deps.clock.now(),
            )  # fmt: skip
        if message.msg_type in ("image", "file"):
            await self._send(userid, await self._receive_file(who, message), remember=False)
            return
        if message.msg_type != "text":
            await self._send(userid, Reply("unsupported_content"))
            return
        text = message.content.strip()
        chosen = self._chosen(userid, text)
        if chosen is not None and await wecom_office.export(self, who, userid, chosen):
            return
        outcome = self._route(identity, who, text)
        await self._send(userid, outcome.reply)
        for notice in outcome.notices:
            if notice.to.transport == Transport.WECOM:
                await self._send(notice.to.chat_id, notice.reply, remember=False)

    async def _receive_file(self, who: Requester, message: Incoming) -> Reply:
        """A photo or file while writing a report: fetched at once (WeCom's media_id expires
        after 3 days) into the same content-addressed store as Telegram's."""
        with self.deps.db.session() as session:
            draft = reporting.active_draft(session=session, who=who)
        if draft is None:
            return Reply("report_file_without_report")
        if message.msg_type == "image":
            name, mime = f"{message.media_id[:16]}.jpg", "image/jpeg"
        else:
            name, mime = message.file_name or "file", ""
        data, served_name = await self.client.download(message.media_id)
        name = served_name or name
        problem = evidence.refusal(name, len(data))
        if problem is not None:
            return Reply(problem, {"file": name})
        stored = self.deps.files.put_bytes(data)
        kind = evidence.kind_of(name)
        with self.deps.db.session() as session:
            new = evidence.record(
                session=session, unit_id=draft.unit_id, period=draft.period, sha256=stored.sha256,
                kind=kind, file_name=name, mime_type=mime, size=stored.size, caption="",
                media_group="", person_id=who.person_id,
            )  # fmt: skip
            files = evidence.counts(session=session, unit_id=draft.unit_id, period=draft.period)
        photo = kind == EvidenceKind.PHOTO
        values = {"new_photos": int(new and photo), "new_documents": int(new and not photo),
                  "duplicates": int(not new), "files": files}  # fmt: skip
        return Reply("evidence_received", values)

    def _route(self, identity: IdentityRef, who: Requester, text: str) -> Outcome:
        deps, now = self.deps, self.deps.clock.now()
        first, _, rest = text.partition(" ")
        with deps.db.session() as session:
            if first.lower() in BIND:
                return registration.begin(
                    session=session, identity=identity, code=rest.strip(), now=now,
                    bootstrap_admin_ids=self.admins,
                )  # fmt: skip
            open_one = registration.find_open(session=session, identity=identity)
            if open_one is not None:
                skipped = text in ("跳过", "skip")
                return registration.answer_text(
                    session=session, registration=open_one, text=text, skipped=skipped, now=now,
                    bootstrap_admin_ids=self.admins,
                )  # fmt: skip
            awaited = wecom_office.comment(session, who, text, now=now)
            if awaited is not None:
                return awaited
            chosen = self._chosen(identity.external_id, text)
            if chosen is not None:
                decided = wecom_office.press(session, who, chosen, now=now, adapter=self)
                return decided or self._press(session, who, chosen)
            office = wecom_office.command(session, who, text, now=now, adapter=self)
            if office is not None:
                return office
            if text.lower() in REPORT:
                return Outcome(self._open_report(session, who))
            draft = reporting.active_draft(session=session, who=who)
            if draft is not None:
                ctx = self._context(session, who, draft.unit_id, YearMonth.parse(draft.period))
                if ctx is not None:
                    return Outcome(
                        reporting.answer_text(session=session, ctx=ctx, draft=draft, text=text)
                    )
        return Outcome(Reply("free_text_hint", {"registered": who.is_registered}))

    def _open_report(self, session: Session, who: Requester) -> Reply:
        if not who.is_liaison:
            return Reply("liaison_only" if who.is_registered else "not_registered")
        deps = self.deps
        return reporting.start(session=session, who=who, now=deps.clock.now(), tz=deps.settings.tz)

    def _press(self, session: Session, who: Requester, button: Button) -> Outcome:
        """A numbered choice: the same button data Telegram would send, checked the same way."""
        parts = button.data.split(":")
        if parts[0] != "rp" or len(parts) < 4 or not parts[1].isdigit():
            return Outcome(Reply("report_stale"))
        unit_id, period = int(parts[1]), reporting.parse_period(parts[2])
        if not may_act_for_unit(who, unit_id):
            return Outcome(Reply("not_your_unit"))
        ctx = self._context(session, who, unit_id, period) if period else None
        if ctx is None:
            return Outcome(Reply("report_stale"))
        draft = reporting.find_draft(session, ctx)
        return reporting.press(
            session=session, ctx=ctx, draft=draft, action=parts[3],
            arg=parts[4] if len(parts) > 4 else "",
        )  # fmt: skip

    def _context(
        self, session: Session, who: Requester, unit_id: int, period: YearMonth
    ) -> reporting.Context | None:
        unit = session.get(MemberUnit, unit_id)
        if unit is None:
            return None
        deps = self.deps
        return reporting.Context(who, unit, period, deps.clock.now(), deps.settings.tz)

    def _chosen(self, userid: str, text: str) -> Button | None:
        """The choice a number (or a choice's own words) stands for, if one is on offer."""
        offered = self.choices.get(userid, [])
        if text.isdigit() and 1 <= int(text) <= len(offered):
            return offered[int(text) - 1]
        renderer = self.deps.renderer
        for button in offered:
            if text == strip_markup(renderer.button_label(button.label, **button.values)):
                return button
        return None

    async def send_reply(self, userid: str, reply: Reply) -> None:
        await self._send(userid, reply)

    async def _send(self, userid: str, reply: Reply, *, remember: bool = True) -> None:
        text = self.deps.renderer.render(reply.template, **reply.values)
        await self.deliver(userid, text, reply.buttons, remember=remember)

    async def deliver(
        self,
        userid: str,
        text: str,
        buttons: tuple[tuple[Button, ...], ...],
        *,
        remember: bool = True,
    ) -> None:
        """Send rendered text as plain text, the choices as numbered lines (and remember what
        the numbers mean, so the member's "1" is understood). Scheduled messages come here too,
        through ``WeComSender``."""
        renderer = self.deps.renderer
        text = strip_markup(text)
        flat = [button for row in buttons for button in row]
        if remember or flat:  # a notice without choices leaves the member's choices alone
            self.choices[userid] = flat
        if flat:
            labels = " · ".join(
                f"{n} {strip_markup(renderer.button_label(b.label, **b.values))}"
                for n, b in enumerate(flat, 1)
            )
            text += "\n\n" + renderer.render("wecom_choices", choices=labels)
        for piece in split_text(text, MAX_TEXT_CHARS):
            await self.client.send_text(userid, piece)


class WeComSender:
    """The broadcaster's sender for WeCom: scheduled and bulk messages, with their choices."""

    def __init__(self, adapter: WeComAdapter) -> None:
        self.adapter = adapter

    async def __call__(self, message: Outgoing) -> None:
        await self.adapter.deliver(message.chat_id, message.text, message.extra or ())
