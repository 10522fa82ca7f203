"""What people type after /sales, split into one of a few intents.

    /sales [period] [category:X] [by:day|week|month]   the dashboard (the default)
    /sales report <metric> by <dimension> [...]        a report
    /sales save|saved|schedule|schedules|unsave ...    saved and scheduled reports
    /sales record                                      the order form
    /sales help                                        the usage

Each intent keeps the words that follow it; the handler of that intent reads them
(commands/sales/filters.py, report_grammar.py, schedule_grammar.py), since periods
depend on today in the workspace's timezone.
"""

from __future__ import annotations

from dataclasses import dataclass

from commands.format import truncate, unescape
from commands.usage import CommandSpec

SPEC = CommandSpec(
    name="/sales",
    summary="the sales dashboard, reports, saved and scheduled reports, and recording orders",
    usage_hint="[period] [category:X] [by:day|week|month] | report <metric> by <dim> | record",
    forms=(
        ("", "this month's dashboard: KPIs against the previous period and last year, a chart"),
        (
            "[period] [category:X] [by:day|week|month]",
            "the dashboard for a period (today, yesterday, week, month, quarter, year, "
            "last-week, last-month, 2025-03, 2025-Q1, 2025, 2025-01-01..2025-03-31)",
        ),
        (
            "report <revenue|orders|units|aov|margin> by "
            "<day|week|month|quarter|category|product|customer|rep|region> "
            "[period] [category:X] [compare:mom|yoy] [top:N] [csv]",
            "a table and a chart; `csv` adds the rows as a CSV file",
        ),
        ("save <name> <dashboard or report arguments>", "save a dashboard or report by name"),
        ("saved", "list saved reports and their schedules"),
        (
            "schedule <name> #channel daily 08:30 | weekly mon 09:00 | monthly 1 09:00",
            "post a saved report into a channel on a schedule (workspace time)",
        ),
        ("schedules", "list schedules; `pause`, `resume` or `delete` one by its id"),
        ("unsave <name>", "delete a saved report and its schedules"),
        ("record", "open the order form: customer, date, products, quantities, prices"),
        ("help", "show this help"),
    ),
)

_HELP = frozenset({"help", "?", "-h", "--help"})
SCHEDULE_WORDS = frozenset({"save", "saved", "unsave", "schedule", "schedules"})
SHOWN_MAX = 40  # of a word we did not understand, quoted back


class UsageError(ValueError):
    """What was typed is not a /sales command; the text says why."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Record:
    pass


@dataclass(frozen=True)
class Dashboard:
    words: tuple[str, ...]  # filters: period, category:X, by:…


@dataclass(frozen=True)
class Report:
    words: tuple[str, ...]  # after "report"


@dataclass(frozen=True)
class Schedules:
    verb: str  # save | saved | unsave | schedule | schedules
    words: tuple[str, ...]


Intent = Help | Record | Dashboard | Report | Schedules


def parse(text: str) -> Intent:
    """Split the command text into an intent; raises UsageError with the reason."""
    words = unescape(text).split()
    if not words:
        return Dashboard(())
    first = words[0].lower()
    rest = tuple(words[1:])
    if first in _HELP and not rest:
        return Help()
    if first == "record":
        if rest:
            shown = truncate(" ".join(rest), SHOWN_MAX)
            raise UsageError(
                f"`/sales record` takes nothing after it (got “{shown}”): "
                "the form asks for the customer and the lines."
            )
        return Record()
    if first == "report":
        return Report(rest)
    if first in SCHEDULE_WORDS:
        return Schedules(first, rest)
    return Dashboard(tuple(words))
