"""Keeping the sales rollups (storage.orm SalesDailyRow, SalesMonthly*Row) equal to the lines.

Two ways in, both exact:
- `add_order`: a new order adds its sums in the transaction that writes it. Upserts that
  add to a row (ON CONFLICT DO UPDATE SET x = x + excluded.x) are safe when two orders of
  the same day commit at once, on SQLite and PostgreSQL alike.
- `mark_dirty` + `refresh_dirty`: bulk writers (imports) mark the days they touched in
  their own transactions, and the marked days (and their months) are then recomputed from
  the lines. A crash between the two leaves the marks, so the next refresh still fixes them.

The product and customer rollups hold calendar months (`months` 1) and, summed from those,
calendar quarters (3) and years (12) — for customers only across all categories, what a
top-customers report over a long period reads: whenever a month's rows are recomputed, so
are its quarter's and year's. An order lies in one day, so its distinct-order count adds up
exactly across months as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Date,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

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

MEASURES = ("revenue", "cost", "covered_revenue", "units", "lines", "orders")
REFRESH_CHUNK = 200  # days (or months) per refresh statement
SPANS = (1, 3, 12)  # months per row of the product and customer rollups
KEYED: tuple[Any, ...] = (SalesMonthlyProductRow, SalesMonthlyCustomerRow)


def month_start(day: date) -> date:
    return day.replace(day=1)


def span_start(day: date, months: int) -> date:
    """The first day of the calendar month (1), quarter (3) or year (12) holding `day`."""
    return date(day.year, (day.month - 1) // months * months + 1, 1)


@dataclass(frozen=True)
class SoldLine:
    """What the rollups need to know about one line of a new order."""

    day: date
    customer_id: int
    rep_id: str | None
    region: str | None
    product_id: int
    category: str | None
    quantity: int
    line_total: Decimal
    unit_cost: Decimal | None


def add_order(session: Session, team_id: str, lines: list[SoldLine]) -> None:
    """Add one new order's lines to every rollup, in the transaction that writes it.

    The sums are made here from what the order form already holds, then added with one
    upsert per rollup table; an order is one distinct order in every group it touches.
    """
    groups: dict[Any, dict[tuple[Any, ...], _Sums]] = {
        SalesDailyRow: {},
        SalesMonthlyProductRow: {},
        SalesMonthlyCustomerRow: {},
    }
    # The primary keys' columns after team_id, in the order of the tuples below.
    keys = {
        SalesDailyRow: ("day", "category", "dim", "key"),
        SalesMonthlyProductRow: ("months", "month", "product_id"),
        SalesMonthlyCustomerRow: ("months", "month", "category", "customer_id"),
    }
    for line in lines:
        for category in (line.category or "", ALL_CATEGORIES):
            for dim, key in (("", ""), ("rep", line.rep_id), ("region", line.region)):
                _add(groups[SalesDailyRow], (line.day, category, dim, key or ""), line)
        month = month_start(line.day)
        by_customer = groups[SalesMonthlyCustomerRow]
        _add(by_customer, (1, month, line.category or "", line.customer_id), line)
        for months in SPANS:
            start = span_start(line.day, months)
            _add(by_customer, (months, start, ALL_CATEGORIES, line.customer_id), line)
            _add(groups[SalesMonthlyProductRow], (months, start, line.product_id), line)
    for table, sums in groups.items():
        rows = [
            {"team_id": team_id, **dict(zip(keys[table], key, strict=True)), **totals.row()}
            for key, totals in sums.items()
        ]
        if rows:
            _upsert_adding(session, table, rows)


@dataclass
class _Sums:
    revenue: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    covered_revenue: Decimal = Decimal(0)
    units: int = 0
    lines: int = 0

    def row(self) -> dict[str, Any]:
        return {
            "revenue": self.revenue,
            "cost": self.cost,
            "covered_revenue": self.covered_revenue,
            "units": self.units,
            "lines": self.lines,
            "orders": 1,
        }


def _add(groups: dict[tuple[Any, ...], _Sums], key: tuple[Any, ...], line: SoldLine) -> None:
    sums = groups.setdefault(key, _Sums())
    sums.revenue += line.line_total
    sums.units += line.quantity
    sums.lines += 1
    if line.unit_cost is not None:
        sums.cost += line.quantity * line.unit_cost
        sums.covered_revenue += line.line_total


def mark_dirty(session: Session, team_id: str, days: Iterable[date]) -> None:
    """Note days whose lines were written in bulk; `refresh_dirty` recomputes them."""
    rows = [{"team_id": team_id, "day": day} for day in sorted(set(days))]
    if rows:
        module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(module.insert(SalesDirtyDayRow).on_conflict_do_nothing(), rows)


def mark_products_dirty(session: Session, team_id: str, product_ids: Iterable[int]) -> None:
    """A product's category changed: its sales move between categories in the rollups."""
    ids = sorted(set(product_ids))
    for first in range(0, len(ids), REFRESH_CHUNK):
        days = session.scalars(
            select(OrderLineRow.order_date)
            .where(
                OrderLineRow.team_id == team_id,
                OrderLineRow.product_id.in_(ids[first : first + REFRESH_CHUNK]),
            )
            .distinct()
        )
        mark_dirty(session, team_id, days)


