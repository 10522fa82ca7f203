"""/stock end to end: signed requests into the real app, Web API calls out to LocalSlack.

The clock starts Monday 2 March 2026, 15:30 UTC (10:30 in New York, the workspace's zone),
so "today" for sales is 2 March.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

import commands
from bot import payloads
from commands import stock
from commands.ids import ActionId, CallbackId
from commands.stock.views import StockAction, StockBlock
from domain.catalog import Product, ProductDraft
from domain.customers import CustomerDraft
from domain.inventory import Level, MovementKind
from domain.orders import LineInput
from tests.harness import CHANNEL, TEAM, USER, Reply, RunningBot, find_button, text_values
from tests.processes import ACK_LIMIT
from tests.served import BACKENDS, ServedBot, fresh_database, start_serving

TODAY = date(2026, 3, 2)
REP = "U0REP"


# --- helpers --------------------------------------------------------------------------------------


@pytest.fixture
def stock_bot(bot: RunningBot) -> RunningBot:
    """The real app; Alice is its first user, so the workspace's admin."""
    assert stock.SPEC in commands.SPECS
    bot.services.workspaces.ensure(TEAM, USER)  # Alice is seen first: the admin
    return bot


def add_product(
    bot: RunningBot,
    sku: str = "CH-100",
    name: str = "Office chair",
    *,
    on_hand: int = 0,
    rule: tuple[int, int, int] | None = None,
) -> Product:
    services = bot.services
    product = services.catalog.create(
        TEAM, ProductDraft.from_input(sku=sku, name=name, list_price="120"), actor=USER
    )
    if on_hand:
        services.stock.receive(TEAM, sku, on_hand, note="opening count", actor=USER)
    if rule:
        point, qty, lead = rule
        services.stock.set_rule(TEAM, product.id, point=point, qty=qty, lead=lead, actor=USER)
    return services.catalog.get(TEAM, product.id)


def sell(bot: RunningBot, product: Product, qty: int, *, days_ago: int = 0) -> None:
    services = bot.services
    found = services.customers.find(TEAM, "Acme Retail")
    if found.total:
        customer = found.matches[0]
    else:
        draft = CustomerDraft.from_input(name="Acme Retail")
        customer = services.customers.create(TEAM, draft, actor=USER)
    services.orders.record(
        TEAM,
        customer_id=customer.id,
        order_date=TODAY - timedelta(days=days_ago),
        lines=[LineInput(product_id=product.id, quantity=str(qty))],
        tz=bot.services.workspaces.ensure(TEAM, None)[0].tz,
        actor=USER,
    )


def level(bot: RunningBot, sku: str = "CH-100") -> Level:
    return bot.services.stock.level(TEAM, sku, today=TODAY)


def ledger(bot: RunningBot, sku: str = "CH-100") -> tuple[int, int, list[Any]]:
    """(on hand, movements in the ledger, the rule): what a refused request must not change."""
    product, _, total = bot.services.stock.history(TEAM, sku, limit=100)
    rule = [product.reorder_point, product.reorder_qty, product.lead_time_days]
    return product.on_hand, total, rule


def said(bot: RunningBot, reply: Reply) -> str:
    """Everything the person saw: the ack's message, or else the latest response."""
    if reply.body:
        return reply.text
    latest = bot.last_response()
    return latest["text"] + "\n" + json.dumps(latest.get("blocks", []), ensure_ascii=False)


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks", []), ensure_ascii=False)


def skus_listed(message: dict[str, Any]) -> list[str]:
    """SKUs of the product lines in a /stock low message, in order."""
    found = []
    for block in message["blocks"]:
        if str(block.get("block_id", "")).startswith(f"{StockBlock.LOW_ITEM}:"):
            button = next(e for e in block["elements"] if e["action_id"] == ActionId.STOCK_OPEN)
            found.append(button["value"])
    return found


def slack_command(bot: RunningBot, command: str, text: str, *, user: str = USER) -> Reply:
    """A command with `text` exactly as Slack sends it (channel links stay <#C…|name>)."""
    body = payloads.slash_command(
        command, "", team_id=TEAM, user_id=user, channel_id=CHANNEL,
        response_url=bot.slack.response_url(),
    )  # fmt: skip
    fields = dict(parse_qsl(body, keep_blank_values=True))
    fields["text"] = text
    reply = bot.post(urlencode(fields))
    bot.settle()
    return reply


