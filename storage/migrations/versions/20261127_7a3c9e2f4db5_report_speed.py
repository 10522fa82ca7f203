"""faster reports: quarterly and yearly product and customer rollup rows, keyed span-first

`sales_monthly_product` and `sales_monthly_customer` gain `months` (1: a calendar month,
3: a quarter, 12: a year; for customers only across all categories) at the front of
their primary keys, so that one span's rows (of one category, for customers) lie
together. On SQLite both tables are rebuilt WITHOUT ROWID (stored in key order); on
PostgreSQL the key is swapped in place. The quarterly and yearly rows are summed here
from the monthly rows (days still marked dirty are recomputed later by
storage.rollups.refresh_dirty, their quarters and years with them).

Revision ID: 7a3c9e2f4db5
Revises: 6f2b8d1e3ca4
Create Date: 2026-11-27 16:20:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "7a3c9e2f4db5"
down_revision: str | None = "6f2b8d1e3ca4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIXED4 = sa.Numeric(18, 4).with_variant(sa.BigInteger(), "sqlite")
MEASURES = ("revenue", "cost", "covered_revenue", "units", "lines", "orders")
# table: (its key columns after team_id before the change, after it, the key's references)
TABLES = {
    "sales_monthly_product": (
        ("month", "product_id"),
        ("months", "month", "product_id"),
        ("product_id", "products"),
    ),
    "sales_monthly_customer": (
        ("month", "customer_id", "category"),
        ("months", "month", "category", "customer_id"),
        ("customer_id", "customers"),
    ),
}


def _columns(table: str, with_months: bool) -> list[sa.Column[Any]]:
    key, _ = TABLES[table][2]
    columns: list[sa.Column[Any]] = [
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column(key, sa.Integer(), nullable=False),
        sa.Column("revenue", FIXED4, nullable=False),
        sa.Column("cost", FIXED4, nullable=False),
        sa.Column("covered_revenue", FIXED4, nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
    ]
    if table == "sales_monthly_customer":
        columns.insert(3, sa.Column("category", sa.String(length=100), nullable=False))
    if with_months:
        columns.insert(1, sa.Column("months", sa.Integer(), nullable=False))
    return columns


def _rebuild_sqlite(table: str, with_months: bool) -> None:
    """SQLite cannot change a primary key: a new table, the rows copied, renamed."""
    before, after, (key, referenced) = TABLES[table]
    pk = ("team_id", *(after if with_months else before))
    op.create_table(
        f"_new_{table}",
        *_columns(table, with_months),
        sa.ForeignKeyConstraint(
            [key], [f"{referenced}.id"], name=f"fk_{table}_{key}_{referenced}", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=f"fk_{table}_team_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(*pk, name=f"pk_{table}"),
        sqlite_with_rowid=not with_months,
    )
    names = ["team_id", "month", key, *MEASURES]
    if table == "sales_monthly_customer":
        names.append("category")
    listed = ", ".join(names)
    if with_months:
        op.execute(f"INSERT INTO _new_{table} ({listed}, months) SELECT {listed}, 1 FROM {table}")
    else:
        op.execute(
            f"INSERT INTO _new_{table} ({listed}) SELECT {listed} FROM {table} WHERE months = 1"
        )
    op.drop_index(f"ix_{table}_{key}", table_name=table)
    op.drop_table(table)
    op.rename_table(f"_new_{table}", table)
    op.create_index(f"ix_{table}_{key}", table, [key], unique=False)


def _quarter_and_year_rows(dialect: str) -> None:
    """Sum the monthly rows into quarters, then the quarters into years (customers: only the
    rows of all categories, category '*')."""
    for table, (_, _, (key, _)) in TABLES.items():
        keys, which = key, ""
        if table == "sales_monthly_customer":
            keys, which = f"category, {key}", "AND category = '*' "
        sums = ", ".join(f"SUM({name})" for name in MEASURES)
        listed = ", ".join(MEASURES)
        for size, parts in ((3, 1), (12, 3)):
            if dialect == "postgresql":
                unit = "quarter" if size == 3 else "year"
                start = f"CAST(date_trunc('{unit}', month) AS DATE)"
            elif size == 3:
                start = (
                    "printf('%04d-%02d-01', CAST(strftime('%Y', month) AS INTEGER), "
                    "(CAST(strftime('%m', month) AS INTEGER) - 1) / 3 * 3 + 1)"
                )
            else:
                start = "strftime('%Y', month) || '-01-01'"
            op.execute(
                f"INSERT INTO {table} (team_id, {keys}, months, month, {listed}) "
                f"SELECT team_id, {keys}, {size}, {start}, {sums} FROM {table} "
                f"WHERE months = {parts} {which}GROUP BY team_id, {keys}, {start}"
            )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, (_, after, _) in TABLES.items():
        if dialect == "sqlite":
            _rebuild_sqlite(table, with_months=True)
        else:
            op.add_column(table, sa.Column("months", sa.Integer(), server_default="1"))
            op.alter_column(table, "months", nullable=False, server_default=None)
            op.drop_constraint(f"pk_{table}", table, type_="primary")
            op.create_primary_key(f"pk_{table}", table, ["team_id", *after])
    _quarter_and_year_rows(dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, (before, _, _) in TABLES.items():
        if dialect == "sqlite":
            _rebuild_sqlite(table, with_months=False)
        else:
            op.execute(f"DELETE FROM {table} WHERE months <> 1")
            op.drop_constraint(f"pk_{table}", table, type_="primary")
            op.drop_column(table, "months")
            op.create_primary_key(f"pk_{table}", table, ["team_id", *before])
