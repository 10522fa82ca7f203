"""Recording an order end to end: /sales record, its form with Add line and Remove, the
product picker, and the answer, as signed requests into `POST /slack/events`."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import commands
from bot import payloads
from bot.local_slack import LocalSlack
from bot.services import build_services
from commands import sales
from commands.ids import ActionId, CallbackId
from commands.sales.views import SaleBlock, line_block
from domain.catalog import Product, ProductDraft
from domain.customers import Customer, CustomerDraft
from domain.inventory import LOW_STOCK_ALERT
from domain.orders import MAX_LINES
from storage.orm import (
    DeliveryRow,
    IdempotencyKeyRow,
    OrderLineRow,
    OrderRow,
    StockMovementRow,
)
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, make_settings
from tests.harness import CHANNEL, TEAM, USER, Reply, RunningBot, find_button, text_values
from tests.processes import ACK_LIMIT, SALESBOT, clean_env, free_port, run_cli, stop
from tests.served import BACKENDS, TIMEZONE, ServedBot, fresh_database, wait_healthy

OTHER_TEAM, MALLORY = "T0OTHER", "U0MALLORY"
TODAY = "2026-03-02"  # START is Monday 2 March, 10:30 in New York


# -- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def sales_bot(bot: RunningBot) -> Iterator[RunningBot]:
    """The running bot, with a name that says these tests are about /sales."""
    assert sales.SPEC in commands.SPECS
    yield bot


def add_customer(bot: RunningBot, name: str = "Acme Corp", team: str = TEAM) -> Customer:
    bot.services.workspaces.ensure(team, USER if team == TEAM else MALLORY)
    draft = CustomerDraft.from_input(name=name)
    return bot.services.customers.create(team, draft, actor=USER)


def add_product(
    bot: RunningBot, sku: str, name: str, price: str, *, stock: int = 0, team: str = TEAM
) -> Product:
    bot.services.workspaces.ensure(team, USER if team == TEAM else MALLORY)
    draft = ProductDraft.from_input(sku=sku, name=name, list_price=price)
    product = bot.services.catalog.create(team, draft, actor=USER)
    if stock:
        bot.services.stock.receive(team, sku, stock, note="opening stock", actor=USER)
    return product


def rows(bot: RunningBot, table: Any, *where: Any) -> int:
    """Rows in a table across every workspace: proof that nothing was written anywhere."""
    with bot.services.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table).where(*where)) or 0


def sale_movements(bot: RunningBot) -> int:
    return rows(bot, StockMovementRow, StockMovementRow.kind == "sale")


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text, "emoji": True}, "value": value}


def product_choice(product: Product) -> dict[str, Any]:
    return option(f"{product.sku} · {product.name}", str(product.id))


Line = tuple[Product | None, str | None, str | None, str | None]  # product, qty, price, discount


def form_values(
    customer: Customer | None,
    lines: dict[int, Line],
    *,
    day: str | None = TODAY,
    note: str | None = None,
) -> dict[str, Any]:
    """view.state.values of the order form, as Slack sends them; `lines` by line key."""
    values: dict[str, Any] = text_values(**{SaleBlock.NOTE: note})
    chosen = (
        option(f"{customer.name} ({customer.public_id})", str(customer.id)) if customer else None
    )
    values[SaleBlock.CUSTOMER] = {
        ActionId.CUSTOMER_SELECT: {"type": "external_select", "selected_option": chosen}
    }
    values[SaleBlock.DATE] = {ActionId.INPUT: {"type": "datepicker", "selected_date": day}}
    for key, (product, quantity, price, discount) in lines.items():
        values[line_block(SaleBlock.PRODUCT, key)] = {
            ActionId.PRODUCT_SELECT: {
                "type": "external_select",
                "selected_option": product_choice(product) if product else None,
            }
        }
        values |= text_values(
            **{
                line_block(SaleBlock.QUANTITY, key): quantity,
                line_block(SaleBlock.PRICE, key): price,
                line_block(SaleBlock.DISCOUNT, key): discount,
            }
        )
    return values


def blocks_by_id(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b.get("block_id")}


def line_keys(view: dict[str, Any]) -> list[int]:
    """The lines a form shows, by the keys in their product blocks' ids."""
    prefix = f"{SaleBlock.PRODUCT}_"
    return [
        int(b["block_id"][len(prefix) :])
        for b in view["blocks"]
        if b.get("block_id", "").startswith(prefix)
    ]


def open_form(bot: RunningBot) -> dict[str, Any]:
    before = len(bot.slack.calls_to("views.open"))
    reply = bot.command("/sales", "record")
    assert reply.status == 200 and reply.body == ""
    assert len(bot.slack.calls_to("views.open")) == before + 1, "the form did not open"
    return bot.last_view()


