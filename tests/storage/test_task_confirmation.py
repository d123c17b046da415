"""The office's rule for when a task was last confirmed, read from the database on both backends.

The period is November 2026: its three months are September, October and November, so a
task a lead unit last reported on in September is confirmed; in August or July, it is not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.periods import YearMonth
from bot.domain.task_confirmation import (
    TaskConfirmation,
    TaskRow,
    confirm,
    confirmations,
    latest_behind,
    not_confirmed,
    unconfirmed_values,
    window_start,
)
from storage.db import Database
from storage.models import (
    DeadlineKind,
    Responsibility,
    Submission,
    SubmissionTaskStatus,
    Task,
    TaskStatus,
    TaskUnit,
)
from storage.repo_units import add_unit, create_campaign
from tests.conftest import BACKENDS

NOVEMBER = YearMonth(2026, 11)
LEAD, COOP = Responsibility.LEAD, Responsibility.COOPERATING
ON, BEHIND, DONE = TaskStatus.ON_TRACK, TaskStatus.BEHIND, TaskStatus.DONE


class Plan:
    """A campaign with units and tasks; reports added month by month."""

    def __init__(self, db: Database, *names: str) -> None:
        self.db = db
        with db.session() as session:
            campaign = create_campaign(session=session, name="健康促进区")
            assert campaign.id is not None
            self.campaign_id = campaign.id
            self.units = {}
            for number, name in enumerate(names):
                unit = add_unit(session=session, campaign_id=campaign.id, full_name=name,
                                sort_order=number)  # fmt: skip
                assert unit.id is not None
                self.units[name] = unit.id
        self.tasks: dict[str, int] = {}
        self.versions: dict[tuple[str, str], int] = {}

    def task(self, code: str, *links: tuple[str, Responsibility], retired: bool = False) -> None:
        with self.db.session() as session:
            retired_at = datetime(2026, 10, 1, tzinfo=UTC) if retired else None
            task = Task(campaign_id=self.campaign_id, code=code, content=f"任务{code}",
                        sort_order=len(self.tasks), retired_at=retired_at)  # fmt: skip
            session.add(task)
            session.flush()
            assert task.id is not None
            self.tasks[code] = task.id
            for position, (unit, role) in enumerate(links):
                session.add(TaskUnit(task_id=task.id, unit_id=self.units[unit], role=role,
                                     position=position))  # fmt: skip

    def report(self, unit: str, month: str, *statuses: tuple[str, TaskStatus, str]) -> None:
        """A submitted version of the unit's month, holding these task statuses."""
        version = self.versions.get((unit, month), 0) + 1
        self.versions[(unit, month)] = version
        year, number = (int(part) for part in month.split("-"))
        with self.db.session() as session:
            submission = Submission(unit_id=self.units[unit], period=month, version=version,
                                    due_date=date(year, number, 25))  # fmt: skip
            session.add(submission)
            session.flush()
            assert submission.id is not None
            for code, status, reason in statuses:
                session.add(SubmissionTaskStatus(submission_id=submission.id,
                                                 task_id=self.tasks[code], status=status,
                                                 reason=reason))  # fmt: skip

    def found(self, period: YearMonth = NOVEMBER) -> dict[str, TaskConfirmation]:
        with self.db.session() as session:
            return {item.task.code: item for item in confirmations(session=session, period=period)}


ON_BOTH = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


@ON_BOTH
def test_confirmed_two_months_before_is_fine_three_or_four_is_flagged(database: Database) -> None:
    plan = Plan(database, "卫健委", "教委")
    for code in ("2m", "3m", "4m"):
        plan.task(code, ("卫健委", LEAD), ("教委", COOP))
    plan.report("卫健委", "2026-07", ("4m", ON, ""), ("3m", ON, ""), ("2m", ON, ""))
    plan.report("卫健委", "2026-08", ("3m", ON, ""), ("2m", ON, ""))
    plan.report("卫健委", "2026-09", ("2m", BEHIND, "资金未到位"))
    found = plan.found()
    assert {code: (item.confirmed, item.stale) for code, item in found.items()} == {
        "2m": ("2026-09", False), "3m": ("2026-08", True), "4m": ("2026-07", True),
    }  # fmt: skip
    assert found["3m"].unconfirmed == ["卫健委"]  # lead units only: 教委 co-operates
    assert found["2m"].latest == ("卫健委", BEHIND, "资金未到位", "2026-09")
    assert window_start(NOVEMBER) == YearMonth(2026, 9)
    # up to October (August–October), only the task last confirmed in July is flagged
    october = list(plan.found(YearMonth(2026, 10)).values())
    assert [item.task.code for item in not_confirmed(october)] == ["4m"]


