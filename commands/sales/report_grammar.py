"""What people type after `/sales report`:

    <metric> by <dimension> [period] [category:X] [compare:mom|yoy] [top:N] [csv]

Metrics: revenue, orders, units, aov, margin. Dimensions: day, week, month, quarter,
category, product, customer, rep, region. The words after the metric and dimension may come
in any order. Without a period a report covers this month to date, except that time buckets
get a period long enough to show several of them: by week → this quarter, by month or by
quarter → this year.

`ReportRequest.text()` writes a request back in one normal form; a saved report stores it
and reads it again (with that day's today) whenever it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from commands.format import truncate
from commands.sales.filters import FilterError, Reader, category_word
from commands.usage import CommandSpec
from domain.metrics import Dimension, Metric
from domain.periods import (
    DEFAULT_PERIOD,
    PERIOD_FORMS,
    NamedPeriod,
    looks_like_period,
    parse_period,
)
from domain.reports import Compare

TOP_MAX = 100
SHOWN_MAX = 30  # of a word we did not understand, quoted back

METRIC_WORDS: dict[str, Metric] = {
    **{m.value: m for m in Metric},
    "sales": Metric.REVENUE,
    "order": Metric.ORDERS,
    "unit": Metric.UNITS,
    "quantity": Metric.UNITS,
    "qty": Metric.UNITS,
    "avg": Metric.AOV,
    "average": Metric.AOV,
    "profit": Metric.MARGIN,
}
DIMENSION_WORDS: dict[str, Dimension] = {
    **{d.value: d for d in Dimension},
    "days": Dimension.DAY,
    "daily": Dimension.DAY,
    "weeks": Dimension.WEEK,
    "weekly": Dimension.WEEK,
    "months": Dimension.MONTH,
    "monthly": Dimension.MONTH,
    "quarters": Dimension.QUARTER,
    "quarterly": Dimension.QUARTER,
    "categories": Dimension.CATEGORY,
    "products": Dimension.PRODUCT,
    "sku": Dimension.PRODUCT,
    "customers": Dimension.CUSTOMER,
    "reps": Dimension.REP,
    "owner": Dimension.REP,
    "regions": Dimension.REGION,
}
COMPARE_WORDS = {"mom": Compare.MOM, "yoy": Compare.YOY}
# Enough buckets to read a trend: a single month by month would be one row.
DEFAULT_PERIODS = {
    Dimension.WEEK: "quarter",
    Dimension.MONTH: "year",
    Dimension.QUARTER: "year",
}

METRICS_LISTED = "|".join(m.value for m in Metric)
DIMENSIONS_LISTED = "|".join(d.value for d in Dimension)
FORM = (
    f"`/sales report <{METRICS_LISTED}> by <{DIMENSIONS_LISTED}> "
    "[period] [category:X] [compare:mom|yoy] [top:N] [csv]`"
)


SPEC = CommandSpec(
    name="/sales report",
    summary="one measure broken down by time or by category, product, customer, rep or region",
    usage_hint=(
        f"<{METRICS_LISTED}> by <{DIMENSIONS_LISTED}> "
        "[period] [category:X] [compare:mom|yoy] [top:N] [csv]"
    ),
    forms=(
        (
            f"<{METRICS_LISTED}> by <{DIMENSIONS_LISTED}>",
            "a table card now, its chart in your DM with Salesbot (a line over time, bars "
            "otherwise)",
        ),
        (
            "… [period]",
            f"{PERIOD_FORMS}. Without one: this month to date; by week this quarter, by month "
            "or quarter this year",
        ),
        ("… category:<name>", "only that category's sales"),
        (
            "… compare:mom | compare:yoy",
            "beside the same days a month or a year earlier, with the change",
        ),
        ("… top:N", f"the N largest rows (1 to {TOP_MAX}); over time, the latest N"),
        ("… csv", "every row as a CSV file too, exact to 4 decimal places"),
        ("revenue by month 2025 compare:yoy csv", "for example"),
        ("help", "show this help"),
    ),
)
HELP_WORDS = frozenset({"help", "?", "-h", "--help"})


class ReportGrammarError(ValueError):
    """What was typed is not a report; the message names the word and what is valid."""


@dataclass(frozen=True)
class ReportRequest:
    metric: Metric
    dimension: Dimension
    period: NamedPeriod
    category: str | None = None
    compare: Compare | None = None
    top: int | None = None
    csv: bool = False

    def text(self) -> str:
        """The request in its normal form: `revenue by month year compare:yoy top:5 csv`.

        The category goes last, since its name may hold spaces and is read up to the end."""
        parts = [self.metric.value, "by", self.dimension.value, self.period.text]
        if self.compare is not None:
            parts.append(f"compare:{self.compare.value}")
        if self.top is not None:
            parts.append(f"top:{self.top}")
        if self.csv:
            parts.append("csv")
        if self.category:
            parts.append(category_word(self.category))
        return " ".join(parts)


def read_report(words: Sequence[str], today: date) -> ReportRequest:
    """The report asked for; ReportGrammarError says which word is wrong and what is valid."""
    if not words:
        raise ReportGrammarError(f"Say what to report, like `revenue by month`: {FORM}.")
    metric, dimension, rest = _metric_and_dimension(list(words))
    reader = Reader(today)
    try:
        left = reader.take(rest)
    except FilterError as exc:
        raise ReportGrammarError(str(exc)) from None
    compare: Compare | None = None
    top: int | None = None
    csv = False
    for word in left:
        lower = word.lower()
        if lower.startswith("compare:"):
            if compare is not None:
                raise ReportGrammarError("Compare with one period: `compare:mom` or `compare:yoy`.")
            compare = _compare(word.split(":", 1)[1])
        elif lower.startswith("top:"):
            if top is not None:
                raise ReportGrammarError("Give one `top:N`, like `top:10`.")
            top = _top(word.split(":", 1)[1])
        elif lower == "csv":
            csv = True
        else:
            raise ReportGrammarError(_unknown(word))
    period = reader.period or parse_period(DEFAULT_PERIODS.get(dimension, DEFAULT_PERIOD), today)
    return ReportRequest(
        metric=metric,
        dimension=dimension,
        period=period,
        category=reader.category,
        compare=compare,
        top=top,
        csv=csv,
    )


def _metric_and_dimension(words: list[str]) -> tuple[Metric, Dimension, list[str]]:
    """Take `<metric> by <dimension>` (or `by:<dimension>`) out of the words."""
    dimension: Dimension | None = None
    rest: list[str] = []
    i = 0
    while i < len(words):
        lower = words[i].lower()
        if lower == "by" or lower.startswith("by:"):
            if dimension is not None:
                raise ReportGrammarError("Break a report down by one thing: one `by <dimension>`.")
            if lower == "by":
                if i + 1 >= len(words):
                    raise ReportGrammarError(
                        f"Say what to break it down by after `by`: {_dimensions()}."
                    )
                i += 1
                named = words[i]
            else:
                named = words[i].split(":", 1)[1]
            dimension = DIMENSION_WORDS.get(named.lower())
            if dimension is None:
                raise ReportGrammarError(
                    f"“{_shown(named)}” is not something to break a report down by: "
                    f"use {_dimensions()}."
                )
        else:
            rest.append(words[i])
        i += 1
    first = rest[0].lower() if rest else ""
    metric = METRIC_WORDS.get(first)
    if metric is None:
        if first in DIMENSION_WORDS and dimension is None:
            raise ReportGrammarError(
                f"Say what to measure first, then `by {first}`: {_metrics()}. "
                f"Like `/sales report revenue by {first}`."
            )
        problem = (
            f"“{_shown(rest[0])}” is not a measure: use {_metrics()}."
            if rest
            else f"Say what to measure: {_metrics()}."
        )
        raise ReportGrammarError(f"{problem} Like `/sales report revenue by month`.")
    if dimension is None:
        raise ReportGrammarError(
            f"Say what to break {metric.value} down by, with `by`: {_dimensions()}. "
            f"Like `/sales report {metric.value} by month`."
        )
    return metric, dimension, rest[1:]


def _compare(value: str) -> Compare:
    compare = COMPARE_WORDS.get(value.lower())
    if compare is None:
        raise ReportGrammarError(
            f"“compare:{_shown(value)}” is not a comparison: use `compare:mom` (month over month) "
            "or `compare:yoy` (year over year)."
        )
    return compare


def _top(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= TOP_MAX:
        raise ReportGrammarError(
            f"“top:{_shown(value)}” is not a count: use a whole number from 1 to {TOP_MAX}, "
            "like `top:10`."
        )
    return int(value)


def _unknown(word: str) -> str:
    lower = word.lower()
    if looks_like_period(lower):
        return f"One period at a time (“{_shown(word)}” is a second one)."
    if lower in METRIC_WORDS:
        return f"One measure at a time (“{_shown(word)}” is a second one)."
    if ":" in lower:
        return (
            f"I don't know the option “{_shown(word)}”: a report takes `category:<name>`, "
            f"`compare:mom|yoy`, `top:N` and `csv`."
        )
    return (
        f"I don't know “{_shown(word)}”. After `<metric> by <dimension>` a report takes a "
        f"period ({PERIOD_FORMS}), `category:<name>`, `compare:mom|yoy`, `top:N` and `csv`."
    )


def _metrics() -> str:
    return ", ".join(m.value for m in Metric)


def _dimensions() -> str:
    return ", ".join(d.value for d in Dimension)


def _shown(word: str) -> str:
    return truncate(word, SHOWN_MAX)
