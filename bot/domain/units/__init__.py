"""The office's member units over time: other names (aliases), renaming, merging two units
into one, retiring (撤销) and restoring a unit. Every change is admin-only and audit-logged,
and none changes the numbers of a month already closed."""
