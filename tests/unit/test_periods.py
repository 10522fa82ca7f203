"""Periods as people type them, read against today: calendar boundaries, to-date clamping,
leap years, and messages for what is not a period."""

from __future__ import annotations

from datetime import date

import pytest

from domain.metrics import Period
from domain.periods import (
    LONGEST_DAYS,
    PeriodError,
    looks_like_period,
    parse_period,
    quarter_start,
)

TODAY = date(2026, 3, 15)  # a Sunday in the middle of Q1


def span(text: str, today: date = TODAY) -> tuple[date, date, str]:
    named = parse_period(text, today)
    return named.period.start, named.period.end, named.label


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("today", date(2026, 3, 15), date(2026, 3, 15), "Today"),
        ("yesterday", date(2026, 3, 14), date(2026, 3, 14), "Yesterday"),
        ("week", date(2026, 3, 9), date(2026, 3, 15), "Week of 9 Mar 2026"),  # Monday–Sunday
        ("month", date(2026, 3, 1), date(2026, 3, 15), "March 2026 to date"),
        ("quarter", date(2026, 1, 1), date(2026, 3, 15), "2026-Q1 to date"),
        ("year", date(2026, 1, 1), date(2026, 3, 15), "2026 to date"),
        ("last-week", date(2026, 3, 2), date(2026, 3, 8), "Week of 2 Mar 2026"),
        ("last-month", date(2026, 2, 1), date(2026, 2, 28), "February 2026"),
        ("last-quarter", date(2025, 10, 1), date(2025, 12, 31), "2025-Q4"),
        ("last-year", date(2025, 1, 1), date(2025, 12, 31), "2025"),
        ("7d", date(2026, 3, 9), date(2026, 3, 15), "Last 7 days"),
        ("30d", date(2026, 2, 14), date(2026, 3, 15), "Last 30 days"),
        ("2025-03", date(2025, 3, 1), date(2025, 3, 31), "March 2025"),
        ("2025-3", date(2025, 3, 1), date(2025, 3, 31), "March 2025"),
        ("2025-Q2", date(2025, 4, 1), date(2025, 6, 30), "2025-Q2"),
        ("2025q4", date(2025, 10, 1), date(2025, 12, 31), "2025-Q4"),
        ("2025", date(2025, 1, 1), date(2025, 12, 31), "2025"),
        ("2025-03-05", date(2025, 3, 5), date(2025, 3, 5), "5 Mar 2025"),
        (
            "2025-01-01..2025-03-31",
            date(2025, 1, 1),
            date(2025, 3, 31),
            "1 Jan 2025 – 31 Mar 2025",
        ),
    ],
)
def test_each_form(text: str, start: date, end: date, label: str) -> None:
    assert span(text) == (start, end, label)


@pytest.mark.parametrize(
    ("alias", "same_as"),
    [
        ("this-month", "month"),
        ("MTD", "month"),
        ("ytd", "year"),
        ("qtd", "quarter"),
        ("lastmonth", "last-month"),
        ("Last-Week", "last-week"),
    ],
)
def test_aliases_and_case(alias: str, same_as: str) -> None:
    assert parse_period(alias, TODAY).period == parse_period(same_as, TODAY).period


def test_the_text_is_the_normalised_form_a_saved_report_stores() -> None:
    assert parse_period(" MTD ", TODAY).text == "month"
    assert parse_period("2025-Q1", TODAY).text == "2025-q1"
    again = parse_period(parse_period("2025-Q1", TODAY).text, TODAY)
    assert again.period == Period(start=date(2025, 1, 1), end=date(2025, 3, 31))


# --- boundaries --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 1)),  # the first day of a month
        (date(2026, 1, 31), date(2026, 1, 1), date(2026, 1, 31)),
        (date(2024, 2, 29), date(2024, 2, 1), date(2024, 2, 29)),  # leap day
        (date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_month_to_date_at_month_edges(today: date, start: date, end: date) -> None:
    named = parse_period("month", today)
    assert (named.period.start, named.period.end) == (start, end)
    assert named.to_date == (end == today and end.day != _month_length(end))


def _month_length(day: date) -> int:
    return {2: 29 if day.year % 4 == 0 else 28, 4: 30, 6: 30, 9: 30, 11: 30}.get(day.month, 31)


def test_to_date_is_said_only_of_a_period_cut_short_at_today() -> None:
    assert parse_period("month", date(2026, 1, 31)).label == "January 2026"
    assert parse_period("month", date(2026, 1, 30)).label == "January 2026 to date"
    assert parse_period("today", TODAY).label == "Today"


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (date(2026, 1, 1), date(2025, 12, 1), date(2025, 12, 31)),  # across the year
        (date(2024, 3, 10), date(2024, 2, 1), date(2024, 2, 29)),  # leap February
        (date(2025, 3, 10), date(2025, 2, 1), date(2025, 2, 28)),
    ],
)
def test_last_month_across_years_and_leap_years(today: date, start: date, end: date) -> None:
    assert span("last-month", today)[:2] == (start, end)


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (date(2026, 1, 1), date(2026, 1, 1)),
        (date(2026, 3, 31), date(2026, 1, 1)),
        (date(2026, 4, 1), date(2026, 4, 1)),
        (date(2026, 9, 30), date(2026, 7, 1)),
        (date(2026, 12, 31), date(2026, 10, 1)),
    ],
)
def test_quarters_start_in_january_april_july_and_october(day: date, first: date) -> None:
    assert quarter_start(day) == first


