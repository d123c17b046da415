"""tasks the office closed, and whether co-operating units are asked about tasks

Revision ID: 0020
Revises: 0018
Create Date: 2026-11-30 10:40:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # plain ADD COLUMN: a batch copy would drop and recreate tables other rows refer to
    op.add_column("task", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "campaign",
        sa.Column(
            "report_cooperating_tasks", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("report_cooperating_tasks")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("closed_at")
