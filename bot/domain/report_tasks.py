"""The 任务进度 step of the monthly report: last time's answers are the default, and the
liaison changes only the exceptions, picked from compact pages.

The step opens with one summary ("77 项任务：上次 76 项按计划、1 项滞后") and two buttons,
``其余与上月相同`` (``均按计划`` the first time) and ``逐项修改``. A page lists at most
``PAGE`` tasks, numbered, each with its status this month or last time; a number opens that
task's six statuses, so changing one task is two taps (typing a task's code also opens it).
滞后/停顿 then ask for a one-sentence reason. ``其余与上月相同`` is on every page: it writes an
explicit row for every task left alone (``task_progress.fill_defaults``) and ends the step.

Nothing but the draft holds state: a page's number travels in its buttons' data, and the
task waiting for a reason is the one whose 滞后/停顿 row has none. Replies whose step is over
are ``None``: the report module then moves the draft on.
"""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session

from bot.domain import task_progress
from bot.domain.replies import Button, Reply
from storage.models import Task, TaskStatus

PAGE = 8  # tasks a page: a phone screen, and the numbers fit two rows of buttons
STATUS_ROWS = (
    (TaskStatus.ON_TRACK, TaskStatus.AHEAD, TaskStatus.DONE),
    (TaskStatus.BEHIND, TaskStatus.STALLED, TaskStatus.NO_PROGRESS),
)
ACTIONS = frozenset({"tp", "tk", "ts", "tsame", "tedit"})