def refresh_dirty(session: Session, team_id: str) -> int:
    """Recompute the marked days (and the months they fall in) from the lines; how many."""
    days = sorted(
        session.scalars(select(SalesDirtyDayRow.day).where(SalesDirtyDayRow.team_id == team_id))
    )
    if days:
        refresh_days(session, team_id, days)
        for part in _chunks(days):
            session.execute(
                delete(SalesDirtyDayRow).where(
                    SalesDirtyDayRow.team_id == team_id, SalesDirtyDayRow.day.in_(part)
                )
            )
    return len(days)


def refresh_days(session: Session, team_id: str, days: Iterable[date]) -> None:
    """Recompute the daily rows of these days, the monthly rows of their months and the
    quarterly and yearly rows of those."""
    days = sorted(set(days))
    for part in _chunks(days):
        session.execute(
            delete(SalesDailyRow).where(
                SalesDailyRow.team_id == team_id, SalesDailyRow.day.in_(part)
            )
        )
        daily = OrderLineRow.order_date.in_(part)
        for table, query in _queries(session, team_id, daily, monthly=False):
            session.execute(table.__table__.insert().from_select(_columns(query), query))
    months = sorted({month_start(day) for day in days})
    for part in _chunks(months):
        for table in KEYED:
            session.execute(
                delete(table).where(
                    table.team_id == team_id, table.months == 1, table.month.in_(part)
                )
            )
        in_months = or_(*(_in_month(OrderLineRow.order_date, month) for month in part))
        for table, query in _queries(session, team_id, in_months, daily=False):
            session.execute(table.__table__.insert().from_select(_columns(query), query))
    _roll_up(session, team_id, months)


def rebuild(session: Session, team_id: str) -> None:
    """Recompute every rollup row of the workspace from its lines."""
    for table in (SalesDailyRow, SalesMonthlyProductRow, SalesMonthlyCustomerRow):
        session.execute(delete(table).where(table.team_id == team_id))
    for table, query in _queries(session, team_id, literal(True)):
        session.execute(table.__table__.insert().from_select(_columns(query), query))
    months = session.scalars(
        select(SalesMonthlyProductRow.month)
        .where(SalesMonthlyProductRow.team_id == team_id, SalesMonthlyProductRow.months == 1)
        .distinct()
    )
    _roll_up(session, team_id, list(months))
    session.execute(delete(SalesDirtyDayRow).where(SalesDirtyDayRow.team_id == team_id))


def _roll_up(session: Session, team_id: str, months: Iterable[date]) -> None:
    """Recompute the quarterly rows of these months' quarters from their monthly rows, then
    the yearly rows of their years from the quarterly ones (customers: all categories)."""
    quarters = sorted({span_start(month, 3) for month in months})
    years = sorted({span_start(quarter, 12) for quarter in quarters})
    for size, starts, parts in ((3, quarters, 1), (12, years, 3)):
        for start in starts:
            end = _add_months(start, size)
            for table in KEYED:
                which = [table.team_id == team_id]
                if table is SalesMonthlyCustomerRow:
                    which.append(table.category == ALL_CATEGORIES)
                    keys = [table.category, table.customer_id]
                else:
                    keys = [table.product_id]
                session.execute(
                    delete(table).where(*which, table.months == size, table.month == start)
                )
                query: Select[Any] = (
                    select(
                        table.team_id,
                        *keys,
                        literal(size).label("months"),
                        literal(start, Date).label("month"),
                        *(func.sum(getattr(table, name)).label(name) for name in MEASURES),
                    )
                    .where(
                        *which,
                        table.months == parts,
                        table.month >= start,
                        table.month < end,
                    )
                    .group_by(table.team_id, *keys)
                )
                session.execute(table.__table__.insert().from_select(_columns(query), query))


