"""campaign identity and retired units

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=50), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("region", sa.String(length=50), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("region_word", sa.String(length=4), nullable=False, server_default="")
        )
    with op.batch_alter_table("member_unit") as batch:
        batch.add_column(sa.Column("retired_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member_unit") as batch:
        batch.drop_column("retired_on")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("region_word")
        batch.drop_column("region")
        batch.drop_column("kind")
