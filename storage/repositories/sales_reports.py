"""Sales sums for dashboards and reports, read from the rollups (storage/rollups.py).

Day, week, month, quarter, category, rep and region come from the daily rollup's rows. Product and
customer come from the product and customer rollups for the calendar years, quarters and
months inside the period, plus the lines of the days left over at its edges — exact, and
about one row per product or customer for a calendar year or quarter.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, select, union_all
from sqlalchemy.orm import Session

from domain.metrics import Dimension, Metric, Period, Totals
from storage import rollups
from storage.orm import (
    ALL_CATEGORIES,
    CustomerRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SalesDailyRow,
    SalesDirtyDayRow,
    SalesMonthlyCustomerRow,
    SalesMonthlyProductRow,
)

_FAMILIES = {Dimension.CATEGORY: "", Dimension.REP: "rep", Dimension.REGION: "region"}


class SqlSalesReportRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def refresh_if_dirty(self, team_id: str) -> int:
        """Bring days written in bulk up to date; how many were refreshed (0: none dirty)."""
        dirty = self._session.scalar(
            select(SalesDirtyDayRow.day).where(SalesDirtyDayRow.team_id == team_id).limit(1)
        )
        return rollups.refresh_dirty(self._session, team_id) if dirty is not None else 0

    def totals(self, team_id: str, period: Period, category: str | None = None) -> Totals:
        row = self._session.execute(
            select(*_sums(SalesDailyRow)).where(*_daily(team_id, period, category))
        ).one()
        return _totals(row)

    def by_day(
        self, team_id: str, period: Period, category: str | None = None
    ) -> dict[date, Totals]:
        rows = self._session.execute(
            select(SalesDailyRow.day, *_sums(SalesDailyRow))
            .where(*_daily(team_id, period, category))
            .group_by(SalesDailyRow.day)
        )
        return {row.day: _totals(row) for row in rows}

    def by_attribute(
        self, team_id: str, period: Period, dimension: Dimension, category: str | None = None
    ) -> dict[str, Totals]:
        """Per category, rep or region ("" where the order had none)."""
        where = _daily(team_id, period, category, family=_FAMILIES[dimension])
        key = SalesDailyRow.key
        if dimension is Dimension.CATEGORY:
            key = SalesDailyRow.category
            if category is None:
                where = [*where[:-1], SalesDailyRow.category != ALL_CATEGORIES]
        rows = self._session.execute(
            select(key.label("key"), *_sums(SalesDailyRow)).where(*where).group_by(key)
        )
        return {row.key: _totals(row) for row in rows}

    def by_product(
        self,
        team_id: str,
        period: Period,
        category: str | None = None,
        *,
        only: list[int] | None = None,
    ) -> dict[int, Totals]:
        query = self._keyed(team_id, period, Dimension.PRODUCT, category, only)
        return {row.key: _totals(row) for row in self._session.execute(query)}

    def by_customer(
        self,
        team_id: str,
        period: Period,
        category: str | None = None,
        *,
        only: list[int] | None = None,
    ) -> dict[int, Totals]:
        query = self._keyed(team_id, period, Dimension.CUSTOMER, category, only)
        return {row.key: _totals(row) for row in self._session.execute(query)}

    def top(
        self,
        team_id: str,
        period: Period,
        dimension: Dimension,
        metric: Metric,
        limit: int,
        category: str | None = None,
    ) -> tuple[list[tuple[int, Totals]], int]:
        """The `limit` products or customers first by `metric` (ties by id), ranked in the
        database, and how many had sales in all (counted in the same statement)."""
        summed = self._keyed(team_id, period, dimension, category, None).subquery()
        c = summed.c
        order = {
            Metric.REVENUE: c.revenue,
            Metric.ORDERS: c.orders,
            Metric.UNITS: c.units,
            Metric.MARGIN: c.covered_revenue - c.cost,
            Metric.AOV: c.revenue / func.nullif(c.orders, 0),
        }[metric]
        if limit <= 0:
            count = self._session.scalar(select(func.count()).select_from(summed)) or 0
            return [], int(count)
        rows = self._session.execute(
            select(summed, func.count().over().label("counted"))
            .order_by(order.desc(), c.key)
            .limit(limit)
        ).all()
        count = rows[0].counted if rows else 0
        return [(row.key, _totals(row)) for row in rows], int(count)

    def _keyed(
        self,
        team_id: str,
        period: Period,
        dimension: Dimension,
        category: str | None,
        only: list[int] | None,
    ) -> Any:
        """One SELECT of the sums per product or customer over the period: the rollup's
        calendar years, quarters and months inside it plus the lines of the days at its
        edges."""
        # Quarterly and yearly rows exist for products, and for customers across categories.
        coarse = dimension is Dimension.PRODUCT or category is None
        spans, edges = _spans(period, (12, 3, 1) if coarse else (1,))
        parts: list[Any] = []
        if dimension is Dimension.PRODUCT:
            table: Any = SalesMonthlyProductRow
            key = table.product_id
            where = [table.team_id == team_id]
        else:
            table = SalesMonthlyCustomerRow
            key = table.customer_id
            where = [
                table.team_id == team_id,
                table.category == (ALL_CATEGORIES if category is None else category),
            ]
        for months, starts in spans.items():
            rolled = select(key.label("key"), *(getattr(table, m) for m in rollups.MEASURES))
            rolled = rolled.where(
                *where,
                table.months == months,
                table.month == starts[0] if len(starts) == 1 else table.month.in_(starts),
            )
            if dimension is Dimension.PRODUCT and category is not None:
                rolled = rolled.join(ProductRow, ProductRow.id == table.product_id).where(
                    func.coalesce(ProductRow.category, "") == category
                )
            if only is not None:
                rolled = rolled.where(key.in_(only))
            parts.append(rolled)
        if len(parts) == 1 and not edges and sum(len(s) for s in spans.values()) == 1:
            return parts[0]  # one row per key already: one calendar year, quarter or month
        for first, last in edges:
            parts.append(_edge_lines(team_id, dimension, first, last, category, only))
        both: Any = parts[0] if len(parts) == 1 else union_all(*parts)
        summed = both.subquery()
        # Orders add up across the parts: an order lies in one day, so in one part.
        return select(
            summed.c.key, *(func.sum(summed.c[name]).label(name) for name in rollups.MEASURES)
        ).group_by(summed.c.key)

    def categories(self, team_id: str) -> list[str]:
        """The product categories that exist, in order (for "category:" filters)."""
        return list(
            self._session.scalars(
                select(ProductRow.category)
                .where(ProductRow.team_id == team_id, ProductRow.category.is_not(None))
                .distinct()
                .order_by(ProductRow.category)
            )
        )

    def product_labels(self, team_id: str, ids: list[int]) -> dict[int, tuple[str, str]]:
        rows = self._session.execute(
            select(ProductRow.id, ProductRow.sku, ProductRow.name).where(
                ProductRow.team_id == team_id, ProductRow.id.in_(ids)
            )
        )
        return {row.id: (row.sku, row.name) for row in rows}

    def customer_labels(self, team_id: str, ids: list[int]) -> dict[int, tuple[int, str]]:
        rows = self._session.execute(
            select(CustomerRow.id, CustomerRow.number, CustomerRow.name).where(
                CustomerRow.team_id == team_id, CustomerRow.id.in_(ids)
            )
        )
        return {row.id: (row.number, row.name) for row in rows}


def _spans(
    period: Period, sizes: tuple[int, ...]
) -> tuple[dict[int, list[date]], list[tuple[date, date]]]:
    """The calendar years, quarters and months (as `sizes` allows) lying wholly inside the
    period, by months per span, their first days; the longest spans first, so the fewest
    rows; and the day ranges left at its edges."""
    months, edges = period.full_months()
    spans: dict[int, list[date]] = {}
    at = 0
    while at < len(months):
        start = months[at]
        for size in sizes:  # months are consecutive: the span lies inside if it fits
            if (start.month - 1) % size == 0 and at + size <= len(months):
                spans.setdefault(size, []).append(start)
                at += size
                break
    return spans, edges


def _edge_lines(
    team_id: str,
    dimension: Dimension,
    first: date,
    last: date,
    category: str | None,
    only: list[int] | None,
) -> Any:
    """The sums per product or customer of the lines dated first..last."""
    if dimension is Dimension.PRODUCT:
        line_key: Any = OrderLineRow.product_id
        lines = select(line_key.label("key"), *rollups.measures()).where(
            OrderLineRow.team_id == team_id, OrderLineRow.order_date.between(first, last)
        )
    else:
        # The customer is on the order. A line's date is its order's (copied when written):
        # the condition on the orders' date lets the database start from the orders of a
        # few customers (`only`) or of those days, whichever is fewer.
        line_key = OrderRow.customer_id
        lines = (
            select(line_key.label("key"), *rollups.measures())
            .select_from(OrderRow)
            .join(OrderLineRow, OrderLineRow.order_id == OrderRow.id)
            .where(
                OrderRow.team_id == team_id,
                OrderRow.order_date.between(first, last),
                OrderLineRow.team_id == team_id,
                OrderLineRow.order_date.between(first, last),
            )
        )
    if category is not None:
        lines = lines.join(ProductRow, ProductRow.id == OrderLineRow.product_id).where(
            func.coalesce(ProductRow.category, "") == category
        )
    if only is not None:
        lines = lines.where(line_key.in_(only))
    return lines.group_by(line_key)


def _daily(team_id: str, period: Period, category: str | None, *, family: str = "") -> list[Any]:
    """Rows of one family (the day's totals by default); the category condition last."""
    return [
        SalesDailyRow.team_id == team_id,
        and_(SalesDailyRow.day >= period.start, SalesDailyRow.day <= period.end),
        SalesDailyRow.dim == family,
        SalesDailyRow.category == (ALL_CATEGORIES if category is None else category),
    ]


def _sums(table: Any) -> list[Any]:
    return [func.sum(getattr(table, name)).label(name) for name in rollups.MEASURES]


def _totals(row: Any) -> Totals:
    return Totals(
        revenue=row.revenue or 0,
        cost=row.cost or 0,
        covered_revenue=row.covered_revenue or 0,
        units=row.units or 0,
        lines=row.lines or 0,
        orders=row.orders or 0,
    )
