"""Realistic sales data at any size, bulk-loaded into a Salesbot database.

One workspace with reps, customers spread over regions, a catalog in categories and
subcategories (a few products without a cost, so margin coverage is below 100 %), and
orders of one to several lines between two dates. Volume follows what retail data shows:
a yearly season (quiet January–February, busy September and November–December), fewer
orders at weekends, growth year on year, a few customers and products that sell far more
than the rest, and discounts on some lines. Line totals follow the app's own rule
(quantity × price × (1 − discount), 4 places), and each order's total is its lines' sum.

    .venv/bin/python -m bench.datagen --lines 1000000 [--start 2023-01-01] [--end 2025-12-31]
        [--database-url postgresql://postgres@127.0.0.1:5432/salesbot_data] [--team T0BENCH]

The database is migrated first; the workspace must not exist yet. Seeded, so the same
arguments give the same rows.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from bisect import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from sqlalchemy import Engine, insert, select, text

from domain.money import line_total
from domain.text import fold
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.orm import (
    CustomerRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SequenceRow,
    UserRow,
    WorkspaceRow,
)

BATCH = 10_000
CENT = Decimal("0.01")
TEAM = "T0BENCH"
# Superstore's categories and subcategories, with a typical price range for each.
CATALOG: dict[str, dict[str, tuple[int, int]]] = {
    "Furniture": {
        "Bookcases": (80, 900),
        "Chairs": (60, 1200),
        "Furnishings": (5, 200),
        "Tables": (120, 1500),
    },
    "Office Supplies": {
        "Appliances": (20, 600),
        "Art": (2, 60),
        "Binders": (2, 120),
        "Envelopes": (3, 40),
        "Fasteners": (1, 25),
        "Labels": (2, 30),
        "Paper": (3, 50),
        "Storage": (10, 400),
        "Supplies": (2, 90),
    },
    "Technology": {
        "Accessories": (10, 400),
        "Copiers": (300, 3500),
        "Machines": (150, 4000),
        "Phones": (40, 1100),
    },
}
REGIONS = {
    "East": ("New York City", "Philadelphia", "Boston", "Newark"),
    "West": ("Los Angeles", "San Francisco", "Seattle", "San Diego"),
    "Central": ("Chicago", "Houston", "Detroit", "Dallas"),
    "South": ("Atlanta", "Miami", "Nashville", "Charlotte"),
}
INDUSTRIES = ("Retail", "Education", "Healthcare", "Manufacturing", "Finance", "Hospitality")
# Relative order volume per month (January = index 0), and per weekday (Monday = 0).
SEASON = (0.6, 0.55, 0.9, 0.85, 0.9, 0.85, 0.8, 0.85, 1.35, 0.95, 1.45, 1.5)
WEEKDAY = (1.1, 1.15, 1.15, 1.1, 1.05, 0.45, 0.3)
YEARLY_GROWTH = 0.15
MEAN_LINES_PER_ORDER = 1.9
NO_COST_SHARE = 0.04
DISCOUNTS = (Decimal(0),) * 6 + (Decimal("0.1"), Decimal("0.15"), Decimal("0.2"), Decimal("0.3"))
SUFFIXES = ("Trading", "Group", "Supply", "Partners", "Holdings", "Stores", "& Co")
WORDS = [
    "Acme",
    "Blue",
    "Cedar",
    "Delta",
    "Elm",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Maple",
    "North",
    "Oak",
    "Pioneer",
    "Quartz",
    "River",
    "Summit",
    "Tidal",
    "Union",
    "Vista",
    "Willow",
    "Yarrow",
    "Zenith",
]


@dataclass(frozen=True)
class Generated:
    team_id: str
    reps: int
    customers: int
    products: int
    orders: int
    lines: int
    revenue: Decimal
    seconds: float


def generate(
    engine: Engine,
    lines: int,
    *,
    start: date,
    end: date,
    team_id: str = TEAM,
    customers: int | None = None,
    products: int | None = None,
    reps: int = 12,
    seed: int = 7,
) -> Generated:
    """Write one workspace holding about `lines` order lines dated start..end."""
    began = time.perf_counter()
    rng = random.Random(seed)
    customers = customers or max(50, min(20_000, lines // 50))
    products = products or max(40, min(2_000, lines // 200))
    now = datetime.now(UTC)
    rep_ids = [f"U0REP{i:03d}" for i in range(1, reps + 1)]
    with engine.begin() as conn:
        conn.execute(
            insert(WorkspaceRow),
            [{"team_id": team_id, "timezone": "UTC", "currency": "USD", "created_at": now}],
        )
        conn.execute(
            insert(UserRow),
            [
                {
                    "team_id": team_id,
                    "slack_user_id": rep,
                    "role": "admin" if i == 0 else "rep",
                    "name": f"Rep {i + 1}",
                    "created_at": now,
                }
                for i, rep in enumerate(rep_ids)
            ],
        )
        customer_rows = [_customer(rng, team_id, i, rep_ids, now) for i in range(customers)]
        _insert(conn, CustomerRow, customer_rows)
        product_rows = [_product(rng, team_id, i, now) for i in range(products)]
        _insert(conn, ProductRow, product_rows)
        customer_ids = _ids(conn, CustomerRow, team_id)
        product_ids = _ids(conn, ProductRow, team_id)

        # A few customers and products sell far more than the rest (Zipf-like weights).
        customer_cum = list(accumulate(1 / (rank + 3) ** 0.9 for rank in range(customers)))
        product_cum = list(accumulate(1 / (rank + 5) ** 0.8 for rank in range(products)))
        owners = [row["owner_id"] for row in customer_rows]
        prices = [row["list_price"] for row in product_rows]
        costs = [row["unit_cost"] for row in product_rows]
        days = _day_weights(start, end)
        total_weight = sum(weight for _, weight in days)

        next_order_id = _next_id(conn, OrderRow)
        number = written = 0
        revenue = Decimal(0)
        orders: list[dict[str, Any]] = []
        order_lines: list[dict[str, Any]] = []
        so_far = 0.0
        for day, weight in days:
            so_far += weight
            # Lines due by the end of this day; the last day reaches `lines` exactly.
            target = round(lines * so_far / total_weight)
            while written < target:
                number += 1
                order_id = next_order_id + number - 1
                customer = bisect(customer_cum, rng.random() * customer_cum[-1])
                picked = {
                    bisect(product_cum, rng.random() * product_cum[-1])
                    for _ in range(min(_line_count(rng), target - written))
                }
                total = Decimal(0)
                for n, product in enumerate(sorted(picked), 1):
                    quantity = max(1, min(14, int(rng.expovariate(1 / 3.2)) + 1))
                    discount = rng.choice(DISCOUNTS)
                    amount = line_total(quantity, prices[product], discount)
                    total += amount
                    order_lines.append(
                        {
                            "team_id": team_id,
                            "order_id": order_id,
                            "line_key": str(n),
                            "product_id": product_ids[product],
                            "order_date": day,
                            "quantity": quantity,
                            "unit_price": prices[product],
                            "discount": discount,
                            "line_total": amount,
                            "unit_cost": costs[product],
                        }
                    )
                written += len(picked)
                revenue += total
                at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(
                    minutes=rng.randint(8 * 60, 19 * 60)
                )
                # Most orders are booked by the customer's owner; some by a teammate.
                rep = owners[customer] if rng.random() < 0.85 else rng.choice(rep_ids)
                orders.append(
                    {
                        "id": order_id,
                        "team_id": team_id,
                        "number": number,
                        "customer_id": customer_ids[customer],
                        "rep_id": rep,
                        "ordered_at": at,
                        "order_date": day,
                        "total": total,
                        "line_count": len(picked),
                        "city": customer_rows[customer]["city"],
                        "region": customer_rows[customer]["region"],
                        "source": "import",
                        "created_by": rep,
                        "created_at": at,
                    }
                )
                if len(order_lines) >= BATCH:
                    _flush(conn, orders, order_lines)
        _flush(conn, orders, order_lines)
        conn.execute(
            insert(SequenceRow),
            [
                {"team_id": team_id, "name": "customer", "value": customers},
                {"team_id": team_id, "name": "order", "value": number},
            ],
        )
        if engine.dialect.name == "postgresql":
            # Ids were given explicitly: move the sequence past them for later inserts.
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence('orders', 'id'), MAX(id)) FROM orders")
            )
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load; without it the planner guesses.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return Generated(
        team_id=team_id,
        reps=reps,
        customers=customers,
        products=products,
        orders=number,
        lines=written,
        revenue=revenue,
        seconds=round(time.perf_counter() - began, 1),
    )


def _day_weights(start: date, end: date) -> list[tuple[date, float]]:
    """Each day with its relative order volume: season × weekday × growth × noise."""
    rng = random.Random(start.toordinal())
    days = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        growth = (1 + YEARLY_GROWTH) ** (offset / 365.25)
        noise = math.exp(rng.gauss(0, 0.18))
        days.append((day, SEASON[day.month - 1] * WEEKDAY[day.weekday()] * growth * noise))
    return days


def _line_count(rng: random.Random) -> int:
    """1 line most often, sometimes up to 8 (mean about MEAN_LINES_PER_ORDER)."""
    return min(8, 1 + int(rng.expovariate(1 / (MEAN_LINES_PER_ORDER - 0.5))))


def _customer(
    rng: random.Random, team_id: str, i: int, reps: list[str], now: datetime
) -> dict[str, Any]:
    region = rng.choice(list(REGIONS))
    name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(SUFFIXES)} {i + 1}"
    return {
        "team_id": team_id,
        "number": i + 1,
        "external_id": f"C{i + 1:06d}",
        "name": name,
        "name_key": fold(name),
        "company": name,
        "company_key": fold(name),
        "owner_id": reps[i % len(reps)],
        "tags": [],
        "city": rng.choice(REGIONS[region]),
        "region": region,
        "country": "United States",
        "industry": rng.choice(INDUSTRIES),
        "created_by": reps[0],
        "created_at": now,
        "updated_at": now,
    }


def _product(rng: random.Random, team_id: str, i: int, now: datetime) -> dict[str, Any]:
    category = rng.choices(list(CATALOG), weights=(2, 6, 2))[0]
    subcategory = rng.choice(list(CATALOG[category]))
    low, high = CATALOG[category][subcategory]
    # Log-uniform within the subcategory's range: many cheap items, a few expensive ones.
    price = Decimal(math.exp(rng.uniform(math.log(low), math.log(high)))).quantize(CENT)
    cost = None
    if rng.random() >= NO_COST_SHARE:
        cost = (price * Decimal(rng.uniform(0.45, 0.85))).quantize(CENT)
    sku = f"{category[:3].upper()}-{subcategory[:3].upper()}-{i + 1:05d}"
    name = f"{rng.choice(WORDS)} {subcategory.rstrip('s')} {i + 1}"
    return {
        "team_id": team_id,
        "sku": sku,
        "sku_key": sku.upper(),
        "name": name,
        "name_key": fold(name),
        "category": category,
        "subcategory": subcategory,
        "list_price": price,
        "unit_cost": cost,
        "active": True,
        "on_hand": 0,
        "low_crossings": 0,
        "created_at": now,
        "updated_at": now,
    }


def _insert(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    for first in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[first : first + BATCH])


def _ids(conn: Any, table: Any, team_id: str) -> list[int]:
    """The team's new rows' ids in insertion order (ids ascend as rows are written)."""
    return list(
        conn.execute(select(table.id).where(table.team_id == team_id).order_by(table.id)).scalars()
    )


def _next_id(conn: Any, table: Any) -> int:
    return int(conn.execute(select(text("COALESCE(MAX(id), 0) + 1")).select_from(table)).scalar())


def _flush(conn: Any, orders: list[dict[str, Any]], lines: list[dict[str, Any]]) -> None:
    if orders:
        conn.execute(insert(OrderRow), orders)
    if lines:
        conn.execute(insert(OrderLineRow), lines)
    orders.clear()
    lines.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2023, 1, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2025, 12, 31))
    parser.add_argument("--team", default=TEAM)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default="sqlite:///salesbot-bench.db")
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    try:
        upgrade(engine)
        made = generate(
            engine, args.lines, start=args.start, end=args.end, team_id=args.team, seed=args.seed
        )
    finally:
        engine.dispose()
    print(
        f"{made.team_id}: {made.lines:,} lines in {made.orders:,} orders, {made.customers:,} "
        f"customers, {made.products:,} products, {made.reps} reps; revenue "
        f"{made.revenue:,.2f}; {made.seconds} s"
    )


if __name__ == "__main__":
    main()
