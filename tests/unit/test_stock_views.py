"""Stock views as pure functions: what they show, escaped, within Block Kit's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.blocks import Block

from bot.local_slack import block_problems, view_problems
from commands.ids import ActionId, CallbackId
from commands.stock.views import (
    LOW_PAGE,
    RuleContext,
    StockAction,
    StockBlock,
    alert_message,
    card_blocks,
    card_text,
    history_blocks,
    low_blocks,
    move_note,
    read_history,
    read_reordered,
    read_snooze,
    rule_modal,
    rule_note,
    search_blocks,
    snooze_action_id,
)
from domain import reorder
from domain.catalog import Product, ProductSearch
from domain.inventory import Level, LowList, Movement, MovementKind, MoveResult

NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # Monday, 10:30 in New York
NY = ZoneInfo("America/New_York")


def make_product(n: int = 1, **fields: Any) -> Product:
    values: dict[str, Any] = {
        "id": n,
        "team_id": "T0TEST",
        "sku": f"CH-{n:03d}",
        "name": "Office chair",
        "list_price": "120",
        "on_hand": 8,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return Product(**values)


def make_level(
    product: Product, daily: list[int] | None = None, on_order: int = 0, sold_30d: int = 0
) -> Level:
    v = reorder.velocity(daily or [], reorder.HISTORY_DAYS)
    lead = product.lead_time_days or reorder.DEFAULT_LEAD_TIME_DAYS
    common = {"on_hand": product.on_hand, "on_order": on_order, "lead_time_days": lead}
    return Level(
        product=product,
        on_order=on_order,
        sold_30d=sold_30d,
        suggestion=reorder.suggest(v, **common),
        with_rule=reorder.suggest(
            v, **common, reorder_point=product.reorder_point, reorder_qty=product.reorder_qty
        ),
    )


def movement(n: int, quantity: int, balance: int, **fields: Any) -> Movement:
    values: dict[str, Any] = {
        "id": n,
        "team_id": "T0TEST",
        "product_id": 1,
        "kind": MovementKind.RECEIPT,
        "quantity": quantity,
        "balance_after": balance,
        "actor": "U0ALICE",
        "at": NOW,
    }
    values.update(fields)
    return Movement(**values)


def dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def text_of(blocks: list[Block]) -> str:
    return json.dumps(dicts(blocks), ensure_ascii=False)


def mrkdwn_texts(blocks: list[Block]) -> list[str]:
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

    walk(dicts(blocks))
    return found


def buttons(blocks: list[Block]) -> list[tuple[str, str, str]]:
    found = []
    for block in dicts(blocks):
        elements = block.get("elements", []) if block["type"] == "actions" else []
        if block.get("accessory"):
            elements = [block["accessory"]]
        for e in elements:
            if e.get("type") == "button":
                found.append((e["text"]["text"], e["action_id"], e.get("value", "")))
    return found


SELLING = [3, 2, 4, 3, 1, 5, 2, 3, 4, 2]  # 29 units over the last days of 90


# --- the card -------------------------------------------------------------------------------


def test_the_card_of_a_product_without_a_rule_offers_the_suggestion() -> None:
    level = make_level(make_product(on_hand=40), SELLING, sold_30d=29)
    blocks = card_blocks(level, [movement(1, 40, 40, reason="opening")], 1, tz=NY)
    assert block_problems(dicts(blocks)) == []
    shown = text_of(blocks)
    point, qty = level.suggestion.reorder_point, max(level.suggestion.rule_qty, 1)
    assert f"no rule — suggested: point {point}, qty {qty}, lead 7 days" in shown
    assert level.suggestion.explanation in shown
    assert "*Sold (30 days)*\\n29 units" in shown
    assert f"*Days of cover*\\n{level.suggestion.days_of_cover} days" in shown
    assert "received +40 → 40 · opening · <@U0ALICE>" in shown
    assert [b[0] for b in buttons(blocks)] == ["History", "Edit rule", "Apply suggestion"]
    assert buttons(blocks)[0] == ("History", ActionId.STOCK_HISTORY, "1:0")


def test_a_negative_level_is_red_and_says_oversold() -> None:
    product = make_product(on_hand=-4, reorder_point=5, reorder_qty=20, lead_time_days=3)
    level = make_level(product)
    shown = text_of(card_blocks(level, [movement(1, -4, -4, kind=MovementKind.SALE)], 1, tz=NY))
    assert "*On hand*\\n:red_circle: *-4* oversold" in shown
    assert "sold -4 → :red_circle: -4 (oversold)" in shown
    assert "*Reorder rule*\\npoint 5 · qty 20 · lead 3 days" in shown
    assert "*Order now*\\n*29 units*" in shown  # 5 + 20 - (-4)


def test_a_rule_equal_to_the_suggestion_has_no_apply_button() -> None:
    first = make_level(make_product(on_hand=40), SELLING)
    point, qty, lead = first.suggestion.reorder_point, first.suggestion.rule_qty, 7
    product = make_product(on_hand=40, reorder_point=point, reorder_qty=qty, lead_time_days=lead)
    blocks = card_blocks(make_level(product, SELLING), [], 0, tz=NY)
    assert [b[0] for b in buttons(blocks)] == ["History", "Edit rule"]
    assert "None yet" in text_of(blocks)


def test_what_people_typed_is_escaped_everywhere() -> None:
    product = make_product(name="<!channel> & chairs", category="<b>", on_hand=3)
    moves = [movement(1, 3, 3, reason="<@U999> said so")]
    blocks = card_blocks(make_level(product), moves, 1, tz=NY)
    assert not [t for t in mrkdwn_texts(blocks) if "<!" in t or "<@U999" in t]
    assert "&lt;b&gt;" in text_of(blocks)  # plain_text (the header) is never parsed as mrkdwn
    assert card_text(product) == "CH-001 &lt;!channel&gt; &amp; chairs: 3 units on hand"
    assert "&lt;@U999&gt; said so" in text_of(blocks)
    search = ProductSearch(matches=[product, make_product(2)], total=2, query="<!here>")
    assert "&lt;!here&gt;" in text_of(search_blocks(search))


def test_a_card_with_long_texts_stays_within_slacks_limits() -> None:
    product = make_product(name="N" * 300, category="C" * 100, subcategory="S" * 100)
    moves = [movement(i, 1, i, reason="r" * 500) for i in range(5)]
    blocks = card_blocks(make_level(product, SELLING), moves, 400, tz=NY)
    assert block_problems(dicts(blocks)) == []
    assert "…and 395 earlier" in text_of(blocks)


# --- lists ----------------------------------------------------------------------------------


def test_low_lists_ruled_products_then_unruled_ones_with_their_buttons() -> None:
    low = make_level(make_product(1, on_hand=2, reorder_point=10, reorder_qty=30), SELLING)
    unruled = make_level(make_product(2, on_hand=1), SELLING)
    page = low_blocks(LowList(low=[low], low_total=1, unruled=[unruled]))
    assert page.text == "1 product at or under its reorder point"
    assert block_problems(dicts(page.blocks)) == []
    shown = text_of(page.blocks)
    assert f"Order now: *{low.order_now} units*." in shown
    assert "*No rule yet*, but their sales say they are due for one" in shown
    assert buttons(page.blocks) == [
        ("Apply suggestion", ActionId.STOCK_APPLY_SUGGESTION, "1"),
        (f"Mark reordered ({low.order_now})", ActionId.STOCK_REORDERED, f"1:{low.order_now}"),
        ("Open", ActionId.STOCK_OPEN, "1"),
        ("Apply suggestion", ActionId.STOCK_APPLY_SUGGESTION, "2"),
        ("Open", ActionId.STOCK_OPEN, "2"),
    ]


def test_a_long_low_list_is_cut_into_pages_that_fit() -> None:
    levels = [
        make_level(
            make_product(n, name="Long name " * 30, on_hand=n, reorder_point=60, reorder_qty=9),
            SELLING,
        )
        for n in range(1, 61)
    ]
    page = low_blocks(LowList(low=levels, low_total=60, unruled=[]))
    assert block_problems(dicts(page.blocks)) == []
    assert len(page.blocks) <= 50 and 1 <= page.shown <= LOW_PAGE
    more = [b for b in buttons(page.blocks) if b[1] == StockAction.LOW_MORE]
    assert more == [(f"Show more ({60 - page.shown} left)", StockAction.LOW_MORE, str(page.shown))]
    last = low_blocks(LowList(low=levels, low_total=60, unruled=[]), offset=55)
    assert last.shown == 5
    assert not [b for b in buttons(last.blocks) if b[1] == StockAction.LOW_MORE]


def test_nothing_low_is_a_short_friendly_message() -> None:
    page = low_blocks(LowList(low=[], low_total=0, unruled=[]))
    assert page.shown == 0 and "Nothing is at or under its reorder point" in page.text


def test_history_pages_carry_the_next_offset() -> None:
    product = make_product()
    moves = [movement(i, 1, i) for i in range(10)]
    blocks = history_blocks(product, moves, 23, offset=10, tz=NY)
    assert "movements 11–20 of 23" in text_of(blocks)
    assert buttons(blocks) == [("Show more", ActionId.STOCK_HISTORY, "1:20")]
    assert block_problems(dicts(blocks)) == []


# --- what a write did -----------------------------------------------------------------------


def result(before: int, after: int, point: int | None, queued: bool = False) -> MoveResult:
    return MoveResult(
        movement=movement(1, after - before, after, reason="counted"),
        before=before,
        after=after,
        reorder_point=point,
        alert_queued=queued,
    )


def test_move_notes_say_before_after_oversold_and_the_alert() -> None:
    product = make_product()
    note = move_note("adjust", result(3, -2, 5, queued=True), product, "C0STOCK")
    assert note.splitlines() == [
        ":white_check_mark: Adjusted -5 × *CH-001* Office chair: 3 → *-2* on hand. _counted_",
        ":red_circle: Stock is negative: -2 (oversold). Count it, then `/stock adjust` if the "
        "figure is wrong.",
        ":rotating_light: At or under its reorder point (5): an alert went to <#C0STOCK>.",
    ]
    assert "went out already" in move_note("adjust", result(4, 3, 5), product, "C0STOCK")
    assert "no stock channel is set" in move_note("adjust", result(9, 3, 5), product, None)
    assert move_note("receive", result(3, 9, 5), product, "C0STOCK").count("\n") == 0


def test_a_rule_note_names_what_changed() -> None:
    before = make_product(reorder_point=10, reorder_qty=40, lead_time_days=5)
    after = make_product(reorder_point=12, reorder_qty=40, lead_time_days=5, low_since=NOW)
    note = rule_note(before, after, "C0STOCK")
    assert note.startswith(
        ":white_check_mark: Rule for *CH-001* Office chair: point 12 (was 10), qty 40, lead 5."
    )
    assert "an alert went to <#C0STOCK>" in note


# --- the rule form --------------------------------------------------------------------------


def test_the_rule_form_is_prefilled_from_the_rule_or_else_the_suggestion() -> None:
    level = make_level(make_product(on_hand=40), SELLING)
    view = rule_modal(level, RuleContext(1, "https://hooks.example/r", "C0SALES")).to_dict()
    assert view_problems(view, expected_type="modal") == []
    assert view["callback_id"] == CallbackId.STOCK_RULE_SAVE
    initial = {
        b["block_id"]: b["element"]["initial_value"] for b in view["blocks"] if "element" in b
    }
    suggestion = level.suggestion
    assert initial == {
        StockBlock.RULE_POINT: str(suggestion.reorder_point),
        StockBlock.RULE_QTY: str(max(suggestion.rule_qty, 1)),
        StockBlock.RULE_LEAD: "7",
    }
    assert suggestion.explanation in json.dumps(view, ensure_ascii=False)

    ruled = make_product(on_hand=40, reorder_point=0, reorder_qty=25, lead_time_days=None)
    view = rule_modal(make_level(ruled, SELLING), RuleContext(1)).to_dict()
    initial = {
        b["block_id"]: b["element"]["initial_value"] for b in view["blocks"] if "element" in b
    }
    assert initial == {
        StockBlock.RULE_POINT: "0",
        StockBlock.RULE_QTY: "25",
        StockBlock.RULE_LEAD: "7",
    }


def test_the_rule_form_context_round_trips_and_drops_an_oversized_url() -> None:
    context = RuleContext(7, "https://hooks.example/r", "C0SALES", on_card=True)
    assert RuleContext.load(context.dump()) == context
    long = RuleContext(7, "https://hooks.example/" + "x" * 3000, "C0SALES", on_card=True)
    assert len(long.dump()) <= 3000
    assert RuleContext.load(long.dump()) == RuleContext(7, None, "C0SALES", on_card=False)


# --- the alert ------------------------------------------------------------------------------


def test_the_alert_shows_the_numbers_and_every_button() -> None:
    product = make_product(on_hand=4, reorder_point=10, reorder_qty=30, lead_time_days=7)
    level = make_level(product, SELLING, sold_30d=29)
    text, blocks = alert_message(level, tz=NY, now=NOW, late=True)
    assert block_problems(dicts(blocks)) == []
    assert text == (
        f"Low stock: CH-001 Office chair: 4 on hand, reorder point 10. "
        f"Suggested order: {level.order_now} units."
    )
    shown = text_of(blocks)
    for expected in (
        "*On hand*\\n*4*",
        "*Reorder point*\\n10 units",
        "*Sold (30 days)*\\n29 units",
        f"*Days of cover*\\n{level.suggestion.days_of_cover} days",
        f"*Suggested order*\\n*{level.order_now} units*",
        "Sent late",
    ):
        assert expected in shown, expected
    assert buttons(blocks) == [
        (f"Mark reordered ({level.order_now})", ActionId.STOCK_REORDERED, f"1:{level.order_now}"),
        ("Snooze 1 day", snooze_action_id("1d"), "1:1d"),
        ("Snooze 1 week", snooze_action_id("1w"), "1:1w"),
        ("Edit rule", ActionId.STOCK_RULE_EDIT, "1"),
    ]
    actions = dicts(blocks)[-1]
    assert actions["block_id"] == f"{StockBlock.ALERT_ACTIONS}:1"


def test_an_alert_with_enough_on_order_offers_no_reorder_button() -> None:
    product = make_product(on_hand=4, reorder_point=10, reorder_qty=30)
    level = make_level(product, on_order=40)
    _, blocks = alert_message(level, tz=NY, now=NOW, note="done")
    assert ActionId.STOCK_REORDERED not in [b[1] for b in buttons(blocks)]


# --- button values --------------------------------------------------------------------------


def test_button_values_are_read_strictly() -> None:
    assert read_reordered("12:40") == (12, 40)
    assert read_snooze("12:1w") == (12, "1w")
    assert read_history("12:20") == (12, 20)
    assert read_history("12") == (12, 0)
    for bad in ("x:1", "12:", "12:-3"):
        with pytest.raises(ValueError):
            read_reordered(bad)
    with pytest.raises(ValueError):
        read_snooze("12:1y")
