"""CSV exports of a workspace's orders (one row per line), customers and products.

Rows are streamed page by page (keyset pagination), never loaded whole, inside one read
transaction so the file is a consistent snapshot. Amounts are written exactly as stored,
with 4 decimal places. An orders export imports back as it is (its column names are the
importer's field names, and both unit_price and line_total are kept exactly).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TextIO

from sqlalchemy import Connection, Engine, Select, literal, select, tuple_

from domain.ids import Kind, format_id
from storage.orm import CustomerRow, OrderLineRow, OrderRow, ProductRow

PAGE_SIZE = 1000


class ExportKind(StrEnum):
    ORDERS = "orders"
    CUSTOMERS = "customers"
    PRODUCTS = "products"


ORDER_COLUMNS = (
    "order_id",
    "order_number",
    "order_date",
    "customer_id",
    "customer",
    "sku",
    "product",
    "category",
    "subcategory",
    "quantity",
    "unit_price",
    "discount",
    "line_total",
    "unit_cost",
    "rep",
    "city",
    "state",
    "region",
    "line_key",
    "source",
)
CUSTOMER_COLUMNS = (
    "id",
    "external_id",
    "name",
    "company",
    "email",
    "phone",
    "owner_id",
    "tags",
    "address",
    "city",
    "region",
    "country",
    "industry",
    "notes",
    "created_by",
    "created_at",
    "updated_at",
)
PRODUCT_COLUMNS = (
    "sku",
    "name",
    "category",
    "subcategory",
    "list_price",
    "unit_cost",
    "on_hand",
    "active",
    "reorder_point",
    "reorder_qty",
    "lead_time_days",
    "created_at",
    "updated_at",
)


def cell(value: Any) -> str:
    """A value as CSV text: amounts with their 4 places, instants in ISO 8601 UTC."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def export_csv(engine: Engine, kind: ExportKind | str, team_id: str, out: TextIO) -> int:
    """Write the workspace's orders, customers or products to `out` as CSV; returns the rows."""
    kind = ExportKind(kind)
    writer = csv.writer(out, lineterminator="\n")
    header, pages = _EXPORTS[kind]
    writer.writerow(header)
    count = 0
    with _snapshot(engine) as conn:
        for page in pages(conn, team_id):
            writer.writerows([cell(value) for value in row] for row in page)
            count += len(page)
    return count


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction for every page, so the file is one consistent snapshot."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            yield conn
        return
    with engine.connect() as conn:
        # pysqlite opens transactions only before writes; a reader asks for its own, and
        # WAL then keeps its snapshot until the connection rolls back at the end.
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")
        yield conn


def _keyset(
    conn: Connection,
    query: Select,
    keys: Sequence[Any],
    shape: Callable[[Any], list[Any]],
    key_count: int,
) -> Iterator[list[list[Any]]]:
    """Pages of `query` ordered by `keys`, each page after the last row of the one before.

    The query's first `key_count` columns are the keys' values.
    """
    after: tuple[Any, ...] | None = None
    while True:
        page_query = query.order_by(*keys).limit(PAGE_SIZE)
        if after is not None:
            # Bound with the keys' own types (a date must compare as SQLite stores it).
            bounds = [
                literal(value, type_=key.type) for key, value in zip(keys, after, strict=True)
            ]
            page_query = page_query.where(tuple_(*keys) > tuple_(*bounds))
        rows = conn.execute(page_query).all()
        if not rows:
            return
        yield [shape(row) for row in rows]
        if len(rows) < PAGE_SIZE:
            return
        after = tuple(rows[-1][:key_count])


def _order_pages(conn: Connection, team_id: str) -> Iterator[list[list[Any]]]:
    keys = (OrderLineRow.order_date, OrderLineRow.order_id, OrderLineRow.id)
    query = (
        select(
            *keys,
            OrderRow.external_id,
            OrderRow.number,
            CustomerRow.external_id.label("customer_external_id"),
            CustomerRow.number.label("customer_number"),
            CustomerRow.name.label("customer_name"),
            ProductRow.sku,
            ProductRow.name.label("product_name"),
            ProductRow.category,
            ProductRow.subcategory,
            OrderLineRow.quantity,
            OrderLineRow.unit_price,
            OrderLineRow.discount,
            OrderLineRow.line_total,
            OrderLineRow.unit_cost,
            OrderRow.rep_id,
            OrderRow.city,
            OrderRow.state,
            OrderRow.region,
            OrderLineRow.line_key,
            OrderRow.source,
        )
        .join(OrderRow, OrderRow.id == OrderLineRow.order_id)
        .join(CustomerRow, CustomerRow.id == OrderRow.customer_id)
        .join(ProductRow, ProductRow.id == OrderLineRow.product_id)
        .where(OrderLineRow.team_id == team_id)
    )

    def shape(row: Any) -> list[Any]:
        return [
            row.external_id or f"O-{row.number}",
            row.number,
            row.order_date,
            row.customer_external_id or format_id(Kind.CUSTOMER, row.customer_number),
            row.customer_name,
            row.sku,
            row.product_name,
            row.category,
            row.subcategory,
            row.quantity,
            row.unit_price,
            row.discount,
            row.line_total,
            row.unit_cost,
            row.rep_id,
            row.city,
            row.state,
            row.region,
            row.line_key,
            row.source,
        ]

    return _keyset(conn, query, keys, shape, len(keys))


def _customer_pages(conn: Connection, team_id: str) -> Iterator[list[list[Any]]]:
    fields = [getattr(CustomerRow, name) for name in CUSTOMER_COLUMNS[1:]]
    query = select(CustomerRow.number, *fields).where(CustomerRow.team_id == team_id)

    def shape(row: Any) -> list[Any]:
        return [format_id(Kind.CUSTOMER, row.number), *row[1:]]

    return _keyset(conn, query, (CustomerRow.number,), shape, 1)


def _product_pages(conn: Connection, team_id: str) -> Iterator[list[list[Any]]]:
    fields = [getattr(ProductRow, name) for name in PRODUCT_COLUMNS]
    query = select(ProductRow.sku_key, *fields).where(ProductRow.team_id == team_id)

    def shape(row: Any) -> list[Any]:
        return list(row[1:])

    return _keyset(conn, query, (ProductRow.sku_key,), shape, 1)


_EXPORTS: dict[
    ExportKind, tuple[tuple[str, ...], Callable[[Connection, str], Iterator[list[list[Any]]]]]
] = {
    ExportKind.ORDERS: (ORDER_COLUMNS, _order_pages),
    ExportKind.CUSTOMERS: (CUSTOMER_COLUMNS, _customer_pages),
    ExportKind.PRODUCTS: (PRODUCT_COLUMNS, _product_pages),
}