def press_in_form(
    bot: RunningBot,
    view: dict[str, Any],
    action_id: str,
    values: dict[str, Any] | None = None,
    *,
    team: str = TEAM,
) -> dict[str, Any] | None:
    """Press a button in the open form with `values` typed so far; the redrawn view, if any."""
    button, block_id = find_button(view["blocks"], action_id)
    current = copy.deepcopy(view)
    current["state"] = {"values": values or {}}
    before = len(bot.slack.calls_to("views.update"))
    body = payloads.block_action(
        button, team_id=team, user_id=USER if team == TEAM else MALLORY, view=current,
        block_id=block_id,
    )  # fmt: skip
    reply = bot.post(body)
    bot.settle()
    assert reply.status == 200 and reply.body == ""
    updates = bot.slack.calls_to("views.update")
    if len(updates) == before:
        return None
    [update] = updates[before:]
    assert update.args["view_id"] == view["id"] and update.args["hash"] == view["hash"]
    if not update.result["ok"]:
        return None
    redrawn: dict[str, Any] = update.result["view"]
    return redrawn


def add_line(bot: RunningBot, view: dict[str, Any], values: dict[str, Any] | None = None) -> dict:
    redrawn = press_in_form(bot, view, ActionId.SALE_LINE_ADD, values)
    assert redrawn is not None, "Add line did not redraw the form"
    return redrawn


def remove_line(
    bot: RunningBot, view: dict[str, Any], key: int, values: dict[str, Any] | None = None
) -> dict:
    redrawn = press_in_form(bot, view, f"{ActionId.SALE_LINE_REMOVE}:{key}", values)
    assert redrawn is not None, "Remove did not redraw the form"
    return redrawn


def submit(bot: RunningBot, view: dict[str, Any], values: dict[str, Any], **kw: Any) -> Reply:
    reply = bot.submit(view, values, **kw)
    assert reply.status == 200
    return reply


def initial(block: dict[str, Any]) -> Any:
    element = block["element"]
    return (
        element.get("initial_value") or element.get("initial_option") or element.get("initial_date")
    )


# -- the command --------------------------------------------------------------------------------


def test_help_shows_the_usage(sales_bot: RunningBot) -> None:
    reply = sales_bot.command("/sales", "help")
    assert reply.status == 200
    assert reply.json().get("response_type", "ephemeral") == "ephemeral"
    assert "/sales record" in reply.text and "/sales help" in reply.text
    assert sales_bot.slack.calls_to("views.open") == []


@pytest.mark.parametrize("text", ["dashboard", "x", "chairs please"])
def test_words_that_are_not_dashboard_filters_are_quoted_with_the_usage(
    sales_bot: RunningBot, text: str
) -> None:
    reply = sales_bot.command("/sales", text)
    assert reply.status == 200
    shown = reply.text
    assert f"I don't know “{text}”" in shown
    assert "/sales record" in shown and "/sales help" in shown
    assert "coming" not in shown.lower()
    assert sales_bot.slack.calls_to("views.open") == []


def test_record_takes_nothing_after_it(sales_bot: RunningBot) -> None:
    reply = sales_bot.command("/sales", "record <!channel> now")
    assert "takes nothing after it" in reply.text
    assert "<!channel>" not in reply.text  # escaped: &lt;!channel&gt;
    assert sales_bot.slack.calls_to("views.open") == []


# -- the form -----------------------------------------------------------------------------------


def test_record_opens_the_form_with_today_and_one_line(sales_bot: RunningBot) -> None:
    reply = sales_bot.command("/sales", "record")
    assert reply.status == 200 and reply.body == "" and reply.seconds < 3
    [call] = sales_bot.slack.calls_to("views.open")
    view = call.result["view"]
    assert view["callback_id"] == CallbackId.SALE_SAVE
    assert view["title"]["text"] == "Record an order" and view["submit"]["text"] == "Record"
    blocks = blocks_by_id(view)
    assert blocks[SaleBlock.CUSTOMER]["element"]["action_id"] == ActionId.CUSTOMER_SELECT
    assert blocks[SaleBlock.CUSTOMER]["element"]["type"] == "external_select"
    assert blocks[SaleBlock.DATE]["element"]["initial_date"] == TODAY
    assert line_keys(view) == [1]
    product = blocks[line_block(SaleBlock.PRODUCT, 1)]["element"]
    assert product["type"] == "external_select" and product["action_id"] == ActionId.PRODUCT_SELECT
    price = blocks[line_block(SaleBlock.PRICE, 1)]
    assert price["optional"] is True and price["element"]["placeholder"]["text"] == "list price"
    assert blocks[line_block(SaleBlock.DISCOUNT, 1)]["optional"] is True
    assert blocks[SaleBlock.NOTE]["optional"] is True
    button, _ = find_button(view["blocks"], ActionId.SALE_LINE_ADD)
    assert button["text"]["text"] == "Add line"
    with pytest.raises(AssertionError):
        find_button(view["blocks"], f"{ActionId.SALE_LINE_REMOVE}:1")  # the only line stays
    origin = json.loads(view["private_metadata"])
    assert origin["m"]["c"] == CHANNEL and origin["m"]["r"] and origin["l"] == [1]


