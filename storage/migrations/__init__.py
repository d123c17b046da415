"""Alembic migration environment; revisions live in ``versions/``."""
