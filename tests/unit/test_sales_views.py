"""The order form and the answer after saving, as pure functions: what they show, escaped,
within Block Kit's limits; the form's lines, metadata and inline errors."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from slack_sdk.models.blocks import Block, Option

from bot.local_slack import block_problems, view_problems
from commands.ids import ActionId, CallbackId
from commands.modal_context import ModalContext
from commands.products.options import product_option
from commands.sales.views import (
    LineForm,
    SaleBlock,
    SaleForm,
    SaleMeta,
    error_blocks,
    line_block,
    read_form,
    recorded_blocks,
    recorded_text,
    remove_action_id,
    removed_key,
    sale_modal,
)
from domain.catalog import Product
from domain.customers import Customer
from domain.inventory import Movement, MovementKind, MoveResult
from domain.money import line_total
from domain.orders import MAX_LINES, Order, OrderLine, RecordedLine, RecordedOrder

NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
TODAY = date(2026, 3, 2)
CONTEXT = ModalContext(None, "tok123", "https://hooks.example/response/abc", "C0SALES")


def modal(meta: SaleMeta | None = None, form: SaleForm | None = None) -> dict[str, Any]:
    view = sale_modal(meta or SaleMeta.new(CONTEXT), form or SaleForm(), today=TODAY).to_dict()
    assert view_problems(view, expected_type="modal") == []
    return view


def by_id(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b.get("block_id")}


def buttons(view: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """action_id -> (its block's id, the button)."""
    return {
        el["action_id"]: (b["block_id"], el)
        for b in view["blocks"]
        if b["type"] == "actions"
        for el in b["elements"]
    }


def meta_with(lines: int) -> SaleMeta:
    meta = SaleMeta.new(CONTEXT)
    for _ in range(lines - 1):
        meta = meta.with_line()
    return meta


# -- the form -----------------------------------------------------------------------------------


def test_a_new_form_has_customer_date_one_line_add_line_and_a_note() -> None:
    view = modal()
    assert view["callback_id"] == CallbackId.SALE_SAVE
    assert [b.get("block_id") for b in view["blocks"]] == [
        SaleBlock.CUSTOMER,
        SaleBlock.DATE,
        "sale_product_1",
        "sale_quantity_1",
        "sale_price_1",
        "sale_discount_1",
        SaleBlock.LINES,
        SaleBlock.NOTE,
    ]
    blocks = by_id(view)
    assert blocks[SaleBlock.DATE]["element"] == {
        "type": "datepicker",
        "action_id": ActionId.INPUT,
        "initial_date": "2026-03-02",
    }
    assert blocks["sale_product_1"]["label"]["text"] == "Product"
    assert blocks["sale_product_1"]["element"]["action_id"] == ActionId.PRODUCT_SELECT
    assert blocks["sale_quantity_1"].get("optional", False) is False
    assert blocks["sale_price_1"]["element"]["placeholder"]["text"] == "list price"
    assert "15%" in blocks["sale_discount_1"]["element"]["placeholder"]["text"]
    assert list(buttons(view)) == [ActionId.SALE_LINE_ADD]


@pytest.mark.parametrize("lines", range(1, MAX_LINES + 1))
def test_every_size_of_form_is_valid_within_a_hundred_blocks(lines: int) -> None:
    view = modal(meta_with(lines))
    assert len(view["blocks"]) <= 100
    assert len(view["private_metadata"]) <= 3000
    actions = buttons(view)
    assert (ActionId.SALE_LINE_ADD in actions) == (lines < MAX_LINES)
    removes = {k for k in actions if k.startswith(ActionId.SALE_LINE_REMOVE)}
    assert removes == ({remove_action_id(k) for k in range(1, lines + 1)} if lines > 1 else set())


def test_remove_buttons_sit_under_their_lines_until_the_form_is_full() -> None:
    nineteen = buttons(modal(meta_with(19)))
    assert nineteen[remove_action_id(7)][0] == line_block(SaleBlock.LINE_ACTIONS, 7)
    assert nineteen[remove_action_id(7)][1]["text"]["text"] == "Remove line 7"
    assert nineteen[remove_action_id(7)][1]["value"] == "7"
    twenty = buttons(modal(meta_with(20)))
    assert {block for block, _ in twenty.values()} == {SaleBlock.LINES}  # one shared block


def test_a_redrawn_form_carries_what_was_typed_as_initial_values() -> None:
    chair = Option(text="CH-1 · Office chair · $120.00", value="41")
    form = SaleForm(
        customer=Option(text="Acme Corp (C-1)", value="7"),
        order_date="2026-02-27",
        note="PO 77",
        lines=(LineForm(1, chair, "3", "110", "10%"),),
    )
    blocks = by_id(modal(SaleMeta.new(CONTEXT).with_line(), form))
    assert blocks[SaleBlock.CUSTOMER]["element"]["initial_option"]["value"] == "7"
    assert blocks[SaleBlock.DATE]["element"]["initial_date"] == "2026-02-27"
    assert blocks[SaleBlock.NOTE]["element"]["initial_value"] == "PO 77"
    assert blocks["sale_product_1"]["element"]["initial_option"]["value"] == "41"
    assert blocks["sale_quantity_1"]["element"]["initial_value"] == "3"
    assert blocks["sale_price_1"]["element"]["initial_value"] == "110"
    assert blocks["sale_discount_1"]["element"]["initial_value"] == "10%"
    assert "initial_option" not in blocks["sale_product_2"]["element"]
    assert "initial_value" not in blocks["sale_quantity_2"]["element"]


def test_an_unreadable_date_is_replaced_by_today_and_reported() -> None:
    form = SaleForm(order_date="27/02/2026")
    assert by_id(modal(form=form))[SaleBlock.DATE]["element"]["initial_date"] == "2026-03-02"
    assert form.day is None and SaleBlock.DATE in form.problems()
    assert SaleForm(order_date="2026-02-27").problems() == {}


# -- metadata -----------------------------------------------------------------------------------


def test_lines_keep_their_keys_and_a_removed_key_is_never_reused() -> None:
    meta = SaleMeta.new(CONTEXT).with_line().with_line()
    assert meta.keys == (1, 2, 3)
    meta = meta.without(2)
    assert meta.keys == (1, 3)
    assert meta.with_line().keys == (1, 3, 4)
    assert meta.without(3).without(1).keys == (1,)  # the last line left stays
    assert meta.without(99) == meta
    single = SaleMeta.new(CONTEXT)
    assert single.without(1) == single  # the only line stays


def test_adding_stops_at_the_most_lines() -> None:
    full = meta_with(MAX_LINES)
    assert len(full.keys) == MAX_LINES
    assert full.with_line() == full


def test_metadata_round_trips() -> None:
    meta = SaleMeta.new(CONTEXT).with_line().with_line().without(2)
    assert SaleMeta.load(meta.dump()) == meta


def test_metadata_stays_within_slacks_limit_dropping_a_huge_response_url() -> None:
    huge = ModalContext(None, "tok", "https://hooks.example/" + "x" * 3000, "C0SALES")
    meta = SaleMeta.new(huge)
    for _ in range(MAX_LINES):
        meta = meta.with_line()
    text = meta.dump()
    assert len(text) <= 3000
    loaded = SaleMeta.load(text)
    assert loaded.context.response_url is None and loaded.context.channel_id == "C0SALES"
    assert loaded.keys == meta.keys


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        "null",
        '{"l": ["x", -1, true]}',
        '{"l": [1, 1, 2], "n": 0}',
        '{"l": 5, "m": "x", "n": "y"}',
    ],
)
def test_metadata_that_is_not_ours_still_loads(text: str) -> None:
    meta = SaleMeta.load(text)
    assert meta.keys and len(set(meta.keys)) == len(meta.keys)
    assert meta.next_key > max(meta.keys)


