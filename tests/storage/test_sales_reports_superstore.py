"""After importing the Superstore file, the report sums read from the rollups equal an
independent computation with pandas over the CSV: periods across month and year
boundaries, single days, categories, regions, products and customers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest

from bot.services import Services
from domain.errors import ValidationFailed
from domain.metrics import Dimension, Metric, Period, Totals, growth
from domain.reports import Compare
from storage.engine import make_session_factory
from storage.importers import import_superstore
from storage.repositories.sales_reports import SqlSalesReportRepository

SUPERSTORE = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "superstore.csv"
TEAM = "T0STORE"
FOUR = Decimal("0.0001")
PERIODS = [
    Period(start=date(2017, 1, 1), end=date(2017, 12, 31)),  # a calendar year
    Period(start=date(2018, 11, 1), end=date(2018, 11, 30)),  # a month
    Period(start=date(2019, 10, 1), end=date(2019, 12, 31)),  # a quarter
    Period(start=date(2018, 12, 15), end=date(2019, 1, 20)),  # across a year boundary
    Period(start=date(2016, 2, 27), end=date(2016, 3, 2)),  # across a month end, leap year
    Period(start=date(2018, 9, 2), end=date(2018, 9, 2)),  # one day
    Period(start=date(2016, 1, 1), end=date(2019, 12, 31)),  # everything
    Period(start=date(2015, 1, 1), end=date(2015, 12, 31)),  # before the data: all zero
]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    data = pd.read_csv(SUPERSTORE, dtype=str, encoding="utf-8-sig")
    data["day"] = pd.to_datetime(data["Order Date"], format="%m/%d/%Y").dt.date
    data["sales"] = data["Sales"].map(Decimal)
    data["qty"] = data["Quantity"].astype(int)
    # The import's rule for a line's cost: unit cost = (sales − profit) / quantity, to 4
    # places half up; margin = sales − quantity × unit cost.
    unit = [
        ((s - Decimal(p)) / q).quantize(FOUR, ROUND_HALF_UP)
        for s, p, q in zip(data["sales"], data["Profit"], data["qty"], strict=True)
    ]
    data["cost"] = [u * q for u, q in zip(unit, data["qty"], strict=True)]
    return data


@pytest.fixture
def reports(services: Services) -> Iterator[SqlSalesReportRepository]:
    import_superstore(services, TEAM, SUPERSTORE)
    with make_session_factory(services.engine)() as session:
        yield SqlSalesReportRepository(session)


def pandas_totals(rows: pd.DataFrame) -> Totals:
    return Totals(
        revenue=sum(rows["sales"], Decimal(0)),
        cost=sum(rows["cost"], Decimal(0)),
        covered_revenue=sum(rows["sales"], Decimal(0)),
        units=int(rows["qty"].sum()),
        lines=len(rows),
        orders=rows["Order ID"].nunique(),
    )


def within(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    return frame[(frame["day"] >= period.start) & (frame["day"] <= period.end)]


def grouped(rows: pd.DataFrame, column: str) -> dict[str, Totals]:
    return {str(key): pandas_totals(group) for key, group in rows.groupby(column)}


def test_totals_and_kpis_match_pandas(
    reports: SqlSalesReportRepository, frame: pd.DataFrame
) -> None:
    for period in PERIODS:
        ours = reports.totals(TEAM, period)
        theirs = pandas_totals(within(frame, period))
        assert ours == theirs, period
        assert ours.aov == theirs.aov and ours.margin == theirs.margin
    for category in ("Furniture", "Office Supplies", "Technology"):
        for period in PERIODS[:4]:
            rows = within(frame, period)
            assert reports.totals(TEAM, period, category) == pandas_totals(
                rows[rows["Category"] == category]
            ), (category, period)


def test_days_categories_and_regions_match_pandas(
    reports: SqlSalesReportRepository, frame: pd.DataFrame
) -> None:
    period = PERIODS[3]
    rows = within(frame, period)
    assert reports.by_day(TEAM, period) == {
        day: pandas_totals(group) for day, group in rows.groupby("day")
    }
    for year in PERIODS[0], PERIODS[6]:
        rows = within(frame, year)
        assert reports.by_attribute(TEAM, year, Dimension.CATEGORY) == grouped(rows, "Category")
        assert reports.by_attribute(TEAM, year, Dimension.REGION) == grouped(rows, "Region")
        furniture = rows[rows["Category"] == "Furniture"]
        assert reports.by_attribute(TEAM, year, Dimension.REGION, "Furniture") == grouped(
            furniture, "Region"
        )
        # Superstore names no rep: every order falls under "".
        assert reports.by_attribute(TEAM, year, Dimension.REP) == {"": pandas_totals(rows)}


def test_products_and_customers_match_pandas_across_month_edges(
    reports: SqlSalesReportRepository, frame: pd.DataFrame
) -> None:
    for period in (
        PERIODS[3],
        PERIODS[0],  # one calendar year: its yearly rows alone
        PERIODS[4],
        PERIODS[2],  # one quarter
        PERIODS[6],  # four years
        # Months, a year, months, and days at both edges; months, quarters, months.
        Period(start=date(2016, 11, 15), end=date(2018, 2, 10)),
        Period(start=date(2017, 2, 15), end=date(2018, 11, 20)),
    ):
        rows = within(frame, period)
        products = reports.by_product(TEAM, period)
        labels = reports.product_labels(TEAM, list(products))
        # A Product ID with two names became two products (the second "<id>-2").
        ours = {(labels[pid][0][:15], labels[pid][1]): t for pid, t in products.items()}
        theirs = {
            key: pandas_totals(group) for key, group in rows.groupby(["Product ID", "Product Name"])
        }
        assert ours == theirs, period

        customers = reports.by_customer(TEAM, period)
        names = reports.customer_labels(TEAM, list(customers))
        assert {names[cid][1]: t for cid, t in customers.items()} == grouped(rows, "Customer Name")
        tech = rows[rows["Category"] == "Technology"]
        customers = reports.by_customer(TEAM, period, "Technology")
        names = reports.customer_labels(TEAM, list(customers))
        assert {names[cid][1]: t for cid, t in customers.items()} == grouped(tech, "Customer Name")
    assert reports.categories(TEAM) == ["Furniture", "Office Supplies", "Technology"]


def test_kpis_and_their_comparisons_match_pandas(services: Services, frame: pd.DataFrame) -> None:
    import_superstore(services, TEAM, SUPERSTORE)
    for period, category in (
        (Period(start=date(2019, 3, 1), end=date(2019, 3, 31)), None),
        (Period(start=date(2018, 12, 1), end=date(2019, 2, 28)), "furniture"),
        (Period(start=date(2016, 1, 1), end=date(2016, 1, 31)), None),  # nothing a year before
    ):
        kpis = services.reports.kpis(TEAM, period, category)
        rows = frame if category is None else frame[frame["Category"] == "Furniture"]
        now = pandas_totals(within(rows, period))
        before = pandas_totals(within(rows, period.previous()))
        year_ago = pandas_totals(within(rows, period.last_year()))
        assert (kpis.current, kpis.previous, kpis.year_ago) == (now, before, year_ago)
        for metric in Metric:
            expected = growth(now.value(metric), before.value(metric))
            assert kpis.change(metric) == expected
            assert kpis.change(metric, Compare.YOY) == growth(
                now.value(metric), year_ago.value(metric)
            )
        if category:
            assert kpis.category == "Furniture"  # as stored, whatever the case typed
    # January 2016 is the first month of data: growth against nothing is "n/a" (None).
    assert kpis.change(Metric.REVENUE, Compare.YOY) is None


def test_reports_with_comparisons_and_top_match_pandas(
    services: Services, frame: pd.DataFrame
) -> None:
    import_superstore(services, TEAM, SUPERSTORE)
    year = Period(start=date(2018, 1, 1), end=date(2018, 12, 31))
    report = services.reports.report(
        TEAM, Metric.REVENUE, Dimension.MONTH, year, compare=Compare.YOY
    )
    frame = frame.assign(month=[d.replace(day=1) for d in frame["day"]])
    by_month = {m: pandas_totals(g) for m, g in frame.groupby("month")}
    assert [row.key for row in report.rows] == [f"2018-{m:02d}-01" for m in range(1, 13)]
    for row in report.rows:
        month = date.fromisoformat(row.key)
        assert row.totals == by_month[month]
        assert row.compared == by_month[month.replace(year=2017)]
        assert row.change(Metric.REVENUE) == growth(
            by_month[month].revenue, by_month[month.replace(year=2017)].revenue
        )
    assert report.total == pandas_totals(within(frame, year))

    # Customers by orders across a month boundary, top 5, against the month before.
    period = Period(start=date(2019, 11, 10), end=date(2019, 12, 9))
    report = services.reports.report(
        TEAM, Metric.ORDERS, Dimension.CUSTOMER, period, compare=Compare.MOM, top=5
    )
    rows = within(frame, period)
    earlier = within(frame, period.month_before())
    theirs = grouped(rows, "Customer Name")
    ranked = sorted(theirs.items(), key=lambda kv: (-kv[1].orders, kv[0]))
    assert [r.totals.orders for r in report.rows] == [t.orders for _, t in ranked[:5]]
    before = grouped(earlier, "Customer Name")
    assert report.more == len(theirs) - 5
    for row in report.rows:
        name = row.label.rsplit(" (C-", 1)[0]
        assert row.totals == theirs[name]
        assert row.compared == before.get(name, Totals())

    # Top customers over a year (its yearly rows), against the year before; and by
    # margin in one category over a quarter and a half (monthly rows and days).
    for metric, period, category in (
        (Metric.REVENUE, Period(start=date(2018, 1, 1), end=date(2018, 12, 31)), None),
        (Metric.MARGIN, Period(start=date(2017, 5, 20), end=date(2017, 9, 30)), "Furniture"),
    ):
        report = services.reports.report(
            TEAM,
            metric,
            Dimension.CUSTOMER,
            period,
            compare=Compare.YOY,
            top=10,
            category=category,
        )
        rows = within(frame, period)
        earlier = within(frame, period.last_year())
        if category is not None:
            rows, earlier = (r[r["Category"] == category] for r in (rows, earlier))
        theirs = grouped(rows, "Customer Name")
        best = sorted(theirs.values(), key=lambda t: t.value(metric) or 0, reverse=True)
        assert [r.totals.value(metric) for r in report.rows] == [t.value(metric) for t in best[:10]]
        assert report.more == len(theirs) - 10
        before = grouped(earlier, "Customer Name")
        for row in report.rows:
            name = row.label.rsplit(" (C-", 1)[0]
            assert row.totals == theirs[name]
            assert row.compared == before.get(name, Totals())

    with pytest.raises(ValidationFailed) as refused:
        services.reports.report(TEAM, Metric.REVENUE, Dimension.PRODUCT, year, category="Nope")
    assert "Furniture, Office Supplies, Technology" in refused.value.errors["category"]


def test_top_products_ranked_in_the_database_match_pandas(
    services: Services, frame: pd.DataFrame
) -> None:
    import_superstore(services, TEAM, SUPERSTORE)
    period = Period(start=date(2018, 10, 15), end=date(2019, 2, 10))
    for metric, column in ((Metric.REVENUE, "revenue"), (Metric.UNITS, "units")):
        report = services.reports.report(
            TEAM,
            metric,
            Dimension.PRODUCT,
            period,
            compare=Compare.YOY,
            top=10,
            category="Technology",
        )
        rows = within(frame, period)
        tech = rows[rows["Category"] == "Technology"]
        theirs = {key: pandas_totals(g) for key, g in tech.groupby(["Product ID", "Product Name"])}
        ranked = sorted(theirs.values(), key=lambda t: getattr(t, column), reverse=True)
        assert [getattr(r.totals, column) for r in report.rows] == [
            getattr(t, column) for t in ranked[:10]
        ]
        assert report.more == len(theirs) - 10
        earlier = within(frame, period.last_year())
        earlier = earlier[earlier["Category"] == "Technology"]
        before = {
            key: pandas_totals(g) for key, g in earlier.groupby(["Product ID", "Product Name"])
        }
        for row in report.rows:
            sku, name = row.label.split(" · ", 1)
            assert row.totals == theirs[(sku[:15], name)]
            assert row.compared == before.get((sku[:15], name), Totals())
