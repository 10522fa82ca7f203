"""deal settings: sales channel, big-move announcements, stale-deal days; tasks by deal

Revision ID: 53039c4e0b70
Revises: 86041bbb71b7
Create Date: 2026-11-27 12:57:14.076526
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Exact 4-place decimals: NUMERIC on PostgreSQL, ten-thousandths as integers on SQLite
# (storage.orm.Fixed4 converts).
FIXED4 = sa.Numeric(18, 4).with_variant(sa.BigInteger(), "sqlite")

revision: str = "53039c4e0b70"
down_revision: str | None = "86041bbb71b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_team_deal_status", ["team_id", "deal_number", "status"], unique=False
        )

    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sales_channel_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("big_move_amount", FIXED4, nullable=True))
        batch_op.add_column(
            sa.Column("stale_deal_days", sa.Integer(), server_default="14", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("stale_deal_days")
        batch_op.drop_column("big_move_amount")
        batch_op.drop_column("sales_channel_id")

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_team_deal_status")
