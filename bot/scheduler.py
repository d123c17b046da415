"""Send what the schedule owes, exactly once: claim in the delivery log, send, record.

One periodic tick (``Dispatcher.tick``) asks ``bot.domain.outbox`` what is due now, claims
each message's log keys (a unique insert: another instance or an earlier tick that holds a key
wins, and the message is not sent again), sends the claimed messages through the one
``Broadcaster`` (rate limits, 429s, retries) and records each outcome in the log. The office's
催报 goes the same way. No job store: after downtime the next tick simply finds what is due.

It knows no chat platform: each transport registers a ``Channel`` (a broadcaster ``Sender``
that understands the domain's buttons, and its message-length limit).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.broadcast import Broadcaster, Limits, Outcome, Outgoing, Sender
from bot.deps import Deps
from bot.domain import outbox
from bot.domain.outbox import Item, Office, Planned
from bot.domain.replies import Notice
from messages.render import split_text
from storage.models import DeliveryStatus, Transport
from storage.repo_deliveries import claim, finish
from storage.repo_people import identities_by_person, office_person_ids

log = logging.getLogger(__name__)

STATUS = {
    Outcome.SENT: DeliveryStatus.SENT,
    Outcome.BLOCKED: DeliveryStatus.BLOCKED,
    Outcome.FAILED: DeliveryStatus.FAILED,
}
SEVERITY = (Outcome.SENT, Outcome.FAILED, Outcome.BLOCKED)  # a message's worst piece counts


@dataclass(frozen=True, slots=True)
class Channel:
    send: Sender  # gets ``Outgoing.extra`` = the domain's buttons, for the last piece only
    max_text: int
    limits: Limits | None = None  # the platform's pacing; None: the dispatcher's (Telegram's)
    notify: Sender | None = None  # notices after a decision, if not like ``send`` (WeCom)


@dataclass
class DispatchReport:
    planned: int = 0
    claimed: int = 0
    outcomes: dict[Outcome, int] = field(default_factory=dict)

    def count(self, outcome: Outcome) -> int:
        return self.outcomes.get(outcome, 0)


@dataclass(frozen=True, slots=True)
class _Claimed:
    message: Planned
    items: tuple[tuple[Item, int], ...]  # each item with its delivery-log id


class Dispatcher:
    def __init__(
        self, deps: Deps, channels: Mapping[Transport, Channel], limits: Limits | None = None
    ) -> None:
        self.deps = deps
        self.channels = dict(channels)
        self.limits = limits
        # Transports that are configured but not (yet) running (``bot.serve`` retries them):
        # what only they could deliver is left unclaimed for a later tick, not failed.
        self.waiting_for: set[Transport] = set()

    def start_channel(self, transport: Transport, channel: Channel) -> None:
        self.channels[transport] = channel
        self.waiting_for.discard(transport)

    def stop_channel(self, transport: Transport) -> None:
        if self.channels.pop(transport, None) is not None:
            self.waiting_for.add(transport)

    async def tick(self) -> DispatchReport:
        """Send whatever the schedule owes now (nothing outside working hours)."""
        deps = self.deps
        with deps.db.session() as session:
            planned = outbox.plan(
                session=session, now=deps.clock.now(), tz=deps.settings.tz, office=self.office()
            )
        report = await self.dispatch(planned)
        deps.heartbeat.last_tick = deps.clock.now()
        return report

    def office(self) -> Office:
        """Office users, and the admins named in settings on each transport (Telegram ids in
        OFFICE_ADMIN_IDS, WeCom userids in WECOM_ADMIN_USERIDS)."""
        settings = self.deps.settings
        bootstrap = {
            Transport.TELEGRAM: [str(user_id) for user_id in settings.office_admin_ids],
            Transport.WECOM: list(settings.wecom_admin_userids),
        }
        ids: dict[bool, set[int]] = {False: set(), True: set()}
        with self.deps.db.session() as session:
            for transport, external_ids in bootstrap.items():
                for admins_only in (False, True):
                    ids[admins_only].update(
                        office_person_ids(
                            session=session, transport=transport,
                            bootstrap_external_ids=external_ids, admins_only=admins_only,
                        )
                    )  # fmt: skip
        return Office(everyone=tuple(sorted(ids[False])), admins=tuple(sorted(ids[True])))

    async def dispatch(self, planned: list[Planned]) -> DispatchReport:
        """Claim, send and record ``planned``; messages someone else claimed are left alone."""
        report = DispatchReport(planned=len(planned))
        claimed = self._claim(self._deliverable_now(planned))
        report.claimed = len(claimed)
        if not claimed:
            return report
        outgoing, unreachable = self._outgoing(claimed)
        results: dict[int, Outcome] = dict.fromkeys(unreachable, Outcome.FAILED)
        details: dict[int, str] = dict.fromkeys(unreachable, "no chat identity to reach")

        def record(message: Outgoing, outcome: Outcome, detail: str) -> None:
            index = int(message.key.split(":")[0])
            previous = results.get(index, Outcome.SENT)
            results[index] = max(previous, outcome, key=SEVERITY.index)
            if detail:
                details[index] = detail

        await self._deliver(outgoing, record)
        now = self.deps.clock.now()
        with self.deps.db.session() as session:
            for index, entry in enumerate(claimed):
                outcome = results.get(index, Outcome.FAILED)
                report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
                for _, delivery_id in entry.items:
                    finish(
                        session=session, delivery_id=delivery_id, status=STATUS[outcome],
                        detail=details.get(index, ""), at=now,
                    )  # fmt: skip
        return report

    def _deliverable_now(self, planned: list[Planned]) -> list[Planned]:
        """Without the messages whose recipient can be reached only through a transport that
        is waiting to start (they stay due, and the tick after it starts sends them)."""
        if not self.waiting_for or not planned:
            return planned
        with self.deps.db.session() as session:
            identities = identities_by_person(
                session=session, person_ids=[message.person_id for message in planned]
            )
        kept = []
        for message in planned:
            reach = {Transport(i.transport) for i in identities.get(message.person_id, [])}
            if reach & set(self.channels) or not reach & self.waiting_for:
                kept.append(message)
        return kept

    def _claim(self, planned: list[Planned]) -> list[_Claimed]:
        """Take each message's log keys in one transaction, committed before anything is sent."""
        now = self.deps.clock.now()
        claimed = []
        with self.deps.db.session() as session:
            for message in planned:
                taken = []
                for item in message.items:
                    delivery_id = claim(session=session, key=item.key, at=now)
                    if delivery_id is not None:
                        taken.append((item, delivery_id))
                if taken:
                    claimed.append(_Claimed(message, tuple(taken)))
        return claimed

    def _outgoing(self, claimed: list[_Claimed]) -> tuple[list[Outgoing], list[int]]:
        """Render each claimed message for its recipient's chat; the ones nobody can reach."""
        with self.deps.db.session() as session:
            identities = identities_by_person(
                session=session, person_ids=[entry.message.person_id for entry in claimed]
            )
        renderer = self.deps.renderer
        outgoing, unreachable = [], []
        for index, entry in enumerate(claimed):
            identity = next(
                (
                    i
                    for i in identities.get(entry.message.person_id, [])
                    if i.transport in self.channels
                ),
                None,
            )
            if identity is None:
                unreachable.append(index)
                continue
            channel = self.channels[Transport(identity.transport)]
            values = dict(entry.message.values)
            values["items"] = [dict(item.values) for item, _ in entry.items]
            values["wecom"] = _is_wecom(identity.transport)
            text = renderer.render(entry.message.template, **values)
            outgoing.extend(_pieces(identity.chat_id, text, index, Transport(identity.transport),
                                    channel, entry.message.buttons))  # fmt: skip
        return outgoing, unreachable

    async def notify(self, notices: Sequence[Notice]) -> None:
        """Tell other people (office admins, a liaison whose report came back, a replaced
        liaison) on their own platform — a decision taken on WeCom reaches a Telegram user
        too — paced like every other message; one unreachable person does not stop the rest.
        Nothing is logged for delivery: a notice follows a decision already committed."""
        renderer = self.deps.renderer
        outgoing: list[Outgoing] = []
        for index, notice in enumerate(notices):
            transport = Transport(notice.to.transport)
            channel = self.channels.get(transport)
            if channel is None:
                log.warning("notice for %s dropped: %s is not running", notice.to, transport)
                continue
            reply = notice.reply
            text = renderer.render(reply.template, **reply.values, wecom=_is_wecom(transport))
            outgoing.extend(_pieces(notice.to.chat_id, text, index, transport, channel,
                                    reply.buttons))  # fmt: skip

        def record(message: Outgoing, outcome: Outcome, detail: str) -> None:
            if outcome != Outcome.SENT:
                log.warning("notice to %s %s: %s", message.chat_id, outcome, detail)

        await self._deliver(outgoing, record, self._send_notice)

    async def _deliver(
        self, outgoing: list[Outgoing], record: Callable[[Outgoing, Outcome, str], None],
        send: Sender | None = None,
    ) -> None:  # fmt: skip
        """Each platform's messages through its own broadcaster (its own pacing), all at once."""
        by_transport: dict[Transport, list[Outgoing]] = {}
        for message in outgoing:
            by_transport.setdefault(_transport_of(message), []).append(message)
        await asyncio.gather(
            *(
                Broadcaster(
                    send or self._send, self.channels[transport].limits or self.limits
                ).deliver(messages, on_result=record)
                for transport, messages in by_transport.items()
            )
        )

    async def _send(self, message: Outgoing) -> None:
        await self.channels[_transport_of(message)].send(message)

    async def _send_notice(self, message: Outgoing) -> None:
        channel = self.channels[_transport_of(message)]
        await (channel.notify or channel.send)(message)


def _pieces(
    chat_id: str, text: str, index: int, transport: Transport, channel: Channel, buttons: Any
) -> list[Outgoing]:
    """``text`` in pieces of the platform's size, keyed ``index:piece:transport`` for the
    outcome; the buttons go with the last piece."""
    pieces = list(split_text(text, channel.max_text))
    return [
        Outgoing(
            chat_id,
            piece,
            key=f"{index}:{number}:{transport}",
            extra=buttons if number == len(pieces) - 1 else (),
        )
        for number, piece in enumerate(pieces)
    ]


def _is_wecom(transport: str) -> bool:
    return transport == Transport.WECOM


def _transport_of(message: Outgoing) -> Transport:
    return Transport(message.key.rsplit(":", 1)[1])
