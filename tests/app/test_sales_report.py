"""/sales report end to end: signed requests into the real app (and a real `salesbot serve
--http`), the card's numbers against hand-built orders, comparisons, top-N, the chart and the
CSV sent to the asker's DM through files_upload_v2, bad input, and the Superstore sample
against pandas.

The clock starts Monday 2 March 2026, 15:30 UTC (10:30 in New York, the workspace's zone).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bot.services import Services, build_services
from commands.sales.report import report_posting
from commands.sales.report_grammar import read_report
from domain.catalog import ProductDraft
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.metrics import Totals, growth
from domain.money import format_money
from domain.orders import LineInput
from storage.importers import import_superstore
from tests.conftest import START, make_settings
from tests.harness import TEAM, USER, RunningBot
from tests.served import BACKENDS, ServedBot, fresh_database, start_serving

ALICE = USER
BOB = "U0BOB"
OTHER_TEAM = "T0OTHER"
PNG = b"\x89PNG\r\n\x1a\n"
SUPERSTORE = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "superstore.csv"
CENT = Decimal("0.01")

# --- the hand-built orders ----------------------------------------------------------------------


@dataclass(frozen=True)
class Sale:
    day: date
    customer: str
    rep: str
    lines: tuple[tuple[str, int, str | None], ...]  # sku, quantity, discount


PRODUCTS = {  # sku: name, category, price, cost
    "CH-1": ("Chair", "Furniture", "100", "60"),
    "DK-1": ("Desk", "Furniture", "250.50", "200"),
    "PN-1": ("Pen", "Office Supplies", "1.2345", None),
    "LP-1": ("Laptop", "Technology", "999.99", "800"),
}
CUSTOMERS = {  # name: region
    "Acme": "East",
    "<!channel> Ltd": "West",
    "Globex": None,
}
SALES = [
    # January 2026: Acme 201.2345, Globex 250.5000 → 451.7345
    Sale(date(2026, 1, 5), "Acme", ALICE, (("CH-1", 2, None), ("PN-1", 1, None))),
    Sale(date(2026, 1, 20), "Globex", BOB, (("DK-1", 1, None),)),
    # February 2026: <!channel> Ltd 899.9910, Acme 312.3450 + 250.5000 → 1,462.8360
    Sale(date(2026, 2, 3), "<!channel> Ltd", ALICE, (("LP-1", 1, "10%"),)),
    Sale(date(2026, 2, 10), "Acme", BOB, (("CH-1", 3, None), ("PN-1", 10, None))),
    Sale(date(2026, 2, 28), "Acme", ALICE, (("DK-1", 1, None),)),
    # March 2026 (to date): Globex 4.9380
    Sale(date(2026, 3, 1), "Globex", BOB, (("PN-1", 4, None),)),
    # February 2025, for year over year: Acme 999.9900
    Sale(date(2025, 2, 14), "Acme", ALICE, (("LP-1", 1, None),)),
]


def build(services: Services, team: str = TEAM) -> None:
    services.workspaces.ensure(team, ALICE)
    services.workspaces.ensure(team, BOB)
    workspace = services.workspaces.ensure(team, ALICE)[0]
    products = {}
    for sku, (name, category, price, cost) in PRODUCTS.items():
        draft = ProductDraft.from_input(
            sku=sku, name=name, list_price=price, unit_cost=cost, category=category
        )
        products[sku] = services.catalog.create(team, draft, actor=ALICE)
    customers = {
        name: services.customers.create(
            team, CustomerDraft.from_input(name=name, region=region), actor=ALICE
        )
        for name, region in CUSTOMERS.items()
    }
    for sale in SALES:
        services.orders.record(
            team,
            customer_id=customers[sale.customer].id,
            order_date=sale.day,
            lines=[
                LineInput(product_id=products[sku].id, quantity=str(qty), discount=discount)
                for sku, qty, discount in sale.lines
            ],
            tz=workspace.tz,
            actor=sale.rep,
        )
    # Another workspace's sale is never counted.
    services.workspaces.ensure(OTHER_TEAM, ALICE)
    other = services.customers.create(
        OTHER_TEAM, CustomerDraft.from_input(name="Elsewhere"), actor=ALICE
    )
    laptop = services.catalog.create(
        OTHER_TEAM,
        ProductDraft.from_input(
            sku="LP-1", name="Laptop", list_price="77777", category="Furniture"
        ),
        actor=ALICE,
    )
    services.orders.record(
        OTHER_TEAM,
        customer_id=other.id,
        order_date=date(2026, 2, 3),
        lines=[LineInput(product_id=laptop.id, quantity="1")],
        tz=workspace.tz,
        actor=ALICE,
    )


@pytest.fixture
def report_bot(bot: RunningBot) -> RunningBot:
    build(bot.services)
    return bot


# --- helpers -------------------------------------------------------------------------------------


def shown(message: dict[str, Any]) -> str:
    return (
        message.get("text", "") + "\n" + json.dumps(message.get("blocks", []), ensure_ascii=False)
    )


def table(message: dict[str, Any]) -> list[list[str]]:
    """The card's table as text, a mentioned rep as <@U…>."""
    [block] = [b for b in message["blocks"] if b["type"] == "table"]
    rows = []
    for row in block["rows"]:
        cells = []
        for cell in row:
            if cell["type"] == "raw_text":
                cells.append(cell["text"])
            else:
                [part] = cell["elements"][0]["elements"]
                cells.append(f"<@{part['user_id']}>")
        rows.append(cells)
    return rows


