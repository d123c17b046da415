"""Alembic migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from storage.db import create_db_engine
from storage.migrate import alembic_config, current_revision, upgrade_database
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

CORE_TABLES = {
    "campaign",
    "member_unit",
    "person",
    "chat_identity",
    "liaison_assignment",
    "office_user",
    "invite",
    "invite_failure",
    "registration",
    "liaison_change",
    "audit_log",
    "task",
    "task_unit",
    "indicator",
    "indicator_unit",
    "pending_import",
    "calendar_override",
    "reporting_rule",
    "report_draft",
    "active_report",
    "submission",
    "evidence",
    "delivery",
    "review_event",
    "pending_review_comment",
    "period_lock",
    "reporting_exception",
    "processed_update",
    "offered_choices",
    "web_login_link",
    "web_session",
    "web_login_failure",
    "unit_alias",
    "draft_task_status",
    "submission_task_status",
    "draft_indicator_value",
    "submission_indicator_value",
}


def test_upgrade_creates_the_core_tables_and_matches_the_models(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        assert current_revision(engine) is None
        upgrade_database(engine)
        assert current_revision(engine) is not None
        assert set(inspect(engine).get_table_names()) >= CORE_TABLES
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        assert diff == [], "models changed without a migration: run `liaison-bot db revision`"
    finally:
        engine.dispose()


def test_upgrade_is_idempotent_and_downgrade_empties(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        upgrade_database(engine)
        head = current_revision(engine)
        upgrade_database(engine)
        assert current_revision(engine) == head
        command.downgrade(alembic_config(engine), "base")
        assert CORE_TABLES.isdisjoint(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_adding_duties_keeps_existing_units(database_url: str) -> None:
    """0003 adds a NOT NULL column: units created under 0002 must survive the upgrade."""
    engine = create_db_engine(database_url)
    try:
        upgrade_database(engine, "0002")
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO campaign (name, office_name, created_at) VALUES ('c', '', :t)"),
                {"t": "2026-01-01 00:00:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO member_unit (full_name, short_name, aliases, category, sort_order,"
                    " campaign_id, active, created_at) VALUES ('区教委', '', '[]', 'department', 0,"
                    " 1, true, :t)"
                ),
                {"t": "2026-01-01 00:00:00"},
            )
        upgrade_database(engine)
        with engine.connect() as connection:
            duties = connection.execute(text("SELECT duties FROM member_unit")).scalar_one()
        assert duties == ""
    finally:
        engine.dispose()
