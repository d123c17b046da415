"""Photos and files for a unit's month: checked, stored once, captioned.

Files arrive one update at a time (an album of ten is ten updates with no count), so each is
recorded as it comes; an album's caption, which Telegram puts on one photo only, is shared
with the album's other photos. Photos without any caption are listed so the bot can ask,
once, for 时间·地点·事件 — archives need it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from bot.domain.replies import Reply
from bot.domain.text_input import clean_text
from storage.models import Evidence, EvidenceKind

MAX_FILE_BYTES = 20 * 1024 * 1024  # what a bot may download
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic"}
DOCUMENT_SUFFIXES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et"}
MAX_CAPTION = 1000
ACK_DELAY_SECONDS = 1.5  # files closer together than this are acknowledged together


@dataclass(frozen=True, slots=True)
class Counts:
    photos: int
    documents: int
    uncaptioned: int


@dataclass
class Burst:
    """Files sent together (an album is ten updates, nine photos on WeCom nine messages), each
    stored on arrival and acknowledged once: "已收到 N 张"."""

    photos: int = 0
    documents: int = 0
    duplicates: int = 0

    @property
    def count(self) -> int:
        return self.photos + self.documents + self.duplicates

    def add(self, kind: EvidenceKind, new: bool) -> None:
        if not new:
            self.duplicates += 1
        elif kind == EvidenceKind.PHOTO:
            self.photos += 1
        else:
            self.documents += 1

    def acknowledgement(self, files: Counts) -> Reply:
        """The one reply for the burst; ``files``: what the month holds now."""
        values = {"new_photos": self.photos, "new_documents": self.documents,
                  "duplicates": self.duplicates, "files": files}  # fmt: skip
        return Reply("evidence_received", values)


def refusal(file_name: str, size: int | None) -> str | None:
    """The template explaining why a file cannot be taken, or None when it can."""
    if size is not None and size > MAX_FILE_BYTES:
        return "evidence_too_big"
    suffix = Path(file_name).suffix.lower()
    if suffix not in IMAGE_SUFFIXES | DOCUMENT_SUFFIXES:
        return "evidence_wrong_type"
    return None


def kind_of(file_name: str) -> EvidenceKind:
    """Pictures sent as files are photos too (at full quality)."""
    return (
        EvidenceKind.PHOTO
        if Path(file_name).suffix.lower() in IMAGE_SUFFIXES
        else EvidenceKind.DOCUMENT
    )


def record(
    *,
    session: Session,
    unit_id: int,
    period: str,
    sha256: str,
    kind: EvidenceKind,
    file_name: str,
    mime_type: str,
    size: int,
    caption: str,
    media_group: str,
    person_id: int | None,
) -> bool:
    """Keep the file for the unit's month; False if these exact bytes were already kept."""
    caption = " ".join(clean_text(caption).split())[:MAX_CAPTION]
    existing = session.exec(
        select(Evidence).where(
            Evidence.unit_id == unit_id, Evidence.period == period, Evidence.sha256 == sha256
        )
    ).first()
    if existing is not None:
        if caption and not existing.caption:
            existing.caption = caption
            session.add(existing)
        return False
    if media_group and not caption:  # the album's caption came on another photo
        caption = (
            session.exec(
                select(Evidence.caption).where(
                    Evidence.unit_id == unit_id,
                    Evidence.media_group == media_group,
                    Evidence.caption != "",
                )
            ).first()
            or ""
        )
    session.add(
        Evidence(
            unit_id=unit_id, period=period, sha256=sha256, kind=kind, file_name=file_name,
            mime_type=mime_type, size=size, caption=caption, media_group=media_group,
            received_by_person_id=person_id,
        )
    )  # fmt: skip
    if media_group and caption:  # and the album's earlier photos get it too
        session.execute(
            update(Evidence)
            .where(
                col(Evidence.unit_id) == unit_id,
                col(Evidence.media_group) == media_group,
                col(Evidence.caption) == "",
            )
            .values(caption=caption)
        )
    session.flush()
    return True


def counts(*, session: Session, unit_id: int, period: str) -> Counts:
    uncaptioned_expr = col(Evidence.caption) == ""
    rows = session.exec(
        select(Evidence.kind, uncaptioned_expr, func.count())
        .where(Evidence.unit_id == unit_id, Evidence.period == period)
        .group_by(col(Evidence.kind), uncaptioned_expr)
    ).all()
    photos = sum(n for kind, _, n in rows if kind == EvidenceKind.PHOTO)
    documents = sum(n for kind, _, n in rows if kind == EvidenceKind.DOCUMENT)
    uncaptioned = sum(n for kind, empty, n in rows if kind == EvidenceKind.PHOTO and empty)
    return Counts(photos, documents, uncaptioned)


def caption_uncaptioned(*, session: Session, unit_id: int, period: str, text: str) -> int:
    """Give every photo still without a caption this one (the answer to the bot's question)."""
    caption = " ".join(clean_text(text).split())[:MAX_CAPTION]
    result = session.execute(
        update(Evidence)
        .where(
            col(Evidence.unit_id) == unit_id,
            col(Evidence.period) == period,
            col(Evidence.kind) == EvidenceKind.PHOTO,
            col(Evidence.caption) == "",
        )
        .values(caption=caption)
    )
    session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]


def photos_of(*, session: Session, unit_id: int, period: str) -> list[str]:
    """The sha256 of the unit's photos for the month, in the order they arrived."""
    query = select(Evidence.sha256).where(
        Evidence.unit_id == unit_id, Evidence.period == period, Evidence.kind == EvidenceKind.PHOTO
    )
    return list(session.exec(query.order_by(col(Evidence.id))))