# -- the sums ------------------------------------------------------------------------------------


def _queries(
    session: Session,
    team_id: str,
    where: ColumnElement[bool],
    *,
    daily: bool = True,
    monthly: bool = True,
) -> list[tuple[Any, Select[Any]]]:
    """For each rollup, the SELECT that sums the chosen lines into its rows."""
    dialect = session.get_bind().dialect.name
    month = _month_expr(OrderLineRow.order_date, dialect)
    category = func.coalesce(ProductRow.category, "")
    rep = func.coalesce(OrderRow.rep_id, "")
    region = func.coalesce(OrderRow.region, "")
    team = literal(team_id)
    base = OrderLineRow.__table__.join(OrderRow, OrderRow.id == OrderLineRow.order_id).join(
        ProductRow, ProductRow.id == OrderLineRow.product_id
    )
    lines = and_(OrderLineRow.team_id == team_id, where)

    def summed(*keys: Any) -> Select[Any]:
        return select(*keys, *measures()).select_from(base).where(lines)

    queries: list[tuple[Any, Select[Any]]] = []
    if daily:
        day = OrderLineRow.order_date
        # (family, key, what the key adds to GROUP BY)
        families: tuple[tuple[str, Any, list[Any]], ...] = (
            ("", literal(""), []),
            ("rep", rep, [rep]),
            ("region", region, [region]),
        )
        for cat, by_category in ((category, [category]), (literal(ALL_CATEGORIES), [])):
            for dim, key, by_key in families:
                queries.append(
                    (
                        SalesDailyRow,
                        summed(
                            team.label("team_id"),
                            day.label("day"),
                            cat.label("category"),
                            literal(dim).label("dim"),
                            key.label("key"),
                        ).group_by(day, *by_category, *by_key),
                    )
                )
    if monthly:
        queries += [
            (
                SalesMonthlyProductRow,
                summed(
                    team.label("team_id"),
                    literal(1).label("months"),
                    month.label("month"),
                    OrderLineRow.product_id.label("product_id"),
                ).group_by(month, OrderLineRow.product_id),
            ),
            (
                SalesMonthlyCustomerRow,
                summed(
                    team.label("team_id"),
                    literal(1).label("months"),
                    month.label("month"),
                    OrderRow.customer_id.label("customer_id"),
                    category.label("category"),
                ).group_by(month, OrderRow.customer_id, category),
            ),
            (
                SalesMonthlyCustomerRow,
                summed(
                    team.label("team_id"),
                    literal(1).label("months"),
                    month.label("month"),
                    OrderRow.customer_id.label("customer_id"),
                    literal(ALL_CATEGORIES).label("category"),
                ).group_by(month, OrderRow.customer_id),
            ),
        ]
    return queries


def measures() -> list[Any]:
    has_cost = OrderLineRow.unit_cost.is_not(None)
    return [
        func.sum(OrderLineRow.line_total).label("revenue"),
        func.coalesce(
            func.sum(case((has_cost, OrderLineRow.quantity * OrderLineRow.unit_cost))), 0
        ).label("cost"),
        func.coalesce(func.sum(case((has_cost, OrderLineRow.line_total), else_=0)), 0).label(
            "covered_revenue"
        ),
        func.sum(OrderLineRow.quantity).label("units"),
        func.count().label("lines"),
        func.count(OrderLineRow.order_id.distinct()).label("orders"),
    ]


def _columns(query: Select[Any]) -> list[str]:
    return [column.name for column in query.selected_columns]


def _upsert_adding(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT that adds to the rows already there instead of failing on them: safe when two
    orders of the same day commit at once."""
    session.execute(_adding_statement(session.get_bind().dialect.name, table), rows)


@lru_cache(maxsize=16)
def _adding_statement(dialect: str, table: Any) -> Any:
    # Built once per table: SQLAlchemy then reuses the compiled statement for every order.
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table)
    keys = [column.name for column in table.__table__.primary_key.columns]
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: getattr(table, name) + statement.excluded[name] for name in MEASURES},
    )


def _month_expr(day: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return cast(func.date_trunc("month", day), Date)
    return func.date(day, "start of month")


def _in_month(day: Any, month: date) -> ColumnElement[bool]:
    return and_(day >= month, day < _add_months(month, 1))


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _chunks(values: list[date]) -> Iterable[list[date]]:
    for first in range(0, len(values), REFRESH_CHUNK):
        yield values[first : first + REFRESH_CHUNK]
