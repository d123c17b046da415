"""Tables for the core of liaison-bot: campaigns, member units, people and their roles.

Unit × reporting period is the key of everything later issues add; a liaison is only a
dated assignment of a person to a unit, so a unit's history survives a change of liaison.
Families follow the SQLModel pattern: ``XBase`` holds the fields people edit, ``X`` is the
table. Timestamps are tz-aware UTC (``UTCDateTime``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, MetaData, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow

# Deterministic constraint names, so Alembic migrations are stable across backends.
SQLModel.metadata.naming_convention = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
).naming_convention


class UnitCategory(StrEnum):
    """What kind of member unit this is; group references (各乡镇街道) select by it."""

    DEPARTMENT = "department"  # 党政部门
    TOWNSHIP = "township"  # 乡、镇、街道
    MEDICAL = "medical"  # 医院、疾控、卫生院
    MASS_ORGANISATION = "mass_organisation"  # 总工会、团委、妇联、红十字会
    ENTERPRISE = "enterprise"  # 企业
    OTHER = "other"


class AssignmentRole(StrEnum):
    """A unit's liaison is its main reporter; a backup can finish what the main one started."""

    MAIN = "main"
    BACKUP = "backup"


class OfficeRole(StrEnum):
    """Office admins manage everything; staff view and export."""

    ADMIN = "admin"
    STAFF = "staff"


class Transport(StrEnum):
    """Chat platforms a person can be reached on."""

    TELEGRAM = "telegram"
    WECOM = "wecom"


class Campaign(SQLModel, table=True):
    """A campaign (健康促进区, 健康县区 …) run by one office."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    office_name: str = Field(default="", max_length=200)  # 编发单位 on bulletins
    # Set by the office (never guessed from a file): what the campaign is and where.
    kind: str = Field(default="", max_length=50)  # 健康促进区, 健康县区, 慢性病综合防控示范区 …
    region: str = Field(default="", max_length=50)  # the place, e.g. 永川区
    region_word: str = Field(default="", max_length=4)  # 区, 县 or 市: "全区 32 个成员单位"
    common_duties: str = Field(default="", sa_type=Text)  # 共性职责: what every member unit does
    # The office's choice: co-operating (配合) units are asked about tasks too (default: only
    # the units that lead them are).
    report_cooperating_tasks: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MemberUnitBase(SQLModel):
    """Fields the office edits: names, kind and its place in lists."""

    full_name: str = Field(max_length=200)
    short_name: str = Field(default="", max_length=100)
    aliases: list[str] = Field(default_factory=list, sa_type=JSON)
    category: UnitCategory = Field(default=UnitCategory.DEPARTMENT, sa_type=String(32))
    sort_order: int = 0
    duties: str = Field(default="", sa_type=Text)  # 职责, as the campaign plan words it


class MemberUnit(MemberUnitBase, table=True):
    """A member unit (成员单位) of a campaign's leading group."""

    __tablename__ = "member_unit"
    __table_args__ = (UniqueConstraint("campaign_id", "full_name"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    active: bool = True  # False: merged into another unit (kept only for its history)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # 撤销: from this day the unit owes no report; earlier months keep their numbers.
    retired_on: date | None = None
    # 并入: the unit its work went to (with active=False); its earlier months stay its own.
    merged_into_id: int | None = Field(default=None, foreign_key="member_unit.id")

    @property
    def display_name(self) -> str:
        """The short name offices use in lists, falling back to the full name."""
        return self.short_name or self.full_name


class Person(SQLModel, table=True):
    """A human being: a liaison, an office user, or both. ``phone`` is personal data."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    phone: str | None = Field(default=None, max_length=20)  # shown only in the office roster
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChatIdentity(SQLModel, table=True):
    """How a person is reached on one chat platform; the domain never sees platform ids."""

    __tablename__ = "chat_identity"
    __table_args__ = (UniqueConstraint("transport", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    transport: Transport = Field(sa_type=String(16))
    external_id: str = Field(max_length=64)  # Telegram user id, WeCom userid
    chat_id: str = Field(max_length=64)  # where private messages go
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LiaisonAssignment(SQLModel, table=True):
    """A person reporting for a unit from ``valid_from`` until ``valid_to`` (open = current)."""

    __tablename__ = "liaison_assignment"
    __table_args__ = (Index(None, "unit_id", "valid_to"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="member_unit.id")
    person_id: int = Field(foreign_key="person.id", index=True)
    role: AssignmentRole = Field(default=AssignmentRole.MAIN, sa_type=String(16))
    valid_from: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    valid_to: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str = Field(default="", max_length=200)


class OfficeUser(SQLModel, table=True):
    """A person with an office role, granted at ``granted_at`` until revoked."""

    __tablename__ = "office_user"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    role: OfficeRole = Field(sa_type=String(16))
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    granted_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Invite(SQLModel, table=True):
    """A single-use registration code for one unit; only its sha256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="member_unit.id", index=True)
    code_sha256: str = Field(max_length=64, unique=True)
    role: AssignmentRole = Field(default=AssignmentRole.MAIN, sa_type=String(16))
    replacement: bool = False  # registering replaces the current main liaison without asking
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=100)  # "transport:external id"


