"""Sales sums for dashboards and reports, read from the rollups (storage/rollups.py).

Day, week, month, quarter, category, rep and region come from the daily rollup's rows. Product and
customer come from the monthly rollups for the calendar months inside the period, plus the
lines of the days left over at its edges — exact, and a few thousand rows at most.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from domain.metrics import Dimension, Period, Totals
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
        self, team_id: str, period: Period, category: str | None = None
    ) -> dict[int, Totals]:
        table = SalesMonthlyProductRow
        months, edges = period.full_months()
        found: dict[int, Totals] = {}
        if months:
            query = select(table.product_id.label("key"), *_sums(table)).where(
                table.team_id == team_id, table.month.in_(months)
            )
            if category is not None:
                query = query.join(ProductRow, ProductRow.id == table.product_id).where(
                    func.coalesce(ProductRow.category, "") == category
                )
            _merge(found, self._session.execute(query.group_by(table.product_id)))
        if edges:
            _merge(found, self._lines(team_id, edges, OrderLineRow.product_id, category))
        return found

    def by_customer(
        self, team_id: str, period: Period, category: str | None = None
    ) -> dict[int, Totals]:
        table = SalesMonthlyCustomerRow
        months, edges = period.full_months()
        found: dict[int, Totals] = {}
        if months:
            query = select(table.customer_id.label("key"), *_sums(table)).where(
                table.team_id == team_id,
                table.month.in_(months),
                table.category == (ALL_CATEGORIES if category is None else category),
            )
            _merge(found, self._session.execute(query.group_by(table.customer_id)))
        if edges:
            _merge(found, self._lines(team_id, edges, OrderRow.customer_id, category))
        return found

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

    def _lines(
        self, team_id: str, edges: list[tuple[date, date]], key: Any, category: str | None
    ) -> Any:
        """Sums straight from the lines of the edge days, grouped by `key`."""
        days = or_(*(OrderLineRow.order_date.between(first, last) for first, last in edges))
        query = (
            select(key.label("key"), *rollups.measures())
            .select_from(OrderLineRow)
            .join(OrderRow, OrderRow.id == OrderLineRow.order_id)
            .where(OrderLineRow.team_id == team_id, days)
        )
        if category is not None:
            query = query.join(ProductRow, ProductRow.id == OrderLineRow.product_id).where(
                func.coalesce(ProductRow.category, "") == category
            )
        return self._session.execute(query.group_by(key))


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


def _merge(found: dict[Any, Totals], rows: Any) -> None:
    for row in rows:
        found[row.key] = found.get(row.key, Totals()) + _totals(row)
