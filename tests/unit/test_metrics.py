"""The metric definitions of docs/metrics.md, on hand-worked examples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.metrics import Dimension, Metric, Period, Totals, bucket_start, growth


def period(a: str, b: str) -> Period:
    return Period(start=date.fromisoformat(a), end=date.fromisoformat(b))


def test_comparison_periods() -> None:
    march = period("2024-03-01", "2024-03-31")
    assert march.days == 31
    assert march.previous() == period("2024-01-30", "2024-02-29")  # equal length, just before
    assert march.month_before() == period("2024-02-01", "2024-02-29")  # clamped to February
    assert period("2024-02-29", "2024-02-29").last_year() == period("2023-02-28", "2023-02-28")
    assert period("2025-01-01", "2025-01-07").previous() == period("2024-12-25", "2024-12-31")


def test_full_months_and_the_days_left_at_the_edges() -> None:
    assert period("2024-01-15", "2024-04-10").full_months() == (
        [date(2024, 2, 1), date(2024, 3, 1)],
        [(date(2024, 1, 15), date(2024, 1, 31)), (date(2024, 4, 1), date(2024, 4, 10))],
    )
    assert period("2024-02-01", "2024-02-29").full_months() == ([date(2024, 2, 1)], [])
    assert period("2024-02-03", "2024-02-20").full_months() == (
        [],
        [(date(2024, 2, 3), date(2024, 2, 20))],
    )
    assert period("2023-12-01", "2024-01-31").full_months() == (
        [date(2023, 12, 1), date(2024, 1, 1)],
        [],
    )


def test_kpis_from_totals() -> None:
    totals = Totals(
        revenue=Decimal("1000.0000"),
        cost=Decimal("450.5000"),
        covered_revenue=Decimal("800.0000"),
        units=12,
        lines=5,
        orders=3,
    )
    assert totals.aov == Decimal("333.3333")
    assert totals.margin == Decimal("349.5000")  # over the 80 % of revenue that has a cost
    assert totals.coverage == Decimal("0.8000")
    assert totals.value(Metric.UNITS) == 12
    assert Totals().aov is None and Totals().coverage is None
    assert (totals + totals).orders == 6


def test_growth_is_na_against_zero() -> None:
    assert growth(Decimal(150), Decimal(100)) == Decimal("0.5000")
    assert growth(50, 100) == Decimal("-0.5000")
    assert growth(Decimal(5), Decimal(0)) is None
    assert growth(None, 3) is None
    assert growth(0, 0) is None


def test_buckets() -> None:
    sunday = date(2024, 3, 10)
    assert bucket_start(sunday, Dimension.WEEK) == date(2024, 3, 4)  # ISO weeks start Monday
    assert bucket_start(sunday, Dimension.MONTH) == date(2024, 3, 1)
    assert bucket_start(date(2024, 12, 31), Dimension.QUARTER) == date(2024, 10, 1)
    assert bucket_start(sunday, Dimension.DAY) == sunday
