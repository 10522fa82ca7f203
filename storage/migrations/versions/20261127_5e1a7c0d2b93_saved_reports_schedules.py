"""saved reports and their schedules

Revision ID: 5e1a7c0d2b93
Revises: 967458c5aebb
Create Date: 2026-11-27 16:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1a7c0d2b93"
down_revision: str | None = "967458c5aebb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=600), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("args", sa.String(length=600), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_saved_reports_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_reports")),
        sa.UniqueConstraint("team_id", "name_key", name=op.f("uq_saved_reports_team_id_name_key")),
    )
    op.create_table(
        "report_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("saved_report_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("cadence", sa.String(length=40), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["saved_report_id"],
            ["saved_reports.id"],
            name=op.f("fk_report_schedules_saved_report_id_saved_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_report_schedules_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_schedules")),
        sa.UniqueConstraint("team_id", "number", name=op.f("uq_report_schedules_team_id_number")),
    )
    # The tick's query across workspaces: unpaused and due.
    op.create_index(
        "ix_report_schedules_paused_next_run_at",
        "report_schedules",
        ["paused", "next_run_at"],
        unique=False,
    )
    op.create_index(
        "ix_report_schedules_team_saved_report",
        "report_schedules",
        ["team_id", "saved_report_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_report_schedules_team_saved_report", table_name="report_schedules")
    op.drop_index("ix_report_schedules_paused_next_run_at", table_name="report_schedules")
    op.drop_table("report_schedules")
    op.drop_table("saved_reports")
