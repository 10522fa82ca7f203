"""The report card, its CSV and its chart data, from reports built by hand: numbers to cents,
comparison columns, "n/a", Slack's limits on long reports, and names typed as `<!channel>`."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.local_slack import block_problems
from commands.sales.report_csv import file_stem, report_csv
from commands.sales.report_views import (
    BARS_MAX,
    ReportView,
    change_text,
    chart_bars,
    chart_points,
    empty_text,
    period_label,
    report_blocks,
    report_text,
    value_text,
)
from domain.metrics import Dimension, Metric, Period, Totals
from domain.reports import Compare, Report, ReportRow

JAN = Period(start=date(2026, 1, 1), end=date(2026, 1, 31))
DEC = Period(start=date(2025, 12, 1), end=date(2025, 12, 31))


def totals(revenue: str, orders: int = 1, units: int = 1, cost: str | None = None) -> Totals:
    money = Decimal(revenue)
    return Totals(
        revenue=money,
        cost=Decimal(cost) if cost is not None else Decimal(0),
        covered_revenue=money if cost is not None else Decimal(0),
        units=units,
        lines=orders,
        orders=orders,
    )


def make_view(
    rows: list[ReportRow],
    *,
    metric: Metric = Metric.REVENUE,
    dimension: Dimension = Dimension.CUSTOMER,
    total: Totals | None = None,
    compare_total: Totals | None = None,
    more: int = 0,
    category: str | None = None,
    with_csv: bool = False,
) -> ReportView:
    compared = compare_total is not None
    report = Report(
        metric=metric,
        dimension=dimension,
        period=JAN,
        category=category,
        compare=Compare.MOM if compared else None,
        compare_period=DEC if compared else None,
        rows=rows,
        total=total or sum((r.totals for r in rows), Totals()),
        more=more,
    )
    return ReportView(
        report=report,
        period_label="January 2026",
        currency="USD",
        compare_total=compare_total,
        with_csv=with_csv,
    )


def dumped(view: ReportView, **kw: Any) -> list[dict[str, Any]]:
    blocks = [b.to_dict() for b in report_blocks(view, **kw)]
    assert block_problems(blocks) == []
    return blocks


def table_of(blocks: list[dict[str, Any]]) -> list[list[str]]:
    [table] = [b for b in blocks if b["type"] == "table"]
    return [[cell["text"] for cell in row] for row in table["rows"]]


def mrkdwn_of(blocks: list[dict[str, Any]]) -> str:
    """Every mrkdwn text of the card: where Slack would read <!channel> as a mention."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(found)


def test_money_rounds_to_cents_and_counts_are_whole() -> None:
    assert value_text(Decimal("1234.565"), Metric.REVENUE, "USD") == "$1,234.57"
    assert value_text(Decimal("-12.3449"), Metric.MARGIN, "EUR") == "-€12.34"
    assert value_text(Decimal("99.995"), Metric.AOV, "SEK") == "100.00 SEK"
    assert value_text(12345, Metric.ORDERS, "USD") == "12,345"
    assert value_text(7, Metric.UNITS, "USD") == "7"
    assert value_text(None, Metric.AOV, "USD") == "—"


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (Decimal("0.1234"), "▲ 12.3%"),
        (Decimal("-0.04"), "▼ 4.0%"),
        (Decimal("12.5"), "▲ 1,250.0%"),
        (Decimal("0"), "0.0%"),
        (Decimal("-1"), "▼ 100.0%"),
        (None, "n/a"),
    ],
)
def test_changes_show_a_direction_and_a_percentage(change: Decimal | None, shown: str) -> None:
    assert change_text(change) == shown


@pytest.mark.parametrize(
    ("period", "label"),
    [
        (Period(start=date(2016, 1, 1), end=date(2016, 12, 31)), "2016"),
        (Period(start=date(2026, 2, 1), end=date(2026, 2, 28)), "February 2026"),
        (Period(start=date(2026, 7, 1), end=date(2026, 9, 30)), "2026-Q3"),
        (Period(start=date(2026, 10, 1), end=date(2026, 10, 27)), "1 – 27 Oct 2026"),
        (Period(start=date(2026, 2, 15), end=date(2026, 3, 1)), "15 Feb – 1 Mar 2026"),
        (Period(start=date(2025, 12, 15), end=date(2026, 1, 20)), "15 Dec 2025 – 20 Jan 2026"),
        (Period(start=date(2026, 3, 5), end=date(2026, 3, 5)), "5 Mar 2026"),
    ],
)
def test_comparison_periods_in_words(period: Period, label: str) -> None:
    assert period_label(period) == label


