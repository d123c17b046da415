"""ARCHIVE HOOK (issue 24): where the report conversation meets the archive — two calls.

- ``after_files``: called once per burst of files (an album), where the conversation builds
  its "已收到 N 张照片" acknowledgement (``bot.chat.evidence_ack``). At the photo step it may
  extend that one message with (a) the unit's few indicators as buttons — one tap files the
  album there; no tap keeps the defaults — and (b) at most one question for the six elements
  the album's caption lacks. Never a required step, never a second question for the album.
- ``caption_answered``: called where the photo step takes typed text
  (``bot.domain.reporting._caption``): the text completes the captions that question asked
  about.

The conversation is being rewritten (issue 20); these two calls are all it needs to keep.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.archive import captions
from bot.archive.frameworks import Tree, choose_framework, load_tree
from bot.archive.tags import candidates, filing_of
from bot.domain.periods import YearMonth
from bot.domain.replies import Button, Reply
from bot.domain.reporting import button_data
from storage.models import Evidence, EvidenceKind, MemberUnit, ReportDraft, ReportStep
from storage.models_archive import EvidenceFiling


def after_files(*, session: Session, unit_id: int, period: str, acknowledgement: Reply) -> Reply:
    """The acknowledgement, extended with the album's tag buttons and its one question."""
    draft = session.exec(
        select(ReportDraft).where(ReportDraft.unit_id == unit_id, ReportDraft.period == period)
    ).first()
    if draft is None or draft.step != ReportStep.EVIDENCE:
        return acknowledgement  # the step's own buttons are on offer: leave them alone
    fresh = _not_offered(session, unit_id, period)
    if not fresh:
        return acknowledgement
    for item in fresh:
        assert item.id is not None
        filing = filing_of(session=session, evidence_id=item.id)
        filing.offered = True
        session.add(filing)
    photos = [e for e in fresh if e.kind == EvidenceKind.PHOTO]
    ask = _question(session, photos)
    caption = next((p.caption for p in photos if p.caption), "")
    tree = _tree(session, unit_id)
    choices = (
        candidates(session=session, tree=tree, unit_id=unit_id, period=period, text=caption)
        if tree is not None
        else []
    )
    if len(choices) < 2:  # one indicator or none: the defaults already say it
        choices = []
    if not ask and not choices:
        session.flush()
        return acknowledgement
    first, last = fresh[0].id, fresh[-1].id
    data = button_data(unit_id, YearMonth.parse(period))
    tag_rows = [
        (Button("archive_tag", f"ta:{unit_id}:{first}:{last}:{node.id}", {"label": node.label}),)
        for node in choices
    ]
    step = (Button("work_done", f"{data}:done"), Button("skip", f"{data}:skip"))
    buttons = (*tag_rows, step)
    session.flush()
    values = {**acknowledgement.values, "ask": ask, "choices": bool(choices), "count": len(fresh)}
    return Reply("archive_album", values, buttons)


def caption_answered(*, session: Session, unit_id: int, period: str, text: str) -> int:
    """The liaison's answer to the album's question, added to the captions it asked about;
    how many photos it completed (0: no question was waiting)."""
    waiting = session.exec(
        select(Evidence, EvidenceFiling)
        .join(EvidenceFiling, col(EvidenceFiling.evidence_id) == col(Evidence.id))
        .where(
            Evidence.unit_id == unit_id,
            Evidence.period == period,
            EvidenceFiling.caption_asked != "",
            col(EvidenceFiling.caption_answered).is_(False),
        )
    ).all()
    for evidence, filing in waiting:
        evidence.caption = captions.completed(evidence.caption, text)
        filing.caption_answered = True
        session.add(evidence)
        session.add(filing)
    session.flush()
    return len(waiting)


def _not_offered(session: Session, unit_id: int, period: str) -> list[Evidence]:
    """The unit's files of the month that no follow-up has covered yet, oldest first."""
    offered = select(EvidenceFiling.evidence_id).where(col(EvidenceFiling.offered).is_(True))
    return list(
        session.exec(
            select(Evidence)
            .where(
                Evidence.unit_id == unit_id,
                Evidence.period == period,
                col(Evidence.id).not_in(offered),
            )
            .order_by(col(Evidence.id))
        )
    )


def _question(session: Session, photos: list[Evidence]) -> list[str]:
    """What the one question asks: only when every photo has a caption (otherwise the
    conversation's own "没有说明" question is the album's one question)."""
    if not photos or any(not p.caption for p in photos):
        return []
    missing: list[str] = []
    for photo in photos:
        missing += [name for name in captions.to_ask(photo.caption) if name not in missing]
    if missing:
        for photo in photos:
            assert photo.id is not None
            filing = filing_of(session=session, evidence_id=photo.id)
            filing.caption_asked = "、".join(missing)
            session.add(filing)
    return [name for name in captions.ELEMENTS if name in missing]


def _tree(session: Session, unit_id: int) -> Tree | None:
    unit = session.get(MemberUnit, unit_id)
    if unit is None:
        return None
    framework = choose_framework(session=session, campaign_id=unit.campaign_id)
    return load_tree(session=session, framework=framework) if framework else None
