"""The report card: a header, the total beside its comparison, and a table of the rows.

The rows go in Slack's table block (one per message, at most 100 rows); a long report is
cut to what fits in a message, and the card says how many rows the CSV and chart hold
besides. Table cells are plain text (`raw_text`), so names are shown as typed; anything a
person typed that goes into mrkdwn (the fallback text, the summary) is escaped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    RawTextObject,
    SectionBlock,
    TableBlock,
    TableBlockColumnSettings,
)

from commands.format import escape, truncate
from commands.sales.charts import Point
from domain.metrics import Dimension, Metric, Period, Totals, growth, next_month
from domain.money import format_money
from domain.reports import Compare, Report, ReportRow

METRIC_NAMES = {
    Metric.REVENUE: "Revenue",
    Metric.ORDERS: "Orders",
    Metric.UNITS: "Units",
    Metric.AOV: "Average order value",
    Metric.MARGIN: "Gross margin",
}
COMPARE_NAMES = {Compare.MOM: "month over month", Compare.YOY: "year over year"}
MONEY_METRICS = frozenset({Metric.REVENUE, Metric.AOV, Metric.MARGIN})
PLURALS = {
    Dimension.DAY: "days",
    Dimension.WEEK: "weeks",
    Dimension.MONTH: "months",
    Dimension.QUARTER: "quarters",
    Dimension.CATEGORY: "categories",
    Dimension.PRODUCT: "products",
    Dimension.CUSTOMER: "customers",
    Dimension.REP: "reps",
    Dimension.REGION: "regions",
}
NO_VALUE = "—"  # AOV without orders; a bucket the comparison period has no twin for
NOT_AVAILABLE = "n/a"

HEADER_MAX = 150
LABEL_MAX = 48  # a cell: long product names are cut here, whole in the CSV
TABLE_MAX_ROWS = 100  # Slack's limit, header and total row included
TABLE_ROWS_SHOWN = 60  # data rows at most: a card, not a spreadsheet
TABLE_CHARS = 9000  # of the table's JSON: the message stays under Slack's ~13k ceiling
BARS_MAX = 15
# A Slack user id ("U024BE7LH", "W0ALICE"): letters and digits, at least one digit, so a rep
# an import names in capitals ("WALT", "UMA") stays a name.
_USER_ID = re.compile(r"[UW](?=[A-Z]*\d)[A-Z0-9]{2,}")


@dataclass(frozen=True)
class ReportView:
    """A computed report and what the card needs to say about it."""

    report: Report
    period_label: str  # "2017", "November 2026 to date"
    currency: str
    compare_total: Totals | None = None  # the whole comparison period, not just the rows shown
    with_csv: bool = False  # a CSV goes with the card
    # Rows the card never read: products or customers ranked below what a card shows.
    unread: int = 0

    @property
    def metric(self) -> Metric:
        return self.report.metric

    @property
    def dimension(self) -> Dimension:
        return self.report.dimension

    @property
    def title(self) -> str:
        """ "Revenue by month"."""
        return f"{METRIC_NAMES[self.metric]} by {self.dimension.value}"

    @property
    def compare_label(self) -> str | None:
        period = self.report.compare_period
        return period_label(period) if period is not None else None

    @property
    def is_empty(self) -> bool:
        """No sales in the period, nor in the comparison period."""
        return not self.report.total.lines and not (
            self.compare_total is not None and self.compare_total.lines
        )

    def money(self) -> str | None:
        return self.currency if self.metric in MONEY_METRICS else None


# -- words for numbers, periods and buckets -------------------------------------------------------


def value_text(value: Decimal | int | None, metric: Metric, currency: str) -> str:
    """Money to cents, counts as whole numbers with separators; "—" for no value."""
    if value is None:
        return NO_VALUE
    if metric in MONEY_METRICS:
        return format_money(Decimal(value), currency)
    return f"{int(value):,}"


def change_text(change: Decimal | None) -> str:
    """ "▲ 12.3%", "▼ 4.0%", "0.0%", or "n/a" when there is nothing to compare with."""
    if change is None:
        return NOT_AVAILABLE
    percent = (change * 100).quantize(Decimal("0.1"))
    if percent > 0:
        return f"▲ {percent:,}%"
    if percent < 0:
        return f"▼ {-percent:,}%"
    return "0.0%"


def period_label(period: Period) -> str:
    """A comparison period in words: "2016", "October 2026", "2026-Q3", "1 – 27 Oct 2026"."""
    start, end = period.start, period.end
    last_of_month = next_month(end) - timedelta(days=1)
    if start == date(start.year, 1, 1) and end == date(start.year, 12, 31):
        return str(start.year)
    if start.day == 1 and end == last_of_month:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months == 1:
            return f"{start:%B %Y}"
        if months == 3 and start.month % 3 == 1:
            return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if start == end:
        return f"{start:%-d %b %Y}"
    if start.year == end.year and start.month == end.month:
        return f"{start.day} – {end:%-d %b %Y}"
    if start.year == end.year:
        return f"{start:%-d %b} – {end:%-d %b %Y}"
    return f"{start:%-d %b %Y} – {end:%-d %b %Y}"


def row_label(row: ReportRow, dimension: Dimension) -> str:
    """A row as the table shows it: time buckets in words, everything else as labelled."""
    if dimension.is_time:
        start = date.fromisoformat(row.key)
        if dimension is Dimension.DAY:
            return f"{start:%a %-d %b %Y}"
        if dimension is Dimension.WEEK:
            return f"Week of {start:%-d %b %Y}"
        if dimension is Dimension.MONTH:
            return f"{start:%b %Y}"
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return row.label.strip() or NO_VALUE


def chart_label(row: ReportRow, dimension: Dimension, *, with_year: bool = False) -> str:
    """A bucket's tick label: short, since a year of days or weeks shares one axis; with
    its year when the chart spans more than one."""
    start = date.fromisoformat(row.key)
    if dimension is Dimension.DAY:
        return f"{start:%-d %b %Y}" if with_year else f"{start:%-d %b}"
    if dimension is Dimension.WEEK:
        week = start.isocalendar()
        return f"W{week.week} {week.year}" if with_year else f"W{week.week}"
    if dimension is Dimension.MONTH:
        return f"{start:%b %Y}"
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


def compared_value(row: ReportRow, metric: Metric) -> Decimal | int | None:
    return row.compared.value(metric) if row.compared is not None else None


# -- the card --------------------------------------------------------------------------------------


def report_text(view: ReportView) -> str:
    """The notification and fallback: the total, its change, and the leading row."""
    report = view.report
    head = f"{view.title}, {view.period_label}"
    if report.category:
        head += f" ({escape(report.category)})"
    text = f"{head}: {value_text(report.total.value(view.metric), view.metric, view.currency)}"
    if view.compare_total is not None:
        before = view.compare_total.value(view.metric)
        change = growth(report.total.value(view.metric), before)
        text += (
            f" against {value_text(before, view.metric, view.currency)} in "
            f"{view.compare_label} ({change_text(change)})"
        )
    leading = not view.dimension.is_time and view.dimension is not Dimension.REP
    if leading and report.rows and report.total.lines:
        first = report.rows[0]
        name = escape(truncate(row_label(first, view.dimension), 80))
        value = value_text(first.value(view.metric), view.metric, view.currency)
        text += f"; top {view.dimension.value}: {name} {value}"
    return text + "."


def empty_text(view: ReportView) -> str:
    where = f" in {escape(view.report.category)}" if view.report.category else ""
    return f"No sales in {view.period_label}{where}: nothing to report."


def report_blocks(view: ReportView, *, notes: tuple[str, ...] = ()) -> list[Block]:
    """Header, total, what was left out, `notes` (mrkdwn, already escaped), the table."""
    report = view.report
    heading = f"{view.title} · {view.period_label}"
    if report.category:
        heading += f" · {report.category}"
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=truncate(heading, HEADER_MAX)))]
    blocks.append(SectionBlock(text=MarkdownTextObject(text=_summary(view))))
    table, cut = _table(view)
    cut += view.unread
    context = [*_left_out(view, cut), *notes]
    if context:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=line) for line in context[:10]])
        )
    # Slack shows a table below a message's other blocks whatever its place: put it there.
    blocks.append(table)
    return blocks


def _summary(view: ReportView) -> str:
    report, metric = view.report, view.metric
    total = report.total.value(metric)
    text = f"*Total:* {value_text(total, metric, view.currency)}"
    if view.compare_total is not None:
        before = view.compare_total.value(metric)
        text += (
            f" · *{view.compare_label}:* {value_text(before, metric, view.currency)}"
            f" · *Change:* {change_text(growth(total, before))}"
        )
        if report.compare is not None:
            text += f"\n{COMPARE_NAMES[report.compare].capitalize()}: against {view.compare_label}"
            if view.dimension.is_time:
                text += f", {PLURALS[view.dimension]} paired in order"
    coverage = report.total.coverage
    if metric is Metric.MARGIN and coverage is not None and not report.total.covered_revenue:
        text += "\nNo product sold had a cost, so there is no margin to show: add unit costs."
    elif metric is Metric.MARGIN and coverage is not None and coverage < 1:
        share = (coverage * 100).quantize(Decimal("1"))
        if share in (0, 100):  # 99.96% is not "100%", nor 0.03% "0%": say the tenth
            share = (coverage * 100).quantize(
                Decimal("0.1"), ROUND_DOWN if share == 100 else ROUND_UP
            )
        text += f"\nMargin over {share}% of revenue: products without a cost are left out."
    if metric is Metric.AOV:
        text += f"\n{report.total.orders:,} orders"
    return text


def _left_out(view: ReportView, cut: int) -> list[str]:
    report = view.report
    lines = []
    plural = PLURALS[view.dimension]
    if report.more:
        which = "latest" if view.dimension.is_time else "top"
        shown = len(report.rows)
        lines.append(
            f"The {which} {shown:,} {plural}: {report.more:,} more are not in this report."
        )
    if cut:
        which = "earlier" if view.dimension.is_time else "more"
        csv = "the CSV has them" if view.with_csv else "add `csv` for a file with every row"
        lines.append(f"…and {cut:,} {which} rows not shown here: {csv}.")
    return lines


def _table(view: ReportView) -> tuple[TableBlock, int]:
    """The table, and how many rows were left out to fit a message."""
    metric, compare = view.metric, view.report.compare is not None
    header = [view.dimension.value.capitalize()]
    header.append(view.period_label if compare else METRIC_NAMES[metric])
    if compare:
        header += [view.compare_label or "", "Change"]
    rows = [_row_cells(view, row) for row in view.report.rows]
    total = ["Total", value_text(view.report.total.value(metric), metric, view.currency)]
    if compare and view.compare_total is not None:
        before = view.compare_total.value(metric)
        total += [
            value_text(before, metric, view.currency),
            change_text(growth(view.report.total.value(metric), before)),
        ]
    elif compare:
        total += [NO_VALUE, NOT_AVAILABLE]
    head, foot = [_cell(c) for c in header], [_cell(c) for c in total]
    kept = _fit(rows, head, foot, latest=view.dimension.is_time)
    table = TableBlock(
        rows=[head, *kept, foot],
        column_settings=[
            TableBlockColumnSettings(align="left", is_wrapped=True),
            *(TableBlockColumnSettings(align="right") for _ in header[1:]),
        ],
    )
    return table, len(rows) - len(kept)


def _row_cells(view: ReportView, row: ReportRow) -> list[dict[str, Any]]:
    metric = view.metric
    first = _cell(row_label(row, view.dimension))
    if view.dimension is Dimension.REP and _USER_ID.fullmatch(row.key):
        # A rep recorded in Slack is a user: Slack shows their name, and a table cell's
        # mention notifies nobody.
        first = {
            "type": "rich_text",
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "user", "user_id": row.key}]}
            ],
        }
    cells = [first, _cell(value_text(row.value(metric), metric, view.currency))]
    if view.report.compare is not None:
        before = compared_value(row, metric)
        cells += [
            _cell(value_text(before, metric, view.currency)),
            _cell(change_text(row.change(metric))),
        ]
    return cells


def _cell(text: str) -> dict[str, Any]:
    return RawTextObject(text=truncate(text, LABEL_MAX) or NO_VALUE).to_dict()


def _fit(
    rows: list[list[dict[str, Any]]],
    header: list[dict[str, Any]],
    total: list[dict[str, Any]],
    *,
    latest: bool,
) -> list[list[dict[str, Any]]]:
    """As many rows as Slack takes, largest first (or, over time, the latest buckets)."""
    limit = min(TABLE_ROWS_SHOWN, TABLE_MAX_ROWS - 2)
    ordered = list(reversed(rows)) if latest else rows
    budget = TABLE_CHARS - _size(header) - _size(total)
    kept: list[list[dict[str, Any]]] = []
    for row in ordered[:limit]:
        budget -= _size(row)
        if budget < 0:
            break
        kept.append(row)
    return list(reversed(kept)) if latest else kept


def _size(cells: list[dict[str, Any]]) -> int:
    return len(json.dumps(cells, ensure_ascii=False, separators=(",", ":")))


# -- what the chart draws -------------------------------------------------------------------------


def chart_title(view: ReportView) -> str:
    title = f"{view.title} · {view.period_label}"
    if view.report.category:
        title += f" · {view.report.category}"
    return title


def chart_points(view: ReportView) -> list[Point]:
    """A time report's buckets, each with its comparison bucket when compared."""
    metric = view.metric
    compare = view.report.compare is not None
    points = []
    period = view.report.period
    years = period.start.year != period.end.year  # "3 Apr" or "W14" of which year?
    for row in view.report.rows:
        before = compared_value(row, metric)
        points.append(
            Point(
                label=chart_label(row, view.dimension, with_year=years),
                value=_decimal(row.value(metric)),  # None (AOV without orders): a gap
                previous=Decimal(before) if compare and before is not None else None,
            )
        )
    return points


def _decimal(value: Decimal | int | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def bar_label(row: ReportRow, dimension: Dimension) -> str:
    """A product by its name alone: beside a long SKU, a bar's label would show only that."""
    label = row_label(row, dimension)
    if dimension is Dimension.PRODUCT and " · " in label:
        label = label.split(" · ", 1)[1]
    return truncate(label, 40)


def chart_bars(view: ReportView) -> tuple[list[tuple[str, Decimal]], list[Decimal | None] | None]:
    """The largest rows as bars (at most BARS_MAX), and their comparison values if any."""
    metric = view.metric
    rows = view.report.rows[:BARS_MAX]
    bars = [(bar_label(row, view.dimension), Decimal(row.value(metric) or 0)) for row in rows]
    if view.report.compare is None:
        return bars, None
    compared: list[Decimal | None] = []
    for row in rows:
        before = compared_value(row, metric)
        compared.append(Decimal(before) if before is not None else None)
    return bars, compared
