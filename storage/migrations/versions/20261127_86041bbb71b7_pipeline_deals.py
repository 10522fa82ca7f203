"""pipeline deals

Revision ID: 86041bbb71b7
Revises: 3bba5d63e178
Create Date: 2026-11-27 12:05:47.410521
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Exact 4-place decimals: NUMERIC on PostgreSQL, ten-thousandths as integers on SQLite
# (storage.orm.Fixed4 converts).
FIXED4 = sa.Numeric(18, 4).with_variant(sa.BigInteger(), "sqlite")

revision: str = "86041bbb71b7"
down_revision: str | None = "3bba5d63e178"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pipeline_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", FIXED4, nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_pipeline_stages_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_stages")),
        sa.UniqueConstraint("team_id", "key", name=op.f("uq_pipeline_stages_team_id_key")),
    )
    op.create_table(
        "deals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_key", sa.String(length=600), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("amount", FIXED4, nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("next_step", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("lost_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_deals_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["pipeline_stages.id"],
            name=op.f("fk_deals_stage_id_pipeline_stages"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_deals_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
        sa.UniqueConstraint("team_id", "number", name=op.f("uq_deals_team_id_number")),
    )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index("ix_deals_customer_id", ["customer_id"], unique=False)
        batch_op.create_index("ix_deals_stage_id", ["stage_id"], unique=False)
        batch_op.create_index("ix_deals_team_customer", ["team_id", "customer_id"], unique=False)
        batch_op.create_index(
            "ix_deals_team_owner_status", ["team_id", "owner_id", "status"], unique=False
        )
        batch_op.create_index("ix_deals_team_status", ["team_id", "status"], unique=False)

    op.create_table(
        "deal_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_deal_notes_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_deal_notes_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_notes")),
    )
    with op.batch_alter_table("deal_notes", schema=None) as batch_op:
        batch_op.create_index("ix_deal_notes_deal_id", ["deal_id"], unique=False)

    op.create_table(
        "deal_stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("from_stage_id", sa.Integer(), nullable=True),
        sa.Column("to_stage_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_deal_stage_changes_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_stage_id"],
            ["pipeline_stages.id"],
            name=op.f("fk_deal_stage_changes_from_stage_id_pipeline_stages"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_deal_stage_changes_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_stage_id"],
            ["pipeline_stages.id"],
            name=op.f("fk_deal_stage_changes_to_stage_id_pipeline_stages"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_stage_changes")),
    )
    with op.batch_alter_table("deal_stage_changes", schema=None) as batch_op:
        batch_op.create_index("ix_deal_stage_changes_deal_id", ["deal_id"], unique=False)
        batch_op.create_index(
            "ix_deal_stage_changes_from_stage_id", ["from_stage_id"], unique=False
        )
        batch_op.create_index(
            "ix_deal_stage_changes_team_deal_at", ["team_id", "deal_id", "at"], unique=False
        )
        batch_op.create_index("ix_deal_stage_changes_to_stage_id", ["to_stage_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deal_stage_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_stage_changes_to_stage_id")
        batch_op.drop_index("ix_deal_stage_changes_team_deal_at")
        batch_op.drop_index("ix_deal_stage_changes_from_stage_id")
        batch_op.drop_index("ix_deal_stage_changes_deal_id")

    op.drop_table("deal_stage_changes")
    with op.batch_alter_table("deal_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_notes_deal_id")

    op.drop_table("deal_notes")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index("ix_deals_team_status")
        batch_op.drop_index("ix_deals_team_owner_status")
        batch_op.drop_index("ix_deals_team_customer")
        batch_op.drop_index("ix_deals_stage_id")
        batch_op.drop_index("ix_deals_customer_id")

    op.drop_table("deals")
    op.drop_table("pipeline_stages")
