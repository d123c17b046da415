"""The import report as a reply: counts, created units, and every problem with its place."""

from __future__ import annotations

from typing import Any

from bot.domain.importing.apply import ImportResult
from bot.domain.replies import Button, Reply

PROBLEMS_SHOWN = 30


def report_values(result: ImportResult, file_name: str) -> dict[str, Any]:
    plan = result.plan

    def items(pairs: list[tuple[Any, str]]) -> list[dict[str, str]]:
        return [{"where": str(where), "reason": "", "text": text} for where, text in pairs]

    problems = [
        ("unmatched", items(plan.unmatched)),
        (
            "skipped",
            [{"where": str(w), "reason": str(r), "text": d} for w, r, d in plan.skipped],
        ),
        ("unclear_deadlines", items(plan.unclear_deadlines)),
        ("unexpandable_groups", items(plan.unexpandable_groups)),
        ("duplicate_codes", items(plan.duplicate_codes)),
    ]
    return {
        "file": file_name,
        "campaign": result.campaign,
        "dry_run": result.dry_run,
        "units": result.units,
        "tasks": result.tasks,
        "indicators": result.indicators,
        "units_created": result.units_created,
        "units_matched": result.units_matched,
        "problems": problems,
        "limit": PROBLEMS_SHOWN,
    }


def report_reply(result: ImportResult, file_name: str, *, confirm_id: int | None = None) -> Reply:
    """The report; with ``confirm_id``, buttons to write the checked file or drop it."""
    buttons: tuple[tuple[Button, ...], ...] = ()
    if confirm_id is not None:
        buttons = (
            (
                Button("confirm_import", f"imp:ok:{confirm_id}"),
                Button("cancel_import", f"imp:no:{confirm_id}"),
            ),
        )
    return Reply("import_report", report_values(result, file_name), buttons=buttons)
