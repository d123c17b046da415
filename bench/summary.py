"""How /summary and the Excel 汇总表 grow with the campaign: 10x the units, how much slower?

Generates two campaigns in fresh SQLite databases — N units x 24 months, with tasks, task
statuses, indicators and some photos, and the same with N/10 units — and times, in one run,
the /summary text and the xlsx for the last month on each. Aggregation happens in SQL with a
fixed number of queries per month (no query per unit), so time should grow about linearly:
the target is a growth ratio of at most 12 for 10x the data. Nothing is asserted.

    python bench/summary.py            # 1 000 units vs 100 units, 24 months each
    python bench/summary.py --quick    # 100 vs 10 units, as CI runs it so it never rots
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bulk import insert_campaign_with_liaisons
from sqlalchemy import insert

from bot.config import Settings
from bot.deps import Deps
from bot.domain.periods import YearMonth
from bot.domain.summary import summary_reply
from bot.exports.workbook import build_workbook
from storage.db import table_of
from storage.migrate import upgrade_database
from storage.models import (
    Evidence,
    EvidenceKind,
    Indicator,
    IndicatorUnit,
    Responsibility,
    Submission,
    SubmissionIndicatorValue,
    SubmissionKind,
    SubmissionTaskStatus,
    Task,
    TaskStatus,
    TaskUnit,
)

MONTHS = 24
FIRST = YearMonth(2025, 1)
TASKS_PER_UNIT = 3
STATUSES = [TaskStatus.ON_TRACK, TaskStatus.DONE, TaskStatus.BEHIND, TaskStatus.STALLED]


def generate(deps: Deps, units: int, seed: int = 7) -> YearMonth:
    """A campaign of ``units`` units reporting for MONTHS months; returns the last month."""
    rng = random.Random(seed)
    start = datetime(2024, 12, 1, tzinfo=UTC)
    with deps.db.engine.begin() as db:
        insert_campaign_with_liaisons(db, units, start)
        tasks = max(1, units * TASKS_PER_UNIT // 4)
        db.execute(
            insert(table_of(Task)),
            [
                {
                    "id": t,
                    "campaign_id": 1,
                    "code": f"{t}",
                    "category_path": ["一、健康环境"],
                    "content": f"任务{t}",
                    "deadline_raw": "长期坚持",
                    "deadline_kind": "ongoing",
                    "deadline_date": None,
                    "remarks": "",
                    "groups": [],
                    "sort_order": t,
                }
                for t in range(1, tasks + 1)
            ],
        )
        links = {
            (1 + (u * 7 + k) % tasks, u) for u in range(1, units + 1) for k in range(TASKS_PER_UNIT)
        }
        db.execute(
            insert(table_of(TaskUnit)),
            [
                {
                    "task_id": t,
                    "unit_id": u,
                    "role": Responsibility.LEAD,
                    "position": 0,
                    "via_group": "",
                }
                for t, u in sorted(links)
            ],
        )
        db.execute(
            insert(table_of(Indicator)),
            [
                {
                    "id": i,
                    "campaign_id": 1,
                    "name": f"指标{i}",
                    "target_raw": "≥50%",
                    "comparator": ">=",
                    "target_value": 50.0,
                    "measure": "%",
                    "deadline_raw": "",
                    "deadline_kind": "unknown",
                    "deadline_date": None,
                    "sort_order": i,
                }
                for i in range(1, 11)
            ],
        )
        db.execute(
            insert(table_of(IndicatorUnit)),
            [
                {
                    "indicator_id": i,
                    "unit_id": 1 + i % units,
                    "role": Responsibility.LEAD,
                    "position": 0,
                }
                for i in range(1, 11)
            ],
        )
        submissions, statuses, values, evidence = [], [], [], []
        submission_id = 0
        period = FIRST
        by_unit = {u: [t for t, unit in links if unit == u] for u in range(1, units + 1)}
        for _ in range(MONTHS):
            due = date(period.year, period.month, min(28, period.days))
            for unit in range(1, units + 1):
                if rng.random() < 0.1:
                    continue  # missing
                submission_id += 1
                late = 0 if rng.random() < 0.8 else rng.randint(1, 5)
                submissions.append(
                    {
                        "id": submission_id,
                        "unit_id": unit,
                        "period": str(period),
                        "version": 1,
                        "kind": SubmissionKind.REPORT,
                        "work_done": "开展健康讲座2场，义诊1次。" * 5,
                        "problems": "经费不足",
                        "coordination": "",
                        "next_plan": "继续推进",
                        "submitted_at": datetime.combine(due, datetime.min.time(), UTC)
                        + timedelta(days=late),
                        "submitted_by_person_id": unit,
                        "due_date": due,
                        "workdays_late": late,
                        "photo_count": 1 if unit % 10 == 0 else 0,
                        "document_count": 0,
                    }
                )
                for task in by_unit[unit]:
                    status = rng.choice(STATUSES)
                    reason = (
                        "进度受影响" if status in (TaskStatus.BEHIND, TaskStatus.STALLED) else ""
                    )
                    statuses.append(
                        {
                            "submission_id": submission_id,
                            "task_id": task,
                            "status": status,
                            "reason": reason,
                        }
                    )
                if unit <= 10:
                    values.append(
                        {
                            "submission_id": submission_id,
                            "indicator_id": unit,
                            "raw": "40%",
                            "value": 40.0,
                            "numerator": None,
                            "denominator": None,
                            "skipped": False,
                        }
                    )
                if unit % 10 == 0:
                    evidence.append(
                        {
                            "unit_id": unit,
                            "period": str(period),
                            "sha256": f"{submission_id:064d}",
                            "kind": EvidenceKind.PHOTO,
                            "file_name": "p.jpg",
                            "mime_type": "image/jpeg",
                            "size": 200_000,
                            "caption": "活动现场",
                            "media_group": "",
                            "received_at": start,
                            "received_by_person_id": unit,
                        }
                    )
            period = period.next()
        db.execute(insert(table_of(Submission)), submissions)
        db.execute(insert(table_of(SubmissionTaskStatus)), statuses)
        db.execute(insert(table_of(SubmissionIndicatorValue)), values)
        db.execute(insert(table_of(Evidence)), evidence)
    return period.previous()


def timed(action: Callable[[], object], repeat: int) -> float:
    """The best of ``repeat`` runs (the least disturbed by the machine's noise)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def measure(units: int, folder: Path, repeat: int) -> dict[str, float]:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{folder / f'{units}.db'}",
        data_dir=folder / f"data{units}",
    )
    deps = Deps.from_settings(settings)
    upgrade_database(deps.db.engine)
    last = generate(deps, units)
    now = datetime(last.next().year, last.next().month, 15, tzinfo=UTC)

    def summary_text() -> str:
        with deps.db.session() as session:  # /summary's own reply, as chat renders it
            reply = summary_reply(session=session, period=last, now=now, tz=settings.tz)
        return deps.renderer.render(reply.template, **reply.values)

    def workbook() -> bytes:
        with deps.db.session() as session:
            return build_workbook(
                session=session, period=last, now=now, tz=settings.tz, renderer=deps.renderer
            )

    figures = {
        "units": float(units),
        "summary_s": timed(summary_text, repeat),
        "xlsx_s": timed(workbook, repeat),
    }
    deps.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 vs 10 units (CI)")
    args = parser.parse_args()
    large = 100 if args.quick else 1000
    repeat = 1 if args.quick else 5
    with tempfile.TemporaryDirectory() as folder:
        small_figures = measure(large // 10, Path(folder), repeat)
        large_figures = measure(large, Path(folder), repeat)
    print(f"{'units':>6} {'months':>6} {'/summary s':>11} {'xlsx s':>8}")
    for figures in (small_figures, large_figures):
        units, summary_s, xlsx_s = figures["units"], figures["summary_s"], figures["xlsx_s"]
        print(f"{int(units):>6} {MONTHS:>6} {summary_s:>11.3f} {xlsx_s:>8.3f}")
    for key, name in (("summary_s", "/summary"), ("xlsx_s", "xlsx")):
        ratio = large_figures[key] / small_figures[key] if small_figures[key] else float("nan")
        print(f"growth for 10x data, {name}: {ratio:.1f}x (target <= 12x)")


if __name__ == "__main__":
    main()