def sales_history(bot: RunningBot) -> Product:
    """CH-100: 100 received; 5 sold on each of the last 6 days and 10 sixty days ago: 60 left."""
    chair = add_product(bot, on_hand=100)
    for days_ago in range(1, 7):
        sell(bot, chair, 5, days_ago=days_ago)
    sell(bot, chair, 10, days_ago=60)
    return bot.services.catalog.get(TEAM, chair.id)


# --- the card -------------------------------------------------------------------------------------


def test_the_card_shows_level_suggestion_sales_cover_and_recent_movements(
    stock_bot: RunningBot,
) -> None:
    sales_history(stock_bot)
    reply = stock_bot.command("/stock", "ch-100")
    assert reply.status == 200 and reply.body == ""
    card = stock_bot.last_response()
    assert card["response_type"] == "ephemeral"
    assert card["text"] == "CH-100 Office chair: 60 units on hand"
    blocks = shown(card)
    # 40 sold in 90 days: 0.4444/day; 60 on hand last 135 days. With σ 1.6153 over a 7-day
    # lead at 95% service the point is 11, and two weeks of sales (6.2) round up to 7.
    for expected in (
        "*On hand*\\n*60*",
        "*On order*\\n0 units",
        "*Reorder rule*\\nno rule — suggested: point 11, qty 7, lead 7 days",
        "*Sold (30 days)*\\n30 units",
        "*Days of cover*\\n135.0 days",
        "Sells 0.44/day",
        "sold -10 → 60 · O-7 · <@U0ALICE>",
        "…and 3 earlier",
    ):
        assert expected in blocks, expected
    suggestion = level(stock_bot).suggestion
    assert (suggestion.reorder_point, suggestion.rule_qty) == (11, 7)
    assert suggestion.explanation in blocks
    actions = next(b for b in card["blocks"] if b.get("block_id") == StockBlock.CARD_ACTIONS)
    assert [e["text"]["text"] for e in actions["elements"]] == [
        "History",
        "Edit rule",
        "Apply suggestion",
    ]


def test_a_negative_level_is_marked_oversold(stock_bot: RunningBot) -> None:
    lamp = add_product(stock_bot, "LA-1", "Desk lamp", on_hand=2)
    sell(stock_bot, lamp, 5)
    stock_bot.command("/stock", "LA-1")
    card = stock_bot.last_response()
    assert card["text"] == "LA-1 Desk lamp: -3 units on hand (oversold)"
    assert "*On hand*\\n:red_circle: *-3* oversold" in shown(card)
    assert ":red_circle: -3 (oversold)" in shown(card)  # the sale's line in the movements


def test_a_rule_that_matches_the_suggestion_offers_no_apply_button(stock_bot: RunningBot) -> None:
    sales_history(stock_bot)
    stock_bot.command("/stock", "reorder CH-100 point:11 qty:7 lead:7")
    card = stock_bot.last_response()
    assert "*Reorder rule*\\npoint 11 · qty 7 · lead 7 days" in shown(card)
    assert ActionId.STOCK_APPLY_SUGGESTION not in shown(card)


def test_text_matching_several_products_lists_them_to_pick(stock_bot: RunningBot) -> None:
    add_product(stock_bot, "CH-100", "Office chair <Pro>", on_hand=4)
    add_product(stock_bot, "CH-200", "Kitchen chair")
    add_product(stock_bot, "DE-1", "Standing desk")
    stock_bot.command("/stock", "chair")
    listing = stock_bot.last_response()
    assert listing["text"] == "2 products match chair."
    assert "Office chair &lt;Pro&gt;" in shown(listing)
    line = next(b for b in listing["blocks"] if "Office chair" in json.dumps(b))
    stock_bot.press(line["accessory"], block_id=line.get("block_id"))
    card = stock_bot.last_response()
    assert card["replace_original"] is True
    assert card["text"].startswith("CH-100 Office chair &lt;Pro&gt;: 4 units on hand")


def test_text_matching_nothing_says_how_to_search(stock_bot: RunningBot) -> None:
    add_product(stock_bot)
    stock_bot.command("/stock", "sofa")
    answer = stock_bot.last_response()["text"]
    assert answer.startswith("No product matches *sofa*. Search by SKU")
    assert "`/stock low`" in answer


