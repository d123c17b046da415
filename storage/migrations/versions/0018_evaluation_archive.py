"""evaluation archive: frameworks, links, evidence filing

Revision ID: 0018
Revises: 0014
Create Date: 2026-11-30 07:01:12.678744
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "framework",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=50), nullable=False),
        sa.Column("layout", sa.String(length=24), nullable=False),
        sa.Column("source_file", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_framework_campaign_id_campaign")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework")),
        sa.UniqueConstraint(
            "campaign_id", "name", "version", name=op.f("uq_framework_campaign_id_name_version")
        ),
    )
    with op.batch_alter_table("framework", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_framework_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "framework_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("calculation", sa.Text(), nullable=False),
        sa.Column("target_raw", sa.Text(), nullable=False),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("bonus_points", sa.Float(), nullable=True),
        sa.Column("self_score", sa.Float(), nullable=True),
        sa.Column("core", sa.Boolean(), nullable=False),
        sa.Column("difficult", sa.Boolean(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["framework.id"],
            name=op.f("fk_framework_item_framework_id_framework"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_framework_item_indicator_id_indicator"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["framework_item.id"],
            name=op.f("fk_framework_item_parent_id_framework_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_item")),
        sa.UniqueConstraint("framework_id", "key", name=op.f("uq_framework_item_framework_id_key")),
    )
    with op.batch_alter_table("framework_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_framework_item_framework_id"), ["framework_id"], unique=False
        )

    op.create_table(
        "evidence_filing",
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("doc_number", sa.String(length=100), nullable=False),
        sa.Column("remarks", sa.String(length=500), nullable=False),
        sa.Column("tags_set", sa.Boolean(), nullable=False),
        sa.Column("probed", sa.Boolean(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("pages_exact", sa.Boolean(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offered", sa.Boolean(), nullable=False),
        sa.Column("caption_asked", sa.String(length=60), nullable=False),
        sa.Column("caption_answered", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_evidence_filing_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_person_id"],
            ["person.id"],
            name=op.f("fk_evidence_filing_updated_by_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("evidence_id", name=op.f("pk_evidence_filing")),
    )
    op.create_table(
        "evidence_tag",
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("tagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tagged_by_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_evidence_tag_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["framework_item.id"], name=op.f("fk_evidence_tag_item_id_framework_item")
        ),
        sa.ForeignKeyConstraint(
            ["tagged_by_person_id"],
            ["person.id"],
            name=op.f("fk_evidence_tag_tagged_by_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("evidence_id", "item_id", name=op.f("pk_evidence_tag")),
    )
    with op.batch_alter_table("evidence_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_tag_item_id"), ["item_id"], unique=False)

    op.create_table(
        "framework_item_unit",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["framework_item.id"],
            name=op.f("fk_framework_item_unit_item_id_framework_item"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["member_unit.id"], name=op.f("fk_framework_item_unit_unit_id_member_unit")
        ),
        sa.PrimaryKeyConstraint("item_id", "unit_id", name=op.f("pk_framework_item_unit")),
    )
    with op.batch_alter_table("framework_item_unit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_framework_item_unit_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "task_indicator_link",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["framework_item.id"],
            name=op.f("fk_task_indicator_link_item_id_framework_item"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_task_indicator_link_task_id_task")
        ),
        sa.PrimaryKeyConstraint("task_id", "item_id", name=op.f("pk_task_indicator_link")),
    )
    with op.batch_alter_table("task_indicator_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_indicator_link_item_id"), ["item_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("task_indicator_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_indicator_link_item_id"))

    op.drop_table("task_indicator_link")
    with op.batch_alter_table("framework_item_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_item_unit_unit_id"))

    op.drop_table("framework_item_unit")
    with op.batch_alter_table("evidence_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_tag_item_id"))

    op.drop_table("evidence_tag")
    op.drop_table("evidence_filing")
    with op.batch_alter_table("framework_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_item_framework_id"))

    op.drop_table("framework_item")
    with op.batch_alter_table("framework", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_campaign_id"))

    op.drop_table("framework")
