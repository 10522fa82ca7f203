"""The sales rollups stay equal to the order lines: after orders recorded one by one (also
concurrently), after bulk imports marked dirty and refreshed, and after a full rebuild."""

from __future__ import annotations

import os
import random
import secrets
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.datagen import generate
from bot.services import Services
from domain.catalog import Product, ProductDraft
from domain.customers import CustomerDraft
from domain.orders import LineInput
from storage import rollups
from storage.engine import make_engine, make_session_factory, normalise_url
from storage.migrate import upgrade
from storage.orm import (
    ALL_CATEGORIES,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SalesDailyRow,
    SalesDirtyDayRow,
    SalesMonthlyCustomerRow,
    SalesMonthlyProductRow,
)

TEAM, OTHER = "T0ROLL", "T0OTHER"
REP, REP2 = "U0REP", "U0REP2"
UTC_ZONE = ZoneInfo("UTC")
TABLES = (SalesDailyRow, SalesMonthlyProductRow, SalesMonthlyCustomerRow)
Key = tuple[Any, ...]
Sums = dict[str, Any]


def stored(session: Session, team_id: str) -> dict[str, dict[Key, Sums]]:
    """Every rollup row of the team, by table and primary key."""
    out: dict[str, dict[Key, Sums]] = {}
    for table in TABLES:
        keys = [c.name for c in table.__table__.primary_key.columns]  # type: ignore[attr-defined]
        rows: dict[Key, Sums] = {}
        for row in session.scalars(select(table).where(table.team_id == team_id)):
            rows[tuple(getattr(row, k) for k in keys)] = {
                m: getattr(row, m) for m in rollups.MEASURES
            }
        out[table.__tablename__] = rows
    return out


