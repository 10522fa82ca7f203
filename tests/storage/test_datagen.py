"""The benchmark data generator writes consistent, realistic orders on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bench.datagen import generate
from domain.money import line_total
from storage.engine import make_engine
from storage.orm import CustomerRow, OrderLineRow, OrderRow, ProductRow


def test_generated_orders_add_up_and_follow_the_season(clean_database: str) -> None:
    engine = make_engine(clean_database)
    try:
        made = generate(engine, 6_000, start=date(2024, 1, 1), end=date(2025, 12, 31))
        with engine.connect() as conn:
            lines = conn.execute(
                select(
                    OrderLineRow.order_id,
                    OrderLineRow.quantity,
                    OrderLineRow.unit_price,
                    OrderLineRow.discount,
                    OrderLineRow.line_total,
                    OrderLineRow.order_date,
                )
            ).all()
            orders = {
                row.id: row
                for row in conn.execute(
                    select(OrderRow.id, OrderRow.total, OrderRow.order_date, OrderRow.line_count)
                )
            }
            no_cost = conn.scalar(
                select(func.count()).select_from(ProductRow).where(ProductRow.unit_cost.is_(None))
            )
            regions = set(conn.scalars(select(CustomerRow.region).distinct()))
    finally:
        engine.dispose()

    assert made.lines == len(lines) == 6_000
    assert made.orders == len(orders)
    sums: dict[int, Decimal] = {}
    for line in lines:
        assert line.line_total == line_total(line.quantity, line.unit_price, line.discount)
        assert line.order_date == orders[line.order_id].order_date
        sums[line.order_id] = sums.get(line.order_id, Decimal(0)) + line.line_total
    assert all(sums[oid] == order.total for oid, order in orders.items())
    assert made.revenue == sum(sums.values())
    assert all(date(2024, 1, 1) <= o.order_date <= date(2025, 12, 31) for o in orders.values())

    def in_months(*months: int) -> int:
        return sum(1 for o in orders.values() if o.order_date.month in months)

    assert in_months(11, 12) > 1.8 * in_months(1, 2)  # the year-end rush
    weekend = sum(1 for o in orders.values() if o.order_date.weekday() >= 5) / len(orders)
    assert weekend < 0.15  # 2 days of 7 would be 0.29 without the weekday pattern
    assert 2025 in {o.order_date.year for o in orders.values()}
    assert sum(1 for o in orders.values() if o.order_date.year == 2025) > sum(
        1 for o in orders.values() if o.order_date.year == 2024
    )
    assert no_cost and no_cost < made.products  # some margin is not covered
    assert regions == {"East", "West", "Central", "South"}


def test_the_same_seed_gives_the_same_data_and_a_workspace_is_written_once(
    clean_database: str,
) -> None:
    engine = make_engine(clean_database)
    try:
        first = generate(engine, 800, start=date(2025, 1, 1), end=date(2025, 3, 31), team_id="T0A")
        second = generate(engine, 800, start=date(2025, 1, 1), end=date(2025, 3, 31), team_id="T0B")
        assert (first.orders, first.revenue) == (second.orders, second.revenue)
        with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
            generate(engine, 10, start=date(2025, 1, 1), end=date(2025, 1, 31), team_id="T0A")
    finally:
        engine.dispose()