# -- reading the form and its errors -------------------------------------------------------------


def test_read_form_takes_the_lines_in_the_order_of_their_keys() -> None:
    picked = {"text": {"type": "plain_text", "text": "CH-1 · Office chair"}, "value": "41"}
    values: dict[str, dict[str, dict[str, Any]]] = {
        SaleBlock.CUSTOMER: {
            ActionId.CUSTOMER_SELECT: {
                "type": "external_select",
                "selected_option": {"text": {"type": "plain_text", "text": "Acme"}, "value": "7"},
            }
        },
        SaleBlock.DATE: {ActionId.INPUT: {"type": "datepicker", "selected_date": "2026-02-27"}},
        "sale_product_3": {
            ActionId.PRODUCT_SELECT: {"type": "external_select", "selected_option": picked}
        },
        "sale_quantity_3": {ActionId.INPUT: {"type": "plain_text_input", "value": "2"}},
        "sale_discount_3": {ActionId.INPUT: {"type": "plain_text_input", "value": None}},
        "sale_quantity_1": {ActionId.INPUT: {"type": "plain_text_input", "value": "5"}},
        "sale_quantity_9": {ActionId.INPUT: {"type": "plain_text_input", "value": "ignored"}},
        SaleBlock.NOTE: {ActionId.INPUT: {"type": "plain_text_input", "value": "PO 77"}},
    }
    form = read_form(values, (3, 1))
    assert form.customer_id == 7 and form.day == date(2026, 2, 27) and form.note == "PO 77"
    assert [line.key for line in form.lines] == [3, 1]
    first, second = form.line_inputs()
    assert (first.product_id, first.quantity, first.unit_price, first.discount) == (
        41,
        "2",
        None,
        None,
    )
    assert (second.product_id, second.quantity) == (None, "5")


