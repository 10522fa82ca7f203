"""The dashboard's filters: a period, `category:X`, `by:day|week|month`, and what is wrong
with anything else."""

from __future__ import annotations

from datetime import date

import pytest

from commands.sales.filters import FilterError, Filters, Reader, read_filters
from domain.metrics import Dimension, Period

TODAY = date(2026, 3, 15)


def read(text: str) -> Filters:
    return read_filters(text.split(), TODAY)


def test_nothing_is_this_month_to_date_by_day() -> None:
    filters = read("")
    assert filters.period.period == Period(start=date(2026, 3, 1), end=date(2026, 3, 15))
    assert filters.period.label == "March 2026 to date"
    assert filters.category is None and filters.by is None
    assert filters.bucket is Dimension.DAY
    assert filters.text() == "month"


def test_every_filter_in_any_order() -> None:
    filters = read("by:week category:Furniture last-quarter")
    assert filters.period.period == Period(start=date(2025, 10, 1), end=date(2025, 12, 31))
    assert filters.category == "Furniture"
    assert filters.by is Dimension.WEEK and filters.bucket is Dimension.WEEK
    assert filters.text() == "last-quarter category:Furniture by:week"


def test_a_category_name_with_spaces_reads_until_the_next_filter_or_period() -> None:
    assert read("category:Office Supplies").category == "Office Supplies"
    filters = read("category:Office Supplies 2025 by:month")
    assert filters.category == "Office Supplies"
    assert filters.period.label == "2025"
    assert read("cat:Office Supplies by:day").category == "Office Supplies"
    assert read("CATEGORY:Technology").category == "Technology"


def test_the_text_reads_back_to_the_same_filters() -> None:
    filters = read("2025-Q1 category:Office Supplies by:week")
    again = read_filters(filters.text().split(), TODAY)
    assert again == filters


@pytest.mark.parametrize(
    ("text", "bucket"),
    [
        ("today", Dimension.DAY),
        ("30d", Dimension.DAY),
        ("45d", Dimension.DAY),
        ("46d", Dimension.WEEK),
        ("2025-Q1", Dimension.WEEK),  # 90 days
        ("200d", Dimension.WEEK),
        ("201d", Dimension.MONTH),
        ("2025", Dimension.MONTH),
        ("2025 by:day", Dimension.DAY),  # asked for: 365 points, the chart thins its labels
        ("today by:month", Dimension.MONTH),
    ],
)
def test_the_bucket_follows_the_periods_length_unless_asked(text: str, bucket: Dimension) -> None:
    assert read(text).bucket is bucket


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-13", "“2025-13” is not a month: months run from 01 to 12 (like 2026-03)."),
        ("by:year", "“by:year” is not a grouping: use by:day, by:week or by:month."),
        ("by:", "is not a grouping: use by:day, by:week or by:month"),
        ("category:", "Say which category: `category:Furniture`."),
        ("category:Furniture category:Technology", "One category at a time"),
        ("2025 2024", "One period at a time: “2025” or “2024”?"),
        ("2027", "2027 has not started yet"),
        ("chairs", "I don't know “chairs”. The dashboard takes a period (today, yesterday"),
        ("month please", "I don't know “please”."),
    ],
)
def test_bad_filters_say_what_is_valid(text: str, message: str) -> None:
    with pytest.raises(FilterError) as caught:
        read(text)
    assert message in str(caught.value)


def test_unknown_words_are_quoted_short() -> None:
    with pytest.raises(FilterError) as caught:
        read("x" * 300)
    assert "x" * 41 not in str(caught.value)
    assert "`category:<name>` and `by:day|week|month`" in str(caught.value)


def test_a_reader_leaves_the_words_it_does_not_know_to_its_caller() -> None:
    reader = Reader(TODAY)
    assert reader.take(["top:5", "2025", "compare:yoy", "category:Office", "Supplies", "csv"]) == [
        "top:5",
        "compare:yoy",
        "csv",
    ]
    assert reader.category == "Office Supplies"
    assert reader.filters().period.label == "2025"


# --- review ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ('category:"Size 10 Boxes"', "Size 10 Boxes"),
        ("category:“Size 10 Boxes”", "Size 10 Boxes"),  # a phone's curly quotes
        ('category:"Q1: Promo csv" by:week', "Q1: Promo csv"),
        ('category:"Furniture"', "Furniture"),
    ],
)
def test_a_category_named_with_digits_or_colons_can_be_quoted(typed: str, category: str) -> None:
    filters = read(f"2025 {typed}")
    assert filters.category == category
    assert filters.period.label == "2025"
    # and a saved dashboard writes it back so that it reads the same again
    assert read(filters.text()).category == category


def test_an_unquoted_name_with_a_number_says_how_to_quote_it() -> None:
    with pytest.raises(FilterError) as caught:
        read("category:Size 10 Boxes")
    assert '`category:"Size 10 Boxes"`' in str(caught.value)
    with pytest.raises(FilterError) as caught:
        read('category:"Size 10 Boxes')
    assert "Close the quote" in str(caught.value)


def test_names_that_read_back_plainly_are_written_plainly() -> None:
    assert Filters(period=read("").period, category="Office Supplies").text() == (
        "month category:Office Supplies"
    )
