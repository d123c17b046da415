"""An office admin's campaign file, sent in chat: checked without writing, names that are no
unit's asked about one by one (``names``), then confirmed."""

from __future__ import annotations

from bot.chat.call import Answer, Call, answer
from bot.chat.names import check_or_ask
from bot.domain.importing.apply import import_file
from bot.domain.importing.readers import ImportFileError
from bot.domain.importing.report import report_reply
from bot.domain.replies import Reply
from storage.models import PendingImport

MAX_IMPORT_BYTES = 20 * 1024 * 1024  # what Telegram lets a bot download; plenty for a table


def check(call: Call, name: str, data: bytes) -> Answer:
    """Keep the file, check it without writing, ask about names that are no unit's, then for
    confirmation (imp:ok|rt|no:ID)."""
    deps = call.deps
    stored = deps.files.put_bytes(data)
    with deps.db.session() as session:
        try:
            result = import_file(session=session, name=name, data=data, dry_run=True)
        except ImportFileError as exc:
            return answer(Reply("import_failed", {"file": name, "reason": exc.reason}))
        pending = PendingImport(
            sha256=stored.sha256, file_name=name, requested_by_person_id=call.who.person_id
        )
        session.add(pending)
        session.flush()
        return check_or_ask(result, pending)


async def confirm(call: Call, parts: list[str]) -> Answer:
    """确认导入 writes the checked file (with the units the office confirmed as new, and with
    ``rt`` retiring the tasks the plan no longer has); 取消 drops it. A second tap does
    nothing twice."""
    verdict, pending_id = parts
    deps = call.deps
    with deps.db.session() as session:
        pending = session.get(PendingImport, int(pending_id))
        if pending is None or pending.applied_at is not None:
            return answer(Reply("import_already_done"))
        if verdict == "no":
            session.delete(pending)
            return answer(Reply("import_cancelled", {"file": pending.file_name}))
        data = deps.files.read_bytes(pending.sha256)
        try:
            result = import_file(
                session=session, name=pending.file_name, data=data, dry_run=False,
                create=pending.create_names, retire_missing=verdict == "rt",
                actor_person_id=call.who.person_id,
            )  # fmt: skip
        except ImportFileError as exc:
            return answer(Reply("import_failed", {"file": pending.file_name, "reason": exc.reason}))
        pending.applied_at = deps.clock.now()
        session.add(pending)
        return answer(report_reply(result, pending.file_name))