def test_stock_alone_shows_usage_and_how_many_are_low(stock_bot: RunningBot) -> None:
    add_product(stock_bot, "A-1", "Low one", on_hand=2, rule=(5, 10, 7))
    add_product(stock_bot, "B-1", "Fine one", on_hand=20, rule=(5, 10, 7))
    stock_bot.command("/stock")
    overview = stock_bot.last_response()
    assert "*1* at or under their reorder point" in shown(overview)
    assert "/stock receive &lt;SKU&gt; &lt;qty&gt; [note]" in shown(overview)


def test_help_lists_every_form(stock_bot: RunningBot) -> None:
    reply = stock_bot.command("/stock", "help")
    for form in ("low", "receive", "adjust", "return", "&lt;SKU&gt; history", "reorder"):
        assert f"/stock {form}" in reply.text, form
    assert "Usage: /stock" in reply.json()["text"]


# --- receive, adjust, return, history -------------------------------------------------------------


def test_receive_adjust_and_return_change_the_level_and_the_ledger(stock_bot: RunningBot) -> None:
    add_product(stock_bot)
    stock_bot.command("/stock", "receive CH-100 24 from Acme <Supply>")
    received = stock_bot.last_response()
    assert received["text"] == "CH-100 Office chair: 24 units on hand (was 0)"
    assert (
        ":white_check_mark: Received 24 × *CH-100* Office chair: 0 → *24* on hand. "
        "_from Acme &lt;Supply&gt;_"
    ) in shown(received)
    assert level(stock_bot).product.on_hand == 24

    stock_bot.command("/stock", "adjust CH-100 -30 water damage")
    adjusted = shown(stock_bot.last_response())
    assert "Adjusted -30 × *CH-100* Office chair: 24 → *-6* on hand." in adjusted
    assert ":red_circle: Stock is negative: -6 (oversold)" in adjusted

    stock_bot.command("/stock", "return CH-100 2 customer changed their mind")
    returned = shown(stock_bot.last_response())
    assert "Returned 2 × *CH-100* Office chair: -6 → *-4* on hand." in returned

    product, movements, total = stock_bot.services.stock.history(TEAM, "CH-100")
    assert product.on_hand == -4 and total == 3
    assert [(m.kind, m.quantity, m.balance_after, m.reason, m.actor) for m in movements] == [
        (MovementKind.RETURN, 2, -4, "customer changed their mind", USER),
        (MovementKind.ADJUSTMENT, -30, -6, "water damage", USER),
        (MovementKind.RECEIPT, 24, 24, "from Acme <Supply>", USER),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("receive NOPE-1 5", "There is no product with SKU NOPE-1."),
        ("receive CH-100 0", "The quantity cannot be 0."),
        ("receive CH-100 ten", "“ten” is not a whole number of units, like 3."),
        ("receive CH-100", "Say how many, like `/stock receive CH-100 24"),
        ("receive", "Say which product and how many"),
        ("return CH-100 -1", "-1 is negative; the quantity must be 1 or more."),
        ("adjust CH-100 -2", "Say why the count changed"),
        ("adjust CH-100 many lost", "“many” is not a whole number of units"),
        ("adjust NOPE-1 -2 lost", "There is no product with SKU NOPE-1."),
        ("reorder CH-100 point:-1", "The reorder point can't be negative (-1); use 0 or more."),
        ("reorder CH-100 lead:abc", "“abc” isn't a whole number of days, like lead:14."),
        ("reorder CH-100 qty:0", "The order quantity must be 1 or more."),
        ("reorder CH-100 point:5 point:6", "Give point: once."),
        ("reorder CH-100 colour:red", "“colour:red” isn't part of a rule"),
        ("reorder NOPE-1 point:5", "There is no product with SKU NOPE-1."),
        ("recieve CH-100 5", "`recieve` isn't a /stock subcommand: did you mean `receive`?"),
        ("low please", "`/stock low` takes nothing after it."),
        ("NOPE-1 history", "There is no product with SKU NOPE-1."),
        ("frobnicate CH-100 5", "`frobnicate` isn't a /stock subcommand either"),
    ],
)
def test_bad_input_says_what_was_wrong_and_the_form_and_writes_nothing(
    stock_bot: RunningBot, text: str, expected: str
) -> None:
    add_product(stock_bot, on_hand=10, rule=(4, 20, 7))
    before = ledger(stock_bot)
    reply = stock_bot.command("/stock", text)
    assert reply.status == 200
    answer = said(stock_bot, reply)
    assert expected in answer, answer
    assert "/stock " in answer  # the form to use
    message = reply.json() if reply.body else stock_bot.last_response()
    assert message.get("response_type", "ephemeral") == "ephemeral"
    assert ledger(stock_bot) == before


