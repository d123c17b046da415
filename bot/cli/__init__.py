"""The ``liaison-bot`` command line: run the bot, run the demo, manage the campaign, the
database and its backups.

One module per area registers its commands on the one Typer application (``base.cli``), in
the order ``--help`` lists them: ``running`` (run, demo), ``campaign`` (import, units, tasks,
rule, deadlines, calendar), ``units`` (alias, unit, campaign identity), ``people`` (invite,
office), ``reports`` (summary, export), ``archive`` (archive, coverage, framework), ``data``
(db, backup, restore, verify). Heavy imports happen inside the commands, so ``--help`` stays
quick.
"""

# isort: off
from bot.cli import running, campaign, units, people, reports, archive, data
from bot.cli.base import cli, main

# isort: on

__all__ = [
    "archive",
    "campaign",
    "cli",
    "data",
    "main",
    "people",
    "reports",
    "running",
    "units",
]