def test_the_default_date_is_today_in_the_workspace_timezone(sales_bot: RunningBot) -> None:
    # 02:00 UTC on 3 March is still 2 March, 21:00, in New York.
    sales_bot.services.clock.set(datetime(2026, 3, 3, 2, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    view = open_form(sales_bot)
    assert blocks_by_id(view)[SaleBlock.DATE]["element"]["initial_date"] == "2026-03-02"


def test_add_line_keeps_everything_typed(sales_bot: RunningBot) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.00")
    view = open_form(sales_bot)
    typed = form_values(acme, {1: (chair, "3", "110", "10%")}, day="2026-02-27", note="PO 77")

    redrawn = add_line(sales_bot, view, typed)
    assert line_keys(redrawn) == [1, 2]
    blocks = blocks_by_id(redrawn)
    # Line 1's blocks keep their ids (so Slack keeps what was typed) and carry the values.
    assert initial(blocks[SaleBlock.CUSTOMER])["value"] == str(acme.id)
    assert initial(blocks[SaleBlock.DATE]) == "2026-02-27"
    assert initial(blocks[SaleBlock.NOTE]) == "PO 77"
    assert initial(blocks[line_block(SaleBlock.PRODUCT, 1)]) == product_choice(chair)
    assert initial(blocks[line_block(SaleBlock.QUANTITY, 1)]) == "3"
    assert initial(blocks[line_block(SaleBlock.PRICE, 1)]) == "110"
    assert initial(blocks[line_block(SaleBlock.DISCOUNT, 1)]) == "10%"
    for field in (SaleBlock.PRODUCT, SaleBlock.QUANTITY, SaleBlock.PRICE, SaleBlock.DISCOUNT):
        assert initial(blocks[line_block(field, 2)]) is None  # the new line starts empty
    assert blocks[line_block(SaleBlock.PRODUCT, 1)]["label"]["text"] == "Line 1: product"
    assert blocks[line_block(SaleBlock.PRODUCT, 2)]["label"]["text"] == "Line 2: product"
    # Both lines can go now; the form still knows where it was opened.
    find_button(redrawn["blocks"], f"{ActionId.SALE_LINE_REMOVE}:1")
    find_button(redrawn["blocks"], f"{ActionId.SALE_LINE_REMOVE}:2")
    assert json.loads(redrawn["private_metadata"])["m"] == json.loads(view["private_metadata"])["m"]

    third = add_line(sales_bot, redrawn)  # the next press is made on the redrawn view
    assert line_keys(third) == [1, 2, 3]


def test_remove_drops_that_line_and_keeps_the_others_as_typed(sales_bot: RunningBot) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.00")
    desk = add_product(sales_bot, "DK-2", "Standing desk", "499.99")
    lamp = add_product(sales_bot, "LP-3", "Desk lamp", "35.50")
    view = add_line(sales_bot, add_line(sales_bot, open_form(sales_bot)))
    typed = form_values(
        acme, {1: (chair, "1", None, None), 2: (desk, "2", None, None), 3: (lamp, "5", "30", None)}
    )

    redrawn = remove_line(sales_bot, view, 2, typed)
    assert line_keys(redrawn) == [1, 3]  # line 3 keeps its key, so Slack keeps its values
    blocks = blocks_by_id(redrawn)
    assert initial(blocks[line_block(SaleBlock.PRODUCT, 3)]) == product_choice(lamp)
    assert initial(blocks[line_block(SaleBlock.QUANTITY, 3)]) == "5"
    assert initial(blocks[line_block(SaleBlock.PRICE, 3)]) == "30"
    assert blocks[line_block(SaleBlock.PRODUCT, 3)]["label"]["text"] == "Line 2: product"
    assert json.loads(redrawn["private_metadata"])["l"] == [1, 3]

    # A new line gets a new key: the removed line's typing never comes back.
    again = add_line(sales_bot, redrawn, form_values(acme, {1: (chair, "1", None, None)}))
    assert line_keys(again) == [1, 3, 4]

    # Down to one line, it has no Remove button.
    one = remove_line(sales_bot, remove_line(sales_bot, again, 4), 3)
    assert line_keys(one) == [1]
    assert not [b for b in one["blocks"] if b["block_id"].startswith(f"{SaleBlock.LINE_ACTIONS}_")]


def test_a_press_on_a_form_that_changed_meanwhile_is_dropped_quietly(
    sales_bot: RunningBot,
) -> None:
    view = open_form(sales_bot)
    add_line(sales_bot, view)  # the stored form has a new hash now
    button, block_id = find_button(view["blocks"], ActionId.SALE_LINE_ADD)
    reply = sales_bot.post(
        payloads.block_action(button, team_id=TEAM, user_id=USER, view=view, block_id=block_id)
    )
    sales_bot.settle()
    assert reply.status == 200
    assert sales_bot.slack.calls_to("views.update")[-1].result["error"] == "hash_conflict"
    assert sales_bot.slack.calls_to("chat.postMessage") == []  # no apology: nothing went wrong


def test_the_form_holds_twenty_lines_within_a_hundred_blocks(sales_bot: RunningBot) -> None:
    view = open_form(sales_bot)
    for count in range(2, MAX_LINES + 1):
        view = add_line(sales_bot, view)
        assert len(view["blocks"]) <= 100 and line_keys(view) == list(range(1, count + 1))
    assert len(view["private_metadata"]) <= 3000
    with pytest.raises(AssertionError):
        find_button(view["blocks"], ActionId.SALE_LINE_ADD)  # no more lines
    for key in range(1, MAX_LINES + 1):  # every line can still be removed
        find_button(view["blocks"], f"{ActionId.SALE_LINE_REMOVE}:{key}")
    fewer = remove_line(sales_bot, view, 7)
    assert len(line_keys(fewer)) == MAX_LINES - 1 and 7 not in line_keys(fewer)
    find_button(fewer["blocks"], ActionId.SALE_LINE_ADD)


def test_a_record_button_opens_the_form_and_the_answer_goes_back_there(
    sales_bot: RunningBot,
) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.00", stock=10)
    button = {"type": "button", "action_id": ActionId.SALE_RECORD, "value": "record"}
    sales_bot.press(button)  # on a card or message in #sales
    view = sales_bot.last_view()
    assert view["callback_id"] == CallbackId.SALE_SAVE
    assert json.loads(view["private_metadata"])["m"]["c"] == CHANNEL
    submit(sales_bot, view, form_values(acme, {1: (chair, "1", None, None)}))
    assert sales_bot.last_response()["text"].startswith("Recorded O-1 for C-1 Acme Corp")

    sales_bot.press(button, view=view)  # from inside another modal: pushed on top
    [pushed] = sales_bot.slack.calls_to("views.push")
    assert pushed.result["ok"] and pushed.args["view"]["callback_id"] == CallbackId.SALE_SAVE


# -- saving -------------------------------------------------------------------------------------


def test_submitting_two_lines_writes_the_order_its_lines_and_stock_exactly(
    sales_bot: RunningBot,
) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.00", stock=10)
    desk = add_product(sales_bot, "DK-2", "Standing desk", "499.99", stock=5)
    view = add_line(sales_bot, open_form(sales_bot))
    values = form_values(
        acme,
        {1: (chair, "3", "99.995", "15%"), 2: (desk, "2", None, "0.125")},
        day="2026-02-27",
        note="PO 77",
    )
    reply = submit(sales_bot, view, values)
    assert reply.body == ""  # closes the form

    order = sales_bot.services.orders.get_by_number(TEAM, 1)
    assert order.public_id == "O-1" and order.customer_id == acme.id
    assert order.order_date == date(2026, 2, 27) and order.note == "PO 77"
    assert order.rep_id == USER and order.created_by == USER
    first, second = order.lines
    assert (first.product_id, first.quantity) == (chair.id, 3)
    assert (first.unit_price, first.discount) == (Decimal("99.995"), Decimal("0.15"))
    assert first.line_total == Decimal("254.9873")  # 3 × 99.995 × 0.85 = 254.98725, to 4 places
    assert (second.product_id, second.quantity) == (desk.id, 2)
    assert (second.unit_price, second.discount) == (Decimal("499.99"), Decimal("0.125"))
    assert second.line_total == Decimal("874.9825")  # 2 × 499.99 × 0.875
    assert order.total == Decimal("1129.9698") == first.line_total + second.line_total

    assert sales_bot.services.catalog.get(TEAM, chair.id).on_hand == 7
    assert sales_bot.services.catalog.get(TEAM, desk.id).on_hand == 3
    with sales_bot.services.engine.connect() as conn:
        moves = conn.execute(
            select(StockMovementRow.product_id, StockMovementRow.quantity, StockMovementRow.reason)
            .where(StockMovementRow.kind == "sale")
            .order_by(StockMovementRow.id)
        ).all()
    assert [tuple(m) for m in moves] == [(chair.id, -3, "O-1"), (desk.id, -2, "O-1")]

    answer = sales_bot.last_response()
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == "Recorded O-1 for C-1 Acme Corp: 2 lines, $1,129.97."
    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "*O-1*" in shown and "Fri 27 Feb 2026" in shown
    assert "3 × `CH-1` Office chair @ $100.00 − 15% = *$254.99*" in shown  # cents on display
    assert "2 × `DK-2` Standing desk @ $499.99 − 12.5% = *$874.98*" in shown
    assert "*Total: $1,129.97*" in shown and "PO 77" in shown
    assert ":red_circle:" not in shown


def test_an_empty_price_is_the_list_price(sales_bot: RunningBot) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.50", stock=10)
    submit(sales_bot, open_form(sales_bot), form_values(acme, {1: (chair, "2", None, None)}))
    [line] = sales_bot.services.orders.get_by_number(TEAM, 1).lines
    assert line.unit_price == Decimal("120.50") and line.discount == Decimal(0)
    assert line.line_total == Decimal("241.00")
    shown = json.dumps(sales_bot.last_response()["blocks"], ensure_ascii=False)
    assert "2 × `CH-1` Office chair @ $120.50 = *$241.00*" in shown


def test_submitting_the_same_form_twice_writes_once(sales_bot: RunningBot) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.00", stock=10)
    view = open_form(sales_bot)
    values = form_values(acme, {1: (chair, "2", None, None)})
    first, second = submit(sales_bot, view, values), submit(sales_bot, view, values)
    assert first.body == second.body == ""
    assert rows(sales_bot, OrderRow) == 1 and rows(sales_bot, OrderLineRow) == 1
    assert sale_movements(sales_bot) == 1
    assert sales_bot.services.catalog.get(TEAM, chair.id).on_hand == 8
    answers = sales_bot.slack.calls_to("response_url")
    assert answers[-1].args["text"] == answers[-2].args["text"]  # the same order, confirmed
    assert answers[-1].args["text"].startswith("Recorded O-1 ")


def test_twin_submissions_at_the_same_moment_write_once(sales_bot: RunningBot) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.00", stock=10)
    view = open_form(sales_bot)
    body = payloads.view_submission(
        view, form_values(acme, {1: (chair, "2", None, None)}), team_id=TEAM, user_id=USER
    )
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(pool.map(lambda _: sales_bot.post(body), range(4)))
    sales_bot.settle()
    assert [(r.status, r.body) for r in replies] == [(200, "")] * 4
    assert rows(sales_bot, OrderRow) == 1 and sale_movements(sales_bot) == 1
    assert sales_bot.services.catalog.get(TEAM, chair.id).on_hand == 8
    answers = {call.args["text"] for call in sales_bot.slack.calls_to("response_url")}
    assert answers == {"Recorded O-1 for C-1 Acme Corp: 1 line, $240.00."}


def test_a_new_form_records_a_new_order(sales_bot: RunningBot) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.00", stock=10)
    values = form_values(acme, {1: (chair, "1", None, None)})
    submit(sales_bot, open_form(sales_bot), values)
    submit(sales_bot, open_form(sales_bot), values)
    assert rows(sales_bot, OrderRow) == 2
    assert sales_bot.last_response()["text"].startswith("Recorded O-2 ")


@pytest.mark.parametrize(
    ("line", "field", "says"),
    [
        ((None, "2", None, None), SaleBlock.PRODUCT, "Pick a product"),
        (("chair", "0", None, None), SaleBlock.QUANTITY, "cannot be 0"),
        (("chair", "ten", None, None), SaleBlock.QUANTITY, "not a whole number"),
        (("chair", "-2", None, None), SaleBlock.QUANTITY, "negative"),
        (("chair", "2", "-5", None), SaleBlock.PRICE, "negative"),
        (("chair", "2", "12,5x", None), SaleBlock.PRICE, "not an amount"),
        (("chair", "2", None, "150%"), SaleBlock.DISCOUNT, "not between 0 and 100%"),
        (("chair", "2", None, "lots"), SaleBlock.DISCOUNT, "not a discount"),
    ],
)
def test_bad_line_values_are_inline_errors_under_that_line_and_nothing_is_written(
    sales_bot: RunningBot, line: Line, field: SaleBlock, says: str
) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.00", stock=10)
    desk = add_product(sales_bot, "DK-2", "Standing desk", "499.99", stock=5)
    # Three lines, the middle one removed: the bad line is the second shown, key 3.
    form = add_line(sales_bot, add_line(sales_bot, open_form(sales_bot)))
    form = remove_line(sales_bot, form, 2)
    product, quantity, price, discount = line
    bad: Line = (chair if product == "chair" else None, quantity, price, discount)
    reply = submit(sales_bot, form, form_values(acme, {1: (desk, "1", None, None), 3: bad}))
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [line_block(field, 3)], answer["errors"]
    assert says in answer["errors"][line_block(field, 3)]
    assert rows(sales_bot, OrderRow) == 0 and rows(sales_bot, OrderLineRow) == 0
    assert sale_movements(sales_bot) == 0 and rows(sales_bot, IdempotencyKeyRow) == 0
    assert sales_bot.services.catalog.get(TEAM, chair.id).on_hand == 10
    assert sales_bot.slack.calls_to("response_url") == []


def test_every_bad_field_is_reported_at_once(sales_bot: RunningBot) -> None:
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.00")
    form = add_line(sales_bot, open_form(sales_bot))
    values = form_values(
        None, {1: (None, "ten", "-5", "150%"), 2: (chair, "0", None, None)}, day="2026-03-09"
    )
    errors = submit(sales_bot, form, values).json()["errors"]
    assert set(errors) == {
        SaleBlock.CUSTOMER,
        SaleBlock.DATE,
        line_block(SaleBlock.PRODUCT, 1),
        line_block(SaleBlock.QUANTITY, 1),
        line_block(SaleBlock.PRICE, 1),
        line_block(SaleBlock.DISCOUNT, 1),
        line_block(SaleBlock.QUANTITY, 2),
    }
    assert "cannot be after today (2026-03-02)" in errors[SaleBlock.DATE]
    assert rows(sales_bot, OrderRow) == 0 and sale_movements(sales_bot) == 0


def test_a_form_with_no_lines_filled_asks_for_one(sales_bot: RunningBot) -> None:
    acme = add_customer(sales_bot)
    reply = submit(
        sales_bot, open_form(sales_bot), form_values(acme, {1: (None, None, None, None)})
    )
    assert reply.json()["errors"] == {
        line_block(SaleBlock.PRODUCT, 1): "Add at least one line: a product and a quantity."
    }
    assert rows(sales_bot, OrderRow) == 0


def test_a_line_that_oversells_is_recorded_with_a_warning(sales_bot: RunningBot) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.00", stock=2)
    desk = add_product(sales_bot, "DK-2", "Standing desk", "499.99", stock=5)
    form = add_line(sales_bot, open_form(sales_bot))
    submit(
        sales_bot,
        form,
        form_values(acme, {1: (chair, "5", None, None), 2: (desk, "1", None, None)}),
    )
    assert sales_bot.services.catalog.get(TEAM, chair.id).on_hand == -3
    answer = sales_bot.last_response()
    assert answer["text"].endswith("Oversold: CH-1.")
    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    assert ":red_circle: `CH-1` Office chair is oversold: stock is now *-3* (was 2" in shown
    assert shown.count(":red_circle:") == 1  # the desk had enough


def test_a_line_that_crosses_the_reorder_point_says_an_alert_is_on_its_way(
    sales_bot: RunningBot,
) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.00", stock=10)
    services = sales_bot.services
    _, admin = services.workspaces.ensure(TEAM, USER)
    services.workspaces.change_settings(TEAM, admin, stock_channel_id="C0STOCK")
    services.stock.set_rule(TEAM, chair.id, point=5, qty=20, lead=7, actor=USER)
    submit(sales_bot, open_form(sales_bot), form_values(acme, {1: (chair, "6", None, None)}))
    shown = json.dumps(sales_bot.last_response()["blocks"], ensure_ascii=False)
    assert ":bell: `CH-1` Office chair is down to 4 (reorder point 5)" in shown
    assert "<#C0STOCK>" in shown and ":red_circle:" not in shown
    assert rows(sales_bot, DeliveryRow, DeliveryRow.kind == LOW_STOCK_ALERT) == 1


def test_what_people_typed_is_escaped_in_the_answer(sales_bot: RunningBot) -> None:
    acme = add_customer(sales_bot, "<!channel> & Co")
    chair = add_product(sales_bot, "CH-1", "<@U0BOSS> chair", "10", stock=5)
    submit(
        sales_bot,
        open_form(sales_bot),
        form_values(acme, {1: (chair, "1", None, None)}, note="<!here> deliver"),
    )
    answer = sales_bot.last_response()
    everything = answer["text"] + json.dumps(answer["blocks"])
    assert "<!channel>" not in everything and "<!here>" not in everything
    assert "<@U0BOSS>" not in everything
    assert "&lt;!channel&gt; &amp; Co" in answer["text"]


def test_twenty_lines_are_recorded_and_the_answer_fits_one_message(sales_bot: RunningBot) -> None:
    acme = add_customer(sales_bot)
    made = [
        add_product(sales_bot, f"SKU-{n:02d}", f"Product {n} " + "with a long name " * 15, "9.99")
        for n in range(1, MAX_LINES + 1)
    ]
    view = open_form(sales_bot)
    for _ in range(MAX_LINES - 1):
        view = add_line(sales_bot, view)
    lines: dict[int, Line] = {n: (made[n - 1], str(n), None, "5%") for n in range(1, MAX_LINES + 1)}
    assert submit(sales_bot, view, form_values(acme, lines)).body == ""
    order = sales_bot.services.orders.get_by_number(TEAM, 1)
    assert order.line_count == MAX_LINES
    expected = sum((n * Decimal("9.99") * Decimal("0.95") for n in range(1, 21)), Decimal(0))
    assert order.total == expected.quantize(Decimal("0.0001"))
    answer = sales_bot.last_response()
    assert len(answer["blocks"]) <= 50
    assert answer["text"].startswith("Recorded O-1 for C-1 Acme Corp: 20 lines, ")
    # LocalSlack validated the message (blocks, sizes); the fixture fails on any problem.


# -- workspaces stay apart ----------------------------------------------------------------------


def test_another_workspace_cannot_order_this_ones_customer_or_products(
    sales_bot: RunningBot,
) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.00", stock=10)
    view = open_form(sales_bot)
    elsewhere = {**view, "team_id": OTHER_TEAM, "app_installed_team_id": OTHER_TEAM}
    reply = submit(
        sales_bot,
        elsewhere,
        form_values(acme, {1: (chair, "1", None, None)}),
        team=OTHER_TEAM,
        user=MALLORY,
    )
    assert set(reply.json()["errors"]) == {SaleBlock.CUSTOMER, line_block(SaleBlock.PRODUCT, 1)}
    assert rows(sales_bot, OrderRow) == 0 and sale_movements(sales_bot) == 0


# -- the product picker -------------------------------------------------------------------------


def suggest(bot: RunningBot, view: dict[str, Any], typed: str, team: str = TEAM) -> list[dict]:
    if team != TEAM:
        view = {**view, "team_id": team, "app_installed_team_id": team}
    body = payloads.block_suggestion(
        ActionId.PRODUCT_SELECT,
        line_block(SaleBlock.PRODUCT, 1),
        typed,
        team_id=team,
        user_id=USER if team == TEAM else MALLORY,
        view=view,
    )
    reply = bot.post(body)
    assert reply.status == 200 and reply.seconds < 3
    options: list[dict] = reply.json()["options"]
    return options


def test_the_product_picker_finds_by_sku_prefix_and_by_name(sales_bot: RunningBot) -> None:
    chair = add_product(sales_bot, "CH-100", "Office chair", "120.00")
    stool = add_product(sales_bot, "CH-200", "Bar stool", "1234.5")
    desk = add_product(sales_bot, "DK-1", "Standing desk with chair rail", "499.99")
    long = add_product(sales_bot, "LONG-1", "Ünïcorn " + "Long Name " * 20, "7")
    view = open_form(sales_bot)

    assert suggest(sales_bot, view, "ch-") == [  # SKUs that start so, by name
        option("CH-200 · Bar stool · $1,234.50", str(stool.id)),
        option("CH-100 · Office chair · $120.00", str(chair.id)),
    ]
    assert suggest(sales_bot, view, "CH-200") == [
        option("CH-200 · Bar stool · $1,234.50", str(stool.id))
    ]
    by_name = suggest(sales_bot, view, "chair")  # SKU matches first, then names
    assert [o["value"] for o in by_name] == [str(chair.id), str(desk.id)]
    assert [o["value"] for o in suggest(sales_bot, view, "STANDING desk")] == [str(desk.id)]
    [unicorn] = suggest(sales_bot, view, "unicorn")  # accents and case fold
    assert unicorn["value"] == str(long.id)
    assert len(unicorn["text"]["text"]) == 75 and unicorn["text"]["text"].endswith("… · $7.00")
    assert suggest(sales_bot, view, "zzz") == []
    assert suggest(sales_bot, view, "   ") == []


def test_the_product_picker_never_shows_another_workspaces_products(
    sales_bot: RunningBot,
) -> None:
    ours = add_product(sales_bot, "CH-100", "Office chair", "120.00")
    theirs = add_product(sales_bot, "CH-900", "Their chair", "1.00", team=OTHER_TEAM)
    view = open_form(sales_bot)

    def values(typed: str, team: str = TEAM) -> list[str]:
        return [o["value"] for o in suggest(sales_bot, view, typed, team=team)]

    assert values("chair") == values("ch") == [str(ours.id)]
    assert values("CH-900") == [] and values("their") == []
    assert values("chair", team=OTHER_TEAM) == [str(theirs.id)]


def test_the_product_picker_lists_at_most_twenty(sales_bot: RunningBot) -> None:
    for n in range(25):
        add_product(sales_bot, f"ST-{n:02d}", f"Store item {n}", "1")
    assert len(suggest(sales_bot, open_form(sales_bot), "st-")) == 20


def test_the_customer_picker_in_the_form_is_the_shared_one(sales_bot: RunningBot) -> None:
    acme = add_customer(sales_bot)
    view = open_form(sales_bot)
    body = payloads.block_suggestion(
        ActionId.CUSTOMER_SELECT, SaleBlock.CUSTOMER, "acme", team_id=TEAM, user_id=USER, view=view
    )
    assert sales_bot.post(body).json()["options"] == [option("Acme Corp (C-1)", str(acme.id))]


# -- timing -------------------------------------------------------------------------------------


def test_every_sales_request_acks_well_within_three_seconds(sales_bot: RunningBot) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-1", "Office chair", "120.00", stock=10)
    for text in ("help", "", "record", "dashboard"):
        assert sales_bot.command("/sales", text).seconds < 3
    view = open_form(sales_bot)
    reply = sales_bot.submit(view, form_values(acme, {1: (chair, "1", None, None)}))
    assert reply.seconds < 3


# -- through the real `salesbot serve --http` -----------------------------------------------------


@pytest.fixture(params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServedBot, str]]:
    """A real `serve --http` process on a fresh, upgraded database (and that database's URL)."""
    with fresh_database(request.param, tmp_path) as url:
        env = clean_env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            DATABASE_URL=url,
            SALESBOT_TIMEZONE=TIMEZONE,
        )
        upgraded = run_cli("db", "upgrade", env=env, cwd=tmp_path)
        assert upgraded.returncode == 0, upgraded.stderr
        with LocalSlack(team_id=TEAM) as slack:
            env["SLACK_API_URL"] = slack.api_url
            port = free_port()
            stderr_path = tmp_path / "serve.stderr"
            with stderr_path.open("wb") as stderr:
                proc = subprocess.Popen(
                    [
                        str(SALESBOT),
                        "serve",
                        "--http",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                    ],
                    env=env,
                    cwd=tmp_path,
                    stdin=subprocess.DEVNULL,
                    stdout=stderr,
                    stderr=subprocess.STDOUT,
                )
            bot = ServedBot(f"http://127.0.0.1:{port}", slack, proc, stderr_path)
            try:
                wait_healthy(bot)
                yield bot, url
            finally:
                stop(proc)