def test_the_table_has_labels_values_and_a_total_aligned_right() -> None:
    rows = [
        ReportRow(key="1", label="Acme (C-1)", totals=totals("1000.005", 2)),
        ReportRow(key="2", label="Globex (C-2)", totals=totals("250.5", 1)),
    ]
    view = make_view(rows, total=totals("1250.505", 3))
    blocks = dumped(view)
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Revenue by customer · January 2026"},
    }
    assert "*Total:* $1,250.51" in mrkdwn_of(blocks)
    assert table_of(blocks) == [
        ["Customer", "Revenue"],
        ["Acme (C-1)", "$1,000.01"],
        ["Globex (C-2)", "$250.50"],
        ["Total", "$1,250.51"],
    ]
    [table] = [b for b in blocks if b["type"] == "table"]
    assert [s["align"] for s in table["column_settings"]] == ["left", "right"]
    assert blocks[-1]["type"] == "table"  # Slack shows it last anyway
    assert report_text(view) == (
        "Revenue by customer, January 2026: $1,250.51; top customer: Acme (C-1) $1,000.01."
    )


def test_comparison_columns_show_both_values_the_change_and_n_a() -> None:
    rows = [
        ReportRow(key="1", label="Acme", totals=totals("110"), compared=totals("100")),
        ReportRow(key="2", label="New Co", totals=totals("50"), compared=Totals()),
        ReportRow(key="3", label="Gone Ltd", totals=Totals(), compared=totals("40")),
    ]
    view = make_view(rows, compare_total=totals("140", 2))
    blocks = dumped(view)
    assert table_of(blocks) == [
        ["Customer", "January 2026", "December 2025", "Change"],
        ["Acme", "$110.00", "$100.00", "▲ 10.0%"],
        ["New Co", "$50.00", "$0.00", "n/a"],
        ["Gone Ltd", "$0.00", "$40.00", "▼ 100.0%"],
        ["Total", "$160.00", "$140.00", "▲ 14.3%"],
    ]
    text = mrkdwn_of(blocks)
    assert "*December 2025:* $140.00 · *Change:* ▲ 14.3%" in text
    assert "Month over month: against December 2025" in text
    assert report_text(view).startswith(
        "Revenue by customer, January 2026: $160.00 against $140.00 in December 2025 (▲ 14.3%)"
    )


def test_time_buckets_are_named_and_a_missing_twin_is_a_dash() -> None:
    rows = [
        ReportRow(key="2026-01-05", label="2026-01-05", totals=totals("10"), compared=totals("5")),
        ReportRow(key="2026-01-12", label="2026-01-12", totals=totals("20"), compared=None),
    ]
    view = make_view(
        rows, metric=Metric.ORDERS, dimension=Dimension.WEEK, compare_total=totals("5", 4)
    )
    assert table_of(dumped(view))[1:3] == [
        ["Week of 5 Jan 2026", "1", "1", "0.0%"],
        ["Week of 12 Jan 2026", "1", "—", "n/a"],
    ]
    points = chart_points(view)
    assert [(p.label, p.value, p.previous) for p in points] == [
        ("W2", Decimal(1), Decimal(1)),
        ("W3", Decimal(1), None),
    ]


def test_aov_without_orders_is_a_dash_and_margin_says_its_coverage() -> None:
    rows = [
        ReportRow(key="Furniture", label="Furniture", totals=totals("300", 3)),
        ReportRow(key="", label="(no category)", totals=Totals()),
    ]
    aov = make_view(rows, metric=Metric.AOV, dimension=Dimension.CATEGORY)
    assert table_of(dumped(aov))[1:] == [
        ["Furniture", "$100.00"],
        ["(no category)", "—"],
        ["Total", "$100.00"],
    ]
    margin_total = Totals(
        revenue=Decimal(400),
        covered_revenue=Decimal(300),
        cost=Decimal(100),
        units=4,
        lines=4,
        orders=4,
    )
    margin = make_view(rows, metric=Metric.MARGIN, dimension=Dimension.CATEGORY, total=margin_total)
    blocks = dumped(margin)
    assert "*Total:* $200.00" in mrkdwn_of(blocks)
    assert "Margin over 75% of revenue" in mrkdwn_of(blocks)


