"""Office-admin commands for the campaign's identity and its units' lives, typed in chat:

    /campaign [名称|类型|地区|区县|编发单位 内容]     show or set the campaign's identity
    /alias [名称 单位 | 忽略 名称 | 删除 名称]          confirmed names (list, add, ignore, forget)
    /rename 单位 新全称                                 rename (the old name stays an alias)
    /merge 单位A 单位B [保留 单位]                      merge A into B ("A 并入 B" also reads)
    /retire 单位 [YYYY-MM-DD]                           retire (撤销) from a day (default today)
    /restore 单位                                       undo a retirement

Each calls the same domain function as ``liaison-bot alias|unit|campaign``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.chat.call import Answer, Call, answer
from bot.domain.campaign import IdentityRefused, campaign_identity, set_identity
from bot.domain.replies import Reply
from bot.domain.units.aliases import add_alias, ignore_name, list_aliases, remove_alias
from bot.domain.units.lifecycle import rename_unit, restore_unit, retire_unit
from bot.domain.units.lookup import UnitActionRefused, campaign_of
from bot.domain.units.merge import merge_units

FIELD_WORDS = {
    "名称": "name", "name": "name", "类型": "kind", "kind": "kind", "地区": "region",
    "region": "region", "区县": "region_word", "word": "region_word", "编发单位": "office_name",
    "office": "office_name",
}  # fmt: skip
IGNORE_WORDS = ("忽略", "ignore")
REMOVE_WORDS = ("删除", "remove")
KEEP_WORDS = ("保留", "keep")
INTO_WORDS = ("并入", "into", "到")

Act = Callable[[Session, int], dict[str, Any]]


def _usage(command: str) -> Answer:
    return answer(Reply("unit_admin_usage", {"command": command}))


def _run(call: Call, act: Act) -> Answer:
    """Do ``act`` on the campaign: what it did (``unit_changed``), or why not."""
    try:
        with call.deps.db.session() as session:
            values = act(session, campaign_of(session).id)
    except UnitActionRefused as refused:
        return answer(Reply("unit_refused", {"reason": refused.reason, **refused.values}))
    return answer(Reply("unit_changed", values))


async def campaign(call: Call) -> Answer:
    words = call.words
    if not words:
        with call.deps.db.session() as session:
            identity = campaign_identity(session=session)
        return answer(Reply("campaign_identity", {"identity": identity, "changed": False}))
    field = FIELD_WORDS.get(words[0].lower())
    if field is None or len(words) < 2:
        return _usage("campaign")
    try:
        with call.deps.db.session() as session:
            identity = set_identity(
                session=session, changes={field: " ".join(words[1:])},
                actor_person_id=call.who.person_id,
            )  # fmt: skip
    except IdentityRefused as refused:
        return answer(Reply("campaign_refused", {"field": refused.field, "value": refused.value}))
    return answer(Reply("campaign_identity", {"identity": identity, "changed": True}))


async def alias(call: Call) -> Answer:
    words, actor = call.words, call.who.person_id
    if not words:
        with call.deps.db.session() as session:
            try:
                rows = list_aliases(session=session, campaign_id=campaign_of(session).id)
            except UnitActionRefused:
                rows = []
        return answer(Reply("alias_list", {"rows": rows}))
    if len(words) != 2:
        return _usage("alias")
    first, second = words
    if first.lower() in IGNORE_WORDS:

        def ignore(session: Session, campaign_id: int) -> dict[str, Any]:
            ignore_name(session=session, campaign_id=campaign_id, name=second,
                        actor_person_id=actor)  # fmt: skip
            return {"action": "name_ignored", "name": second}

        return _run(call, ignore)
    if first.lower() in REMOVE_WORDS:

        def remove(session: Session, campaign_id: int) -> dict[str, Any]:
            row = remove_alias(session=session, campaign_id=campaign_id, name=second,
                               actor_person_id=actor)  # fmt: skip
            return {"action": "alias_removed", "name": row.name, "unit": row.unit}

        return _run(call, remove)

    def add(session: Session, campaign_id: int) -> dict[str, Any]:
        unit = add_alias(session=session, campaign_id=campaign_id, name=first, unit_name=second,
                         actor_person_id=actor)  # fmt: skip
        return {"action": "alias_added", "name": first, "unit": unit.full_name}

    return _run(call, add)


async def rename(call: Call) -> Answer:
    if len(call.words) != 2:
        return _usage("rename")
    name, new_name = call.words

    def act(session: Session, campaign_id: int) -> dict[str, Any]:
        old, unit = rename_unit(session=session, campaign_id=campaign_id, name=name,
                                new_name=new_name, actor_person_id=call.who.person_id)  # fmt: skip
        return {"action": "renamed", "name": old, "unit": unit.full_name}

    return _run(call, act)


async def merge(call: Call) -> Answer:
    words = [w for w in call.words if w.lower() not in INTO_WORDS]
    keep = None
    if len(words) == 4 and words[2].lower() in KEEP_WORDS:
        keep, words = words[3], words[:2]
    if len(words) != 2:
        return _usage("merge")
    source, target = words
    deps = call.deps

    def act(session: Session, campaign_id: int) -> dict[str, Any]:
        done = merge_units(
            session=session, campaign_id=campaign_id, source_name=source, target_name=target,
            keep=keep, actor_person_id=call.who.person_id, now=deps.clock.now(),
            tz=deps.settings.tz,
        )  # fmt: skip
        return {"action": "merged", **vars(done)}

    return _run(call, act)


async def retire(call: Call) -> Answer:
    words = call.words
    if len(words) not in (1, 2):
        return _usage("retire")
    deps = call.deps
    on = deps.clock.now().astimezone(deps.settings.tz).date()
    if len(words) == 2:
        try:
            on = date.fromisoformat(words[1])
        except ValueError:
            return _usage("retire")

    def act(session: Session, campaign_id: int) -> dict[str, Any]:
        unit = retire_unit(session=session, campaign_id=campaign_id, name=words[0], on=on,
                           actor_person_id=call.who.person_id)  # fmt: skip
        return {"action": "retired", "unit": unit.full_name, "day": on.isoformat()}

    return _run(call, act)


async def restore(call: Call) -> Answer:
    if len(call.words) != 1:
        return _usage("restore")

    def act(session: Session, campaign_id: int) -> dict[str, Any]:
        unit = restore_unit(session=session, campaign_id=campaign_id, name=call.words[0],
                            actor_person_id=call.who.person_id)  # fmt: skip
        return {"action": "restored", "unit": unit.full_name}

    return _run(call, act)
