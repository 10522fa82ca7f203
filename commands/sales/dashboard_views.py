"""Block Kit and chart inputs for the /sales dashboard, as pure functions of its numbers.

Each KPI is shown with its change against the previous period and the same period last
year as a coloured dot and an arrow, so the direction reads at a glance, and with the value
it was compared to, so the percentage can be checked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands.fit import fit
from commands.format import escape, mention, truncate
from commands.sales.charts import Point
from commands.sales.filters import BUCKETS, FilterError, Filters, read_filters
from domain.metrics import Dimension, Metric, Period, Totals
from domain.money import format_money
from domain.periods import PeriodError, parse_period
from domain.reports import Kpis, Report, ReportRow

SHARE_ACTION = "sales_dashboard_share"  # value: share_value(), the filters and their day
ACTIONS_BLOCK = "sales_dashboard_actions"
TOP = 5
HEADER_MAX = 150
LABEL_SHOWN = 90
BUTTON_VALUE_MAX = 2000
UP = ":large_green_circle: ▲"
DOWN = ":red_circle: ▼"
FLAT = ":white_circle: ▶"
NOT_AVAILABLE = ":white_circle: n/a"
KPI_NAMES = {
    Metric.REVENUE: "Revenue",
    Metric.ORDERS: "Orders",
    Metric.UNITS: "Units",
    Metric.AOV: "Average order value",
    Metric.MARGIN: "Gross margin",
}


@dataclass(frozen=True)
class Dashboard:
    """Everything the card and the chart show, read once."""

    filters: Filters
    currency: str
    kpis: Kpis
    products: Report
    categories: Report
    trend: Report  # revenue per bucket in the period
    trend_before: Report  # the same over the previous period

    @property
    def period(self) -> Period:
        return self.filters.period.period

    @property
    def has_sales(self) -> bool:
        return self.kpis.current.orders > 0

    @property
    def title(self) -> str:
        """'March 2026 to date · Furniture' (plain text: the header and the chart)."""
        parts = [self.filters.period.label]
        if self.kpis.category:
            parts.append(self.kpis.category)
        return " · ".join(parts)


# --- the card ------------------------------------------------------------------------------------


def card_text(dash: Dashboard) -> str:
    """The fallback text: revenue and orders with their change, in one line."""
    head = f"Sales, {escape(dash.title)}"
    if not dash.has_sales:
        return f"{head}: no sales."
    now = dash.kpis.current
    change = dash.kpis.change(Metric.REVENUE)
    trend = f" ({_signed(change)} vs previous period)" if change is not None else ""
    return (
        f"{head}: {format_money(now.revenue, dash.currency)} revenue{trend}, "
        f"{now.orders:,} order{_s(now.orders)}."
    )


def card_blocks(
    dash: Dashboard,
    *,
    now: datetime,
    tz: ZoneInfo,
    chart_note: str | None = None,
    shared_by: str | None = None,
    share_button: bool = True,
) -> list[Block]:
    """The KPI card: each KPI against both comparisons, the top 5s, and a Share button."""
    blocks: list[Block] = [HeaderBlock(text=truncate(f"Sales · {dash.title}", HEADER_MAX))]
    period = dash.period
    intro = f"*{_span(period)}* · {_days(period.days)}"
    if not dash.has_sales:
        intro += f"\n:information_source: No sales in {escape(dash.filters.period.label)}"
        if dash.kpis.category:
            intro += f" in {escape(dash.kpis.category)}"
        intro += "."
        if dash.kpis.previous.orders or dash.kpis.year_ago.orders:
            intro += " The periods it is compared with are below."
    blocks.append(_section(intro))
    if dash.has_sales or dash.kpis.previous.orders or dash.kpis.year_ago.orders:
        for metric in KPI_NAMES:
            blocks.append(_section(kpi_text(dash.kpis, metric, dash.currency)))
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=(
                        f"Compared with the previous period ({_span(period.previous())}) "
                        f"and the same period last year ({_span(period.last_year())}). "
                        f"As of {now.astimezone(tz):%-d %b %Y %H:%M} ({tz.key})."
                    )
                )
            ]
        )
    )
    if dash.has_sales:
        blocks.append(DividerBlock())
        blocks.append(_section(top_text("Top products", dash.products, dash)))
        blocks.append(_section(top_text("Top categories", dash.categories, dash)))
    notes = []
    if shared_by:
        notes.append(f"Shared by {mention(shared_by)}.")
    if chart_note:
        notes.append(chart_note)
    if notes:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(notes))]))
    value = share_value(dash.filters, dash.kpis.category, now.astimezone(tz).date())
    if share_button and dash.has_sales and len(value) <= BUTTON_VALUE_MAX:
        blocks.append(
            ActionsBlock(
                block_id=ACTIONS_BLOCK,
                elements=[
                    ButtonElement(
                        text="Share to channel",
                        action_id=SHARE_ACTION,
                        value=value,
                        style="primary",
                    )
                ],
            )
        )
    return fit(blocks)


def share_value(filters: Filters, category: str | None, today: date) -> str:
    """What Share to channel needs to post the card that was shown: the filters, the
    category as stored, and the day they were read on, so a relative period ("month",
    "week") pressed on a later day still means the dates on the card. JSON, since a
    category name may hold spaces, digits or colons that the typed form cannot."""
    value: dict[str, str] = {"period": filters.period.text, "on": today.isoformat()}
    if category:
        value["category"] = category
    if filters.by is not None:
        value["by"] = filters.by.value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def read_share_value(value: str, today: date) -> Filters:
    """The filters of a Share button (FilterError if they no longer read). A value in the
    older form, the filters as typed, is read against today."""
    try:
        data = json.loads(value)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return read_filters(value.split(), today)
    try:
        shown_on = date.fromisoformat(str(data["on"]))
        period = parse_period(str(data["period"]), shown_on)
        by = BUCKETS[str(data["by"])] if data.get("by") else None
    except (KeyError, ValueError, PeriodError) as exc:
        raise FilterError(
            f"This card's filters no longer read ({exc}): run /sales again."
        ) from None
    category = data.get("category")
    return Filters(period=period, category=str(category) if category else None, by=by)


def kpi_text(kpis: Kpis, metric: Metric, currency: str) -> str:
    """'*Revenue*  *$1,200.00*' then a line per comparison with its dot, arrow and value."""
    name = KPI_NAMES[metric]
    value = _value(kpis.current, metric, currency)
    head = f"*{name}*   *{value}*"
    if metric is Metric.MARGIN:
        head += _margin_note(kpis.current, currency)
    lines = [head]
    for against, totals, what in (
        ("previous", kpis.previous, "previous period"),
        ("yoy", kpis.year_ago, "same period last year"),
    ):
        lines.append(
            f"{arrow(kpis.change(metric, against))} vs {what} ({_value(totals, metric, currency)})"
        )
    return "\n".join(lines)


def arrow(change: Decimal | None) -> str:
    """':large_green_circle: ▲ 12.3%', ':red_circle: ▼ 4.1%', ':white_circle: n/a'."""
    if change is None:
        return NOT_AVAILABLE
    shown = percent(change.copy_abs())
    if change > 0:
        return f"{UP} {shown}"
    if change < 0:
        return f"{DOWN} {shown}"
    return f"{FLAT} {shown}"


def percent(fraction: Decimal, places: int = 1) -> str:
    """0.1234 → '12.3%'."""
    quantum = Decimal(1).scaleb(-places)
    return f"{(fraction * 100).quantize(quantum, ROUND_HALF_UP):,}%"


def top_text(title: str, report: Report, dash: Dashboard) -> str:
    """A numbered list of the top rows by revenue, each with its share of the period's."""
    total = dash.kpis.current.revenue
    lines = [f"*{title}* by revenue"]
    rows = [r for r in report.rows if r.totals.revenue or r.totals.orders]
    for i, row in enumerate(rows[:TOP], start=1):
        share = f" · {percent(row.totals.revenue / total)}" if total else ""
        lines.append(
            f"{i}. {escape(truncate(row.label, LABEL_SHOWN))} — "
            f"*{format_money(row.totals.revenue, dash.currency)}*{share} · "
            f"{row.totals.units:,} unit{_s(row.totals.units)}"
        )
    if not rows:
        lines.append("_none_")
    if report.more:
        lines.append(f"_and {report.more:,} more_")
    return "\n".join(lines)