def uploads(bot: RunningBot) -> list[dict[str, Any]]:
    return [c.args for c in bot.slack.calls_to("files.completeUploadExternal")]


def files(bot: RunningBot) -> dict[str, bytes]:
    """Every uploaded file by its name."""
    found = {}
    for upload in uploads(bot):
        for file in upload["files"]:
            found[str(bot.slack.file_name(file["id"]))] = bot.slack.file_bytes(file["id"])
    return found


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def report(bot: RunningBot, text: str) -> dict[str, Any]:
    reply = bot.command("/sales", f"report {text}")
    assert reply.status == 200 and reply.body == "", reply.body  # acked at once
    message = bot.last_response()
    assert message["response_type"] == "ephemeral"
    return message


# --- the card -------------------------------------------------------------------------------------


def test_revenue_by_month_shows_each_month_to_cents_and_the_total(report_bot: RunningBot) -> None:
    bot = report_bot
    card = report(bot, "revenue by month")  # by month: this year to date
    assert card["text"] == "Revenue by month, 2026 to date: $1,919.51."
    assert card["blocks"][0]["text"]["text"] == "Revenue by month · 2026 to date"
    assert table(card) == [
        ["Month", "Revenue"],
        ["Jan 2026", "$451.73"],
        ["Feb 2026", "$1,462.84"],
        ["Mar 2026", "$4.94"],
        ["Total", "$1,919.51"],
    ]
    text = shown(card)
    assert "*Total:* $1,919.51" in text
    assert "As of 2 Mar 2026, 10:30 (America/New_York)." in text
    assert "The chart follows in your DM with Salesbot." in text
    assert "77,777" not in text  # the other workspace's sale


def test_the_chart_goes_to_the_askers_dm_as_a_png(report_bot: RunningBot) -> None:
    bot = report_bot
    report(bot, "revenue by month")
    [upload] = uploads(bot)
    assert upload["channel_id"] == f"D{USER}"
    assert upload["initial_comment"] == "Revenue by month, 2026 to date: $1,919.51."
    [(name, content)] = files(bot).items()
    assert name == "revenue-by-month-2026-01-01-to-2026-03-02.png"
    assert content.startswith(PNG)
    assert not bot.slack.calls_to("chat.postMessage")  # nothing posted in the channel