def test_a_product_value_that_is_not_an_id_is_no_product() -> None:
    line = LineForm(1, Option(text="x", value="CH-1"), "2")
    assert line.product_id is None and line.as_input().product_id is None


def test_domain_errors_go_under_their_fields_with_line_numbers_as_shown() -> None:
    keys = (1, 3, 4)
    errors = error_blocks(
        {
            "customer": "Pick the customer the order is for.",
            "date": "The order date cannot be after today.",
            "note": "Keep the note under 2000 characters.",
            "line2.product": "Pick a product.",
            "line2.quantity": "the quantity cannot be 0.",
            "line3.price": "-5 is negative.",
            "line1.discount": "not between 0 and 100%.",
        },
        keys,
    )
    assert errors == {
        SaleBlock.CUSTOMER: "Pick the customer the order is for.",
        SaleBlock.DATE: "The order date cannot be after today.",
        SaleBlock.NOTE: "Keep the note under 2000 characters.",
        "sale_product_3": "Pick a product.",
        "sale_quantity_3": "the quantity cannot be 0.",
        "sale_price_4": "-5 is negative.",
        "sale_discount_1": "not between 0 and 100%.",
    }


def test_errors_about_the_lines_as_a_whole_go_to_the_first_line() -> None:
    assert error_blocks({"lines": "Add at least one line."}, (5, 6)) == {
        "sale_product_5": "Add at least one line."
    }
    # An error we did not foresee is still shown, not lost; long ones are cut.
    shown = error_blocks({"line9.product": "x" * 1000, "surprise": "Odd."}, (2,))
    assert list(shown) == ["sale_product_2"] and len(shown["sale_product_2"]) <= 300


def test_removed_key_reads_the_value_or_the_action_id() -> None:
    assert removed_key(remove_action_id(4), "4") == 4
    assert removed_key(remove_action_id(4), None) == 4
    assert removed_key(ActionId.SALE_LINE_REMOVE, "x") is None


# -- the product picker's options ------------------------------------------------------------------