def test_a_customer_named_channel_notifies_nobody() -> None:
    rows = [ReportRow(key="1", label="<!channel> & Co (C-1)", totals=totals("10"))]
    view = make_view(rows, category="<!here>")
    blocks = dumped(view)
    text = report_text(view) + "\n" + mrkdwn_of(blocks)
    assert "<!channel>" not in text and "<!here>" not in text
    assert "&lt;!channel&gt; &amp; Co (C-1)" in report_text(view)
    assert "(&lt;!here&gt;)" in report_text(view)
    # Table cells are plain text, never read as mrkdwn: the name is shown as typed.
    [table] = [b for b in blocks if b["type"] == "table"]
    assert table["rows"][1][0] == {"type": "raw_text", "text": "<!channel> & Co (C-1)"}
    assert blocks[0]["text"]["type"] == "plain_text"
    assert "&lt;!here&gt;" in empty_text(view)


def test_a_long_report_is_cut_to_fit_slack_and_says_so() -> None:
    long_name = "Deluxe " * 40
    rows = [
        ReportRow(
            key=str(i),
            label=f"SKU-{i:05d} · {long_name}",
            totals=totals(f"{100000 - i}.1234", 3),
            compared=totals("5"),
        )
        for i in range(100)
    ]
    view = make_view(rows, dimension=Dimension.PRODUCT, compare_total=totals("500", 100), more=37)
    blocks = dumped(view)
    assert len(json.dumps(blocks, ensure_ascii=False)) < 13000
    table = table_of(blocks)
    assert len(table) <= 100
    shown = len(table) - 2
    assert 20 <= shown < 100
    assert table[1][0].startswith("SKU-00000 · Deluxe") and table[1][0].endswith("…")
    assert all(len(cell) <= 48 for row in table for cell in row)
    assert table[-1][0] == "Total"
    context = mrkdwn_of(blocks)
    assert "The top 100 products: 37 more are not in this report." in context
    assert f"…and {100 - shown} more rows not shown here: add `csv`" in context
    with_csv = dumped(make_view(rows, dimension=Dimension.PRODUCT, with_csv=True))
    assert "rows not shown here: the CSV has them." in mrkdwn_of(with_csv)


def test_a_year_of_days_keeps_the_latest_days() -> None:
    start = date(2025, 1, 1)
    rows = [
        ReportRow(
            key=(start + timedelta(days=i)).isoformat(),
            label="",
            totals=totals(str(i), 1),
        )
        for i in range(365)
    ]
    view = make_view(rows, dimension=Dimension.DAY)
    blocks = dumped(view)
    table = table_of(blocks)
    assert table[-2][0] == "Wed 31 Dec 2025"  # the latest day, just above the total
    assert len(table) - 2 == 60
    assert "…and 305 earlier rows not shown here" in mrkdwn_of(blocks)
    assert len(chart_points(view)) == 365  # the chart draws every day


def test_bars_are_the_largest_fifteen_with_their_comparison() -> None:
    rows = [
        ReportRow(key=str(i), label=f"Rep {i}", totals=totals(str(100 - i)), compared=totals("1"))
        for i in range(20)
    ]
    bars, compared = chart_bars(make_view(rows, dimension=Dimension.REP, compare_total=Totals()))
    assert len(bars) == BARS_MAX and bars[0] == ("Rep 0", Decimal(100))
    assert compared == [Decimal(1)] * BARS_MAX
    assert chart_bars(make_view(rows, dimension=Dimension.REP))[1] is None
    product = ReportRow(key="3", label="TEC-CO-10004722 · Canon imageCLASS", totals=totals("9"))
    bars, _ = chart_bars(make_view([product], dimension=Dimension.PRODUCT))
    assert bars == [("Canon imageCLASS", Decimal(9))]


