"""Names in a checked file that are no unit's, asked about one at a time (office admins).

Each question is one message with the units the name may mean (``是 区教委``), ``新建单位``
(when it reads like a unit's name) and ``不是单位，忽略``; for several names like no unit,
one more button creates them all. An alias or "not a unit" is stored at once — it is
knowledge, kept even if the import is cancelled, so the next import of the same file asks
nothing — while a new unit waits for 确认导入 (on the pending import). After the last answer
the check is shown again, with its 确认导入 button. Questions come one after another, so a
WeCom member's "1" always answers the question just asked.
"""

from __future__ import annotations

import hashlib

from sqlmodel import Session

from bot.chat.call import Answer, Call, answer
from bot.domain.importing.apply import ImportResult, import_file
from bot.domain.importing.plan import Unresolved
from bot.domain.importing.readers import ImportFileError
from bot.domain.importing.report import report_reply
from bot.domain.replies import Button, Reply
from bot.domain.units.aliases import add_alias, ignore_name
from bot.domain.units.lookup import UnitActionRefused
from storage.models import PendingImport
from storage.repo_units import create_campaign, get_default_campaign

SHOWN_CANDIDATES = 3
PATTERN = r"^nm:\d+:[0-9a-f]{8}:(a[0-2]|new|ign|all)$"


def tag(name: str) -> str:
    """A short, stable token for a name in button data (names are too long for it)."""
    return hashlib.sha256(name.encode()).hexdigest()[:8]


def in_order(result: ImportResult) -> list[Unresolved]:
    """The questions still open: suspected names first (one tap each), then the others."""
    return [*result.plan.suspected, *result.plan.unknown]


def check_or_ask(
    result: ImportResult, pending: PendingImport, answered: dict[str, object] | None = None
) -> Answer:
    """The check with its buttons when every name is resolved; else the next question
    (after the check itself when nothing was answered yet)."""
    assert pending.id is not None
    open_names = in_order(result)
    if not open_names:
        return answer(report_reply(result, pending.file_name, confirm_id=pending.id))
    question = _question(open_names, pending.id, result, answered)
    if answered:
        return answer(question)
    return answer(report_reply(result, pending.file_name), question)


def _question(
    open_names: list[Unresolved],
    pending_id: int,
    result: ImportResult,
    answered: dict[str, object] | None,
) -> Reply:
    entry = open_names[0]
    token = f"nm:{pending_id}:{tag(entry.name)}"
    candidates = [
        {"name": result.display_names.get(full, full), "full_name": full}
        for full in entry.candidates[:SHOWN_CANDIDATES]
    ]
    rows: list[tuple[Button, ...]] = [
        (Button("name_is", f"{token}:a{n}", {"name": c["name"]}),) for n, c in enumerate(candidates)
    ]
    if entry.creatable:
        rows.append((Button("name_new", f"{token}:new"),))
    rows.append((Button("name_ignore", f"{token}:ign"),))
    others = [u for u in open_names if not u.suspected and u.creatable]
    if not entry.suspected and len(others) > 1:
        rows.append((Button("name_new_all", f"{token}:all", {"count": len(others)}),))
    values = {
        "name": entry.name,
        "where": [str(w) for w in dict.fromkeys(entry.where)][:3],
        "candidates": candidates,
        "left": len(open_names),
        "answered": answered or {"kind": ""},
    }
    return Reply("import_name_question", values, buttons=tuple(rows))


async def answer_name(call: Call, parts: list[str]) -> Answer:
    """nm:PENDING:TAG:ACTION — a0..a2 (it is that unit), new, ign (not a unit), all."""
    pending_id, token, action = int(parts[0]), parts[1], parts[2]
    deps = call.deps
    with deps.db.session() as session:
        pending = session.get(PendingImport, pending_id)
        if pending is None or pending.applied_at is not None:
            return answer(Reply("import_already_done"))
        try:
            result = _check(call, session, pending)
        except ImportFileError as exc:
            return answer(Reply("import_failed", {"file": pending.file_name, "reason": exc.reason}))
        entry = next((u for u in in_order(result) if tag(u.name) == token), None)
        if entry is None:
            return answer(Reply("import_already_done"))
        try:
            said = _record(session, call, pending, result, entry, action)
        except UnitActionRefused as refused:
            return answer(Reply("unit_refused", {"reason": refused.reason, **refused.values}))
        return check_or_ask(_check(call, session, pending), pending, answered=said)


def _record(
    session: Session,
    call: Call,
    pending: PendingImport,
    result: ImportResult,
    entry: Unresolved,
    action: str,
) -> dict[str, object]:
    """Store the answer; returns what the next message acknowledges."""
    campaign = get_default_campaign(session=session) or create_campaign(session=session, name="")
    assert campaign.id is not None
    actor = call.who.person_id
    if action in ("a0", "a1", "a2"):
        if not entry.candidates:  # data no button of ours carries
            raise UnitActionRefused("unit_not_found", name=entry.name)
        chosen = entry.candidates[min(int(action[1]), len(entry.candidates) - 1)]
        add_alias(session=session, campaign_id=campaign.id, name=entry.name, unit_name=chosen,
                  actor_person_id=actor)  # fmt: skip
        return {
            "kind": "alias",
            "name": entry.name,
            "unit": result.display_names.get(chosen, chosen),
        }
    if action == "ign":
        ignore_name(session=session, campaign_id=campaign.id, name=entry.name,
                    actor_person_id=actor)  # fmt: skip
        return {"kind": "ignored", "name": entry.name}
    names = (
        [entry.name] if action == "new" else [u.name for u in result.plan.unknown if u.creatable]
    )
    pending.create_names = list(dict.fromkeys([*pending.create_names, *names]))
    session.add(pending)
    session.flush()
    return {"kind": "new", "names": names}


def _check(call: Call, session: Session, pending: PendingImport) -> ImportResult:
    data = call.deps.files.read_bytes(pending.sha256)
    return import_file(
        session=session, name=pending.file_name, data=data, dry_run=True,
        create=pending.create_names,
    )  # fmt: skip
