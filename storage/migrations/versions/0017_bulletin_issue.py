"""bulletin issue numbers

Revision ID: 0017
Revises: 0019
Create Date: 2026-12-01 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0019"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "bulletin_issue",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_bulletin_issue_campaign_id_campaign")
        ),
        sa.PrimaryKeyConstraint("campaign_id", "period", name=op.f("pk_bulletin_issue")),
        sa.UniqueConstraint(
            "campaign_id", "year", "number", name=op.f("uq_bulletin_issue_campaign_id_year_number")
        ),
    )


def downgrade() -> None:
    op.drop_table("bulletin_issue")