def test_history_pages_with_show_more(stock_bot: RunningBot) -> None:
    add_product(stock_bot)
    for n in range(1, 24):
        stock_bot.services.stock.receive(TEAM, "CH-100", n, note=f"delivery {n:02d}", actor=USER)
    stock_bot.command("/stock", "CH-100 history")
    first = stock_bot.last_response()
    assert "movements 1–10 of 23" in first["blocks"][0]["text"]["text"]
    assert "delivery 23" in shown(first) and "delivery 13" not in shown(first)
    more, block_id = find_button(first["blocks"], ActionId.STOCK_HISTORY)
    stock_bot.press(more, block_id=block_id)
    second = stock_bot.last_response()
    assert "movements 11–20 of 23" in second["blocks"][0]["text"]["text"]
    more, block_id = find_button(second["blocks"], ActionId.STOCK_HISTORY)
    stock_bot.press(more, block_id=block_id)
    last = stock_bot.last_response()
    assert "movements 21–23 of 23" in last["blocks"][0]["text"]["text"]
    assert "delivery 01" in shown(last)
    assert ActionId.STOCK_HISTORY not in shown(last)


def test_the_history_button_on_the_card_shows_the_first_page(stock_bot: RunningBot) -> None:
    add_product(stock_bot, on_hand=7)
    stock_bot.command("/stock", "CH-100")
    button, block_id = find_button(stock_bot.last_response()["blocks"], ActionId.STOCK_HISTORY)
    stock_bot.press(button, block_id=block_id)
    page = stock_bot.last_response()
    assert "movements 1–1 of 1" in shown(page) and "opening count" in shown(page)


# --- reorder rules ------------------------------------------------------------------------------


def test_a_rule_set_by_text_keeps_what_is_not_given(stock_bot: RunningBot) -> None:
    chair = add_product(stock_bot, on_hand=30)
    stock_bot.command("/stock", "reorder CH-100 point:10 qty:40 lead:5")
    assert (
        ":white_check_mark: Rule for *CH-100* Office chair: point 10 (was none), "
        "qty 40 (was none), lead 5 (was none)."
    ) in shown(stock_bot.last_response())
    stock_bot.command("/stock", "reorder ch-100 qty:60")
    after = stock_bot.services.catalog.get(TEAM, chair.id)
    assert (after.reorder_point, after.reorder_qty, after.lead_time_days) == (10, 60, 5)
    assert "point 10, qty 60 (was 40), lead 5." in shown(stock_bot.last_response())


def test_reorder_alone_opens_the_form_with_the_suggestion_and_validates_inline(
    stock_bot: RunningBot,
) -> None:
    chair = sales_history(stock_bot)
    reply = stock_bot.command("/stock", "reorder CH-100")
    assert reply.body == ""
    form = stock_bot.last_view()
    assert form["callback_id"] == CallbackId.STOCK_RULE_SAVE
    inputs = {
        b["block_id"]: b["element"].get("initial_value") for b in form["blocks"] if "element" in b
    }
    assert inputs == {
        StockBlock.RULE_POINT: "11",
        StockBlock.RULE_QTY: "7",
        StockBlock.RULE_LEAD: "7",
    }
    assert level(stock_bot).suggestion.explanation in json.dumps(form["blocks"], ensure_ascii=False)

    bad = stock_bot.submit(
        form,
        text_values(
            **{StockBlock.RULE_POINT: "-1", StockBlock.RULE_QTY: "0", StockBlock.RULE_LEAD: "abc"}
        ),
    )
    errors = bad.json()["errors"]
    assert bad.json()["response_action"] == "errors"
    assert errors == {
        StockBlock.RULE_POINT: "The reorder point can't be negative (-1); use 0 or more.",
        StockBlock.RULE_QTY: "The order quantity must be 1 or more.",
        StockBlock.RULE_LEAD: "“abc” isn't a whole number of days, like lead:14.",
    }
    assert stock_bot.services.catalog.get(TEAM, chair.id).reorder_point is None

    too_long = stock_bot.submit(
        form,
        text_values(
            **{StockBlock.RULE_POINT: "5", StockBlock.RULE_QTY: "9", StockBlock.RULE_LEAD: "400"}
        ),
    )
    assert set(too_long.json()["errors"]) == {StockBlock.RULE_LEAD}

    saved = stock_bot.submit(
        form,
        text_values(
            **{StockBlock.RULE_POINT: "12", StockBlock.RULE_QTY: "30", StockBlock.RULE_LEAD: ""}
        ),
    )
    assert saved.status == 200 and saved.body == ""
    after = stock_bot.services.catalog.get(TEAM, chair.id)
    assert (after.reorder_point, after.reorder_qty, after.lead_time_days) == (12, 30, None)
    answer = stock_bot.last_response()
    assert answer["text"].startswith("Reorder rule saved: CH-100 Office chair")
    assert "*Reorder rule*\\npoint 12 · qty 30 · lead 7 days (default)" in shown(answer)


