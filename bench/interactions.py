"""What a monthly report costs a liaison: taps plus typed messages, on Telegram and on WeCom.

Runs the end-to-end scenarios of ``tests/e2e/test_report_interactions.py`` (a unit leading 77
tasks reports three months running; the fake Telegram's transcript and the messages posted to
the WeCom callback are what is counted) and prints their counts beside the flow before issue 20.

Before issue 20 the report asked one step per task: /report, the work typed, 完成, one tap per
task (77), the reason for a 滞后 one, 跳过 at 存在问题 / 需协调 / 下月计划 / 照片, 提交 —
counted here from that flow's steps (``OLD_FLOW``), the same on both transports (WeCom answers
each step with a typed number). 本月无新进展 was one tap then too.

    python bench/interactions.py            # the three scenarios on both transports
    python bench/interactions.py --quick    # the same (it takes seconds), as CI runs it
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TASKS = 77
SCENARIOS = (
    ("first_month_all_on_track", "first month ever, all 按计划", 4),
    ("one_task_behind", "second month, one task 滞后 + reason", 8),
    ("no_progress_after_prompt", "本月无新进展, after the prompt", 1),
)
OLD_STEPS = 1 + 1 + 1 + 4 + 1  # /report, work typed, 完成, four 跳过, 提交
OLD_FLOW = {
    "first_month_all_on_track": OLD_STEPS + TASKS,
    "one_task_behind": OLD_STEPS + TASKS + 1,  # the reason typed
    "no_progress_after_prompt": 1,
}


def measure() -> dict[str, dict[str, int]]:
    """Run the end-to-end scenarios; the counts each transport's harness recorded."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "interactions.json"
        test = "tests/e2e/test_report_interactions.py"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test]
        env = {**os.environ, "INTERACTIONS_OUT": str(out)}
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-3000:] + done.stderr[-2000:])
            raise SystemExit(f"the scenarios failed (pytest exit {done.returncode})")
        found: dict[str, dict[str, int]] = json.loads(out.read_text())
        return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="as CI runs it (same scenarios)")
    parser.parse_args(argv)
    counts = measure()
    print(f"A unit leading {TASKS} tasks; interactions = taps + typed messages")
    print("| scenario | target | before | Telegram | WeCom |")
    print("|---|---|---|---|---|")
    for key, name, target in SCENARIOS:
        telegram, wecom = counts["telegram"][key], counts["wecom"][key]
        print(f"| {name} | ≤ {target} | {OLD_FLOW[key]} | {telegram} | {wecom} |")


if __name__ == "__main__":
    main()