def test_the_csv_has_every_row_exactly_and_a_total() -> None:
    rows = [
        ReportRow(
            key="7", label="Acme, Inc. (C-7)", totals=totals("1000.0051"), compared=totals("0")
        ),
        ReportRow(key="9", label="Zed (C-9)", totals=totals("2.5"), compared=totals("2")),
    ]
    view = make_view(rows, compare_total=totals("2", 1))
    content = report_csv(view)
    assert content.startswith("\ufeff".encode())
    read = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert read == [
        ["key", "customer", "revenue", "revenue December 2025", "change"],
        ["C-7", "Acme, Inc.", "1000.0051", "0.0000", ""],
        ["C-9", "Zed", "2.5000", "2.0000", "0.2500"],
        ["total", "Total", "1002.5051", "2.0000", "500.2526"],
    ]
    orders = make_view(rows, metric=Metric.ORDERS)
    assert list(csv.reader(io.StringIO(report_csv(orders).decode("utf-8-sig"))))[1:] == [
        ["C-7", "Acme, Inc.", "1"],
        ["C-9", "Zed", "1"],
        ["total", "Total", "2"],
    ]


def test_csv_rows_are_named_as_people_name_them() -> None:
    rows = [
        ReportRow(key="41", label="FUR-CH-1 · Chair, oak", totals=totals("5")),
        ReportRow(key="", label="(no region)", totals=totals("1")),
    ]
    product = list(csv.reader(io.StringIO(report_csv(make_view(rows)).decode("utf-8-sig"))))
    assert product[1:3] == [
        ["41", "FUR-CH-1 · Chair, oak", "5.0000"],
        ["", "(no region)", "1.0000"],
    ]
    by_product = make_view(rows, dimension=Dimension.PRODUCT)
    read = list(csv.reader(io.StringIO(report_csv(by_product).decode("utf-8-sig"))))
    assert read[0][:2] == ["key", "product"]
    assert read[1] == ["FUR-CH-1", "Chair, oak", "5.0000"]
    month = [ReportRow(key="2026-01-01", label="2026-01-01", totals=totals("3"))]
    read = list(
        csv.reader(
            io.StringIO(report_csv(make_view(month, dimension=Dimension.MONTH)).decode("utf-8-sig"))
        )
    )
    assert read[1] == ["2026-01-01", "Jan 2026", "3.0000"]


def test_reps_recorded_in_slack_are_shown_by_name_in_the_table() -> None:
    rows = [
        ReportRow(key="U0ALICE", label="U0ALICE", totals=totals("9")),
        ReportRow(key="", label="(no rep)", totals=totals("1")),
    ]
    view = make_view(rows, dimension=Dimension.REP)
    [table] = [b for b in dumped(view) if b["type"] == "table"]
    assert table["rows"][1][0]["type"] == "rich_text"
    assert table["rows"][1][0]["elements"][0]["elements"] == [
        {"type": "user", "user_id": "U0ALICE"}
    ]
    assert table["rows"][2][0] == {"type": "raw_text", "text": "(no rep)"}
    assert "<@" not in report_text(view)  # a posted report notifies no rep


def test_file_names_say_what_and_when() -> None:
    year = Period(start=date(2017, 1, 1), end=date(2017, 12, 31))
    assert file_stem(Metric.REVENUE, Dimension.MONTH, year, None) == "revenue-by-month-2017"
    assert file_stem(Metric.ORDERS, Dimension.CUSTOMER, JAN, "Office Supplies") == (
        "orders-by-customer-2026-01-office-supplies"
    )
    part = Period(start=date(2026, 11, 1), end=date(2026, 11, 27))
    assert file_stem(Metric.UNITS, Dimension.DAY, part, "<!x>") == (
        "units-by-day-2026-11-01-to-2026-11-27-x"
    )


# --- review ----------------------------------------------------------------------------------


