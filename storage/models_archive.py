"""Tables of the evaluation archive: indicator frameworks, links to tasks, evidence filing.

A framework (健康县区评估细则, 慢病示范区考评表 …) is data the office imports, never code: its
items keep the codes and wording of the official table, up to three levels. Evidence stays
where reporting put it (``evidence``); the archive only adds what filing needs — which
indicators a file proves (tags), the 题名 and 文号 an archivist may correct, and what the bot
learned from the file once (pages, EXIF time) so a year's archive need not reopen every file.

Registered on ``SQLModel.metadata`` by ``storage.models`` (its last line imports this module).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class TagSource(StrEnum):
    """Who said a file proves an indicator (defaults from tasks are derived, never stored)."""

    LIAISON = "liaison"  # one tap after an album
    OFFICE = "office"  # the office retagged it


class LinkSource(StrEnum):
    """Where a task–indicator link came from."""

    TABLE = "table"  # a code column of the 责任分工 table
    SUGGESTED = "suggested"  # the bot's suggestion from the texts, confirmed by the office
    OFFICE = "office"  # set by hand


class Framework(SQLModel, table=True):
    """One indicator framework (and version) a campaign is evaluated against."""

    __table_args__ = (UniqueConstraint("campaign_id", "name", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    name: str = Field(max_length=200)  # 健康县区评估细则
    version: str = Field(default="", max_length=50)  # 2024版
    layout: str = Field(default="", max_length=24)  # which column layout it was read from
    source_file: str = Field(default="", max_length=200)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FrameworkItem(SQLModel, table=True):
    """An indicator of a framework: 一级 (level 1), 二级 (2) or 三级 (3), as the table words it."""

    __tablename__ = "framework_item"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="framework_item.id")
    level: int = 1
    key: str = Field(max_length=64)  # the re-import key: its codes or titles down the tree
    ordinal: int = 1  # place among its siblings: the folder's 001, 002 …
    code: str = Field(default="", max_length=40)  # as written: 2.3, Ⅱ-1-1, （一）; "" if none
    title: str = Field(sa_type=Text)
    description: str = Field(default="", sa_type=Text)  # 指标说明, 指标解释, 名词解释
    method: str = Field(default="", sa_type=Text)  # 评估方式和数据来源, 评估办法
    calculation: str = Field(default="", sa_type=Text)  # 指标值计算方法, 评分标准
    target_raw: str = Field(default="", sa_type=Text)  # 指标要求, 目标值, 指标值
    points: float | None = None  # 分值, 权重(分), 总分
    bonus_points: float | None = None  # 附加分
    self_score: float | None = None  # 自评分, 得分, when the table already has it
    core: bool = False  # "*": 核心指标
    difficult: bool = False  # 难点
    remarks: str = Field(default="", sa_type=Text)
    groups: list[str] = Field(default_factory=list, sa_type=JSON)  # 各成员单位 … as written
    indicator_id: int | None = Field(default=None, foreign_key="indicator.id")  # values
    active: bool = True  # False: no longer in the re-imported table (its tags are kept)
    sort_order: int = 0


class FrameworkItemUnit(SQLModel, table=True):
    """A unit responsible for an item; the first one leads (牵头)."""

    __tablename__ = "framework_item_unit"

    item_id: int = Field(foreign_key="framework_item.id", primary_key=True)
    unit_id: int = Field(foreign_key="member_unit.id", primary_key=True, index=True)
    role: str = Field(max_length=16)  # storage.models.Responsibility
    position: int = 0


class TaskIndicatorLink(SQLModel, table=True):
    """A 责任分工 task that serves a framework item: its evidence is filed there by default."""

    __tablename__ = "task_indicator_link"

    task_id: int = Field(foreign_key="task.id", primary_key=True)
    item_id: int = Field(foreign_key="framework_item.id", primary_key=True, index=True)
    source: LinkSource = Field(default=LinkSource.OFFICE, sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvidenceTag(SQLModel, table=True):
    """A file said (by its liaison or the office) to prove an item; overrides the defaults."""

    __tablename__ = "evidence_tag"

    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True)
    item_id: int = Field(foreign_key="framework_item.id", primary_key=True, index=True)
    source: TagSource = Field(sa_type=String(16))
    tagged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    tagged_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class EvidenceFiling(SQLModel, table=True):
    """What filing adds to one stored file: corrections, and what was learned from it once."""

    __tablename__ = "evidence_filing"

    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True)
    title: str = Field(default="", max_length=200)  # 题名 set by the office ("" = derived)
    doc_number: str = Field(default="", max_length=100)  # 文号 set by the office
    remarks: str = Field(default="", max_length=500)  # 备注 set by the office
    tags_set: bool = False  # its EvidenceTag rows are the whole truth (even when none)
    probed: bool = False  # pages and taken_at were read from the file
    pages: int | None = None  # None: not countable (old .doc, a spreadsheet …)
    pages_exact: bool = True  # False: an estimate (a .docx without saved statistics)
    taken_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # EXIF
    offered: bool = False  # the album's one follow-up (tags, question) went out
    caption_asked: str = Field(default="", max_length=60)  # elements the one question asked for
    caption_answered: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by_person_id: int | None = Field(default=None, foreign_key="person.id")