class InviteFailure(SQLModel, table=True):
    """A wrong code typed by someone; too many within an hour locks them out for a while."""

    __tablename__ = "invite_failure"
    __table_args__ = (Index(None, "transport", "external_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    transport: Transport = Field(sa_type=String(16))
    external_id: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Registration(SQLModel, table=True):
    """A registration in progress; its fields say which question comes next."""

    id: int | None = Field(default=None, primary_key=True)
    invite_id: int = Field(foreign_key="invite.id", unique=True)
    transport: Transport = Field(sa_type=String(16))
    external_id: str = Field(max_length=64, index=True)
    chat_id: str = Field(max_length=64)
    name: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=20)
    phone_answered: bool = False
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ChangeStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class LiaisonChange(SQLModel, table=True):
    """A new main liaison waiting for an office admin to confirm the change."""

    __tablename__ = "liaison_change"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="member_unit.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    status: ChangeStatus = Field(default=ChangeStatus.PENDING, sa_type=String(16))
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class AuditEntry(SQLModel, table=True):
    """Who did what to whom: registrations, liaison changes, role grants."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    action: str = Field(max_length=50)
    actor_person_id: int | None = Field(default=None, foreign_key="person.id")
    unit_id: int | None = Field(default=None, foreign_key="member_unit.id")
    subject_person_id: int | None = Field(default=None, foreign_key="person.id")
    details: dict[str, str] = Field(default_factory=dict, sa_type=JSON)


class DeadlineKind(StrEnum):
    """How a 完成时限 reads: a date, ongoing (长期坚持), a date then ongoing, recurring, unknown."""

    DATE = "date"
    ONGOING = "ongoing"
    DATE_THEN_ONGOING = "date_then_ongoing"
    RECURRING = "recurring"
    UNKNOWN = "unknown"


class Responsibility(StrEnum):
    """A unit's part in a task or indicator: the first responsible unit leads."""

    LEAD = "lead"
    RESPONSIBLE = "responsible"  # named among 牵头/责任单位 after the first
    COOPERATING = "cooperating"  # 配合单位


class Task(SQLModel, table=True):
    """One 具体内容 line of a 责任分工 table, under its 工程 and sub-heading."""

    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    code: str = Field(max_length=40)  # position in the plan, e.g. "1.1.2"; the re-import key
    category_path: list[str] = Field(default_factory=list, sa_type=JSON)
    content: str = Field(sa_type=Text)
    deadline_raw: str = Field(default="", max_length=200)
    deadline_kind: DeadlineKind = Field(default=DeadlineKind.UNKNOWN, sa_type=String(24))
    deadline_date: date | None = None
    remarks: str = Field(default="", sa_type=Text)
    groups: list[str] = Field(default_factory=list, sa_type=JSON)  # 各乡镇 … as written
    cooperating_groups: list[str] = Field(default_factory=list, sa_type=JSON)  # those in 配合
    sort_order: int = 0
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # no longer asked
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the office closed it


class TaskUnit(SQLModel, table=True):
    """A unit responsible for, or co-operating on, a task."""

    __tablename__ = "task_unit"

    task_id: int = Field(foreign_key="task.id", primary_key=True)
    unit_id: int = Field(foreign_key="member_unit.id", primary_key=True, index=True)
    role: Responsibility = Field(sa_type=String(16))
    position: int = 0
    via_group: str = Field(default="", max_length=50)  # e.g. 各乡镇, when expanded from a group


class Indicator(SQLModel, table=True):
    """A target the campaign must reach (健康促进学校 ≥ 50 %, 吸烟率 < 25 % …)."""

    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    name: str = Field(max_length=200)
    target_raw: str = Field(default="", max_length=200)
    comparator: str = Field(default="", max_length=4)  # >=, <=, >, <, =, or "" when unparsed
    target_value: float | None = None
    measure: str = Field(default="", max_length=40)  # 计量单位: %, 家, 所 …
    deadline_raw: str = Field(default="", max_length=200)
    deadline_kind: DeadlineKind = Field(default=DeadlineKind.UNKNOWN, sa_type=String(24))
    deadline_date: date | None = None
    sort_order: int = 0


class IndicatorUnit(SQLModel, table=True):
    __tablename__ = "indicator_unit"

    indicator_id: int = Field(foreign_key="indicator.id", primary_key=True)
    unit_id: int = Field(foreign_key="member_unit.id", primary_key=True, index=True)
    role: Responsibility = Field(sa_type=String(16))
    position: int = 0


class PendingImport(SQLModel, table=True):
    """A file sent in chat, checked and waiting for the office user's confirmation."""

    __tablename__ = "pending_import"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64)
    file_name: str = Field(max_length=200)
    requested_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    applied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    create_names: list[str] = Field(default_factory=list, sa_type=JSON)  # 新建单位 answers