@pytest.mark.slow
def test_served_record_opens_the_form_adds_a_line_and_records_the_order(
    served: tuple[ServedBot, str],
) -> None:
    bot, database_url = served
    # The catalog and the customer, written to the served database the way any process does.
    seeding = build_services(make_settings(database_url))
    try:
        seeding.workspaces.ensure(TEAM, USER)
        acme = seeding.customers.create(
            TEAM, CustomerDraft.from_input(name="Acme Corp"), actor=USER
        )
        chair = seeding.catalog.create(
            TEAM,
            ProductDraft.from_input(sku="CH-1", name="Office chair", list_price="120"),
            actor=USER,
        )
        desk = seeding.catalog.create(
            TEAM,
            ProductDraft.from_input(sku="DK-2", name="Standing desk", list_price="499.99"),
            actor=USER,
        )
        seeding.stock.receive(TEAM, "CH-1", 10, note=None, actor=USER)
    finally:
        seeding.close()

    reply, trigger_id, key = bot.command("/sales", "record")
    assert reply.status == 200 and reply.body == ""
    opened = bot.opened_view(trigger_id, timeout=ACK_LIMIT)  # trigger_ids expire after 3 s
    assert opened.result["ok"] is True
    view = opened.result["view"]

    typed = form_values(acme, {1: (chair, "3", None, "10%")})
    button, block_id = find_button(view["blocks"], ActionId.SALE_LINE_ADD)
    pressed = bot.post(
        payloads.block_action(
            button, team_id=TEAM, user_id=USER, view={**view, "state": {"values": typed}},
            block_id=block_id,
        )
    )  # fmt: skip
    assert pressed.status == 200 and pressed.seconds < ACK_LIMIT
    [update] = bot.slack.wait_for("views.update")
    redrawn = update.result["view"]
    assert update.result["ok"] is True and line_keys(redrawn) == [1, 2]
    assert by_key(redrawn, SaleBlock.QUANTITY, 1)["element"]["initial_value"] == "3"

    values = form_values(acme, {1: (chair, "3", None, "10%"), 2: (desk, "1", "450", None)})
    submitted = bot.submit(redrawn, values)
    assert submitted.status == 200 and submitted.body == ""  # closes the form
    answer = bot.posted_to(key)
    assert answer["text"] == "Recorded O-1 for C-1 Acme Corp: 2 lines, $774.00. Oversold: DK-2."
    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "3 × `CH-1` Office chair @ $120.00 − 10% = *$324.00*" in shown
    assert "1 × `DK-2` Standing desk @ $450.00 = *$450.00*" in shown
    assert ":red_circle: `DK-2` Standing desk is oversold" in shown  # none in stock

    checking = build_services(make_settings(database_url))
    try:
        order = checking.orders.get_by_number(TEAM, 1)
        assert order.total == Decimal("774.0000") and order.line_count == 2
        assert checking.catalog.get(TEAM, chair.id).on_hand == 7
    finally:
        checking.close()
    bot.slack.assert_no_problems()


def by_key(view: dict[str, Any], field: SaleBlock, key: int) -> dict[str, Any]:
    return blocks_by_id(view)[line_block(field, key)]


def test_a_discontinued_product_is_neither_offered_nor_sold(sales_bot: RunningBot) -> None:
    acme = add_customer(sales_bot)
    chair = add_product(sales_bot, "CH-100", "Office chair", "120.00", stock=5)
    old = add_product(sales_bot, "CH-OLD", "Old chair", "80.00", stock=5)
    sales_bot.services.catalog.update(
        TEAM,
        old.id,
        ProductDraft.from_input(sku="CH-OLD", name="Old chair", list_price="80", active=False),
        actor=USER,
    )
    view = open_form(sales_bot)
    assert [o["value"] for o in suggest(sales_bot, view, "chair")] == [str(chair.id)]

    # A form filled before the product was discontinued is refused on that line.
    reply = sales_bot.submit(view, form_values(acme, {1: (old, "1", None, None)}))
    errors = reply.json()["errors"]
    assert errors == {
        line_block(SaleBlock.PRODUCT, 1): "CH-OLD is discontinued: it is not for sale."
    }
    assert rows(sales_bot, OrderRow) == 0 and sale_movements(sales_bot) == 0
