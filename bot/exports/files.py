"""Make the office's files for a month: what the chat and the command line both hand out."""

from __future__ import annotations

from dataclasses import dataclass

from bot.deps import Deps
from bot.domain.bulletin_issues import bulletin_issue
from bot.domain.campaign import Identity, campaign_identity
from bot.domain.periods import YearMonth
from bot.domain.replies import Reply
from bot.domain.summary import evidence_of
from bot.exports.archive import build_archives
from bot.exports.bulletin import Masthead, build_bulletin, bulletin_title
from bot.exports.workbook import build_workbook
from storage.repo_units import get_default_campaign

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"


@dataclass(frozen=True, slots=True)
class ExportFile:
    name: str
    data: bytes
    mime_type: str


def office_name(deps: Deps, identity: Identity | None) -> str:
    """The 编发单位 / 制表单位: BULLETIN_OFFICE, else the campaign's office name, else 创建办."""
    found = deps.settings.bulletin_office or (identity.office_name if identity else "")
    return found or deps.renderer.label("default_office")


def workbook_file(deps: Deps, period: YearMonth) -> ExportFile:
    with deps.db.session() as session:
        office = office_name(deps, campaign_identity(session=session))
        data = build_workbook(
            session=session, period=period, now=deps.clock.now(), tz=deps.settings.tz,
            renderer=deps.renderer, office=office,
        )  # fmt: skip
    return ExportFile(f"{period}_{deps.renderer.label('file_summary')}.xlsx", data, XLSX)


def bulletin_file(deps: Deps, period: YearMonth, *, issue: int | None = None) -> ExportFile:
    """The month's 工作简报 with its 期号: the one it already has, the next of its year, or
    ``issue`` (kept for the month; raises IssueNumberTaken if another month has it)."""
    settings = deps.settings
    now = deps.clock.now()
    with deps.db.session() as session:
        campaign = get_default_campaign(session=session)
        identity = campaign_identity(session=session)
        number = issue or 1
        if campaign is not None and campaign.id is not None:
            number = bulletin_issue(session=session, campaign_id=campaign.id, period=period,
                                    now=now, requested=issue)  # fmt: skip
        masthead = Masthead(
            title=bulletin_title(identity, settings.bulletin_title, deps.renderer),
            office=office_name(deps, identity),
            issue=number,
            region_word=identity.region_word if identity else "",
            to=settings.bulletin_to,
            cc=settings.bulletin_cc,
            distribute=settings.bulletin_distribute,
        )
        data = build_bulletin(
            session=session, period=period, now=now, tz=settings.tz,
            renderer=deps.renderer, files=deps.files, masthead=masthead,
        )  # fmt: skip
    return ExportFile(f"{period}_{deps.renderer.label('file_bulletin')}.docx", data, DOCX)


def archive_files(deps: Deps, period: YearMonth, *, max_bytes: int) -> list[ExportFile]:
    """The month's photos and files; several parts when one ZIP would exceed ``max_bytes``."""
    with deps.db.session() as session:
        photos = evidence_of(session=session, periods=[period])
    parts = list(
        build_archives(
            photos=photos, files=deps.files, tz=deps.settings.tz, renderer=deps.renderer,
            max_bytes=max_bytes,
        )
    )  # fmt: skip
    stem = f"{period}_{deps.renderer.label('file_photos')}"
    if len(parts) == 1:
        return [ExportFile(f"{stem}.zip", parts[0], ZIP)]
    return [
        ExportFile(f"{stem}_{number}-{len(parts)}.zip", data, ZIP)
        for number, data in enumerate(parts, 1)
    ]


def made_files(deps: Deps, period: YearMonth, kind: str, *, max_bytes: int) -> list[ExportFile]:
    """The file a chat asked for (xlsx, docx, or the photo ZIP in parts under ``max_bytes``)."""
    if kind == "xlsx":
        return [workbook_file(deps, period)]
    if kind == "docx":
        return [bulletin_file(deps, period)]
    return archive_files(deps, period, max_bytes=max_bytes)


def oversized(file: ExportFile, limit: int, period: YearMonth) -> Reply | None:
    """The refusal for a file over the platform's limit (with how to export it instead)."""
    if len(file.data) <= limit:
        return None
    values = {
        "file": file.name,
        "size_mb": round(len(file.data) / 1_048_576, 1),
        "limit_mb": limit // 1_048_576,
        "period": str(period),
    }
    return Reply("export_too_big", values)
