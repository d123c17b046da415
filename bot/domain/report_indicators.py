"""The 指标数值 step of the monthly report: one indicator at a time, a number or 跳过.

Like the task step (``report_tasks``), only the draft holds state: the indicator asked is the
first without a value. A reply of ``None`` means the step is over (the report moves on).
"""

from __future__ import annotations

from sqlmodel import Session

from bot.domain import indicator_values
from bot.domain.replies import Button, Reply


class Step:
    """The step for one draft: its unit and button data prefix."""

    def __init__(self, session: Session, *, data: str, draft_id: int, unit_id: int):
        self.session, self.data, self.draft_id, self.unit_id = session, data, draft_id, unit_id

    def _waiting(self) -> indicator_values.Pending | None:
        return indicator_values.pending(
            session=self.session, draft_id=self.draft_id, unit_id=self.unit_id
        )

    def ask(self) -> Reply | None:
        waiting = self._waiting()
        if waiting is None:
            return None
        indicator = waiting.indicator
        values = {
            "name": indicator.name,
            "target": indicator.target_raw,
            "position": waiting.position,
            "total": waiting.total,
        }
        skip = ((Button("skip", f"{self.data}:iskip:{indicator.id}"),),)
        return Reply("indicator_ask_value", values, buttons=skip)

    def typed(self, text: str) -> Reply | None:
        """A value for the indicator asked (a number, a percentage or x/y)."""
        waiting = self._waiting()
        if waiting is None:
            return None
        value = indicator_values.parse_value(text)
        if value is None:
            asked = self.ask()
            skip = asked.buttons if asked is not None else ()
            return Reply("indicator_bad_value", {"name": waiting.indicator.name}, buttons=skip)
        indicator_values.record(session=self.session, draft_id=self.draft_id,
                                indicator_id=waiting.indicator.id or 0, value=value)  # fmt: skip
        return self.ask()

    def skip(self, arg: str) -> Reply | None:
        """跳过 for the indicator its button names (a stale button changes nothing)."""
        waiting = self._waiting()
        if waiting is None or str(waiting.indicator.id) != arg:
            asked = self.ask()
            return Reply("report_stale", {}, buttons=asked.buttons if asked is not None else ())
        indicator_values.record(session=self.session, draft_id=self.draft_id,
                                indicator_id=waiting.indicator.id or 0, value=None)  # fmt: skip
        return self.ask()