def test_edit_rule_on_the_card_opens_the_form_with_the_rule_and_redraws_the_card(
    stock_bot: RunningBot,
) -> None:
    chair = add_product(stock_bot, on_hand=30, rule=(10, 40, 5))
    stock_bot.command("/stock", "CH-100")
    button, block_id = find_button(stock_bot.last_response()["blocks"], ActionId.STOCK_RULE_EDIT)
    stock_bot.press(button, block_id=block_id)
    form = stock_bot.last_view()
    inputs = {
        b["block_id"]: b["element"].get("initial_value") for b in form["blocks"] if "element" in b
    }
    assert inputs == {
        StockBlock.RULE_POINT: "10",
        StockBlock.RULE_QTY: "40",
        StockBlock.RULE_LEAD: "5",
    }
    stock_bot.submit(
        form,
        text_values(
            **{StockBlock.RULE_POINT: "35", StockBlock.RULE_QTY: "40", StockBlock.RULE_LEAD: "5"}
        ),
    )
    after = stock_bot.services.catalog.get(TEAM, chair.id)
    assert after.reorder_point == 35
    redrawn = stock_bot.last_response()
    assert redrawn["replace_original"] is True
    assert "point 35 (was 10)" in shown(redrawn)
    # 30 on hand is now under the new point; with no stock channel nobody was alerted.
    assert "no stock channel is set, so no alert went out" in shown(redrawn)


def test_apply_suggestion_makes_the_suggested_rule_the_rule(stock_bot: RunningBot) -> None:
    chair = sales_history(stock_bot)
    stock_bot.command("/stock", "CH-100")
    button, block_id = find_button(
        stock_bot.last_response()["blocks"], ActionId.STOCK_APPLY_SUGGESTION
    )
    stock_bot.press(button, block_id=block_id)
    after = stock_bot.services.catalog.get(TEAM, chair.id)
    assert (after.reorder_point, after.reorder_qty, after.lead_time_days) == (11, 7, 7)
    card = stock_bot.last_response()
    assert card["replace_original"] is True
    assert "Rule for *CH-100* Office chair: point 11 (was none), qty 7 (was none)" in shown(card)
    assert ActionId.STOCK_APPLY_SUGGESTION not in shown(card)


# --- /stock low -----------------------------------------------------------------------------------


