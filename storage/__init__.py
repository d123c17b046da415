"""Persistence: SQLModel tables, engine/session setup, Alembic migrations, the file store."""