class UnitAlias(SQLModel, table=True):
    """A name the office confirmed: another name of a unit, or (``unit_id`` None) a name that
    is not a unit at all and is ignored. Imports match it exactly, so the next import of the
    same file asks nothing."""

    __tablename__ = "unit_alias"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    name: str = Field(max_length=200)
    unit_id: int | None = Field(default=None, foreign_key="member_unit.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class CalendarOverride(SQLModel, table=True):
    """A day the office declares a workday or a holiday, over the library's calendar
    (local changes, or next year's State Council notice before any library has it)."""

    __tablename__ = "calendar_override"

    day: date = Field(primary_key=True)
    workday: bool
    note: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ShiftDirection(StrEnum):
    """Where a due date on a non-workday moves: 民法典 Art. 203 says the next workday."""

    NEXT = "next"
    PREVIOUS = "previous"


class ReportingRule(SQLModel, table=True):
    """How a campaign's monthly due date is computed ("每月30日前" by default)."""

    __tablename__ = "reporting_rule"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    nominal_day: int = 30
    shift: ShiftDirection = Field(default=ShiftDirection.NEXT, sa_type=String(16))
    grace_workdays: int = 0


class ReportStep(StrEnum):
    """Where a draft stands; stored with the draft, so a restart resumes at the same question."""

    WORK = "work"  # 本月完成工作 (several messages append)
    TASKS = "tasks"  # 任务进度: last month's answers by default, exceptions from pages
    INDICATORS = "indicators"  # 指标数值, one indicator at a time
    PROBLEMS = "problems"  # 存在问题
    COORDINATION = "coordination"  # 需协调解决事项
    PLAN = "plan"  # 下月工作计划
    EVIDENCE = "evidence"  # 活动照片和材料
    REVIEW = "review"


class ReportDraft(SQLModel, table=True):
    """The unit's report for a period while it is being written; it belongs to the unit, so a
    backup liaison can finish what the main liaison started. Written at every step."""

    __tablename__ = "report_draft"
    __table_args__ = (UniqueConstraint("unit_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="member_unit.id")
    period: str = Field(max_length=7)  # YYYY-MM
    step: ReportStep = Field(default=ReportStep.WORK, sa_type=String(16))
    work_done: str = Field(default="", sa_type=Text)
    problems: str | None = Field(default=None, sa_type=Text)  # None: not answered; "": skipped
    coordination: str | None = Field(default=None, sa_type=Text)
    next_plan: str | None = Field(default=None, sa_type=Text)
    editing_one_section: bool = False  # 修改 from the review: go back to it afterwards
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class ActiveReport(SQLModel, table=True):
    """Which draft a person's next message answers (set by /report, cleared on submit)."""

    __tablename__ = "active_report"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    draft_id: int = Field(foreign_key="report_draft.id")


class SubmissionKind(StrEnum):
    REPORT = "report"
    NO_PROGRESS = "no_progress"  # 本月无新进展: counts as reported


class Submission(SQLModel, table=True):
    """A submitted report; amendments add versions, the latest one counts."""

    __table_args__ = (UniqueConstraint("unit_id", "period", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="member_unit.id", index=True)
    period: str = Field(max_length=7, index=True)
    version: int = 1
    kind: SubmissionKind = Field(default=SubmissionKind.REPORT, sa_type=String(16))
    work_done: str = Field(default="", sa_type=Text)
    problems: str = Field(default="", sa_type=Text)
    coordination: str = Field(default="", sa_type=Text)
    next_plan: str = Field(default="", sa_type=Text)
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    due_date: date
    workdays_late: int = 0  # 0: on time
    photo_count: int = 0
    document_count: int = 0


class EvidenceKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


class Evidence(SQLModel, table=True):
    """A photo or file a liaison sent for a unit's month, stored at receipt (sha256 address)."""

    __table_args__ = (UniqueConstraint("unit_id", "period", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="member_unit.id", index=True)
    period: str = Field(max_length=7)
    sha256: str = Field(max_length=64)
    kind: EvidenceKind = Field(sa_type=String(16))
    file_name: str = Field(default="", max_length=200)
    mime_type: str = Field(default="", max_length=100)
    size: int = 0
    caption: str = Field(default="", max_length=1000)  # 时间·地点·事件
    media_group: str = Field(default="", max_length=64)  # an album's id, to share its caption
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    received_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class TaskStatus(StrEnum):
    """A unit's word on a task this month; 滞后 and 停顿 need a reason."""

    ON_TRACK = "on_track"  # 按计划
    AHEAD = "ahead"  # 超前
    BEHIND = "behind"  # 滞后
    STALLED = "stalled"  # 停顿
    DONE = "done"  # 已完成
    NO_PROGRESS = "no_progress"  # 本月无进展

    @property
    def needs_reason(self) -> bool:
        return self in (TaskStatus.BEHIND, TaskStatus.STALLED)


class DraftTaskStatus(SQLModel, table=True):
    __tablename__ = "draft_task_status"

    draft_id: int = Field(foreign_key="report_draft.id", primary_key=True)
    task_id: int = Field(foreign_key="task.id", primary_key=True)
    status: TaskStatus = Field(sa_type=String(16))
    reason: str = Field(default="", max_length=1000)


class SubmissionTaskStatus(SQLModel, table=True):
    """A task's status as submitted (what /behind and the 任务进度 sheet read)."""

    __tablename__ = "submission_task_status"

    submission_id: int = Field(foreign_key="submission.id", primary_key=True)
    task_id: int = Field(foreign_key="task.id", primary_key=True, index=True)
    status: TaskStatus = Field(sa_type=String(16))
    reason: str = Field(default="", max_length=1000)


class DraftIndicatorValue(SQLModel, table=True):
    """An indicator's value as typed: a number, a percentage or x/y; ``skipped`` when 暂无."""

    __tablename__ = "draft_indicator_value"

    draft_id: int = Field(foreign_key="report_draft.id", primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", primary_key=True)
    raw: str = Field(default="", max_length=100)
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    skipped: bool = False


class SubmissionIndicatorValue(SQLModel, table=True):
    __tablename__ = "submission_indicator_value"

    submission_id: int = Field(foreign_key="submission.id", primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", primary_key=True, index=True)
    raw: str = Field(default="", max_length=100)
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    skipped: bool = False


class DeliveryStatus(StrEnum):
    CLAIMED = "claimed"  # an instance took it and is sending
    SENT = "sent"
    BLOCKED = "blocked"  # the person blocked the bot or left: the office is told
    FAILED = "failed"  # still failing after every retry


class Delivery(SQLModel, table=True):
    """The log of scheduled and bulk messages: one row per (kind, subject, period, recipient).

    The unique key is what makes reminders exactly-once across restarts and instances: a
    sender first claims the row (insert; a conflict means someone else has it), then sends.
    """

    __table_args__ = (UniqueConstraint("kind", "subject", "period", "recipient_person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=24)  # prompt, before, eve, due, overdue, digest, task_soon …
    subject: str = Field(max_length=40)  # "u12" (a unit), "t3u12" (a task of a unit), "y2027"
    period: str = Field(max_length=24)  # "2026-11", a task deadline, a day of a 催报
    recipient_person_id: int = Field(foreign_key="person.id", index=True)
    status: DeliveryStatus = Field(default=DeliveryStatus.CLAIMED, sa_type=String(16))
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    detail: str = Field(default="", max_length=500)


class ReviewAction(StrEnum):
    """What happened to a unit's report for a month, in the office's review."""

    SUBMITTED = "submitted"  # 待审: a new report, or an amendment of an approved one
    RESUBMITTED = "resubmitted"  # 已补充: the liaison answered a 退回补充
    APPROVED = "approved"  # 通过
    RETURNED = "returned"  # 退回补充, with a comment


class ReviewEvent(SQLModel, table=True):
    """The review history of a unit's month; the latest event is its current state."""

    __tablename__ = "review_event"
    __table_args__ = (Index(None, "unit_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="member_unit.id")
    period: str = Field(max_length=7)
    submission_id: int = Field(foreign_key="submission.id")
    action: ReviewAction = Field(sa_type=String(16))
    person_id: int | None = Field(default=None, foreign_key="person.id")
    comment: str = Field(default="", sa_type=Text)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PendingReviewComment(SQLModel, table=True):
    """A reviewer tapped 退回补充 and the bot is waiting for their comment."""

    __tablename__ = "pending_review_comment"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    submission_id: int = Field(foreign_key="submission.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PeriodLock(SQLModel, table=True):
    """A month the office has closed: no new reports or amendments until it is unlocked."""

    __tablename__ = "period_lock"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    period: str = Field(max_length=7, primary_key=True)
    locked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    locked_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class ExceptionKind(StrEnum):
    EXTENSION = "extension"  # 延期: a later due date for this unit and month
    EXEMPTION = "exemption"  # 免报: this unit owes no report this month


class ReportingException(SQLModel, table=True):
    """An extension or exemption the office granted one unit for one month, with its reason."""

    __tablename__ = "reporting_exception"

    unit_id: int = Field(foreign_key="member_unit.id", primary_key=True)
    period: str = Field(max_length=7, primary_key=True)
    kind: ExceptionKind = Field(sa_type=String(16))
    due_date: date | None = None  # the new due date of an extension
    reason: str = Field(default="", max_length=500)
    granted_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProcessedUpdate(SQLModel, table=True):
    """An incoming update (Telegram update_id, WeCom MsgId) already handled: a redelivery —
    a webhook retry, or polling again after a crash before the offset was confirmed — is
    recognised and skipped."""

    __tablename__ = "processed_update"

    transport: str = Field(max_length=16, primary_key=True)
    update_key: str = Field(max_length=80, primary_key=True)
    processed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class OfferedChoices(SQLModel, table=True):
    """The choices a WeCom member was last offered as numbered lines ("回复数字：1 完成 · 2 跳过"),
    so their "1" still means the same after a restart. Each is ``{"label", "data", "values"}``
    (a button's template label, its data and the label's values)."""

    __tablename__ = "offered_choices"

    transport: str = Field(max_length=16, primary_key=True)
    external_id: str = Field(max_length=64, primary_key=True)
    choices: list[dict[str, object]] = Field(default_factory=list, sa_type=JSON)
    offered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebTokenBase(SQLModel):
    """What a login link and a session share: a token of one person in one campaign, kept
    only as its sha256, valid until ``expires_at``. Each table adds how it ends early."""

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class WebLoginLink(WebTokenBase, table=True):
    """A single-use link into the office's web console, sent in chat (/web): valid for
    minutes, used up by its first login."""

    __tablename__ = "web_login_link"

    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSession(WebTokenBase, table=True):
    """A browser logged into the web console through a link (the cookie's token): valid for
    hours, ended early by logging out or by an admin's revocation."""

    __tablename__ = "web_session"

    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebLoginFailure(SQLModel, table=True):
    """A login link that did not work (unknown, used or expired), by client address: too
    many in a short time and that address is refused for a while."""

    __tablename__ = "web_login_failure"

    id: int | None = Field(default=None, primary_key=True)
    client: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BulletinIssue(SQLModel, table=True):
    """The 期号 a month's 工作简报 got when it was first made. Numbers count a campaign's issues
    within the reported month's year (2026年第1期, 第2期 …); making the same month again
    prints the number it already has (rule: ``bot.domain.bulletin_issues``)."""

    __tablename__ = "bulletin_issue"
    __table_args__ = (UniqueConstraint("campaign_id", "year", "number"),)

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    period: str = Field(max_length=7, primary_key=True)  # the month reported on, YYYY-MM
    year: int  # the period's year: the series the number belongs to
    number: int
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


import storage.models_archive  # noqa: E402, F401  (the evaluation archive's tables)