def make_product(sku: str = "CH-1", name: str = "Office chair", price: str = "120") -> Product:
    return Product(
        id=41, team_id="T0TEST", sku=sku, name=name, list_price=Decimal(price),
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def test_a_product_option_shows_sku_name_and_price() -> None:
    option = product_option(make_product(price="1234.5")).to_dict()
    assert option["text"]["text"] == "CH-1 · Office chair · $1,234.50"
    assert option["value"] == "41"
    assert product_option(make_product(), "EUR").to_dict()["text"]["text"].endswith("€120.00")


def test_a_long_name_is_cut_so_the_price_still_shows() -> None:
    text = product_option(make_product(name="Very  long\nname " * 30)).to_dict()["text"]["text"]
    assert (
        len(text) == 75
        and text.startswith("CH-1 · Very long name")
        and text.endswith("… · $120.00")
    )
    longest = product_option(make_product(sku="S" * 64, price="99999999999999"))
    assert len(longest.to_dict()["text"]["text"]) <= 75


# -- the answer ---------------------------------------------------------------------------------


def recorded(
    *lines: tuple[str, str, int, str, str, int, int | None, bool],
    note: str | None = None,
) -> RecordedOrder:
    """(sku, name, qty, price, discount, stock before, reorder point, alert queued) per line."""
    stored: list[RecordedLine] = []
    for n, (sku, name, qty, price, discount, before, point, alert) in enumerate(lines, 1):
        total = line_total(qty, Decimal(price), Decimal(discount))
        product = make_product(sku, name, price).model_copy(update={"id": n})
        line = OrderLine(
            id=n, product_id=n, quantity=qty, unit_price=Decimal(price),
            discount=Decimal(discount), line_total=total,
        )  # fmt: skip
        movement = Movement(
            id=n, team_id="T0TEST", product_id=n, kind=MovementKind.SALE, quantity=-qty,
            balance_after=before - qty, reason="O-12", order_id=1, at=NOW,
        )  # fmt: skip
        stock = MoveResult(
            movement=movement, before=before, after=before - qty, reorder_point=point,
            alert_queued=alert,
        )  # fmt: skip
        stored.append(RecordedLine(line=line, product=product, stock=stock))
    order = Order(
        id=1, team_id="T0TEST", number=12, customer_id=7, rep_id="U0ALICE", ordered_at=NOW,
        order_date=date(2026, 2, 27), total=sum((r.line.line_total for r in stored), Decimal(0)),
        line_count=len(stored), note=note, created_by="U0ALICE", created_at=NOW,
        lines=[r.line for r in stored],
    )  # fmt: skip
    return RecordedOrder(order=order, lines=stored)


ACME = Customer(id=7, team_id="T0TEST", number=3, name="Acme Corp", created_at=NOW, updated_at=NOW)


def shown(blocks: list[Block]) -> str:
    dicts = [b.to_dict() for b in blocks]
    assert block_problems(dicts) == []
    return json.dumps(dicts, ensure_ascii=False)


def test_the_answer_shows_number_customer_date_lines_and_total_in_cents() -> None:
    order = recorded(
        ("CH-1", "Office chair", 3, "99.995", "0.15", 10, None, False),
        ("DK-2", "Standing desk", 2, "499.99", "0", 5, None, False),
        note="PO 77",
    )
    assert order.order.total == Decimal("1254.9673")
    assert recorded_text(order, ACME, currency="USD") == (
        "Recorded O-12 for C-3 Acme Corp: 2 lines, $1,254.97."
    )
    text = shown(recorded_blocks(order, ACME, currency="USD"))
    assert ":white_check_mark: Recorded *O-12* for *C-3 Acme Corp* · Fri 27 Feb 2026" in text
    assert "3 × `CH-1` Office chair @ $100.00 − 15% = *$254.99*" in text
    assert "2 × `DK-2` Standing desk @ $499.99 = *$999.98*" in text  # no discount, no "− 0%"
    assert "*Total: $1,254.97* · 2 lines" in text
    assert "Note: PO 77" in text and "<@U0ALICE>" in text
    assert ":red_circle:" not in text and ":bell:" not in text


def test_oversold_lines_are_warned_and_queued_alerts_noted() -> None:
    order = recorded(
        ("CH-1", "Office chair", 5, "10", "0", 2, None, False),
        ("DK-2", "Standing desk", 2, "10", "0", 6, 5, True),
    )
    assert recorded_text(order, ACME, currency="USD").endswith("Oversold: CH-1.")
    text = shown(recorded_blocks(order, ACME, currency="USD", stock_channel_id="C0STOCK"))
    assert (
        ":red_circle: `CH-1` Office chair is oversold: stock is now *-3* (was 2 before this order)"
    ) in text
    assert ":bell: `DK-2` Standing desk is down to 4 (reorder point 5)" in text
    assert "<#C0STOCK>" in text


def test_names_people_typed_are_escaped() -> None:
    order = recorded(("CH-1", "<!channel> & chair", 1, "1", "0", 5, None, False), note="<!here>")
    evil = ACME.model_copy(update={"name": "<@U0BOSS> Ltd"})
    text = recorded_text(order, evil, currency="USD") + shown(
        recorded_blocks(order, evil, currency="USD")
    )
    assert "<!channel>" not in text and "<!here>" not in text and "<@U0BOSS>" not in text
    assert "&lt;!channel&gt; &amp; chair" in text


def test_twenty_lines_with_long_names_fit_one_message() -> None:
    lines = [
        (f"SKU-{n:02d}", "A very long product name " * 12, n, "9.99", "0.05", 0, 0, True)
        for n in range(1, MAX_LINES + 1)
    ]
    blocks = recorded_blocks(recorded(*lines), ACME, currency="USD", stock_channel_id="C0STOCK")
    text = shown(blocks)  # block_problems checks count, per-block limits and total size
    assert len(blocks) <= 50
    assert text.count(":red_circle:") == MAX_LINES and text.count(":bell:") == MAX_LINES