def test_a_refused_upload_is_told_privately(report_bot: RunningBot) -> None:
    bot = report_bot
    bot.slack.fail_next("files.getUploadURLExternal", error="file_uploads_disabled")
    bot.command("/sales", "report revenue by month")
    card, warning = (c.args for c in bot.slack.calls_to("response_url"))
    assert card["text"] == "Revenue by month, 2026 to date: $1,919.51."
    assert warning["text"] == (
        ":warning: I couldn't send you the report's files: Slack said file_uploads_disabled."
    )
    assert warning["replace_original"] is False
    assert not uploads(bot)


def test_compare_mom_shows_both_values_and_the_change(report_bot: RunningBot) -> None:
    bot = report_bot
    card = report(bot, "revenue by customer 2026-02 compare:mom")
    assert table(card) == [
        # The same days a month earlier (docs/metrics.md): 1–28 January.
        ["Customer", "February 2026", "1 – 28 Jan 2026", "Change"],
        ["<!channel> Ltd (C-2)", "$899.99", "$0.00", "n/a"],
        ["Acme (C-1)", "$562.85", "$201.23", "▲ 179.7%"],
        ["Globex (C-3)", "$0.00", "$250.50", "▼ 100.0%"],
        ["Total", "$1,462.84", "$451.73", "▲ 223.8%"],
    ]
    assert card["text"] == (
        "Revenue by customer, February 2026: $1,462.84 against $451.73 in 1 – 28 Jan 2026 "
        "(▲ 223.8%); top customer: &lt;!channel&gt; Ltd (C-2) $899.99."
    )
    text = shown(card)
    assert "<!channel>" not in text.replace('"text": "<!channel> Ltd (C-2)"', "")
    assert "Month over month: against 1 – 28 Jan 2026" in text


def test_compare_yoy_pairs_months_with_last_years(report_bot: RunningBot) -> None:
    bot = report_bot
    card = report(bot, "revenue by month compare:yoy csv")
    assert table(card) == [
        ["Month", "2026 to date", "1 Jan – 2 Mar 2025", "Change"],
        ["Jan 2026", "$451.73", "$0.00", "n/a"],
        ["Feb 2026", "$1,462.84", "$999.99", "▲ 46.3%"],
        ["Mar 2026", "$4.94", "$0.00", "n/a"],
        ["Total", "$1,919.51", "$999.99", "▲ 92.0%"],
    ]
    assert "The chart and the CSV follow in your DM with Salesbot." in shown(card)
    sent = files(bot)
    name = "revenue-by-month-2026-01-01-to-2026-03-02"
    assert sent[f"{name}.png"].startswith(PNG)
    assert read_csv(sent[f"{name}.csv"]) == [
        ["key", "month", "revenue", "revenue 1 Jan – 2 Mar 2025", "change"],
        ["2026-01-01", "Jan 2026", "451.7345", "0.0000", ""],
        ["2026-02-01", "Feb 2026", "1462.8360", "999.9900", "0.4629"],
        ["2026-03-01", "Mar 2026", "4.9380", "0.0000", ""],
        ["total", "Total", "1919.5085", "999.9900", "0.9195"],
    ]


def test_top_n_cuts_the_rows_and_says_how_many_more(report_bot: RunningBot) -> None:
    bot = report_bot
    card = report(bot, "revenue by customer 2026-02 top:1")
    assert table(card) == [
        ["Customer", "Revenue"],
        ["<!channel> Ltd (C-2)", "$899.99"],
        ["Total", "$1,462.84"],
    ]
    assert "The top 1 customers: 1 more are not in this report." in shown(card)
    card = report(bot, "units by product year top:2 csv")
    assert table(card)[1:3] == [["PN-1 · Pen", "15"], ["CH-1 · Chair", "5"]]
    assert "The top 2 products: 2 more are not in this report." in shown(card)
    csv_file = files(bot)["units-by-product-2026-01-01-to-2026-03-02.csv"]
    assert read_csv(csv_file) == [
        ["key", "product", "units"],
        ["PN-1", "Pen", "15"],
        ["CH-1", "Chair", "5"],
        ["total", "Total", "23"],
    ]


