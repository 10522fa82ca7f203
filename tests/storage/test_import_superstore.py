"""The Superstore sample imported as orders: exact counts and sums, and a second run adds nothing.

One test asserts everything about one import (and its re-run), so the suite pays for the
import once per database.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.services import Services
from domain.imports import ImportSummary
from storage.importers import import_superstore
from storage.orm import (
    AuditRow,
    CustomerRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SequenceRow,
    StockMovementRow,
)

SUPERSTORE = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "superstore.csv"
TEAM = "T0STORE"
FOUR = Decimal("0.0001")

pytestmark = pytest.mark.skipif(not SUPERSTORE.exists(), reason=f"no dataset at {SUPERSTORE}")


def db_counts(services: Services) -> dict[str, object]:
    with services.engine.connect() as conn:

        def count(table: type) -> int:
            return conn.scalar(select(func.count()).select_from(table).where(table.team_id == TEAM))  # type: ignore[attr-defined]

        return {
            "customers": count(CustomerRow),
            "products": count(ProductRow),
            "orders": count(OrderRow),
            "lines": count(OrderLineRow),
            "movements": count(StockMovementRow),
            "line_sum": conn.scalar(
                select(func.sum(OrderLineRow.line_total)).where(OrderLineRow.team_id == TEAM)
            ),
            "order_sum": conn.scalar(
                select(func.sum(OrderRow.total)).where(OrderRow.team_id == TEAM)
            ),
            "line_count_sum": conn.scalar(
                select(func.sum(OrderRow.line_count)).where(OrderRow.team_id == TEAM)
            ),
            "order_numbers": conn.scalar(
                select(SequenceRow.value).where(
                    SequenceRow.team_id == TEAM, SequenceRow.name == "order"
                )
            ),
        }


def test_superstore_imports_exactly_and_a_second_run_adds_nothing(services: Services) -> None:
    first = import_superstore(services, TEAM, SUPERSTORE)

    assert first.errors == [] and first.rows == 9994
    assert (first.orders.created, first.lines.created) == (5009, 9994)
    assert (first.customers.created, first.products.created) == (793, 1862 + 32)
    expected = {
        "customers": 793,
        "products": 1894,
        "orders": 5009,
        "lines": 9994,
        "movements": 0,  # historical sales move no stock
        "line_sum": Decimal("2297200.8603"),
        "order_sum": Decimal("2297200.8603"),
        "line_count_sum": 9994,
        "order_numbers": 5009,
    }
    assert db_counts(services) == expected
    _assert_splits(first)
    _assert_rows_match_the_file(services)
    _assert_first_row(services)

    again = import_superstore(services, TEAM, SUPERSTORE)

    assert again.errors == []
    assert (again.orders.created, again.orders.updated, again.orders.unchanged) == (0, 0, 5009)
    assert (again.lines.created, again.lines.updated, again.lines.unchanged) == (0, 0, 9994)
    assert (again.customers.created, again.customers.unchanged) == (0, 793)
    assert (again.products.created, again.products.unchanged) == (0, 1894)
    assert [str(s) for s in again.splits] == [str(s) for s in first.splits]
    assert db_counts(services) == expected
    with services.engine.connect() as conn:
        audit = conn.execute(
            select(AuditRow.entity_id, AuditRow.changes)
            .where(AuditRow.team_id == TEAM, AuditRow.entity == "import")
            .order_by(AuditRow.id)
        ).all()
    assert [entity_id for entity_id, _ in audit] == [1, 2]  # one entry per run, not per row
    assert audit[0].changes["orders"]["created"] == 5009
    assert audit[1].changes["lines"]["unchanged"] == 9994


def _assert_splits(summary: ImportSummary) -> None:
    assert len(summary.splits) == 32
    assert "FUR-BO-10002213: 2 names → FUR-BO-10002213, FUR-BO-10002213-2" in [
        str(split) for split in summary.splits
    ]
    rendered = "\n".join(summary.render())
    assert "32 product ids carry several names" in rendered
    assert "FUR-BO-10002213: 2 names → FUR-BO-10002213, FUR-BO-10002213-2" in rendered


def _file_rows() -> list[dict[str, str]]:
    with SUPERSTORE.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _assert_rows_match_the_file(services: Services) -> None:
    """Every line: total exactly as in the file; price and cost derived and rounded half up."""
    with services.engine.connect() as conn:
        stored = {
            (row.external_id, row.line_key): row
            for row in conn.execute(
                select(
                    OrderRow.external_id,
                    OrderRow.order_date,
                    OrderLineRow.line_key,
                    OrderLineRow.quantity,
                    OrderLineRow.discount,
                    OrderLineRow.unit_price,
                    OrderLineRow.line_total,
                    OrderLineRow.unit_cost,
                    ProductRow.sku,
                    ProductRow.name,
                )
                .join(OrderRow, OrderRow.id == OrderLineRow.order_id)
                .join(ProductRow, ProductRow.id == OrderLineRow.product_id)
                .where(OrderLineRow.team_id == TEAM)
            )
        }
        products = {
            sku: (name, price, cost)
            for sku, name, price, cost in conn.execute(
                select(
                    ProductRow.sku, ProductRow.name, ProductRow.list_price, ProductRow.unit_cost
                ).where(ProductRow.team_id == TEAM)
            )
        }
    first_name: dict[str, str] = {}
    first_price: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for row in _file_rows():
        line = stored[(row["Order ID"], row["Row ID"])]
        sales, quantity = Decimal(row["Sales"]), int(row["Quantity"])
        discount, profit = Decimal(row["Discount"]), Decimal(row["Profit"])
        price = (sales / (quantity * (1 - discount))).quantize(FOUR, ROUND_HALF_UP)
        cost = ((sales - profit) / quantity).quantize(FOUR, ROUND_HALF_UP)
        assert (line.line_total, line.quantity, line.discount) == (sales, quantity, discount)
        assert (line.unit_price, line.unit_cost) == (price, cost)
        month, day, year = (int(part) for part in row["Order Date"].split("/"))
        assert line.order_date == date(year, month, day)
        # The first name a Product ID carries keeps the SKU; another gets SKU-2.
        product_id, name = row["Product ID"], row["Product Name"]
        first_name.setdefault(product_id, name)
        assert line.sku == (product_id if first_name[product_id] == name else f"{product_id}-2")
        assert line.name == name
        first_price.setdefault((line.sku, name), (price, cost))
    for (sku, name), (price, cost) in first_price.items():
        assert products[sku] == (name, price, cost)  # list price and cost from the first line


def _assert_first_row(services: Services) -> None:
    """Row 1: CA-2018-152156 of 11/8/2018 for Claire Gute (CG-12520), Consumer, Henderson KY."""
    with services.engine.connect() as conn:
        order = conn.execute(
            select(OrderRow).where(
                OrderRow.team_id == TEAM, OrderRow.external_id == "CA-2018-152156"
            )
        ).one()
        customer = conn.execute(
            select(CustomerRow).where(CustomerRow.id == order.customer_id)
        ).one()
    # Local midnight in the workspace's timezone (America/New_York, EST that day), in UTC.
    assert order.ordered_at == datetime(2018, 11, 8, 5, tzinfo=UTC)
    assert order.order_date == date(2018, 11, 8)
    assert (order.city, order.state, order.region) == ("Henderson", "Kentucky", "South")
    assert (order.source, order.rep_id, order.line_count) == ("import", None, 2)
    assert order.total == Decimal("261.96") + Decimal("731.94")
    assert (customer.external_id, customer.name, customer.tags) == (
        "CG-12520",
        "Claire Gute",
        ["Consumer"],
    )
    assert (customer.city, customer.region, customer.country) == (
        "Henderson",
        "Kentucky",
        "United States",
    )