def test_low_lists_the_worst_first_with_what_to_order_and_why(stock_bot: RunningBot) -> None:
    bot = stock_bot
    a = add_product(bot, "A-1", "Four left", on_hand=4, rule=(10, 20, 7))
    b = add_product(bot, "B-1", "Oversold", on_hand=2, rule=(5, 15, 7))
    sell(bot, b, 5)  # -3: 8 under its point
    add_product(bot, "C-1", "Nine left", on_hand=9, rule=(10, 20, 7))
    add_product(bot, "D-1", "Plenty", on_hand=50, rule=(10, 20, 7))
    e = add_product(bot, "E-1", "Selling, no rule", on_hand=30)
    for days_ago in range(0, 30):
        sell(bot, e, 1, days_ago=days_ago)  # 30 sold: 1 left, due for a rule
    bot.command("/stock", "low")
    listing = bot.last_response()
    assert listing["text"] == "3 products at or under their reorder point"
    ids = {p.sku: str(p.id) for p in (a, b, bot.services.catalog.by_sku(TEAM, "C-1"), e)}
    assert skus_listed(listing) == [ids["B-1"], ids["A-1"], ids["C-1"], ids["E-1"]]
    text = shown(listing)
    assert ":red_circle: *-3* oversold on hand · point 5" in text
    b_level = level(bot, "B-1")
    assert f"Order now: *{b_level.order_now} units*." in text
    assert "*No rule yet*, but their sales say they are due for one" in text
    e_level = level(bot, "E-1")
    assert f"Suggested rule: point {e_level.suggestion.reorder_point}" in text
    assert "*D-1*" not in text

    item = next(
        x for x in listing["blocks"] if x.get("block_id") == f"{StockBlock.LOW_ITEM}:{a.id}"
    )
    labels = [e["text"]["text"] for e in item["elements"]]
    a_level = level(bot, "A-1")
    assert labels == ["Apply suggestion", f"Mark reordered ({a_level.order_now})", "Open"]
    mark = next(e for e in item["elements"] if e["action_id"] == ActionId.STOCK_REORDERED)
    bot.press(mark, block_id=item["block_id"])
    assert level(bot, "A-1").on_order == a_level.order_now
    note = bot.last_response()
    assert note["text"].startswith(f":package: <@{USER}> marked A-1 reordered: {a_level.order_now}")
    assert "On order now" in note["text"]


def test_a_long_low_list_pages_within_slacks_limits(stock_bot: RunningBot) -> None:
    for n in range(25):
        add_product(
            stock_bot, f"P-{n:02d}", f"Product {n:02d} " + "with a long name " * 15,
            on_hand=n, rule=(30, 10, 7),
        )  # fmt: skip
    stock_bot.command("/stock", "low")
    pages = [stock_bot.last_response()]
    while StockAction.LOW_MORE in shown(pages[-1]):
        more, block_id = find_button(pages[-1]["blocks"], StockAction.LOW_MORE)
        stock_bot.press(more, block_id=block_id)
        pages.append(stock_bot.last_response())
    assert len(pages) >= 3
    listed = [sku for page in pages for sku in skus_listed(page)]
    expected = [str(stock_bot.services.catalog.by_sku(TEAM, f"P-{n:02d}").id) for n in range(25)]
    assert listed == expected  # worst (furthest under) first, each once
    assert all(len(page["blocks"]) <= 50 for page in pages)
    # LocalSlack checked every page against Block Kit's limits and the size ceiling.


def test_nothing_low_says_so(stock_bot: RunningBot) -> None:
    add_product(stock_bot, on_hand=50, rule=(10, 20, 7))
    stock_bot.command("/stock", "low")
    assert "Nothing is at or under its reorder point" in stock_bot.last_response()["text"]


# --- the real `salesbot serve --http` -------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def served_with_a_product(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedBot]:
    from bot.services import build_services
    from storage.engine import make_engine
    from storage.migrate import upgrade
    from tests.conftest import make_settings

    with fresh_database(request.param, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        services = build_services(make_settings(url))
        try:
            services.workspaces.ensure(TEAM, USER)
            draft = ProductDraft.from_input(sku="CH-100", name="Office chair", list_price="120")
            services.catalog.create(TEAM, draft, actor=USER)
        finally:
            services.close()
        yield from start_serving(url, tmp_path)


@pytest.mark.slow
def test_serve_receives_stock_and_shows_the_card(served_with_a_product: ServedBot) -> None:
    served = served_with_a_product
    reply, _, key = served.command("/stock", "receive CH-100 12 first delivery")
    assert reply.status == 200 and reply.body == ""
    received = served.posted_to(key)
    assert "Received 12 × *CH-100* Office chair: 0 → *12* on hand." in shown(received)

    reply, _, key = served.command("/stock", "CH-100")
    card = served.posted_to(key)
    assert card["text"] == "CH-100 Office chair: 12 units on hand"
    assert "received +12 → 12 · first delivery" in shown(card)
    assert max(served.acks) < ACK_LIMIT
    served.slack.assert_no_problems()
