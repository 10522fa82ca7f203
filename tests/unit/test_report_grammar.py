"""What people type after /sales report: metric, dimension, period, options, and the errors
that name the wrong word and list what is valid. Today is Friday 27 November 2026."""

from __future__ import annotations

from datetime import date

import pytest

from commands.sales.report_grammar import ReportGrammarError, ReportRequest, read_report
from domain.metrics import Dimension, Metric, Period
from domain.reports import Compare

TODAY = date(2026, 11, 27)


def read(text: str) -> ReportRequest:
    return read_report(text.split(), TODAY)


def refused(text: str) -> str:
    with pytest.raises(ReportGrammarError) as caught:
        read(text)
    return str(caught.value)


def test_metric_by_dimension_defaults_to_this_month_to_date() -> None:
    request = read("revenue by customer")
    assert (request.metric, request.dimension) == (Metric.REVENUE, Dimension.CUSTOMER)
    assert request.period.period == Period(start=date(2026, 11, 1), end=TODAY)
    assert request.period.label == "November 2026 to date"
    assert (request.category, request.compare, request.top, request.csv) == (
        None,
        None,
        None,
        False,
    )


@pytest.mark.parametrize(
    ("dimension", "start"),
    [
        ("day", date(2026, 11, 1)),
        ("week", date(2026, 10, 1)),  # this quarter
        ("month", date(2026, 1, 1)),  # this year
        ("quarter", date(2026, 1, 1)),
        ("region", date(2026, 11, 1)),
    ],
)
def test_time_buckets_default_to_a_period_holding_several(dimension: str, start: date) -> None:
    assert read(f"orders by {dimension}").period.period == Period(start=start, end=TODAY)


def test_every_option_in_any_order() -> None:
    request = read("Margin by PRODUCT top:5 2025-Q3 csv compare:YOY category:office supplies")
    assert request.metric is Metric.MARGIN and request.dimension is Dimension.PRODUCT
    assert request.period.period == Period(start=date(2025, 7, 1), end=date(2025, 9, 30))
    assert request.compare is Compare.YOY and request.top == 5 and request.csv
    assert request.category == "office supplies"


def test_a_category_with_spaces_before_by_keeps_its_own_words() -> None:
    request = read("revenue category:Office Supplies by month 2025")
    assert request.category == "Office Supplies" and request.dimension is Dimension.MONTH
    assert request.period.label == "2025"


@pytest.mark.parametrize(
    ("typed", "metric", "dimension"),
    [
        ("sales by customers", Metric.REVENUE, Dimension.CUSTOMER),
        ("units by:category", Metric.UNITS, Dimension.CATEGORY),
        ("aov by weeks", Metric.AOV, Dimension.WEEK),
        ("profit by regions", Metric.MARGIN, Dimension.REGION),
        ("ORDERS BY REP", Metric.ORDERS, Dimension.REP),
    ],
)
def test_plurals_and_common_names(typed: str, metric: Metric, dimension: Dimension) -> None:
    request = read(typed)
    assert (request.metric, request.dimension) == (metric, dimension)


@pytest.mark.parametrize(
    "typed",
    [
        "revenue by month",
        "orders by customer last-month compare:mom top:10 csv",
        "units by product 2025-01-01..2025-03-31 category:Office Supplies",
        "aov by week 30d compare:yoy",
    ],
)
def test_the_normal_form_reads_back_to_the_same_request(typed: str) -> None:
    request = read(typed)
    again = read(request.text())
    assert again == request
    assert again.text() == request.text()


def test_normal_form_spells_everything_out() -> None:
    request = read("sales by:customers top:3 lastmonth category:Furniture compare:mom csv")
    assert (
        request.text() == "revenue by customer last-month compare:mom top:3 csv category:Furniture"
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", "Say what to report, like `revenue by month`"),
        ("turnover by month", "“turnover” is not a measure: use revenue, orders, units, aov"),
        ("by month", "Say what to measure: revenue, orders, units, aov, margin"),
        ("month", "Say what to measure first, then `by month`"),
        ("revenue month", "Say what to break revenue down by, with `by`: day, week, month"),
        ("revenue", "Say what to break revenue down by"),
        ("revenue by", "Say what to break it down by after `by`"),
        ("revenue by colour", "“colour” is not something to break a report down by: use day,"),
        ("revenue by month by customer", "one `by <dimension>`"),
        ("revenue by month 2025-13", "“2025-13” is not a month: months run from 01 to 12"),
        ("revenue by month compare:xyz", "“compare:xyz” is not a comparison: use `compare:mom`"),
        ("revenue by month compare:mom compare:yoy", "Compare with one period"),
        ("revenue by customer top:0", "“top:0” is not a count: use a whole number from 1 to 100"),
        ("revenue by customer top:abc", "“top:abc” is not a count"),
        ("revenue by customer top:101", "from 1 to 100"),
        ("revenue by customer top:-3", "“top:-3” is not a count"),
        ("revenue by customer top:5 top:6", "Give one `top:N`"),
        ("revenue by customer 2025 2024", "One period at a time"),
        ("revenue by customer orders", "One measure at a time"),
        ("revenue by customer colour:red", "I don't know the option “colour:red”"),
        ("revenue by customer please", "I don't know “please”. After `<metric> by <dimension>`"),
        ("revenue by customer category:", "Say which category"),
    ],
)
def test_errors_name_the_word_and_what_is_valid(typed: str, expected: str) -> None:
    assert expected in refused(typed)


def test_a_long_bad_word_is_quoted_short() -> None:
    problem = refused("revenue by " + "x" * 5000)
    assert len(problem) < 300 and "…" in problem


def test_a_period_in_the_future_is_refused() -> None:
    assert "has not started yet" in refused("revenue by day 2027")


def test_a_quoted_category_with_digits_reads_and_is_written_back_the_same() -> None:
    today = date(2026, 3, 15)
    typed = 'revenue by product category:"Size 10 Boxes" 2025 top:5'
    request = read_report(typed.split(), today)
    assert request.category == "Size 10 Boxes" and request.top == 5
    assert request.period.label == "2025"
    assert read_report(request.text().split(), today) == request