# --- the chart -----------------------------------------------------------------------------------


def chart_points(dash: Dashboard) -> list[Point]:
    """Revenue per bucket, with the previous period's bucket at the same position."""
    before = dash.trend_before.rows
    years = dash.period.start.year != dash.period.end.year  # "3 Apr" of which year?
    return [
        Point(
            label=bucket_label(row, dash.trend.dimension, with_year=years),
            value=row.totals.revenue,
            previous=before[i].totals.revenue if i < len(before) else None,
        )
        for i, row in enumerate(dash.trend.rows)
    ]


def bucket_label(row: ReportRow, dimension: Dimension, *, with_year: bool = False) -> str:
    """'3 Mar', 'wk 2 Mar', 'Mar 2026'; days and weeks say their year when a chart spans two."""
    start = date.fromisoformat(row.key)
    year = f" {start:%Y}" if with_year else ""
    if dimension is Dimension.DAY:
        return f"{start:%-d %b}{year}"
    if dimension is Dimension.WEEK:
        return f"wk {start:%-d %b}{year}"
    if dimension is Dimension.QUARTER:
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return f"{start:%b %Y}"


def chart_title(dash: Dashboard) -> str:
    return f"Revenue per {dash.trend.dimension.value} · {dash.title}"


def previous_label(dash: Dashboard) -> str:
    return f"Previous period ({_span(dash.period.previous())})"