def test_last_quarter_in_january_is_last_years_fourth() -> None:
    assert span("last-quarter", date(2026, 1, 5)) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
        "2025-Q4",
    )


def test_a_week_across_the_new_year() -> None:
    start, end, _ = span("week", date(2026, 1, 2))  # a Friday
    assert (start, end) == (date(2025, 12, 29), date(2026, 1, 2))


def test_leap_day_and_february_months() -> None:
    assert span("2024-02")[:2] == (date(2024, 2, 1), date(2024, 2, 29))
    assert span("2100-02", date(2100, 6, 1))[:2] == (date(2100, 2, 1), date(2100, 2, 28))
    assert span("2024-02-29")[:2] == (date(2024, 2, 29), date(2024, 2, 29))
    with pytest.raises(PeriodError, match="not a date"):
        parse_period("2025-02-29", TODAY)


def test_comparisons_of_a_leap_period() -> None:
    march = parse_period("month", date(2024, 3, 15)).period
    assert march.previous() == Period(start=date(2024, 2, 15), end=date(2024, 2, 29))
    leap_day = parse_period("2024-02-29", TODAY).period
    assert leap_day.last_year() == Period(start=date(2023, 2, 28), end=date(2023, 2, 28))


# --- to date, and nothing in the future ----------------------------------------------------------


def test_a_period_containing_today_ends_today() -> None:
    assert span("2026-03") == (date(2026, 3, 1), date(2026, 3, 15), "March 2026 to date")
    assert span("2026") == (date(2026, 1, 1), date(2026, 3, 15), "2026 to date")
    assert span("2026-Q1")[1] == date(2026, 3, 15)
    assert span("2026-03-01..2026-03-31")[1] == date(2026, 3, 15)


@pytest.mark.parametrize(
    "text", ["2026-04", "2027", "2026-Q2", "2026-03-16", "2026-04-01..2026-05-01"]
)
def test_a_period_that_has_not_started_is_refused(text: str) -> None:
    with pytest.raises(PeriodError, match="has not started yet: pick a period up to today"):
        parse_period(text, TODAY)


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-13", "“2025-13” is not a month: months run from 01 to 12 (like 2026-03)."),
        ("2025-00", "months run from 01 to 12"),
        ("2025-02-30", "“2025-02-30” is not a date: months run from 01 to 12"),
        ("1850", "1850 is too far back: years start at 1900."),
        ("2025-03-31..2025-03-01", "ends before it starts: write the earlier date first"),
        ("2025-01-01..march", "a range is two dates as YYYY-MM-DD..YYYY-MM-DD"),
        ("2000-01-01..2025-01-01", "longer than ten years"),
        ("0d", f"say between 1 and {LONGEST_DAYS} days"),
        ("fortnight", "“fortnight” is not a period. Periods: today, yesterday, week"),
        ("", "Say which period"),
        ("2025-5q", "is not a period"),
    ],
)
def test_bad_input_says_what_is_valid(text: str, message: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text, TODAY)
    assert message in str(caught.value)


def test_a_long_bad_word_is_quoted_short() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period("x" * 500, TODAY)
    assert "x" * 41 not in str(caught.value)


@pytest.mark.parametrize(
    ("word", "is_period"),
    [
        ("month", True),
        ("LAST-WEEK", True),
        ("mtd", True),
        ("2025-13", True),
        ("2025-01-01..x", True),
        ("furniture", False),
        ("by:day", False),
        ("chairs", False),
    ],
)
def test_looks_like_period(word: str, is_period: bool) -> None:
    assert looks_like_period(word) is is_period


# --- review ----------------------------------------------------------------------------------


def test_a_range_that_runs_past_today_is_labelled_by_what_it_covers() -> None:
    """Not "1 Mar 2026 – 31 Dec 2026 to date" on a card that covers 1–2 March."""
    named = parse_period("2026-03-01..2026-12-31", date(2026, 3, 2))
    assert named.period == Period(start=date(2026, 3, 1), end=date(2026, 3, 2))
    assert named.label == "1 Mar 2026 to date" and named.to_date


def test_a_one_day_range_is_named_as_that_day() -> None:
    assert parse_period("2024-02-29..2024-02-29", date(2026, 3, 2)).label == "29 Feb 2024"
