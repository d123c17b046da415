"""Which tasks a unit is asked about in a month (``open_tasks``, the one rule), and the
defaults it is offered (its last answers), on every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from bot.domain import task_progress
from bot.domain.task_admin import close_task, reopen_task, set_cooperating
from storage.db import Database
from storage.models import (
    DeadlineKind,
    DraftTaskStatus,
    ReportDraft,
    Responsibility,
    Submission,
    SubmissionTaskStatus,
    Task,
    TaskStatus,
    TaskUnit,
)
from storage.repo_units import add_unit, create_campaign
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
AT = datetime(2026, 11, 1, tzinfo=UTC)
TASKS = (  # code, role, deadline kind, deadline date
    ("1", Responsibility.LEAD, DeadlineKind.ONGOING, None),
    ("2", Responsibility.RESPONSIBLE, DeadlineKind.DATE, date(2027, 6, 30)),
    ("3", Responsibility.COOPERATING, DeadlineKind.ONGOING, None),
    ("4", Responsibility.LEAD, DeadlineKind.DATE, date(2022, 12, 31)),  # over before 2026-11
    ("5", Responsibility.LEAD, DeadlineKind.DATE_THEN_ONGOING, date(2023, 12, 31)),
    ("6", Responsibility.LEAD, DeadlineKind.DATE, date(2026, 11, 1)),  # due this month
    ("7", Responsibility.LEAD, DeadlineKind.ONGOING, None),  # reported 已完成 in October
)


def seed(session: Session) -> int:
    campaign = create_campaign(session=session, name="健康促进区")
    assert campaign.id is not None
    unit = add_unit(session=session, campaign_id=campaign.id, full_name="区教委")
    assert unit.id is not None
    for order, (code, role, kind, due) in enumerate(TASKS):
        task = Task(campaign_id=campaign.id, code=code, content=f"任务{code}", sort_order=order,
                    deadline_kind=kind, deadline_date=due)  # fmt: skip
        session.add(task)
        session.flush()
        assert task.id is not None
        session.add(TaskUnit(task_id=task.id, unit_id=unit.id, role=role))
    october = Submission(unit_id=unit.id, period="2026-10", due_date=date(2026, 10, 30))
    session.add(october)
    session.flush()
    ids = dict(session.exec(select(Task.code, Task.id)).all())
    for code, status, reason in (("7", TaskStatus.DONE, ""), ("1", TaskStatus.BEHIND, "经费")):
        session.add(SubmissionTaskStatus(submission_id=october.id or 0, task_id=ids[code] or 0,
                                         status=status, reason=reason))  # fmt: skip
    session.flush()
    return unit.id


def asked(session: Session, unit_id: int) -> list[str]:
    tasks = task_progress.open_tasks(session=session, unit_id=unit_id, period="2026-11")
    return [task.code for task in tasks]


def test_only_open_tasks_the_unit_leads_are_asked(database: Database) -> None:
    with database.session() as session:
        unit_id = seed(session)
        assert asked(session, unit_id) == ["1", "2", "5", "6"]
        assert task_progress.asked_any(session=session, unit_id=unit_id, period="2026-11") == (
            True,
            True,
        )
        close_task(session=session, code="6", at=AT)
        assert asked(session, unit_id) == ["1", "2", "5"]
        reopen_task(session=session, code="6")
        set_cooperating(session=session, on=True)
        assert asked(session, unit_id) == ["1", "2", "3", "5", "6"]


def test_left_alone_tasks_get_last_times_answer_as_a_row(database: Database) -> None:
    with database.session() as session:
        unit_id = seed(session)
        draft = ReportDraft(unit_id=unit_id, period="2026-11")
        session.add(draft)
        session.flush()
        assert draft.id is not None
        two = session.exec(select(Task.id).where(Task.code == "2")).one()
        assert two is not None
        task_progress.set_status(session=session, draft_id=draft.id, task_id=two,
                                 status=TaskStatus.AHEAD)  # fmt: skip
        filled = task_progress.fill_defaults(session=session, draft_id=draft.id, unit_id=unit_id,
                                             period="2026-11")  # fmt: skip
        rows = session.exec(
            select(Task.code, DraftTaskStatus.status, DraftTaskStatus.reason)
            .join(Task)
            .where(DraftTaskStatus.draft_id == draft.id)
            .order_by(Task.code)
        ).all()
    assert filled == 3
    assert [tuple(row) for row in rows] == [
        ("1", TaskStatus.BEHIND, "经费"),  # as in October, with its reason
        ("2", TaskStatus.AHEAD, ""),  # what the liaison chose
        ("5", TaskStatus.ON_TRACK, ""),  # never answered: 按计划
        ("6", TaskStatus.ON_TRACK, ""),
    ]
