"""daily digests: which channels, at what local time

Revision ID: 6f2b8d1e3ca4
Revises: 5e1a7c0d2b93
Create Date: 2026-11-27 16:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6f2b8d1e3ca4"
down_revision: str | None = "5e1a7c0d2b93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_channels",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_digest_channels_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "channel_id", name=op.f("pk_digest_channels")),
    )
    op.create_index("ix_digest_channels_next_run_at", "digest_channels", ["next_run_at"])


def downgrade() -> None:
    op.drop_index("ix_digest_channels_next_run_at", table_name="digest_channels")
    op.drop_table("digest_channels")
