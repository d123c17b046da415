"""unit aliases, merged units, retired tasks, campaign-wide duties

Revision ID: 0014
Revises: 0017
Create Date: 2026-11-30 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0017"
branch_labels: str | None = None
depends_on: str | None = None

EMPTY_LIST = sa.text("'[]'")


def upgrade() -> None:
    op.create_table(
        "unit_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_unit_alias_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_person_id"],
            ["person.id"],
            name=op.f("fk_unit_alias_created_by_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["member_unit.id"], name=op.f("fk_unit_alias_unit_id_member_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_alias")),
        sa.UniqueConstraint("campaign_id", "name", name=op.f("uq_unit_alias_campaign_id_name")),
    )
    with op.batch_alter_table("unit_alias") as batch:
        batch.create_index(batch.f("ix_unit_alias_campaign_id"), ["campaign_id"], unique=False)
        batch.create_index(batch.f("ix_unit_alias_unit_id"), ["unit_id"], unique=False)
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("common_duties", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("member_unit") as batch:
        batch.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_member_unit_merged_into_id_member_unit"),
            "member_unit",
            ["merged_into_id"],
            ["id"],
        )
    with op.batch_alter_table("pending_import") as batch:
        batch.add_column(
            sa.Column("create_names", sa.JSON(), nullable=False, server_default=EMPTY_LIST)
        )
    with op.batch_alter_table("task") as batch:
        batch.add_column(
            sa.Column("cooperating_groups", sa.JSON(), nullable=False, server_default=EMPTY_LIST)
        )
        batch.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_column("retired_at")
        batch.drop_column("cooperating_groups")
    with op.batch_alter_table("pending_import") as batch:
        batch.drop_column("create_names")
    with op.batch_alter_table("member_unit") as batch:
        batch.drop_constraint(
            batch.f("fk_member_unit_merged_into_id_member_unit"), type_="foreignkey"
        )
        batch.drop_column("merged_into_id")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("common_duties")
    with op.batch_alter_table("unit_alias") as batch:
        batch.drop_index(batch.f("ix_unit_alias_unit_id"))
        batch.drop_index(batch.f("ix_unit_alias_campaign_id"))
    op.drop_table("unit_alias")
