"""The monthly report in chat: /report, /status, answers to the current step, its buttons."""

from __future__ import annotations

from typing import Any

from telegram import Document, PhotoSize, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    MessageHandler,
    filters,
)

from bot.chat.evidence_ack import acknowledgement
from bot.domain import evidence, reporting
from bot.domain.access import Permission
from bot.domain.replies import Reply
from handlers.context import CustomContext, handled_once
from handlers.guard import guarded
from handlers.replies import reply_to, send_reply
from storage.models import EvidenceKind

REPORT_GROUP = -1  # after registration (-2), before commands and fallbacks (0)


@guarded(Permission.ANYONE)
async def continue_report(update: Update, context: CustomContext) -> None:
    """Text while writing a report answers its current step; otherwise pass it on."""
    message, deps = update.effective_message, context.deps
    if message is None or message.text is None:
        return
    with handled_once(update, context) as step:
        reply = reporting.answer_typed(
            session=step.session, who=context.requester, text=message.text,
            now=deps.clock.now(), tz=deps.settings.tz,
        )  # fmt: skip
        step.done = reply is not None
    if reply is None:
        return
    await reply_to(update, context, reply)
    raise ApplicationHandlerStop


@guarded(Permission.ANYONE)
async def receive_file(update: Update, context: CustomContext) -> None:
    """A photo or file while writing a report: download it now and keep it (albums arrive as
    separate updates with no count, so each is kept on arrival); acknowledge once, shortly."""
    message, deps, who = update.effective_message, context.deps, context.requester
    if message is None:
        return
    with deps.db.session() as session:
        draft = reporting.active_draft(session=session, who=who)
    if draft is None:
        if who.is_liaison and not who.is_admin:
            await reply_to(update, context, Reply("report_file_without_report"))
            raise ApplicationHandlerStop
        return  # not reporting: an office admin's import file, or the fallbacks
    if message.photo:
        item: PhotoSize | Document = message.photo[-1]  # the largest size
        name, mime = f"{message.photo[-1].file_unique_id}.jpg", "image/jpeg"
    else:
        assert message.document is not None
        item, name = message.document, message.document.file_name or "file"
        mime = message.document.mime_type or ""
    problem = evidence.refusal(name, item.file_size)
    if problem is not None:
        await reply_to(update, context, Reply(problem, {"file": name}))
        raise ApplicationHandlerStop
    data = bytes(await (await item.get_file()).download_as_bytearray())
    stored = deps.files.put_bytes(data)
    with deps.db.session() as session:
        new = evidence.record(
            session=session, unit_id=draft.unit_id, period=draft.period, sha256=stored.sha256,
            kind=evidence.kind_of(name), file_name=name, mime_type=mime, size=stored.size,
            caption=message.caption or "", media_group=message.media_group_id or "",
            person_id=who.person_id,
        )  # fmt: skip
    _acknowledge_soon(
        context, message.chat_id, draft.unit_id, draft.period, evidence.kind_of(name), new
    )
    raise ApplicationHandlerStop


def _acknowledge_soon(
    context: CustomContext, chat_id: int, unit_id: int, period: str, kind: EvidenceKind, new: bool
) -> None:
    """One "已收到 N 张" per burst of files (an album is ten updates): restart a short timer."""
    assert context.job_queue is not None
    name = f"evidence-ack:{chat_id}"
    burst = evidence.Burst()
    for job in context.job_queue.get_jobs_by_name(name):
        burst = job.data["burst"]  # type: ignore[index]
        job.schedule_removal()
    burst.add(kind, new)
    context.job_queue.run_once(
        _acknowledge,  # type: ignore[arg-type]  # PTB types job callbacks by its default context
        evidence.ACK_DELAY_SECONDS,
        chat_id=chat_id,
        name=name,
        data={"burst": burst, "unit_id": unit_id, "period": period},
    )


async def _acknowledge(context: CustomContext) -> None:
    job = context.job
    assert job is not None and job.chat_id is not None
    data: dict[str, Any] = job.data  # type: ignore[assignment]
    reply = acknowledgement(
        context.deps, unit_id=data["unit_id"], period=data["period"], burst=data["burst"]
    )
    await send_reply(context, job.chat_id, reply)


def build_interceptors() -> list[BaseHandler[Any, CustomContext, Any]]:
    """Handlers for ``REPORT_GROUP``: answers and files for the draft being written."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, continue_report),
        MessageHandler(private & (filters.PHOTO | filters.Document.ALL), receive_file),
    ]