def test_orders_units_margin_and_aov_by_category_region_and_rep(report_bot: RunningBot) -> None:
    bot = report_bot
    assert table(report(bot, "orders by category year")) == [
        ["Category", "Orders"],
        ["Furniture", "4"],
        ["Office Supplies", "3"],
        ["Technology", "1"],
        ["Total", "6"],  # distinct orders: one order can hold two categories
    ]
    assert table(report(bot, "units by region year")) == [
        ["Region", "Units"],
        ["East", "17"],
        ["(no region)", "5"],
        ["West", "1"],
        ["Total", "23"],
    ]
    margin = report(bot, "margin by category 2026-02")
    assert table(margin) == [
        ["Category", "Gross margin"],
        ["Furniture", "$170.50"],
        ["Technology", "$99.99"],
        ["Office Supplies", "$0.00"],
        ["Total", "$270.49"],
    ]
    assert "Margin over 99% of revenue" in shown(margin)
    assert table(report(bot, "aov by rep 2026-02")) == [
        ["Rep", "Average order value"],
        [f"<@{ALICE}>", "$575.25"],
        [f"<@{BOB}>", "$312.35"],
        ["Total", "$487.61"],
    ]
    furniture = report(bot, "revenue by day 2026-02 category:furniture")
    rows = table(furniture)
    assert len(rows) == 28 + 2  # every day of February, the empty ones too
    assert rows[10] == ["Tue 10 Feb 2026", "$300.00"] and rows[28] == ["Sat 28 Feb 2026", "$250.50"]
    assert furniture["blocks"][0]["text"]["text"] == "Revenue by day · February 2026 · Furniture"


def test_bad_input_is_answered_with_the_problem_and_the_usage(report_bot: RunningBot) -> None:
    bot = report_bot
    acked = {
        "report": "Say what to report, like `revenue by month`",
        "report turnover by month": "“turnover” is not a measure: use revenue, orders, units",
        "report revenue by colour": "“colour” is not something to break a report down by",
        "report revenue month": "Say what to break revenue down by, with `by`",
        "report revenue by month 2025-13": "“2025-13” is not a month",
        "report revenue by month compare:xyz": "“compare:xyz” is not a comparison",
        "report revenue by customer top:0": "“top:0” is not a count",
        "report revenue by customer top:abc": "“top:abc” is not a count",
    }
    for typed, expected in acked.items():
        reply = bot.command("/sales", typed)
        assert reply.status == 200, typed
        assert expected in reply.text, (typed, reply.text)
        assert "/sales report &lt;revenue|orders|units|aov|margin&gt; by" in reply.text
        assert reply.json().get("response_type", "ephemeral") == "ephemeral"
    assert not bot.slack.calls_to("response_url")
    helped = bot.command("/sales", "report help")
    assert "Without one: this month to date; by week this quarter" in helped.text
    assert ":warning:" not in helped.text
    bot.command("/sales", "report revenue by product category:Nope")
    problem = shown(bot.last_response())
    assert "There is no category “Nope”. Categories: Furniture, Office Supplies, Technology." in (
        problem
    )
    assert "Traceback" not in problem
    assert not uploads(bot)


def test_a_period_without_sales_says_so_and_sends_no_chart(report_bot: RunningBot) -> None:
    bot = report_bot
    card = report(bot, "revenue by customer 2024")
    assert card["text"] == "No sales in 2024: nothing to report."
    assert not uploads(bot)
    card = report(bot, "revenue by month 2020 category:Technology")
    assert card["text"] == "No sales in 2020 in Technology: nothing to report."


def test_report_posting_is_what_a_saved_report_posts(report_bot: RunningBot) -> None:
    bot = report_bot
    workspace = bot.services.workspaces.ensure(TEAM, None)[0]
    today = date(2026, 3, 2)
    saved = read_report(["orders", "by:reps", "lastmonth", "csv"], today).text()
    assert saved == "orders by rep last-month csv"
    request = read_report(saved.split(), today)
    posting = report_posting(bot.services.reports, workspace, request, now=START)
    assert posting.text == "Orders by rep, February 2026: 3."
    assert [u.filename for u in posting.uploads] == [
        "orders-by-rep-2026-02.png",
        "orders-by-rep-2026-02.csv",
    ]
    assert "DM" not in json.dumps([b.to_dict() for b in posting.blocks])


