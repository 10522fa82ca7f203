"""Dashboards and reports: KPIs with their comparisons, and a metric broken down by a
dimension, computed with the definitions of domain/metrics.py over storage's sums."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict

from domain.errors import ValidationFailed
from domain.metrics import (
    Dimension,
    Metric,
    Period,
    Totals,
    bucket_start,
    growth,
    next_month,
)
from domain.text import fold

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWork, UnitOfWorkFactory

NO_VALUE = ""  # an order without a rep or region, a product without a category


class Compare(StrEnum):
    MOM = "mom"
    YOY = "yoy"


class SalesReportRepository(Protocol):
    """Sums over orders for a workspace (storage/repositories/sales_reports.py)."""

    def refresh_if_dirty(self, team_id: str) -> int: ...
    def totals(self, team_id: str, period: Period, category: str | None = None) -> Totals: ...
    def by_day(
        self, team_id: str, period: Period, category: str | None = None
    ) -> dict[date, Totals]: ...
    def by_attribute(
        self, team_id: str, period: Period, dimension: Dimension, category: str | None = None
    ) -> dict[str, Totals]: ...
    def by_product(
        self,
        team_id: str,
        period: Period,
        category: str | None = None,
        *,
        only: list[int] | None = None,
    ) -> dict[int, Totals]: ...
    def by_customer(
        self,
        team_id: str,
        period: Period,
        category: str | None = None,
        *,
        only: list[int] | None = None,
    ) -> dict[int, Totals]: ...
    def top(
        self,
        team_id: str,
        period: Period,
        dimension: Dimension,
        metric: Metric,
        limit: int,
        category: str | None = None,
    ) -> tuple[list[tuple[int, Totals]], int]: ...
    def categories(self, team_id: str) -> list[str]: ...
    def product_labels(self, team_id: str, ids: list[int]) -> dict[int, tuple[str, str]]: ...
    def customer_labels(self, team_id: str, ids: list[int]) -> dict[int, tuple[int, str]]: ...


class Kpis(BaseModel):
    """A period's totals beside the previous period of equal length and the same period
    a year earlier."""

    model_config = ConfigDict(frozen=True)

    period: Period
    category: str | None = None
    current: Totals
    previous: Totals
    year_ago: Totals

    def change(self, metric: Metric, against: Compare | str = "previous") -> Decimal | None:
        other = self.year_ago if against == Compare.YOY else self.previous
        return growth(self.current.value(metric), other.value(metric))


class ReportRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str  # "2026-03-01", "Furniture", "C-12", "U0ALICE"
    label: str
    totals: Totals
    compared: Totals | None = None  # the same row in the comparison period

    def value(self, metric: Metric) -> Decimal | int | None:
        return self.totals.value(metric)

    def change(self, metric: Metric) -> Decimal | None:
        if self.compared is None:
            return None
        return growth(self.totals.value(metric), self.compared.value(metric))


class Report(BaseModel):
    model_config = ConfigDict(frozen=True)

    metric: Metric
    dimension: Dimension
    period: Period
    category: str | None = None
    compare: Compare | None = None
    compare_period: Period | None = None
    rows: list[ReportRow]
    total: Totals
    more: int = 0  # rows left out by `top`


class ReportService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def categories(self, team_id: str) -> list[str]:
        with self._uow_factory() as uow:
            return uow.sales_reports.categories(team_id)

    def kpis(self, team_id: str, period: Period, category: str | None = None) -> Kpis:
        with self._uow_factory() as uow:
            self._fresh(uow, team_id)
            category = self._category(uow, team_id, category)
            sums = uow.sales_reports
            return Kpis(
                period=period,
                category=category,
                current=sums.totals(team_id, period, category),
                previous=sums.totals(team_id, period.previous(), category),
                year_ago=sums.totals(team_id, period.last_year(), category),
            )

    def report(
        self,
        team_id: str,
        metric: Metric,
        dimension: Dimension,
        period: Period,
        *,
        compare: Compare | None = None,
        top: int | None = None,
        category: str | None = None,
    ) -> Report:
        """`metric` by `dimension` over the period: time buckets in order, anything else
        largest first (cut to `top`), each row beside the comparison period's when asked."""
        compare_period = None
        if compare is Compare.MOM:
            compare_period = period.month_before()
        elif compare is Compare.YOY:
            compare_period = period.last_year()
        with self._uow_factory() as uow:
            self._fresh(uow, team_id)
            category = self._category(uow, team_id, category)
            total = uow.sales_reports.totals(team_id, period, category)
            if top is not None and dimension in (Dimension.PRODUCT, Dimension.CUSTOMER):
                # Thousands of products or customers: rank in the database, read the top.
                rows, more = self._top(
                    uow, team_id, metric, dimension, period, compare_period, top, category
                )
                return Report(
                    metric=metric,
                    dimension=dimension,
                    period=period,
                    category=category,
                    compare=compare,
                    compare_period=compare_period,
                    rows=self._labelled(uow, team_id, dimension, rows),
                    total=total,
                    more=more,
                )
            rows = self._rows(uow, team_id, dimension, period, category)
            if compare_period is not None:
                before = self._rows(uow, team_id, dimension, compare_period, category)
                rows = _paired(rows, before, dimension.is_time)
            more = 0
            if not dimension.is_time:
                rows.sort(key=lambda row: (-_sortable(row.value(metric)), row.label))
                if top is not None and len(rows) > top:
                    rows, more = rows[:top], len(rows) - top
            elif top is not None and len(rows) > top:
                rows, more = rows[-top:], len(rows) - top  # the latest buckets
            rows = self._labelled(uow, team_id, dimension, rows)
        return Report(
            metric=metric,
            dimension=dimension,
            period=period,
            category=category,
            compare=compare,
            compare_period=compare_period,
            rows=rows,
            total=total,
            more=more,
        )

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _fresh(uow: UnitOfWork, team_id: str) -> None:
        if uow.sales_reports.refresh_if_dirty(team_id):
            uow.commit()

    @staticmethod
    def _category(uow: UnitOfWork, team_id: str, category: str | None) -> str | None:
        """The stored spelling of the category asked for; ValidationFailed lists them."""
        if category is None:
            return None
        known: list[str] = uow.sales_reports.categories(team_id)
        for name in known:
            if fold(name) == fold(category):
                return name
        listed = ", ".join(known) if known else "none yet (products have no category)"
        raise ValidationFailed(
            {"category": f"There is no category “{category.strip()[:40]}”. Categories: {listed}."}
        )

    @staticmethod
    def _rows(
        uow: UnitOfWork, team_id: str, dimension: Dimension, period: Period, category: str | None
    ) -> list[ReportRow]:
        sums = uow.sales_reports
        if dimension.is_time:
            buckets: dict[date, Totals] = {}
            for day, totals in sorted(sums.by_day(team_id, period, category).items()):
                start = bucket_start(day, dimension)
                buckets[start] = buckets.get(start, Totals()) + totals
            # Every bucket of the period appears, empty ones too, so charts show the gaps.
            every: list[date] = []
            cursor = period.start
            while cursor <= period.end:
                start = bucket_start(cursor, dimension)
                if not every or every[-1] != start:
                    every.append(start)
                cursor = _next_bucket(start, dimension)
            return [
                ReportRow(
                    key=start.isoformat(),
                    label=start.isoformat(),
                    totals=buckets.get(start, Totals()),
                )
                for start in every
            ]
        found: dict[int, Totals] | dict[str, Totals]
        if dimension is Dimension.PRODUCT:
            found = sums.by_product(team_id, period, category)
        elif dimension is Dimension.CUSTOMER:
            found = sums.by_customer(team_id, period, category)
        else:
            found = sums.by_attribute(team_id, period, dimension, category)
        return [ReportRow(key=str(key), label=str(key), totals=t) for key, t in found.items()]

    @staticmethod
    def _top(
        uow: UnitOfWork,
        team_id: str,
        metric: Metric,
        dimension: Dimension,
        period: Period,
        compare_period: Period | None,
        top: int,
        category: str | None,
    ) -> tuple[list[ReportRow], int]:
        sums = uow.sales_reports
        ranked, count = sums.top(team_id, period, dimension, metric, top, category)
        earlier: dict[int, Totals] = {}
        if compare_period is not None and ranked:
            read = sums.by_product if dimension is Dimension.PRODUCT else sums.by_customer
            earlier = read(team_id, compare_period, category, only=[key for key, _ in ranked])
        rows = [
            ReportRow(
                key=str(key),
                label=str(key),
                totals=totals,
                compared=earlier.get(key, Totals()) if compare_period is not None else None,
            )
            for key, totals in ranked
        ]
        return rows, max(count - len(rows), 0)

    @staticmethod
    def _labelled(
        uow: UnitOfWork, team_id: str, dimension: Dimension, rows: list[ReportRow]
    ) -> list[ReportRow]:
        sums = uow.sales_reports
        if dimension is Dimension.PRODUCT:
            names = sums.product_labels(team_id, [int(r.key) for r in rows])
            return [
                r.model_copy(update={"label": " · ".join(names.get(int(r.key), ("?", "?")))})
                for r in rows
            ]
        if dimension is Dimension.CUSTOMER:
            people = sums.customer_labels(team_id, [int(r.key) for r in rows])
            labelled = []
            for r in rows:
                number, name = people.get(int(r.key), (0, "?"))
                labelled.append(r.model_copy(update={"label": f"{name} (C-{number})"}))
            return labelled
        if dimension in (Dimension.CATEGORY, Dimension.REGION, Dimension.REP):
            none = {"category": "(no category)", "region": "(no region)", "rep": "(no rep)"}
            return [
                r if r.key != NO_VALUE else r.model_copy(update={"label": none[dimension.value]})
                for r in rows
            ]
        return rows


def _paired(rows: list[ReportRow], before: list[ReportRow], by_position: bool) -> list[ReportRow]:
    """Each row with its counterpart: time buckets by position (the i-th bucket of each
    period), anything else by key; rows only in the comparison period are listed too."""
    if by_position:
        return [
            row.model_copy(update={"compared": before[i].totals if i < len(before) else None})
            for i, row in enumerate(rows)
        ]
    earlier = {row.key: row.totals for row in before}
    paired = [row.model_copy(update={"compared": earlier.pop(row.key, Totals())}) for row in rows]
    paired += [ReportRow(key=k, label=k, totals=Totals(), compared=t) for k, t in earlier.items()]
    return paired


def _next_bucket(start: date, dimension: Dimension) -> date:
    if dimension is Dimension.DAY:
        return start + timedelta(days=1)
    if dimension is Dimension.WEEK:
        return start + timedelta(days=7)
    if dimension is Dimension.MONTH:
        return next_month(start)
    return next_month(next_month(next_month(start)))


def _sortable(value: Decimal | int | None) -> Decimal:
    return Decimal(value) if value is not None else Decimal("-Infinity")