@ON_BOTH
def test_done_retired_and_cooperating_rows(database: Database) -> None:
    plan = Plan(database, "卫健委", "教委", "民政局")
    plan.task("done", ("卫健委", LEAD))
    plan.task("retired", ("卫健委", LEAD), retired=True)
    plan.task("coop-only", ("卫健委", LEAD), ("教委", COOP))
    plan.task("no-lead-silent", ("教委", COOP))
    plan.task("no-lead-heard", ("民政局", COOP))
    plan.task("two-leads", ("卫健委", LEAD), ("民政局", Responsibility.RESPONSIBLE))
    plan.report("卫健委", "2026-06", ("coop-only", ON, ""), ("two-leads", ON, ""))
    plan.report("卫健委", "2026-07", ("done", DONE, ""), ("retired", BEHIND, "停工"))
    plan.report("教委", "2026-11", ("coop-only", BEHIND, "等待场地"))
    plan.report("民政局", "2026-10", ("no-lead-heard", ON, ""), ("two-leads", ON, ""))
    found = plan.found()
    assert not found["done"].open and not found["done"].stale
    assert not found["retired"].open and not found["retired"].stale
    coop = found["coop-only"]
    assert coop.stale and coop.confirmed == "2026-06"  # a co-operating row does not confirm…
    assert ("教委", BEHIND, "等待场地", "2026-11") in coop.row.statuses  # …but still shows
    assert found["no-lead-silent"].stale and found["no-lead-silent"].confirmed == ""
    assert not found["no-lead-heard"].stale and found["no-lead-heard"].confirmed == "2026-10"
    two = found["two-leads"]  # one lead unit's word confirms the task; the other is named
    assert not two.stale and two.confirmed == "2026-10" and two.unconfirmed == ["卫健委"]
    behind = latest_behind(list(found.values()))
    assert [(b.code, b.unit, b.month, b.confirmed) for b in behind] == [
        ("coop-only", "教委", "2026-11", "2026-06")  # the retired task's 停工 is not listed
    ]
    values = unconfirmed_values(list(found.values()))
    assert values["unconfirmed_count"] == 2
    assert values["unconfirmed"] == [("coop-only", "任务coop-only"),
                                     ("no-lead-silent", "任务no-lead-silent")]  # fmt: skip


@ON_BOTH
def test_carried_rows_confirm_and_the_latest_status_wins(database: Database) -> None:
    """A report holds a row for every task asked, answers carried over from last month too:
    each month's row confirms; a later version of the month replaces the earlier one."""
    plan = Plan(database, "卫健委", "财政局")
    plan.task("carried", ("卫健委", LEAD))
    plan.task("old-behind", ("财政局", LEAD))
    plan.report("卫健委", "2026-07", ("carried", BEHIND, "征地手续未完成"))
    for month in ("2026-08", "2026-09", "2026-10", "2026-11"):
        plan.report("卫健委", month, ("carried", BEHIND, "征地手续未完成"))
    plan.report("卫健委", "2026-11", ("carried", ON, ""))  # amended: back on track
    plan.report("财政局", "2026-08", ("old-behind", TaskStatus.STALLED, "资金"))
    found = plan.found()
    assert found["carried"].confirmed == "2026-11" and not found["carried"].stale
    assert found["carried"].latest == ("卫健委", ON, "", "2026-11")
    assert found["old-behind"].stale
    [behind] = latest_behind(list(found.values()))  # August's 停顿 is still the latest word
    assert (behind.code, behind.status, behind.month, behind.confirmed) == (
        "old-behind", TaskStatus.STALLED, "2026-08", "2026-08",
    )  # fmt: skip
    october = plan.found(YearMonth(2026, 10))  # up to October: the amendment is not yet there
    assert october["carried"].latest == ("卫健委", BEHIND, "征地手续未完成", "2026-10")


@ON_BOTH
def test_nothing_is_flagged_before_three_months_of_reports(database: Database) -> None:
    plan = Plan(database, "卫健委", "教委")
    plan.task("silent", ("教委", LEAD))
    plan.task("heard", ("卫健委", LEAD))
    plan.report("卫健委", "2026-10", ("heard", ON, ""))
    assert not any(item.stale for item in plan.found().values())  # reports began in October
    assert [code for code, item in plan.found(YearMonth(2026, 12)).items() if item.stale] == [
        "silent"  # October–December: three months with no word from 教委
    ]


def test_a_closed_task_is_not_open() -> None:
    """A closed task (the office closed it with ``liaison-bot tasks close``) is never flagged,
    whatever its last status."""
    closed = Task(campaign_id=1, code="1", content="x", closed_at=datetime(2026, 10, 1, tzinfo=UTC))
    still = Task(campaign_id=1, code="2", content="y")
    old = [("卫健委", ON, "", "2026-06")]
    assert not confirm(TaskRow(closed, ["卫健委"], [], old), NOVEMBER).open
    assert confirm(TaskRow(still, ["卫健委"], [], old), NOVEMBER).stale


def test_a_task_past_its_deadline_is_not_flagged_but_keeps_its_status() -> None:
    """A one-off task whose deadline ended before the month is no longer asked, so nobody can
    confirm it: it is not flagged (a 2022 plan would flag dozens), yet a 滞后 stays on /behind."""
    ended, running = (
        Task(
            campaign_id=1,
            code=code,
            content=code,
            deadline_kind=DeadlineKind.DATE,
            deadline_date=deadline,
        )
        for code, deadline in (("1", date(2026, 10, 31)), ("2", date(2026, 11, 1)))
    )
    behind = [("卫健委", BEHIND, "资金未到位", "2026-06")]
    past = confirm(TaskRow(ended, ["卫健委"], [], behind), NOVEMBER)
    assert past.open and not past.stale and past.unconfirmed == []
    assert [item.unit for item in latest_behind([past])] == ["卫健委"]
    assert confirm(TaskRow(running, ["卫健委"], [], behind), NOVEMBER).stale  # due this month
