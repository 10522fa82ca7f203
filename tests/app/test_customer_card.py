"""The customer card: history with Show more, contacts, and the buttons a rep needs."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from commands.ids import ActionId, BlockId
from domain.catalog import ProductDraft
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.interactions import InteractionDraft
from domain.orders import LineInput
from tests.harness import TEAM, USER, RunningBot, find_button, text_values


def add_customer(bot: RunningBot, name: str = "Acme") -> int:
    bot.services.workspaces.ensure(TEAM, USER)
    return bot.services.customers.create(
        TEAM,
        CustomerDraft.from_input(
            name=name, industry="Retail", city="Austin", notes="Prefers email."
        ),
        actor=USER,
    ).id


def log(
    bot: RunningBot, customer_id: int, summary: str, clock: FrozenClock, kind: str = "call"
) -> None:
    draft = InteractionDraft.from_input(
        customer_id=customer_id,
        kind=kind,
        occurred_at=clock.now(),
        summary=summary,
        duration_minutes=15,
    )
    bot.services.interactions.log(TEAM, draft, actor=USER)


def test_card_shows_profile_activity_and_every_button(bot: RunningBot, clock: FrozenClock) -> None:
    customer_id = add_customer(bot)
    log(bot, customer_id, "Discussed <renewal> & pricing", clock)
    bot.command("/customer", "C-1")
    card = bot.last_response()
    shown = json.dumps(card["blocks"])
    for expected in (
        "Retail",
        "Austin",
        "Prefers email.",
        "*Last contact*\\n2 Mar 2026",
        "No orders yet. Record one with `/sales record`.",
        "Recent activity",
        "Discussed &lt;renewal&gt; &amp; pricing",
        "15 min",
        "*Open tasks*\\nNone.",
    ):
        assert expected in shown, expected
    actions = next(b for b in card["blocks"] if b.get("block_id") == BlockId.CUSTOMER_ACTIONS)
    assert [e["text"]["text"] for e in actions["elements"]] == [
        "Log call",
        "Log email",
        "Add note",
        "Add task",
        "Add contact",
        "Edit",
    ]
    assert {e["value"] for e in actions["elements"]} == {str(customer_id)}


def test_long_histories_page_with_show_more(bot: RunningBot, clock: FrozenClock) -> None:
    customer_id = add_customer(bot)
    for i in range(23):
        clock.advance(timedelta(hours=1))
        log(bot, customer_id, f"Touchpoint {i:02d} " + "x" * 2500, clock)
    bot.command("/customer", "C-1")
    card = bot.last_response()
    assert len(card["blocks"]) <= 50
    activity = json.dumps(card["blocks"])
    assert "Touchpoint 22" in activity and "Touchpoint 17" not in activity  # newest 5 only
    more, block_id = find_button(card["blocks"], ActionId.CUSTOMER_HISTORY_MORE)
    bot.press(more, block_id=block_id)
    page = bot.last_response()
    assert "interactions 6–15 of 23" in page["blocks"][0]["text"]["text"]
    assert "Touchpoint 17" in json.dumps(page["blocks"])
    more, block_id = find_button(page["blocks"], ActionId.CUSTOMER_HISTORY_MORE)
    bot.press(more, block_id=block_id)
    last = bot.last_response()
    assert "interactions 16–23 of 23" in last["blocks"][0]["text"]["text"]
    assert "Touchpoint 00" in json.dumps(last["blocks"])
    assert ActionId.CUSTOMER_HISTORY_MORE not in json.dumps(last["blocks"])


def test_contacts_are_added_from_the_card_and_removed_from_their_line(bot: RunningBot) -> None:
    customer_id = add_customer(bot)
    bot.command("/customer", "C-1")
    add, block_id = find_button(bot.last_response()["blocks"], ActionId.CONTACT_ADD)
    bot.press(add, block_id=block_id)
    form = bot.last_view()
    bad = bot.submit(form, text_values(**{BlockId.CONTACT_NAME: "", BlockId.CONTACT_EMAIL: "x"}))
    assert set(bad.json()["errors"]) == {BlockId.CONTACT_NAME, BlockId.CONTACT_EMAIL}
    bot.submit(
        form,
        text_values(
            **{
                BlockId.CONTACT_NAME: "Wile E. Coyote",
                BlockId.CONTACT_TITLE: "Buyer",
                BlockId.CONTACT_EMAIL: "Wile@Acme.example",
            }
        ),
    )
    card = bot.last_response()
    assert "Wile E. Coyote" in json.dumps(card["blocks"])
    line = next(b for b in card["blocks"] if "Wile E. Coyote" in json.dumps(b))
    menu = line["accessory"]
    assert menu["action_id"] == ActionId.CONTACT_REMOVE
    element = dict(menu, selected_option=menu["options"][0])
    bot.press(element, block_id=line.get("block_id", "contact"))
    after = bot.last_response()
    assert after["replace_original"] is True
    assert "Wile E. Coyote" not in json.dumps(after["blocks"])
    assert bot.services.customers.get(TEAM, customer_id).contacts == []


def test_card_shows_lifetime_revenue_and_latest_orders(bot: RunningBot) -> None:
    customer_id = add_customer(bot)
    product = bot.services.catalog.create(
        TEAM,
        ProductDraft.from_input(sku="CH-1", name="Chair", list_price="19.99"),
        actor=USER,
    )
    tz = ZoneInfo("America/New_York")
    for quantity, discount in (("3", "0.15"), ("1", ""), ("2", "10%"), ("5", "")):
        bot.services.orders.record(
            TEAM,
            customer_id=customer_id,
            order_date=None,
            lines=[LineInput(product_id=product.id, quantity=quantity, discount=discount)],
            tz=tz,
            actor=USER,
        )
    bot.command("/customer", "C-1")
    shown = json.dumps(bot.last_response()["blocks"], ensure_ascii=False)
    # 3 × 19.99 × 0.85 + 19.99 + 2 × 19.99 × 0.9 + 5 × 19.99 = 50.9745 + 19.99 + 35.982 + 99.95
    assert "*Lifetime revenue*\\n$206.90 (4 orders)" in shown
    assert "O-4 · 2 Mar 2026 · $99.95 · 1 line" in shown
    assert "O-2 · 2 Mar 2026 · $19.99 · 1 line" in shown
    assert "O-1 ·" not in shown  # the oldest is counted, not listed
    assert "_and 1 earlier_" in shown