class Step:
    """The step for one draft: its unit, month and button data prefix."""

    def __init__(self, session: Session, *, data: str, draft_id: int, unit_id: int, period: str):
        self.session, self.data, self.draft_id = session, data, draft_id
        self.unit_id, self.period = unit_id, period
        self.tasks = task_progress.open_tasks(session=session, unit_id=unit_id, period=period)
        self.given = task_progress.statuses(session=session, draft_id=draft_id)
        self.earlier = task_progress.previous(session=session, unit_id=unit_id, period=period)

    @property
    def first_time(self) -> bool:
        return not any(task.id in self.earlier for task in self.tasks)

    def same_button(self) -> Button:
        label = "tasks_all_on_track" if self.first_time else "tasks_same"
        return Button(label, f"{self.data}:tsame")

    def all_given(self) -> bool:
        return all(task.id in self.given for task in self.tasks)

    # What the step shows ---------------------------------------------------------------------

    def ask(self) -> Reply | None:
        """The step's question as it stands: a reason still owed, the opening summary (nothing
        answered yet), or the page of the first task left; None when every task is answered."""
        waiting = task_progress.waiting_reason(session=self.session, draft_id=self.draft_id)
        if waiting is not None:
            return reason_question(*waiting)
        if not self.tasks or self.all_given():
            return None
        if not self.given:
            return self.opening()
        first = next(i for i, task in enumerate(self.tasks) if task.id not in self.given)
        return self.page(first // PAGE)

    def opening(self) -> Reply:
        """One message for the whole step: how the tasks stood last time, and two buttons."""
        counts = Counter(
            str(last.status) for task in self.tasks if (last := self.earlier.get(task.id or 0))
        )
        values = {
            "total": len(self.tasks),
            "counts": sorted(counts.items(), key=lambda item: _ORDER.index(item[0])),
            "new": len(self.tasks) - sum(counts.values()),
        }
        buttons = ((self.same_button(),), (Button("tasks_edit", f"{self.data}:tedit"),))
        return Reply("task_start", values, buttons=buttons)

    def page(self, number: int, note: dict[str, str] | None = None) -> Reply:
        """Page ``number`` (from 0): numbered lines and a button per number."""
        pages = max(1, -(-len(self.tasks) // PAGE))
        number = min(max(number, 0), pages - 1)
        shown = self.tasks[number * PAGE : (number + 1) * PAGE]
        lines = [self._line(n, task) for n, task in enumerate(shown, 1)]
        picks = [Button("task_pick", f"{self.data}:tk:{t.id}", {"n": n})
                 for n, t in enumerate(shown, 1)]  # fmt: skip
        rows: list[tuple[Button, ...]] = [tuple(picks[:4]), tuple(picks[4:])]
        moves = []
        if number > 0:
            moves.append(Button("page_prev", f"{self.data}:tp:{number - 1}"))
        if number < pages - 1:
            moves.append(Button("page_next", f"{self.data}:tp:{number + 1}"))
        rows += [tuple(moves), (self.same_button(),)]
        values = {"lines": lines, "page": number + 1, "pages": pages, "total": len(self.tasks),
                  "changed": len(self.given), "note": note or {}}  # fmt: skip
        return Reply("task_page", values, buttons=tuple(row for row in rows if row))

    def _line(self, n: int, task: Task) -> dict[str, str]:
        row, last = self.given.get(task.id or 0), self.earlier.get(task.id or 0)
        status, when = (str(row.status), "now") if row else ("", "")
        if row is None and last is not None:
            status, when = str(last.status), "last"
        return {"n": str(n), "code": task.code, "content": task.content, "status": status,
                "when": when}  # fmt: skip

    def status_question(self, task: Task) -> Reply:
        values = {"task": _task_values(task), "status": self._current(task)}
        buttons = tuple(
            tuple(Button(f"status_{s}", f"{self.data}:ts:{task.id}_{s}") for s in row)
            for row in STATUS_ROWS
        )
        return Reply("task_ask_status", values, buttons=buttons)

    def _current(self, task: Task) -> str:
        row, last = self.given.get(task.id or 0), self.earlier.get(task.id or 0)
        return str(row.status) if row else str(last.status) if last else ""

    # What the liaison does ----------------------------------------------------------------

    def press(self, action: str, arg: str) -> Reply | None:
        """A button of the step; ``report_stale`` for one that no longer applies."""
        if action == "tsame":
            task_progress.fill_defaults(session=self.session, draft_id=self.draft_id,
                                        unit_id=self.unit_id, period=self.period)  # fmt: skip
            self.given = task_progress.statuses(session=self.session, draft_id=self.draft_id)
            return self.ask()  # a reason still owed (a 滞后 picked, not explained) comes first
        if action in ("tedit", "tp"):
            return self.page(int(arg) if arg.isdigit() else 0)
        task_id, _, status = arg.partition("_")
        task = self._task(task_id)
        if task is None:
            return Reply("report_stale", {}, buttons=self._buttons())
        if action == "tk":
            return self.status_question(task)
        if status not in set(TaskStatus):
            return Reply("report_stale", {}, buttons=self._buttons())
        task_progress.set_status(session=self.session, draft_id=self.draft_id,
                                 task_id=task.id or 0, status=TaskStatus(status))  # fmt: skip
        self.given = task_progress.statuses(session=self.session, draft_id=self.draft_id)
        if TaskStatus(status).needs_reason:
            return reason_question(task, TaskStatus(status))
        return self._after(task, TaskStatus(status), "")

    def typed(self, text: str) -> Reply | None:
        """A reason for the task waiting for one; else a task's code opens it."""
        waiting = task_progress.waiting_reason(session=self.session, draft_id=self.draft_id)
        if waiting is not None:
            task, status = waiting
            task_progress.set_reason(session=self.session, draft_id=self.draft_id,
                                     task_id=task.id or 0, reason=text)  # fmt: skip
            self.given = task_progress.statuses(session=self.session, draft_id=self.draft_id)
            return self._after(task, status, self.given[task.id or 0].reason)
        named = next((task for task in self.tasks if task.code == text.strip()), None)
        if named is not None:
            return self.status_question(named)
        return Reply("task_use_buttons", {}, buttons=self._buttons())

    def _after(self, task: Task, status: TaskStatus, reason: str) -> Reply | None:
        """The page the task is on, with what was recorded on top (None: all answered)."""
        if self.all_given():
            return None
        note = {"code": task.code, "status": str(status), "reason": reason}
        index = next(i for i, t in enumerate(self.tasks) if t.id == task.id)
        return self.page(index // PAGE, note)

    def _task(self, task_id: str) -> Task | None:
        return next((task for task in self.tasks if str(task.id) == task_id), None)

    def _buttons(self) -> tuple[tuple[Button, ...], ...]:
        asked = self.ask()
        return asked.buttons if asked is not None else ()


_ORDER = [str(s) for row in STATUS_ROWS for s in row]


def reason_question(task: Task, status: TaskStatus) -> Reply:
    return Reply("task_ask_reason", {"task": _task_values(task), "status": str(status)})


def _task_values(task: Task) -> dict[str, str]:
    return {"code": task.code, "content": task.content, "deadline": task.deadline_raw}


def work_buttons(session: Session, *, data: str, unit_id: int, period: str) -> tuple[Button, ...]:
    """At 本月完成工作, for a unit with tasks: finish the text and keep every task as last
    time (straight to the review), or finish it and open the pages."""
    asked, answered_before = task_progress.asked_any(
        session=session, unit_id=unit_id, period=period
    )
    if not asked:
        return ()
    quick = "quick_same" if answered_before else "quick_on_track"
    return (Button(quick, f"{data}:quick"), Button("quick_edit", f"{data}:quickedit"))


def review_values(
    *, session: Session, draft_id: int, unit_id: int, period: str
) -> dict[str, object]:
    """The review's 任务进度: only what changed, the rest counted in one line."""
    rows = task_progress.summary(session=session, draft_id=draft_id, unit_id=unit_id,
                                 period=period)  # fmt: skip
    earlier = task_progress.previous(session=session, unit_id=unit_id, period=period)
    changed = [row for row in rows if row["changed"]]
    return {"tasks": changed, "tasks_total": len(rows), "tasks_same": len(rows) - len(changed),
            "tasks_first_time": not earlier}  # fmt: skip