def chart_filename(dash: Dashboard) -> str:
    """'sales-2026-11.png', 'sales-2025.png', 'sales-2026-01-05-2026-01-11-furniture.png'."""
    period = dash.period
    start, end = period.start, period.end
    if start == date(start.year, 1, 1) and end.month == 12 and end.day == 31:
        name = f"{start.year}" if start.year == end.year else f"{start:%Y-%m-%d}-{end:%Y-%m-%d}"
    elif start.day == 1 and (start.year, start.month) == (end.year, end.month):
        name = f"{start:%Y-%m}"
    elif start == end:
        name = f"{start:%Y-%m-%d}"
    else:
        name = f"{start:%Y-%m-%d}-{end:%Y-%m-%d}"
    if dash.kpis.category:
        slug = "".join(c if c.isalnum() else "-" for c in dash.kpis.category.lower()).strip("-")
        name += f"-{slug[:40]}" if slug else ""
    return f"sales-{name}.png"


# --- helpers -------------------------------------------------------------------------------------


def _value(totals: Totals, metric: Metric, currency: str) -> str:
    value = totals.value(metric)
    if value is None:
        return "—"
    if metric in (Metric.ORDERS, Metric.UNITS):
        return f"{int(value):,}"
    return format_money(Decimal(value), currency)


def _margin_note(totals: Totals, currency: str) -> str:
    """The margin's rate and how much revenue it covers: lines without a cost are left out."""
    if not totals.revenue:
        return ""
    if not totals.covered_revenue:
        return " · _no product sold had a cost, so there is no margin to show_"
    rate = percent(totals.margin / totals.covered_revenue)
    coverage = totals.coverage or Decimal(0)
    return f" · {rate} margin · over {_coverage(coverage)} of revenue"


def _coverage(fraction: Decimal) -> str:
    """'96%', but '99.6%' rather than a rounded '100%' that would hide missing costs."""
    whole = percent(fraction, 0)
    if fraction < 1 and whole in ("100%", "0%"):
        return percent(fraction, 1)
    return whole


def _signed(change: Decimal) -> str:
    return f"{'+' if change > 0 else ''}{percent(change)}"


def _span(period: Period) -> str:
    """'1–15 Mar 2026', '28 Dec 2025 – 3 Jan 2026', '2 Mar 2026'."""
    start, end = period.start, period.end
    if start == end:
        return f"{start:%-d %b %Y}"
    if start.year != end.year:
        return f"{start:%-d %b %Y} – {end:%-d %b %Y}"
    if start.month != end.month:
        return f"{start:%-d %b} – {end:%-d %b %Y}"
    return f"{start.day}–{end:%-d %b %Y}"


def _days(days: int) -> str:
    return f"{days:,} day{_s(days)}"


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, 3000)))


def _s(count: int) -> str:
    return "" if count == 1 else "s"
