"""/sales dashboard end to end: signed requests into the real app (and a real `salesbot
serve --http`), the KPI card's numbers, arrows and comparisons against hand-computed ones,
the top 5s, the chart sent as a PNG to the DM, Share to channel, filters and bad input.

The clock starts Monday 2 March 2026, 15:30 UTC (10:30 in New York, the workspace's zone):
"month" is 1–2 March 2026, its previous period 27–28 February 2026, and the same period last
year 1–2 March 2025.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot import payloads
from bot.services import Services, build_services
from commands.sales.dashboard import SHARE_ACTION, dashboard_posting, load
from commands.sales.dashboard_views import chart_points
from commands.sales.filters import read_filters
from domain.catalog import Product, ProductDraft
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.orders import LineInput
from tests.conftest import START, make_settings
from tests.harness import CHANNEL, TEAM, USER, RunningBot, find_button
from tests.processes import ACK_LIMIT
from tests.served import BACKENDS, TIMEZONE, ServedBot, fresh_database, start_serving

OTHER_TEAM = "T0OTHER"
PNG = b"\x89PNG\r\n\x1a\n"
NEW_YORK = ZoneInfo(TIMEZONE)

# --- the hand-built sales -----------------------------------------------------------------------

PRODUCTS = {  # sku: (name, category, list price, unit cost)
    "CH-1": ("Task chair", "Furniture", "100", "60"),
    "DK-2": ("Standing desk", "Furniture", "500", "300"),
    "PH-3": ("Phone", "Technology", "250", None),
    "PP-4": ("Paper", "Office Supplies", "10", "4"),
    "PN-5": ("Pens", "Office Supplies", "2", "1"),
    "LP-6": ("Laptop", "Technology", "1000", "800"),
}
Order = tuple[date, list[tuple[str, int, str | None]]]  # day, lines of (sku, qty, discount)
ORDERS: list[Order] = [
    # This period, 1–2 March 2026: revenue 450 + 600 + 910 = 1,960; 3 orders; 20 units;
    # AOV 653.3333; covered revenue 1,710 (the phone has no cost), cost 1,265, margin 445
    # (26.0% of 1,710) over 87% of revenue.
    (date(2026, 3, 1), [("CH-1", 2, None), ("PH-3", 1, None)]),
    (date(2026, 3, 2), [("DK-2", 1, None), ("PP-4", 10, None)]),
    (date(2026, 3, 2), [("LP-6", 1, "10%"), ("PN-5", 5, None)]),
    # The previous period, 27–28 February 2026: revenue 1,400; 2 orders; 5 units; AOV 700;
    # margin 360.
    (date(2026, 2, 27), [("LP-6", 1, None)]),
    (date(2026, 2, 28), [("CH-1", 4, None)]),
    # Same period last year, 1–2 March 2025: revenue 2,500; 2 orders; 3 units; AOV 1,250;
    # margin 600.
    (date(2025, 3, 1), [("LP-6", 2, None)]),
    (date(2025, 3, 2), [("DK-2", 1, None)]),
    # Outside every period shown: never counted.
    (date(2026, 2, 15), [("LP-6", 7, None)]),
]


def build(services: Services, team: str = TEAM) -> dict[str, Product]:
    services.workspaces.ensure(team, USER)
    customer = services.customers.create(
        team, CustomerDraft.from_input(name="Acme Retail"), actor=USER
    )
    products = {}
    for sku, (name, category, price, cost) in PRODUCTS.items():
        draft = ProductDraft.from_input(
            sku=sku, name=name, list_price=price, unit_cost=cost, category=category
        )
        products[sku] = services.catalog.create(team, draft, actor=USER)
    for day, lines in ORDERS:
        services.orders.record(
            team,
            customer_id=customer.id,
            order_date=day,
            lines=[
                LineInput(product_id=products[sku].id, quantity=str(qty), discount=discount)
                for sku, qty, discount in lines
            ],
            tz=NEW_YORK,
            actor=USER,
        )
    return products


def build_other_team(services: Services) -> None:
    """Another workspace's big sale on the same day: never on this workspace's card."""
    services.workspaces.ensure(OTHER_TEAM, "U0MALLORY")
    customer = services.customers.create(
        OTHER_TEAM, CustomerDraft.from_input(name="Elsewhere Inc"), actor="U0MALLORY"
    )
    draft = ProductDraft.from_input(sku="X-1", name="Yacht", list_price="99999", category="Boats")
    product = services.catalog.create(OTHER_TEAM, draft, actor="U0MALLORY")
    services.orders.record(
        OTHER_TEAM,
        customer_id=customer.id,
        order_date=date(2026, 3, 2),
        lines=[LineInput(product_id=product.id, quantity="1")],
        tz=NEW_YORK,
        actor="U0MALLORY",
    )


@pytest.fixture
def sales_bot(bot: RunningBot) -> RunningBot:
    build(bot.services)
    build_other_team(bot.services)
    return bot


# --- helpers --------------------------------------------------------------------------------------


def shown(message: dict[str, Any]) -> str:
    return (
        message.get("text", "") + "\n" + json.dumps(message.get("blocks", []), ensure_ascii=False)
    )


def sections(message: dict[str, Any]) -> list[str]:
    """The mrkdwn of each section and context, in order, as a person reads the card."""
    texts = []
    for block in message.get("blocks", []):
        if block["type"] == "section":
            texts.append(block["text"]["text"])
        elif block["type"] == "context":
            texts.extend(e.get("text", "") for e in block["elements"])
        elif block["type"] == "header":
            texts.append(block["text"]["text"])
    return texts


def kpi(message: dict[str, Any], name: str) -> str:
    [found] = [t for t in sections(message) if t.startswith(f"*{name}*")]
    return found


def uploads(bot: RunningBot) -> list[dict[str, Any]]:
    return [c.args for c in bot.slack.calls_to("files.completeUploadExternal")]


# --- the card -------------------------------------------------------------------------------------


def test_the_card_shows_each_kpi_against_both_comparisons(sales_bot: RunningBot) -> None:
    bot = sales_bot
    reply = bot.command("/sales")
    assert reply.status == 200 and reply.body == ""  # acked at once; the card follows
    card = bot.last_response()
    assert card["response_type"] == "ephemeral"
    assert card["text"] == (
        "Sales, March 2026 to date: $1,960.00 revenue (+40.0% vs previous period), 3 orders."
    )
    assert card["blocks"][0]["text"]["text"] == "Sales · March 2026 to date"
    assert kpi(card, "Revenue") == (
        "*Revenue*   *$1,960.00*\n"
        ":large_green_circle: ▲ 40.0% vs previous period ($1,400.00)\n"
        ":red_circle: ▼ 21.6% vs same period last year ($2,500.00)"
    )
    assert kpi(card, "Orders") == (
        "*Orders*   *3*\n"
        ":large_green_circle: ▲ 50.0% vs previous period (2)\n"
        ":large_green_circle: ▲ 50.0% vs same period last year (2)"
    )
    assert kpi(card, "Units") == (
        "*Units*   *20*\n"
        ":large_green_circle: ▲ 300.0% vs previous period (5)\n"
        ":large_green_circle: ▲ 566.7% vs same period last year (3)"
    )
    assert kpi(card, "Average order value") == (
        "*Average order value*   *$653.33*\n"
        ":red_circle: ▼ 6.7% vs previous period ($700.00)\n"
        ":red_circle: ▼ 47.7% vs same period last year ($1,250.00)"
    )
    assert kpi(card, "Gross margin") == (
        "*Gross margin*   *$445.00* · 26.0% margin · over 87% of revenue\n"
        ":large_green_circle: ▲ 23.6% vs previous period ($360.00)\n"
        ":red_circle: ▼ 25.8% vs same period last year ($600.00)"
    )
    text = shown(card)
    assert (
        "Compared with the previous period (27–28 Feb 2026) "
        "and the same period last year (1–2 Mar 2025)."
    ) in text
    for absent in ("Yacht", "99,999", "Boats"):  # the other workspace's sale
        assert absent not in text


def test_the_card_lists_the_top_five_products_and_the_categories(sales_bot: RunningBot) -> None:
    bot = sales_bot
    bot.command("/sales")
    texts = sections(bot.last_response())
    [products] = [t for t in texts if t.startswith("*Top products*")]
    assert products.splitlines() == [
        "*Top products* by revenue",
        "1. LP-6 · Laptop — *$900.00* · 45.9% · 1 unit",
        "2. DK-2 · Standing desk — *$500.00* · 25.5% · 1 unit",
        "3. PH-3 · Phone — *$250.00* · 12.8% · 1 unit",
        "4. CH-1 · Task chair — *$200.00* · 10.2% · 2 units",
        "5. PP-4 · Paper — *$100.00* · 5.1% · 10 units",
        "_and 1 more_",
    ]
    [categories] = [t for t in texts if t.startswith("*Top categories*")]
    assert categories.splitlines() == [
        "*Top categories* by revenue",
        "1. Technology — *$1,150.00* · 58.7% · 2 units",
        "2. Furniture — *$700.00* · 35.7% · 3 units",
        "3. Office Supplies — *$110.00* · 5.6% · 15 units",
    ]


def test_the_chart_goes_to_the_askers_dm_as_a_png(sales_bot: RunningBot) -> None:
    bot = sales_bot
    bot.command("/sales")
    assert "The chart follows in your DM with Salesbot." in shown(bot.last_response())
    [upload] = uploads(bot)
    assert upload["channel_id"] == f"D{USER}"  # the DM conversations.open gave
    assert upload["initial_comment"].startswith("Sales, March 2026 to date: $1,960.00 revenue")
    [file] = upload["files"]
    assert file["title"] == "Revenue per day · March 2026 to date"
    assert bot.slack.file_name(file["id"]) == "sales-2026-03.png"
    png = bot.slack.file_bytes(file["id"])
    assert png.startswith(PNG)
    assert Image.open(io.BytesIO(png)).size == (1200, 675)  # Slack's preview, sharp
    assert not bot.slack.calls_to("chat.postMessage")  # nothing posted in the channel
    bot.slack.assert_no_problems()


def test_share_posts_the_card_and_the_chart_in_the_channel(sales_bot: RunningBot) -> None:
    bot = sales_bot
    bot.command("/sales", "category:furniture")
    element, block_id = find_button(bot.last_response()["blocks"], SHARE_ACTION)
    assert element["text"]["text"] == "Share to channel"
    assert json.loads(element["value"]) == {
        "period": "month",
        "on": "2026-03-02",
        "category": "Furniture",
    }
    bot.press(element, block_id=block_id)
    [posted] = bot.slack.calls_to("chat.postMessage")
    assert posted.args["channel"] == CHANNEL
    message = posted.args
    assert message["text"].startswith("Sales, March 2026 to date · Furniture: $700.00 revenue")
    assert "Shared by <@U0ALICE>." in shown(message)
    assert SHARE_ACTION not in shown(message)  # no Share button on the shared card
    assert "DM" not in shown(message)
    dm, shared = uploads(bot)
    assert dm["channel_id"] == f"D{USER}"
    assert shared["channel_id"] == CHANNEL
    assert bot.slack.file_name(shared["files"][0]["id"]) == "sales-2026-03-furniture.png"
    assert bot.slack.file_bytes(shared["files"][0]["id"]).startswith(PNG)
    bot.slack.assert_no_problems()


def test_share_where_the_bot_is_not_a_member_is_told_privately(sales_bot: RunningBot) -> None:
    bot = sales_bot
    bot.command("/sales")
    element, block_id = find_button(bot.last_response()["blocks"], SHARE_ACTION)
    bot.slack.fail_next("chat.postMessage", error="not_in_channel")
    bot.press(element, block_id=block_id)
    told = bot.last_response()
    assert told["text"] == (
        ":warning: I couldn't post the dashboard. I'm not in this channel: "
        "invite me with `/invite @Salesbot` and press again."
    )
    assert told.get("replace_original") is False
    assert len(uploads(bot)) == 1  # only the DM's chart: nothing half-shared


def test_a_category_filter_and_a_grouping(sales_bot: RunningBot) -> None:
    bot = sales_bot
    bot.command("/sales", "category:Furniture")
    card = bot.last_response()
    assert card["text"] == (
        "Sales, March 2026 to date · Furniture: $700.00 revenue (+75.0% vs previous period), "
        "2 orders."
    )
    assert kpi(card, "Revenue").splitlines()[1:] == [
        ":large_green_circle: ▲ 75.0% vs previous period ($400.00)",  # 4 chairs
        ":large_green_circle: ▲ 40.0% vs same period last year ($500.00)",  # a desk
    ]
    bot.command("/sales", "2026-02-27..2026-03-02 by:week")
    card = bot.last_response()
    assert card["text"].startswith("Sales, 27 Feb 2026 – 2 Mar 2026: $3,360.00 revenue")
    file = uploads(bot)[-1]["files"][0]
    assert file["title"] == "Revenue per week · 27 Feb 2026 – 2 Mar 2026"


def test_a_past_period_with_no_sales_says_so_and_keeps_the_comparisons(
    sales_bot: RunningBot,
) -> None:
    bot = sales_bot
    bot.command("/sales", "2025-03-03..2025-03-04")  # the previous period is 1–2 March 2025
    card = bot.last_response()
    assert card["text"] == "Sales, 3 Mar 2025 – 4 Mar 2025: no sales."
    text = shown(card)
    assert "No sales in 3 Mar 2025 – 4 Mar 2025." in text
    assert kpi(card, "Revenue").splitlines() == [
        "*Revenue*   *$0.00*",
        ":red_circle: ▼ 100.0% vs previous period ($2,500.00)",
        ":white_circle: n/a vs same period last year ($0.00)",
    ]
    assert "*Average order value*   *—*" in text
    assert SHARE_ACTION not in text and "DM" not in text
    assert not uploads(bot)


def test_a_workspace_with_no_sales_at_all(bot: RunningBot) -> None:
    bot.command("/sales")
    card = bot.last_response()
    assert card["text"] == "Sales, March 2026 to date: no sales."
    assert "No sales in March 2026 to date." in shown(card)
    assert "*Revenue*" not in shown(card)  # nothing to compare: no wall of zeros
    assert not uploads(bot)


# --- bad filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            "category:Nope",
            "There is no category “Nope”. Categories: Furniture, Office Supplies, Technology.",
        ),
        ("2025-13", "“2025-13” is not a month: months run from 01 to 12 (like 2026-03)."),
        ("by:year", "“by:year” is not a grouping: use by:day, by:week or by:month."),
        ("2027", "2027 has not started yet: pick a period up to today."),
        ("lastweek month", "One period at a time: “last-week” or “month”?"),
        ("banana", "I don't know “banana”. The dashboard takes a period (today, yesterday"),
    ],
)
def test_bad_filters_say_what_is_valid(sales_bot: RunningBot, typed: str, expected: str) -> None:
    bot = sales_bot
    reply = bot.command("/sales", typed)
    assert reply.status == 200
    assert expected in reply.text, reply.text
    assert "/sales [period] [category:X] [by:day|week|month]" in reply.text  # and the usage
    assert reply.json().get("response_type", "ephemeral") == "ephemeral"
    assert not bot.slack.calls_to("response_url") and not uploads(bot)


def test_a_saved_dashboard_posts_without_a_share_button(sales_bot: RunningBot) -> None:
    """What a scheduled report posts: the card and its chart, ready for a channel."""
    services = sales_bot.services
    workspace, _ = services.workspaces.ensure(TEAM, None)
    filters = read_filters(["last-month"], date(2026, 3, 2))
    posting = dashboard_posting(services.reports, workspace, filters, now=START, share_button=False)
    assert posting.text.startswith("Sales, February 2026: $8,400.00 revenue")
    blocks = json.dumps([b.to_dict() for b in posting.blocks])
    assert SHARE_ACTION not in blocks
    [upload] = posting.uploads
    assert upload.filename == "sales-2026-02.png" and upload.content.startswith(PNG)


# --- `salesbot serve --http` --------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def served_sales(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedBot]:
    with fresh_database(request.param, tmp_path) as url:
        served = start_serving(url, tmp_path)
        first = next(served)
        services = build_services(make_settings(url), clock=FrozenClock(datetime.now(START.tzinfo)))
        try:
            build(services)
        finally:
            services.close()
        yield first
        next(served, None)


@pytest.mark.slow
def test_serve_answers_the_card_and_uploads_the_chart(served_sales: ServedBot) -> None:
    served = served_sales
    reply, _, key = served.command("/sales", "2026-03")
    assert reply.status == 200 and reply.body == ""
    card = served.posted_to(key)
    assert card["text"].startswith("Sales, March 2026: $1,960.00 revenue")
    [upload] = served.slack.wait_for("files.completeUploadExternal", timeout=20)
    assert served.slack.file_bytes(upload.args["files"][0]["id"]).startswith(PNG)
    reply, _, key = served.command("/sales", "category:Nope")
    assert "There is no category “Nope”. Categories: Furniture" in reply.text
    assert max(served.acks) < ACK_LIMIT
    served.slack.assert_no_problems()


def test_names_people_typed_are_escaped_on_the_card(bot: RunningBot) -> None:
    services = bot.services
    services.workspaces.ensure(TEAM, USER)
    customer = services.customers.create(TEAM, CustomerDraft.from_input(name="Acme"), actor=USER)
    draft = ProductDraft.from_input(
        sku="AT-1", name="Mug <!here>", list_price="5", category="<!channel> & Co"
    )
    product = services.catalog.create(TEAM, draft, actor=USER)
    services.orders.record(
        TEAM,
        customer_id=customer.id,
        order_date=date(2026, 3, 2),
        lines=[LineInput(product_id=product.id, quantity="2")],
        tz=NEW_YORK,
        actor=USER,
    )
    bot.command("/sales", "category:<!channel> & co")
    card = bot.last_response()
    text = "\n".join([card["text"], *sections(card)[1:]])  # what Slack reads as mrkdwn
    assert "<!channel>" not in text and "<!here>" not in text
    assert "1. &lt;!channel&gt; &amp; Co — *$10.00* · 100.0% · 2 units" in text
    assert "1. AT-1 · Mug &lt;!here&gt; — *$10.00*" in text
    assert card["blocks"][0]["text"]["text"] == "Sales · March 2026 to date · <!channel> & Co"
    bot.slack.assert_no_problems()


# --- review ----------------------------------------------------------------------------------


def test_share_pressed_on_a_later_day_shares_the_card_that_was_shown(
    sales_bot: RunningBot, clock: FrozenClock
) -> None:
    """ "month" read on 2 March is March; pressed on 2 April it must not post April."""
    bot = sales_bot
    bot.command("/sales")
    element, block_id = find_button(bot.last_response()["blocks"], SHARE_ACTION)
    clock.advance(timedelta(days=31))
    bot.press(element, block_id=block_id)
    [posted] = bot.slack.calls_to("chat.postMessage")
    assert posted.args["text"].startswith(
        "Sales, March 2026 to date: $1,960.00 revenue (+40.0% vs previous period), 3 orders."
    )
    assert "*1–2 Mar 2026*" in shown(posted.args)
    bot.slack.assert_no_problems()


def test_share_keeps_a_category_whose_name_holds_digits_and_colons(bot: RunningBot) -> None:
    services = bot.services
    services.workspaces.ensure(TEAM, USER)
    customer = services.customers.create(TEAM, CustomerDraft.from_input(name="Acme"), actor=USER)
    draft = ProductDraft.from_input(
        sku="BX-1", name="Box", list_price="5", category="Size 10: Boxes by:day"
    )
    product = services.catalog.create(TEAM, draft, actor=USER)
    services.orders.record(
        TEAM,
        customer_id=customer.id,
        order_date=date(2026, 3, 2),
        lines=[LineInput(product_id=product.id, quantity="2")],
        tz=NEW_YORK,
        actor=USER,
    )
    workspace, _ = services.workspaces.ensure(TEAM, None)
    filters = read_filters(["week", "by:day"], date(2026, 3, 2))
    posting = dashboard_posting(
        services.reports,
        workspace,
        replace(filters, category="size 10: boxes by:day"),
        now=START,
    )
    [element] = [
        e
        for b in (x.to_dict() for x in posting.blocks)
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    bot.press(element, block_id="sales_dashboard_actions")
    [posted] = bot.slack.calls_to("chat.postMessage")
    assert posted.args["text"] == (
        "Sales, Week of 2 Mar 2026 to date · Size 10: Boxes by:day: $10.00 revenue, 1 order."
    )
    bot.slack.assert_no_problems()


def test_share_of_a_card_from_before_this_change_still_works(sales_bot: RunningBot) -> None:
    """Cards already on people's screens carry the filters as typed."""
    bot = sales_bot
    bot.command("/sales")
    element, block_id = find_button(bot.last_response()["blocks"], SHARE_ACTION)
    bot.press({**element, "value": "2026-03 category:Furniture"}, block_id=block_id)
    [posted] = bot.slack.calls_to("chat.postMessage")
    assert posted.args["text"].startswith("Sales, March 2026 to date · Furniture: $700.00 revenue")