# --- the Superstore sample against pandas ---------------------------------------------------------


def pandas_totals(rows: pd.DataFrame) -> Totals:
    return Totals(
        revenue=sum(rows["sales"], Decimal(0)),
        units=int(rows["qty"].sum()),
        lines=len(rows),
        orders=rows["Order ID"].nunique(),
    )


def cents(value: Decimal) -> str:
    return format_money(value.quantize(CENT, ROUND_HALF_UP))


def four(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.0001')):f}"


@pytest.mark.slow
def test_superstore_reports_match_pandas(bot: RunningBot) -> None:
    import_superstore(bot.services, TEAM, SUPERSTORE)
    data = pd.read_csv(SUPERSTORE, dtype=str, encoding="utf-8-sig")
    data["day"] = pd.to_datetime(data["Order Date"], format="%m/%d/%Y").dt.date
    data["month"] = [d.replace(day=1) for d in data["day"]]
    data["sales"] = data["Sales"].map(Decimal)
    data["qty"] = data["Quantity"].astype(int)
    by_month = {m: pandas_totals(g) for m, g in data.groupby("month")}

    # Revenue by month over 2017, against 2016.
    card = report(bot, "revenue by month 2017 compare:yoy csv")
    rows = table(card)
    assert rows[0] == ["Month", "2017", "2016", "Change"]
    file = files(bot)["revenue-by-month-2017.csv"]
    lines = read_csv(file)
    assert len(lines) == 1 + 12 + 1 and len(rows) == 1 + 12 + 1
    for month in range(1, 13):
        now = by_month[date(2017, month, 1)].revenue
        before = by_month[date(2016, month, 1)].revenue
        change = growth(now, before)
        assert lines[month] == [
            f"2017-{month:02d}-01",
            f"{date(2017, month, 1):%b} 2017",
            four(now),
            four(before),
            four(change) if change is not None else "",
        ]
        assert rows[month][1:3] == [cents(now), cents(before)]
    year = data[[d.year == 2017 for d in data["day"]]]
    last = data[[d.year == 2016 for d in data["day"]]]
    total, total_before = sum(year["sales"], Decimal(0)), sum(last["sales"], Decimal(0))
    total_change = growth(total, total_before)
    assert total_change is not None
    assert lines[-1][2:] == [four(total), four(total_before), four(total_change)]
    assert rows[-1][1:3] == [cents(total), cents(total_before)]

    # The top customers of 2018 by revenue, against 2017.
    card = report(bot, "revenue by customer 2018 top:10 compare:yoy csv")
    y2018 = data[[d.year == 2018 for d in data["day"]]]
    y2017 = year
    theirs = {name: sum(g["sales"], Decimal(0)) for name, g in y2018.groupby("Customer Name")}
    earlier_by_name = {
        name: sum(g["sales"], Decimal(0)) for name, g in y2017.groupby("Customer Name")
    }
    ranked = sorted(theirs.items(), key=lambda kv: -kv[1])[:10]
    lines = read_csv(files(bot)["revenue-by-customer-2018.csv"])
    assert [(line[1], line[2]) for line in lines[1:-1]] == [(n, four(v)) for n, v in ranked]
    for line in lines[1:-1]:
        earlier = earlier_by_name.get(line[1], Decimal(0))
        change = growth(theirs[line[1]], earlier)
        assert line[3:] == [four(earlier), four(change) if change is not None else ""]
        assert line[0].startswith("C-")
    assert [row[1] for row in table(card)[1:-1]] == [cents(v) for _, v in ranked]
    assert f"The top 10 customers: {len(theirs) - 10} more are not in this report." in shown(card)

    # Without top:N the card shows the largest 60, ranked by the database, and counts the
    # rest; the CSV holds every customer.
    card = report(bot, "revenue by customer 2018")
    everyone = sorted(theirs.items(), key=lambda kv: (-kv[1], kv[0]))
    assert [row[1] for row in table(card)[1:-1]] == [cents(v) for _, v in everyone[:60]]
    assert f"…and {len(theirs) - 60} more rows not shown here" in shown(card)
    assert table(card)[-1][1] == cents(total_2018 := sum(theirs.values(), Decimal(0)))
    report(bot, "revenue by customer 2018 csv")
    every_line = read_csv(files(bot)["revenue-by-customer-2018.csv"])
    assert len(every_line) == 1 + len(theirs) + 1
    assert every_line[-1][2] == four(total_2018)


# --- `salesbot serve --http` ---------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def served_reports(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedBot]:
    with fresh_database(request.param, tmp_path) as url:
        served = start_serving(url, tmp_path)
        first = next(served)
        services = build_services(make_settings(url), clock=FrozenClock(START))
        try:
            build(services)
        finally:
            services.close()
        yield first
        next(served, None)


@pytest.mark.slow
def test_serve_answers_a_report_and_uploads_the_chart_and_csv(served_reports: ServedBot) -> None:
    served = served_reports
    reply, _, key = served.command("/sales", "report revenue by customer 2026-02 compare:mom csv")
    assert reply.status == 200 and reply.body == ""
    card = served.posted_to(key, timeout=20)
    assert card["text"].startswith(
        "Revenue by customer, February 2026: $1,462.84 against $451.73 in 1 – 28 Jan 2026"
    )
    assert ["Acme (C-1)", "$562.85", "$201.23", "▲ 179.7%"] in table(card)
    done = served.slack.wait_for("files.completeUploadExternal", count=2, timeout=20)
    sent = {
        served.slack.file_name(f["id"]): served.slack.file_bytes(f["id"])
        for call in done
        for f in call.args["files"]
    }
    assert sent["revenue-by-customer-2026-02.png"].startswith(PNG)
    assert read_csv(sent["revenue-by-customer-2026-02.csv"])[1] == [
        "C-2",
        "<!channel> Ltd",
        "899.9910",
        "0.0000",
        "",
    ]
    reply, _, _ = served.command("/sales", "report revenue by colour")
    assert "“colour” is not something to break a report down by" in reply.text
    served.slack.assert_no_problems()


# --- review ----------------------------------------------------------------------------------


def test_a_csv_never_hands_a_spreadsheet_a_formula(bot: RunningBot) -> None:
    """A customer named `=HYPERLINK(…)` (typed in Slack or imported) arrives in the CSV as text."""
    services = bot.services
    services.workspaces.ensure(TEAM, ALICE)
    evil = services.customers.create(
        TEAM, CustomerDraft.from_input(name='=HYPERLINK("http://x.example","open")'), actor=ALICE
    )
    product = services.catalog.create(
        TEAM,
        ProductDraft.from_input(sku="PN-1", name="@SUM(1+1)", list_price="2", category="-Misc"),
        actor=ALICE,
    )
    services.orders.record(
        TEAM,
        customer_id=evil.id,
        order_date=date(2026, 3, 1),
        lines=[LineInput(product_id=product.id, quantity="3")],
        tz=services.workspaces.ensure(TEAM, ALICE)[0].tz,
        actor=ALICE,
    )
    for asked in ("customer", "product", "category"):
        report(bot, f"revenue by {asked} csv")
    found = files(bot)
    rows = {name: read_csv(content)[1] for name, content in found.items() if name.endswith(".csv")}
    assert rows["revenue-by-customer-2026-03-01-to-2026-03-02.csv"][:3] == [
        "C-1",
        '\'=HYPERLINK("http://x.example","open")',
        "6.0000",
    ]
    assert rows["revenue-by-product-2026-03-01-to-2026-03-02.csv"][:2] == ["PN-1", "'@SUM(1+1)"]
    assert rows["revenue-by-category-2026-03-01-to-2026-03-02.csv"][:2] == ["'-Misc", "'-Misc"]
    bot.slack.assert_no_problems()
