"""sales rollups: daily per category/rep/region, monthly per product and per customer

Revision ID: 967458c5aebb
Revises: 53039c4e0b70
Create Date: 2026-11-27 13:04:55.358231
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Exact 4-place decimals: NUMERIC on PostgreSQL, ten-thousandths as integers on SQLite
# (storage.orm.Fixed4 converts).
FIXED4 = sa.Numeric(18, 4).with_variant(sa.BigInteger(), "sqlite")


revision: str = "967458c5aebb"
down_revision: str | None = "53039c4e0b70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sales_daily",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("dim", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("revenue", FIXED4, nullable=False),
        sa.Column("cost", FIXED4, nullable=False),
        sa.Column("covered_revenue", FIXED4, nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_sales_daily_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "team_id", "day", "category", "dim", "key", name=op.f("pk_sales_daily")
        ),
    )
    op.create_table(
        "sales_dirty_days",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_sales_dirty_days_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "day", name=op.f("pk_sales_dirty_days")),
    )
    op.create_table(
        "sales_monthly_customer",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("revenue", FIXED4, nullable=False),
        sa.Column("cost", FIXED4, nullable=False),
        sa.Column("covered_revenue", FIXED4, nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_sales_monthly_customer_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_sales_monthly_customer_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "team_id", "month", "customer_id", "category", name=op.f("pk_sales_monthly_customer")
        ),
    )
    with op.batch_alter_table("sales_monthly_customer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sales_monthly_customer_customer_id", ["customer_id"], unique=False
        )

    op.create_table(
        "sales_monthly_product",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("revenue", FIXED4, nullable=False),
        sa.Column("cost", FIXED4, nullable=False),
        sa.Column("covered_revenue", FIXED4, nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_sales_monthly_product_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_sales_monthly_product_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "team_id", "month", "product_id", name=op.f("pk_sales_monthly_product")
        ),
    )
    with op.batch_alter_table("sales_monthly_product", schema=None) as batch_op:
        batch_op.create_index("ix_sales_monthly_product_product_id", ["product_id"], unique=False)

    # Orders written before the rollups existed: their days are refreshed from the lines
    # (storage.rollups.refresh_dirty) before the rollups are read.
    op.execute(
        "INSERT INTO sales_dirty_days (team_id, day) "
        "SELECT DISTINCT team_id, order_date FROM order_lines"
    )


def downgrade() -> None:
    with op.batch_alter_table("sales_monthly_product", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_monthly_product_product_id")

    op.drop_table("sales_monthly_product")
    with op.batch_alter_table("sales_monthly_customer", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_monthly_customer_customer_id")

    op.drop_table("sales_monthly_customer")
    op.drop_table("sales_dirty_days")
    op.drop_table("sales_daily")