def test_chart_days_say_their_year_when_the_period_spans_two(sales_bot: RunningBot) -> None:
    """A chart from December into January (or over three years) must not show a bare "3 Apr"."""
    services = sales_bot.services
    workspace, _ = services.workspaces.ensure(TEAM, None)
    across = read_filters(["2025-12-30..2026-01-02"], date(2026, 3, 2))
    labels = [p.label for p in chart_points(load(services.reports, workspace, across))]
    assert labels == ["30 Dec 2025", "31 Dec 2025", "1 Jan 2026", "2 Jan 2026"]
    within = read_filters(["2026-02-27..2026-03-02"], date(2026, 3, 2))
    labels = [p.label for p in chart_points(load(services.reports, workspace, within))]
    assert labels == ["27 Feb", "28 Feb", "1 Mar", "2 Mar"]


def test_share_in_a_dm_between_other_people_does_not_say_invite_me(
    sales_bot: RunningBot,
) -> None:
    """Nobody can /invite the bot into a DM: the message must say what to do instead."""
    bot = sales_bot
    bot.command("/sales")
    element, block_id = find_button(bot.last_response()["blocks"], SHARE_ACTION)
    bot.slack.fail_next("chat.postMessage", error="channel_not_found")
    body = payloads.block_action(
        element,
        team_id=TEAM,
        user_id=USER,
        channel_id="D0BOBCAROL",
        block_id=block_id,
        response_url=bot.slack.response_url(),
    )
    assert bot.post(body).status == 200
    bot.settle()
    told = bot.last_response()["text"]
    assert "/invite" not in told
    assert "direct message" in told and "run `/sales` in a channel" in told
