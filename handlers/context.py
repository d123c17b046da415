"""Typed handler context: handlers reach their services as ``context.deps``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session
from telegram import Bot, Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.deps import Deps
from bot.domain.people import IdentityRef, Requester, identify
from bot.scheduler import Dispatcher
from storage.models import Transport
from storage.repo_updates import mark_processed

TELEGRAM = Transport.TELEGRAM.value


class AppData:
    """``application.bot_data``: the one ``Deps`` instance (set by ``create_app``) and the
    dispatcher of scheduled and bulk messages (set when the application starts)."""

    deps: Deps | None = None
    dispatcher: Dispatcher | None = None
    sender_bot: Bot | None = None
    ticks: bool = True  # the job queue drives the schedule (False: ``bot.serve`` does)

    def __init__(self) -> None:
        # updates whose handler recorded them as handled in its own transaction (HandledOnce):
        # the application then has nothing left to record
        self.recorded: set[int] = set()
        # per chat, the last message carrying a report step's buttons (withdrawn when a newer
        # one is sent; in memory: after a restart an old copy may keep its buttons, and a tap
        # on it is checked like any other)
        self.report_buttons: dict[str, int] = {}


class CustomContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], AppData]):
    """PTB's context plus typed access to our services."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    _requester: Requester | None = None

    @property
    def requester(self) -> Requester:
        """Who is asking; set by the ``guarded`` authorization layer before the callback."""
        if self._requester is None:
            raise RuntimeError("callback was not wrapped by handlers.guard.guarded")
        return self._requester

    @requester.setter
    def requester(self, who: Requester) -> None:
        self._requester = who

    @property
    def known_requester(self) -> Requester | None:
        """The requester already resolved for this update by an earlier handler group."""
        return self._requester

    @property
    def dispatcher(self) -> Dispatcher:
        dispatcher = self.bot_data.dispatcher
        if dispatcher is None:
            raise RuntimeError("the application was not started: no dispatcher")
        return dispatcher

    @property
    def deps(self) -> Deps:
        deps = self.bot_data.deps
        if deps is None:
            raise RuntimeError("create_app() did not attach Deps to the application")
        return deps


def requester_for(update: Update, context: CustomContext) -> Requester:
    """Translate the Telegram user behind ``update`` into a domain ``Requester``."""
    user = update.effective_user
    if user is None:
        return Requester(None, "", None)
    deps = context.deps
    with deps.db.connection() as connection:
        return identify(
            db=connection,
            identity=identity_of(update),
            bootstrap_admin=user.id in deps.settings.office_admin_ids,
            at=deps.clock.now(),
        )


def identity_of(update: Update) -> IdentityRef:
    """The Telegram user behind ``update`` as a domain identity (private chat id = user id)."""
    user = update.effective_user
    if user is None:
        raise ValueError("update has no user")
    return IdentityRef(Transport.TELEGRAM, str(user.id), str(user.id), user.full_name)


@dataclass
class HandledOnce:
    """A handler's database session whose commit also records the update as handled, when the
    handler says it handled it (``done = True``)."""

    session: Session
    done: bool = False


@contextmanager
def handled_once(update: Update, context: CustomContext) -> Iterator[HandledOnce]:
    """For a step that is not idempotent (text appended to a report): the change and the
    update's processed-record commit together, so a crash between them cannot make a
    redelivered update count twice (the application otherwise records it after all handlers,
    in a transaction of its own)."""
    deps = context.deps
    with deps.db.session() as session:
        step = HandledOnce(session)
        yield step
        if step.done:
            key = str(update.update_id)
            mark_processed(db=session, transport=TELEGRAM, key=key, at=deps.clock.now())
    if step.done:
        context.bot_data.recorded.add(update.update_id)
