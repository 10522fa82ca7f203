"""What the sales numbers mean (docs/metrics.md): periods, totals, KPIs, buckets and growth.

Every dashboard, report, digest and App Home figure is computed from `Totals` with these
definitions, so the same words always mean the same numbers.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

QUANTUM = Decimal("0.0001")
RATE_QUANTUM = Decimal("0.0001")  # growth and coverage as fractions: 0.1234 = 12.34 %


class Metric(StrEnum):
    REVENUE = "revenue"
    ORDERS = "orders"
    UNITS = "units"
    AOV = "aov"
    MARGIN = "margin"


class Dimension(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    CATEGORY = "category"
    PRODUCT = "product"
    CUSTOMER = "customer"
    REP = "rep"
    REGION = "region"

    @property
    def is_time(self) -> bool:
        return self in TIME_DIMENSIONS


TIME_DIMENSIONS = frozenset({Dimension.DAY, Dimension.WEEK, Dimension.MONTH, Dimension.QUARTER})


class Period(BaseModel):
    """Days from `start` to `end`, both included, in the workspace's timezone."""

    model_config = ConfigDict(frozen=True)

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one."""
        end = self.start - timedelta(days=1)
        return Period(start=end - timedelta(days=self.days - 1), end=end)

    def last_year(self) -> Period:
        """The same dates a year earlier (29 February becomes the 28th)."""
        return Period(start=years_before(self.start, 1), end=years_before(self.end, 1))

    def month_before(self) -> Period:
        """The same days of the month a month earlier (clamped to that month's length)."""
        return Period(start=months_before(self.start, 1), end=months_before(self.end, 1))

    def full_months(self) -> tuple[list[date], list[tuple[date, date]]]:
        """The calendar months lying wholly inside (their first days), and the day ranges
        left over at either edge — how monthly rollups and lines combine exactly."""
        months: list[date] = []
        edges: list[tuple[date, date]] = []
        first_full = self.start if self.start.day == 1 else next_month(self.start)
        cursor = first_full
        while next_month(cursor) - timedelta(days=1) <= self.end:
            months.append(cursor)
            cursor = next_month(cursor)
        if not months:
            return [], [(self.start, self.end)]
        if self.start < months[0]:
            edges.append((self.start, months[0] - timedelta(days=1)))
        if cursor <= self.end:
            edges.append((cursor, self.end))
        return months, edges


class Totals(BaseModel):
    """Sums over order lines; the KPIs follow from them."""

    model_config = ConfigDict(frozen=True)

    revenue: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)  # of the lines whose product had a cost
    covered_revenue: Decimal = Decimal(0)  # revenue of those same lines
    units: int = 0
    lines: int = 0
    orders: int = 0

    def __add__(self, other: Totals) -> Totals:
        """Sums of disjoint groups (orders too: an order lies in one day and one group)."""
        return Totals(
            revenue=self.revenue + other.revenue,
            cost=self.cost + other.cost,
            covered_revenue=self.covered_revenue + other.covered_revenue,
            units=self.units + other.units,
            lines=self.lines + other.lines,
            orders=self.orders + other.orders,
        )

    @property
    def aov(self) -> Decimal | None:
        """Average order value: revenue / orders; None without orders."""
        if not self.orders:
            return None
        return (self.revenue / self.orders).quantize(QUANTUM, ROUND_HALF_UP)

    @property
    def margin(self) -> Decimal:
        """Gross margin over the lines whose product has a cost."""
        return self.covered_revenue - self.cost

    @property
    def coverage(self) -> Decimal | None:
        """The share of revenue the margin is computed over; None without revenue."""
        if not self.revenue:
            return None
        return (self.covered_revenue / self.revenue).quantize(RATE_QUANTUM, ROUND_HALF_UP)

    def value(self, metric: Metric) -> Decimal | int | None:
        values: dict[Metric, Decimal | int | None] = {
            Metric.REVENUE: self.revenue,
            Metric.ORDERS: self.orders,
            Metric.UNITS: self.units,
            Metric.AOV: self.aov,
            Metric.MARGIN: self.margin,
        }
        return values[metric]


def growth(current: Decimal | int | None, previous: Decimal | int | None) -> Decimal | None:
    """(current − previous) / previous as a fraction; None ("n/a") when previous is 0 or
    either value is missing."""
    if current is None or previous is None or previous == 0:
        return None
    change = (Decimal(current) - Decimal(previous)) / Decimal(previous)
    return change.quantize(RATE_QUANTUM, ROUND_HALF_UP)


def bucket_start(day: date, dimension: Dimension) -> date:
    """The first day of the bucket holding `day`: weeks start on Monday (ISO)."""
    if dimension is Dimension.DAY:
        return day
    if dimension is Dimension.WEEK:
        return day - timedelta(days=day.weekday())
    if dimension is Dimension.MONTH:
        return day.replace(day=1)
    if dimension is Dimension.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"{dimension} is not a time dimension")


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    first = date(year, month + 1, 1)
    last = (next_month(first) - timedelta(days=1)).day
    return first.replace(day=min(day.day, last))


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
