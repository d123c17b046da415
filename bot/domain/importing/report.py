"""The import report as a reply: counts, created units, suspected and unknown names with the
units they may mean, and every problem with its place. The same values serve the check and
the import, in chat and on the command line (which adds the exact commands to confirm)."""

from __future__ import annotations

from typing import Any

from bot.domain.importing.apply import ImportResult
from bot.domain.importing.plan import Unresolved
from bot.domain.replies import Button, Reply

PROBLEMS_SHOWN = 30
PLACES_SHOWN = 3


def report_values(
    result: ImportResult, file_name: str, *, cli_file: str | None = None
) -> dict[str, Any]:
    """Template values; ``cli_file`` (the path as typed) adds the commands that confirm names."""
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
    identity = result.identity
    return {
        "file": file_name,
        "campaign": identity.name,
        "identity": {
            "name": identity.name,
            "kind": identity.kind,
            "region": identity.region,
            "region_word": identity.region_word,
            "office_name": identity.office_name,
        },
        "title": result.title if result.title != identity.name else "",
        "dry_run": result.dry_run,
        "units": result.units,
        "tasks": result.tasks,
        "indicators": result.indicators,
        "units_created": result.units_created,
        "units_matched": result.units_matched,
        "suspected": [_unresolved(u, result) for u in plan.suspected],
        "unknown": [_unresolved(u, result) for u in plan.unknown],
        "ignored": len(plan.ignored),
        "empty_groups": [f"{code} {label}" for code, label in result.empty_groups],
        "links_completed": [f"{code} {label}" for code, label in result.links_completed],
        "missing_tasks": [{"code": c, "content": t} for c, t in result.missing_tasks],
        "tasks_retired": result.tasks_retired,
        "common_duties": result.common_duties_changed,
        "cli_file": cli_file,
        "problems": problems,
        "limit": PROBLEMS_SHOWN,
    }


def _unresolved(entry: Unresolved, result: ImportResult) -> dict[str, Any]:
    places = [str(where) for where in dict.fromkeys(entry.where)]
    return {
        "name": entry.name,
        "candidates": [
            {"name": result.display_names.get(full, full), "full_name": full}
            for full in entry.candidates
        ],
        "where": places[:PLACES_SHOWN],
        "more_places": max(0, len(places) - PLACES_SHOWN),
        "creatable": entry.creatable,
    }


def report_reply(result: ImportResult, file_name: str, *, confirm_id: int | None = None) -> Reply:
    """The report; with ``confirm_id``, buttons to write the checked file or drop it (and,
    when the plan no longer has some stored tasks, to retire them with it)."""
    buttons: tuple[tuple[Button, ...], ...] = ()
    if confirm_id is not None:
        row = [Button("confirm_import", f"imp:ok:{confirm_id}")]
        if result.missing_tasks:
            count = {"count": len(result.missing_tasks)}
            row.append(Button("confirm_import_retire", f"imp:rt:{confirm_id}", count))
        row.append(Button("cancel_import", f"imp:no:{confirm_id}"))
        buttons = (tuple(row),)
    return Reply("import_report", report_values(result, file_name), buttons=buttons)