def expected(session: Session, team_id: str) -> dict[str, dict[Key, Sums]]:
    """The same sums computed in Python from the lines, independently of the SQL."""
    lines = session.execute(
        select(
            OrderLineRow.order_id,
            OrderLineRow.order_date,
            OrderLineRow.product_id,
            OrderLineRow.quantity,
            OrderLineRow.line_total,
            OrderLineRow.unit_cost,
            OrderRow.customer_id,
            OrderRow.rep_id,
            OrderRow.region,
            ProductRow.category,
        )
        .join(OrderRow, OrderRow.id == OrderLineRow.order_id)
        .join(ProductRow, ProductRow.id == OrderLineRow.product_id)
        .where(OrderLineRow.team_id == team_id)
    ).all()
    groups: dict[str, dict[Key, list[Any]]] = {t.__tablename__: defaultdict(list) for t in TABLES}
    for line in lines:
        category = line.category or ""
        day = line.order_date
        rep, region = line.rep_id or "", line.region or ""
        for cat in (category, ALL_CATEGORIES):
            for dim, key in (("", ""), ("rep", rep), ("region", region)):
                groups["sales_daily"][(team_id, day, cat, dim, key)].append(line)
        customers = groups["sales_monthly_customer"]
        customers[(team_id, 1, day.replace(day=1), category, line.customer_id)].append(line)
        # Calendar months, quarters and years; per category only months.
        for months in (1, 3, 12):
            start = date(day.year, (day.month - 1) // months * months + 1, 1)
            customers[(team_id, months, start, ALL_CATEGORIES, line.customer_id)].append(line)
            groups["sales_monthly_product"][(team_id, months, start, line.product_id)].append(line)
    out: dict[str, dict[Key, Sums]] = {}
    for name, by_key in groups.items():
        out[name] = {}
        for key, members in by_key.items():
            costed = [m for m in members if m.unit_cost is not None]
            out[name][key] = {
                "revenue": sum((m.line_total for m in members), Decimal(0)),
                "cost": sum((m.quantity * m.unit_cost for m in costed), Decimal(0)),
                "covered_revenue": sum((m.line_total for m in costed), Decimal(0)),
                "units": sum(m.quantity for m in members),
                "lines": len(members),
                "orders": len({m.order_id for m in members}),
            }
    return out


def assert_exact(services: Services, team_id: str = TEAM) -> dict[str, dict[Key, Sums]]:
    with make_session_factory(services.engine)() as session:
        now = stored(session, team_id)
        assert now == expected(session, team_id)
        assert all(now.values())
        rollups.rebuild(session, team_id)
        assert stored(session, team_id) == now  # the incremental path equals a rebuild
        session.rollback()
    return now


class Shop:
    def __init__(self, services: Services) -> None:
        self.services = services
        for user in (REP, REP2):
            services.workspaces.ensure(TEAM, user)
        services.workspaces.ensure(OTHER, "U0ELSE")
        self.customers = [
            services.customers.create(
                TEAM, CustomerDraft.from_input(name=name, region=region), actor=REP
            )
            for name, region in (("Acme", "East"), ("Globex", "West"), ("Initech", None))
        ]
        self.products = [
            self.product("CH-1", "Chair", "120.50", "70.25", "Furniture"),
            self.product("PA-1", "Paper", "4.99", "1.10", "Office Supplies"),
            self.product("PH-1", "Phone", "399", None, "Technology"),  # no cost: not covered
            self.product("MI-1", "Misc", "0.0003", "0.0001", None),  # no category
        ]

    def product(
        self, sku: str, name: str, price: str, cost: str | None, category: str | None
    ) -> Product:
        draft = ProductDraft.from_input(
            sku=sku, name=name, list_price=price, unit_cost=cost, category=category
        )
        return self.services.catalog.create(TEAM, draft, actor=REP)

    def random_order(self, rng: random.Random, start: date, *, span: int = 70) -> None:
        picked = rng.sample(self.products, k=rng.randint(1, 3))
        self.services.orders.record(
            TEAM,
            customer_id=rng.choice(self.customers).id,
            order_date=start + timedelta(days=rng.randrange(span)),
            lines=[
                LineInput(
                    product_id=p.id,
                    quantity=str(rng.randint(1, 9)),
                    discount=rng.choice(["", "10%", "0.15"]),
                )
                for p in picked
            ],
            tz=UTC_ZONE,
            actor=REP,
            rep_id=rng.choice([REP, REP2, None]),
        )


def test_recorded_orders_add_exactly_to_every_rollup(services: Services) -> None:
    shop = Shop(services)
    rng = random.Random(3)
    start = services.clock.now().date() - timedelta(days=80)
    for _ in range(40):
        shop.random_order(rng, start)
    sums = assert_exact(services)
    daily = sums["sales_daily"]
    # An order with lines in two categories counts once in the all-categories rows.
    totals = {k: v for k, v in daily.items() if k[3] == ""}
    all_orders = sum(v["orders"] for k, v in totals.items() if k[2] == ALL_CATEGORIES)
    per_category = sum(v["orders"] for k, v in totals.items() if k[2] != ALL_CATEGORIES)
    assert all_orders == 40 < per_category
    assert {k[2] for k in daily} == {"Furniture", "Office Supplies", "Technology", "", "*"}
    assert {k[4] for k in daily if k[3] == "region"} == {"East", "West", ""}
    assert {k[4] for k in daily if k[3] == "rep"} == {REP, REP2}  # no rep: the recorder
    with make_session_factory(services.engine)() as session:
        assert stored(session, OTHER) == {t.__tablename__: {} for t in TABLES}


def test_concurrent_orders_on_the_same_day_lose_nothing(services: Services) -> None:
    shop = Shop(services)
    day = services.clock.now().date() - timedelta(days=2)
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(6):
                shop.random_order(rng, day, span=2)
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert_exact(services)


def test_bulk_lines_marked_dirty_are_refreshed_from_the_lines(services: Services) -> None:
    generate(services.engine, 3_000, start=date(2025, 1, 1), end=date(2025, 6, 30), team_id=TEAM)
    factory = make_session_factory(services.engine)
    with factory.begin() as session:
        days = session.scalars(
            select(OrderLineRow.order_date).where(OrderLineRow.team_id == TEAM).distinct()
        ).all()
        rollups.mark_dirty(session, TEAM, days)
    with factory.begin() as session:
        assert rollups.refresh_dirty(session, TEAM) == len(days)
    with factory() as session:
        assert not session.scalars(select(SalesDirtyDayRow)).all()
    assert_exact(services)

    # A later bulk change to one day (prices corrected) is picked up by refreshing that day.
    changed = sorted(days)[10]
    with factory.begin() as session:
        session.execute(
            update(OrderLineRow)
            .where(OrderLineRow.team_id == TEAM, OrderLineRow.order_date == changed)
            .values(line_total=OrderLineRow.line_total + Decimal("1.0001"))
        )
        rollups.mark_dirty(session, TEAM, [changed])
    with factory.begin() as session:
        assert rollups.refresh_dirty(session, TEAM) == 1
    assert_exact(services)


MONTH_OF = {
    "sqlite": "date(l.order_date, 'start of month')",
    "postgresql": "CAST(date_trunc('month', l.order_date) AS DATE)",
}
OLD_MONTHLY = """
INSERT INTO {table} (team_id, month, {keys}, revenue, cost, covered_revenue, units, lines,
    orders)
SELECT l.team_id, {month}, {values}, SUM(l.line_total),
    SUM(CASE WHEN l.unit_cost IS NOT NULL THEN l.quantity * l.unit_cost ELSE 0 END),
    SUM(CASE WHEN l.unit_cost IS NOT NULL THEN l.line_total ELSE 0 END), SUM(l.quantity),
    COUNT(*), COUNT(DISTINCT l.order_id)
FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id
GROUP BY l.team_id, {month}, {groups}
"""


@contextmanager
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """A database of this test's own, on the backend the suite runs on."""
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    admin_url = make_url(normalise_url(pg))
    name = f"salesbot_test_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_migration_sums_quarters_and_years_from_the_monthly_rows(tmp_path: Path) -> None:
    """Rollups written before the quarterly and yearly rows (the monthly rows only, keyed
    month-first) come out of the migration equal to the lines, as a rebuild makes them."""
    with scratch_url(tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "6f2b8d1e3ca4")
            generate(engine, 4_000, start=date(2024, 10, 20), end=date(2025, 8, 10), team_id=TEAM)
            month = MONTH_OF[engine.dialect.name]
            with engine.begin() as conn:
                conn.execute(
                    text(
                        OLD_MONTHLY.format(
                            table="sales_monthly_product",
                            month=month,
                            keys="product_id",
                            values="l.product_id",
                            groups="l.product_id",
                        )
                    )
                )
                for category, groups in (
                    ("COALESCE(p.category, '')", "o.customer_id, COALESCE(p.category, '')"),
                    ("'*'", "o.customer_id"),
                ):
                    conn.execute(
                        text(
                            OLD_MONTHLY.format(
                                table="sales_monthly_customer",
                                month=month,
                                keys="customer_id, category",
                                values=f"o.customer_id, {category}",
                                groups=groups,
                            )
                        )
                    )
            upgrade(engine)
            with make_session_factory(engine)() as session:
                migrated = stored(session, TEAM)
                assert {k[1] for k in migrated["sales_monthly_customer"]} == {1, 3, 12}
                assert migrated["sales_daily"] == {}  # not filled here, not changed
                by_lines = expected(session, TEAM)
                for table in ("sales_monthly_product", "sales_monthly_customer"):
                    assert migrated[table] == by_lines[table]
        finally:
            engine.dispose()


def test_an_import_leaves_the_rollups_equal_to_its_lines(services: Services) -> None:
    from storage.importers import import_superstore

    superstore = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "superstore.csv"
    import_superstore(services, TEAM, superstore)
    with make_session_factory(services.engine)() as session:
        assert not session.scalars(select(SalesDirtyDayRow)).all()
    sums = assert_exact(services)
    daily = sums["sales_daily"]
    revenue = sum(v["revenue"] for k, v in daily.items() if k[2] == ALL_CATEGORIES and k[3] == "")
    assert revenue == Decimal("2297200.8603")
    # Four years of orders: calendar months, quarters and years for products and customers.
    assert {k[1] for k in sums["sales_monthly_product"]} == {1, 3, 12}
    assert {k[1:3] for k in sums["sales_monthly_customer"] if k[1] == 12} == {
        (12, date(year, 1, 1)) for year in (2016, 2017, 2018, 2019)
    }
    # Running it again changes no line, so no day is marked and nothing moves.
    import_superstore(services, TEAM, superstore)
    assert assert_exact(services) == sums


def test_a_product_moved_to_another_category_moves_its_sales_there(services: Services) -> None:
    from domain.metrics import Dimension, Metric, Period

    shop = Shop(services)
    rng = random.Random(5)
    start = services.clock.now().date() - timedelta(days=80)
    for _ in range(15):
        shop.random_order(rng, start)
    period = Period(start=start, end=services.clock.now().date())
    before = services.reports.report(TEAM, Metric.REVENUE, Dimension.CATEGORY, period)
    chair = shop.products[0]
    services.catalog.update(
        TEAM,
        chair.id,
        ProductDraft.from_input(
            sku=chair.sku, name=chair.name, list_price=chair.list_price, category="Seating"
        ),
        actor=REP,
    )
    after = services.reports.report(TEAM, Metric.REVENUE, Dimension.CATEGORY, period)
    was = {row.key: row.totals.revenue for row in before.rows}
    now = {row.key: row.totals.revenue for row in after.rows}
    assert "Furniture" in was and "Furniture" not in now
    assert now["Seating"] == was["Furniture"]  # the chair was the only furniture
    assert after.total == before.total
    assert_exact(services)