def test_csv_names_that_look_like_formulas_are_not_run_by_spreadsheets() -> None:
    """CSV injection: a customer or product named `=HYPERLINK(…)` arrives as text."""
    rows = [
        ReportRow(key="1", label='=HYPERLINK("http://evil","x") (C-1)', totals=totals("5")),
        ReportRow(key="2", label="+1 555 0100 (C-2)", totals=totals("4")),
        ReportRow(key="3", label="-Sale- (C-3)", totals=totals("3")),
        ReportRow(key="4", label="@SUM(A1:A9) (C-4)", totals=totals("2")),
        ReportRow(key="5", label="\tTabbed (C-5)", totals=totals("1")),
        ReportRow(key="6", label="Plain = fine (C-6)", totals=totals("-1")),
    ]
    read = list(csv.reader(io.StringIO(report_csv(make_view(rows)).decode("utf-8-sig"))))
    assert [row[1] for row in read[1:-1]] == [
        '\'=HYPERLINK("http://evil","x")',
        "'+1 555 0100",
        "'-Sale-",
        "'@SUM(A1:A9)",
        "'\tTabbed",
        "Plain = fine",
    ]
    assert read[-2][2] == "-1.0000"  # numbers stay numbers, a minus sign and all
    products = [ReportRow(key="9", label="=1+1 · =cmd|' /C calc'!A0", totals=totals("1"))]
    view = make_view(products, dimension=Dimension.PRODUCT)
    read = list(csv.reader(io.StringIO(report_csv(view).decode("utf-8-sig"))))
    assert read[1][:2] == ["'=1+1", "'=cmd|' /C calc'!A0"]


def test_an_imported_rep_named_in_capitals_is_a_name_not_a_mention() -> None:
    """Only Slack user ids become mentions: "WALT" from an import stays as written."""
    rows = [
        ReportRow(key="WALT", label="WALT", totals=totals("9")),
        ReportRow(key="UMA", label="UMA", totals=totals("8")),
        ReportRow(key="U024BE7LH", label="U024BE7LH", totals=totals("7")),
    ]
    [table] = [b for b in dumped(make_view(rows, dimension=Dimension.REP)) if b["type"] == "table"]
    assert table["rows"][1][0] == {"type": "raw_text", "text": "WALT"}
    assert table["rows"][2][0] == {"type": "raw_text", "text": "UMA"}
    assert table["rows"][3][0]["type"] == "rich_text"


def test_margin_coverage_is_never_rounded_to_all_or_nothing() -> None:
    rows = [ReportRow(key="F", label="F", totals=totals("1", 1))]

    def coverage_line(covered: str) -> str:
        total = Totals(
            revenue=Decimal(10000),
            covered_revenue=Decimal(covered),
            cost=Decimal(0),
            units=1,
            lines=1,
            orders=1,
        )
        view = make_view(rows, metric=Metric.MARGIN, dimension=Dimension.CATEGORY, total=total)
        [line] = [x for x in mrkdwn_of(dumped(view)).splitlines() if x.startswith("Margin over")]
        return line

    assert coverage_line("9996").startswith("Margin over 99.9% of revenue")
    assert coverage_line("3").startswith("Margin over 0.1% of revenue")
    assert coverage_line("7500").startswith("Margin over 75% of revenue")
    total = Totals(revenue=Decimal(10), units=1, lines=1, orders=1)  # no cost at all
    view = make_view(rows, metric=Metric.MARGIN, dimension=Dimension.CATEGORY, total=total)
    assert "No product sold had a cost" in mrkdwn_of(dumped(view))


def test_aov_on_a_day_without_orders_is_a_gap_in_the_chart() -> None:
    days = [
        ReportRow(key="2026-01-01", label="2026-01-01", totals=totals("300", 3)),
        ReportRow(key="2026-01-02", label="2026-01-02", totals=Totals()),
    ]
    points = chart_points(make_view(days, metric=Metric.AOV, dimension=Dimension.DAY))
    assert [p.value for p in points] == [Decimal(100), None]


def test_chart_buckets_say_their_year_when_the_period_spans_two() -> None:
    def labels(period: Period, dimension: Dimension, keys: list[str]) -> list[str]:
        rows = [ReportRow(key=k, label=k, totals=totals("1")) for k in keys]
        view = make_view(rows, dimension=dimension)
        view = ReportView(
            report=view.report.model_copy(update={"period": period}),
            period_label="x",
            currency="USD",
        )
        return [p.label for p in chart_points(view)]

    span = Period(start=date(2025, 12, 30), end=date(2026, 1, 2))
    assert labels(span, Dimension.DAY, ["2025-12-31", "2026-01-01"]) == [
        "31 Dec 2025",
        "1 Jan 2026",
    ]
    assert labels(span, Dimension.WEEK, ["2025-12-29"]) == ["W1 2026"]
    assert labels(JAN, Dimension.DAY, ["2026-01-01"]) == ["1 Jan"]
    assert labels(JAN, Dimension.WEEK, ["2026-01-05"]) == ["W2"]
