"""Periods as people type them: `month`, `last-week`, `2025-03`, `2025-Q1`, `2025`,
`2025-01-01..2025-03-31`, read against today in the workspace's timezone.

Calendar periods that contain today end today ("month" on 15 March is 1–15 March), as
docs/metrics.md says; nothing ends in the future.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from domain.metrics import Period, next_month

PERIOD_FORMS = (
    "today, yesterday, week, month, quarter, year, last-week, last-month, last-quarter, "
    "last-year, 7d, 30d, 90d, 2025-03, 2025-Q1, 2025, 2025-03-05, 2025-01-01..2025-03-31"
)
DEFAULT_PERIOD = "month"
EARLIEST_YEAR = 1900
LONGEST_DAYS = 366 * 10 + 3  # ten years: more is a typo, and no chart can show it


class PeriodError(ValueError):
    """The text is not a period; the message says why and what is valid."""


@dataclass(frozen=True)
class NamedPeriod:
    """A period and how to say it: "November 2026 to date", "2025-Q1"."""

    period: Period
    label: str
    text: str  # the normalised form, what a saved report stores

    @property
    def to_date(self) -> bool:
        return self.label.endswith("to date")


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_RANGE = re.compile(r"^(.+?)\.\.(.+)$")
_DAYS = re.compile(r"^(?:last-?)?(\d{1,4})(?:d|-?days?)$")
_ALIASES = {
    "this-week": "week",
    "this-month": "month",
    "this-quarter": "quarter",
    "this-year": "year",
    "mtd": "month",
    "qtd": "quarter",
    "ytd": "year",
    "wtd": "week",
    "lastweek": "last-week",
    "lastmonth": "last-month",
    "lastquarter": "last-quarter",
    "lastyear": "last-year",
}


def looks_like_period(word: str) -> bool:
    """Whether a word is meant as a period (so a bad one is reported as a bad period)."""
    w = _ALIASES.get(word.lower(), word.lower())
    return bool(
        w
        in (
            "today",
            "yesterday",
            "week",
            "month",
            "quarter",
            "year",
            "last-week",
            "last-month",
            "last-quarter",
            "last-year",
        )
        or re.match(r"^\d", w)
        or ".." in w
    )


def parse_period(text: str, today: date) -> NamedPeriod:
    """Read one period; PeriodError says what was wrong and lists the valid forms."""
    word = _ALIASES.get(text.strip().lower(), text.strip().lower())
    if not word:
        raise PeriodError(f"Say which period: {PERIOD_FORMS}.")
    found = _relative(word, today) or _absolute(word, today)
    if found is None:
        raise PeriodError(f"“{text.strip()[:40]}” is not a period. Periods: {PERIOD_FORMS}.")
    period, label = found
    if period.start > today:
        raise PeriodError(f"{label} has not started yet: pick a period up to today.")
    if period.end > today:
        if _RANGE.match(word):  # not "1 Mar 2026 – 31 Dec 2026 to date": it ends today
            label = f"{period.start:%-d %b %Y}"
        period = Period(start=period.start, end=today)
        label = f"{label} to date"
    return NamedPeriod(period=period, label=label, text=word)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _relative(word: str, today: date) -> tuple[Period, str] | None:
    week = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    quarter = quarter_start(today)
    year = date(today.year, 1, 1)
    one_day = timedelta(days=1)
    if word == "today":
        return Period(start=today, end=today), "Today"
    if word == "yesterday":
        day = today - one_day
        return Period(start=day, end=day), "Yesterday"
    if word == "week":
        return Period(start=week, end=week + timedelta(days=6)), f"Week of {week:%-d %b %Y}"
    if word == "month":
        return Period(start=month, end=next_month(month) - one_day), f"{month:%B %Y}"
    if word == "quarter":
        end = next_month(next_month(next_month(quarter))) - one_day
        return Period(start=quarter, end=end), _quarter_label(quarter)
    if word == "year":
        return Period(start=year, end=date(today.year, 12, 31)), str(today.year)
    if word == "last-week":
        start = week - timedelta(days=7)
        return Period(start=start, end=week - one_day), f"Week of {start:%-d %b %Y}"
    if word == "last-month":
        start = (month - one_day).replace(day=1)
        return Period(start=start, end=month - one_day), f"{start:%B %Y}"
    if word == "last-quarter":
        start = quarter_start(quarter - one_day)
        return Period(start=start, end=quarter - one_day), _quarter_label(start)
    if word == "last-year":
        return Period(start=date(today.year - 1, 1, 1), end=year - one_day), str(today.year - 1)
    if m := _DAYS.match(word):
        days = int(m.group(1))
        if not 1 <= days <= LONGEST_DAYS:
            raise PeriodError(f"“{word}”: say between 1 and {LONGEST_DAYS} days.")
        return Period(start=today - timedelta(days=days - 1), end=today), f"Last {days} days"
    return None


def _absolute(word: str, today: date) -> tuple[Period, str] | None:
    if m := _RANGE.match(word):
        first = _single_day(m.group(1), word)
        last = _single_day(m.group(2), word)
        if last < first:
            raise PeriodError(f"“{word}” ends before it starts: write the earlier date first.")
        if (last - first).days + 1 > LONGEST_DAYS:
            raise PeriodError(f"“{word}” is longer than ten years: pick a shorter range.")
        if first == last:
            return Period(start=first, end=last), f"{first:%-d %b %Y}"
        return Period(start=first, end=last), f"{first:%-d %b %Y} – {last:%-d %b %Y}"
    if m := _DAY.match(word):
        day = _single_day(word, word)
        return Period(start=day, end=day), f"{day:%-d %b %Y}"
    if m := _MONTH.match(word):
        year, month = _year(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(
                f"“{word}” is not a month: months run from 01 to 12 (like {today:%Y-%m})."
            )
        start = date(year, month, 1)
        return Period(start=start, end=next_month(start) - timedelta(days=1)), f"{start:%B %Y}"
    if m := _QUARTER.match(word):
        start = date(_year(m.group(1)), 3 * (int(m.group(2)) - 1) + 1, 1)
        end = next_month(next_month(next_month(start))) - timedelta(days=1)
        return Period(start=start, end=end), _quarter_label(start)
    if m := _YEAR.match(word):
        year = _year(m.group(1))
        return Period(start=date(year, 1, 1), end=date(year, 12, 31)), str(year)
    return None


def _single_day(text: str, whole: str) -> date:
    m = _DAY.match(text.strip())
    if not m:
        raise PeriodError(
            f"“{whole}”: a range is two dates as YYYY-MM-DD..YYYY-MM-DD, "
            "like 2025-01-01..2025-03-31."
        )
    year, month, day = _year(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return date(year, month, day)
    except ValueError:
        raise PeriodError(
            f"“{text.strip()}” is not a date: months run from 01 to 12, and the day must exist "
            "in that month."
        ) from None


def _year(text: str) -> int:
    year = int(text)
    if year < EARLIEST_YEAR:
        raise PeriodError(f"{year} is too far back: years start at {EARLIEST_YEAR}.")
    return year


def _quarter_label(start: date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
