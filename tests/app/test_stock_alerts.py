"""Low-stock alerts: queued by a movement across the reorder point, posted to the stock
channel by the delivery sender (the real SlackSender and the real app's client, against
LocalSlack), once per crossing; snoozes, Mark reordered and the rule form from the alert.

Everything people do goes through the real app; the scheduler's ticks are run by hand:
`send` is the sender job, `sweep_low_stock` the sweep job.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

import commands
from bot import payloads
from bot.local_slack import Call
from bot.slack_clients import SlackClients
from commands import stock
from commands.ids import ActionId, CallbackId
from commands.stock.views import StockBlock, snooze_action_id
from domain.catalog import Product, ProductDraft
from domain.clock import FrozenClock
from domain.delivery import DeliveryStatus, SendReport, send_due
from domain.inventory import LOW_STOCK_ALERT
from scheduler.sender import RENDERERS, SlackSender
from scheduler.stock_alerts import render_low_stock_alert, sweep_low_stock
from tests.harness import CHANNEL, TEAM, USER, Reply, RunningBot, find_button, text_values

STOCK_CHANNEL = "C0STOCK"
TODAY = date(2026, 3, 2)
BOB = "U0BOB"


@pytest.fixture
def stock_bot(bot: RunningBot) -> RunningBot:
    """The real app; Alice is its first user, so the workspace's admin."""
    assert stock.SPEC in commands.SPECS
    bot.services.workspaces.ensure(TEAM, USER)  # Alice is seen first: the admin
    return bot


def raw_command(bot: RunningBot, command: str, text: str, *, user: str = USER) -> Reply:
    """A slash command with `text` as Slack sends it: a picked channel stays <#C…|name>."""
    body = payloads.slash_command(
        command, "", team_id=TEAM, user_id=user, channel_id=CHANNEL,
        response_url=bot.slack.response_url(),
    )  # fmt: skip
    fields = dict(parse_qsl(body, keep_blank_values=True))
    fields["text"] = text
    reply = bot.post(urlencode(fields))
    bot.settle()
    return reply


def setup(bot: RunningBot, *, on_hand: int = 20, channel: bool = True) -> Product:
    """A stock channel (set through /salesbot settings) and CH-100 with point 10, qty 30."""
    if channel:
        reply = raw_command(bot, "/salesbot", f"settings stock-channel <#{STOCK_CHANNEL}|stock>")
        assert f"<#{STOCK_CHANNEL}>" in reply.text
    draft = ProductDraft.from_input(sku="CH-100", name="Office chair", list_price="120")
    product = bot.services.catalog.create(TEAM, draft, actor=USER)
    bot.services.stock.receive(TEAM, "CH-100", on_hand, note="opening count", actor=USER)
    bot.command("/stock", "reorder CH-100 point:10 qty:30 lead:7")
    return bot.services.catalog.get(TEAM, product.id)


def send(bot: RunningBot) -> SendReport:
    """One tick of the sender, as `salesbot serve` runs it."""
    assert RENDERERS[LOW_STOCK_ALERT] is render_low_stock_alert
    sender = SlackSender(bot.services.uow_factory, SlackClients(bot.app))
    return send_due(bot.services.uow_factory, bot.services.clock, sender, worker_id="test")


def alerts(bot: RunningBot) -> list[Call]:
    """Messages Slack accepted in the stock channel."""
    return [
        call
        for call in bot.slack.calls_to("chat.postMessage")
        if call.args.get("channel") == STOCK_CHANNEL and call.result.get("ok")
    ]


def press_on_alert(
    bot: RunningBot, post: Call, action_id: str, *, user: str = USER
) -> tuple[Reply, dict[str, Any]]:
    """Press a button on an alert in the channel, as Slack sends it (the message included)."""
    message = post.result["message"]
    element, block_id = find_button(message["blocks"], action_id)
    body = payloads.block_action(
        element,
        team_id=TEAM,
        user_id=user,
        channel_id=STOCK_CHANNEL,
        message=message,
        block_id=block_id,
        response_url=bot.slack.response_url(),
    )
    reply = bot.post(body)
    bot.settle()
    return reply, element


def said(bot: RunningBot) -> str:
    latest = bot.last_response()
    return latest["text"] + json.dumps(latest.get("blocks", []), ensure_ascii=False)


# --- once per crossing --------------------------------------------------------------------------


def test_low_stock_alert_fires_once_per_crossing(stock_bot: RunningBot) -> None:
    bot = stock_bot
    setup(bot, on_hand=20)
    send(bot)
    assert alerts(bot) == []  # 20 is above the point of 10

    bot.command("/stock", "adjust CH-100 -12 counted")  # 8: crosses the point
    assert f"At or under its reorder point (10): an alert went to <#{STOCK_CHANNEL}>" in said(bot)
    send(bot)
    (first,) = alerts(bot)
    assert first.args["text"] == (
        "Low stock: CH-100 Office chair: 8 on hand, reorder point 10. Suggested order: 32 units."
    )
    shown = json.dumps(first.args["blocks"], ensure_ascii=False)
    for expected in (
        "*On hand*\\n*8*",
        "*Reorder point*\\n10 units",
        "*Sold (30 days)*\\n0 units",
        "*Days of cover*\\n— (no recent sales)",
        "*Suggested order*\\n*32 units*",
        "Rule says reorder at 10",
    ):
        assert expected in shown, expected
    element, _ = find_button(first.args["blocks"], ActionId.STOCK_REORDERED)
    assert element["value"] == f"{bot.services.catalog.by_sku(TEAM, 'CH-100').id}:32"
    for action_id in (snooze_action_id("1d"), snooze_action_id("1w"), ActionId.STOCK_RULE_EDIT):
        find_button(first.args["blocks"], action_id)

    bot.command("/stock", "adjust CH-100 -3 damaged")  # 5: further down, same crossing
    assert "its alert went out already" in said(bot)
    send(bot)
    assert len(alerts(bot)) == 1

    bot.command("/stock", "receive CH-100 30")  # 35: above the point re-arms, no alert
    assert ":rotating_light:" not in said(bot) and ":warning:" not in said(bot)
    send(bot)
    assert len(alerts(bot)) == 1

    bot.command("/stock", "adjust CH-100 -30 shrinkage")  # 5: a second crossing
    send(bot)
    first_again, second = alerts(bot)
    assert first_again is first
    assert second.args["text"].startswith("Low stock: CH-100 Office chair: 5 on hand")
    assert len(alerts(bot)) == 2
    with bot.services.uow_factory() as uow:
        keys = sorted(d.key for d in uow.deliveries.find(TEAM, kind=LOW_STOCK_ALERT))
    product_id = bot.services.catalog.by_sku(TEAM, "CH-100").id
    assert keys == [f"low_stock:{product_id}:1", f"low_stock:{product_id}:2"]


def test_a_sale_that_oversells_says_so_in_the_alert(stock_bot: RunningBot) -> None:
    bot = stock_bot
    setup(bot, on_hand=12)
    bot.command("/stock", "adjust CH-100 -15 stolen")
    send(bot)
    (post,) = alerts(bot)
    assert ":red_circle: *-3* oversold" in json.dumps(post.args["blocks"], ensure_ascii=False)


def test_a_product_with_no_rule_alerts_once_when_oversold_and_again_after_a_restock(
    stock_bot: RunningBot,
) -> None:
    bot = stock_bot
    reply = raw_command(bot, "/salesbot", f"settings stock-channel <#{STOCK_CHANNEL}|stock>")
    assert f"<#{STOCK_CHANNEL}>" in reply.text
    draft = ProductDraft.from_input(sku="PEN-1", name="Gel pens", list_price="3")
    bot.services.catalog.create(TEAM, draft, actor=USER)
    bot.command("/stock", "receive PEN-1 2")
    bot.command("/stock", "adjust PEN-1 -2 sold at the counter")  # 0: not oversold yet
    send(bot)
    assert alerts(bot) == []

    bot.command("/stock", "adjust PEN-1 -3 sold at the counter")  # -3: oversold
    bot.command("/stock", "adjust PEN-1 -1 sold at the counter")  # still the same crossing
    send(bot)
    (post,) = alerts(bot)
    shown = json.dumps(post.args["blocks"], ensure_ascii=False)
    assert "Oversold: PEN-1 · Gel pens" in shown
    assert ":red_circle: *-4* oversold" in shown
    assert "*Reorder point*\\nno rule" in shown
    assert post.args["text"].startswith("Oversold: PEN-1 Gel pens: -4 on hand, no reorder rule.")

    bot.command("/stock", "receive PEN-1 10")  # 6: re-armed
    bot.command("/stock", "adjust PEN-1 -8 sold at the counter")  # -2: oversold again
    send(bot)
    assert len(alerts(bot)) == 2


def test_an_alert_for_a_product_back_above_its_point_is_not_sent(stock_bot: RunningBot) -> None:
    bot = stock_bot
    setup(bot, on_hand=20)
    bot.command("/stock", "adjust CH-100 -15 counted")  # queued…
    bot.command("/stock", "receive CH-100 40")  # …but restocked before the sender's tick
    report = send(bot)
    assert report.cancelled == 1 and alerts(bot) == []
    with bot.services.uow_factory() as uow:
        (delivery,) = uow.deliveries.find(TEAM, kind=LOW_STOCK_ALERT)
    assert delivery.status is DeliveryStatus.CANCELLED
    assert delivery.last_error == "CH-100 is back above its reorder point"


def test_without_a_stock_channel_the_reply_says_no_alert_went_out(stock_bot: RunningBot) -> None:
    bot = stock_bot
    setup(bot, on_hand=20, channel=False)
    bot.command("/stock", "adjust CH-100 -15 counted")
    assert "no stock channel is set, so no alert went out" in said(bot)
    assert "/salesbot settings stock-channel #channel" in said(bot)
    assert send(bot).claimed == 0


# --- the alert's buttons ------------------------------------------------------------------------


def test_snooze_quiets_the_alert_and_the_sweep_alerts_again_after_the_period(
    stock_bot: RunningBot, clock: FrozenClock
) -> None:
    bot = stock_bot
    setup(bot, on_hand=20)
    bot.command("/stock", "adjust CH-100 -15 counted")
    send(bot)
    (first,) = alerts(bot)

    reply, _ = press_on_alert(bot, first, snooze_action_id("1d"), user=BOB)
    assert reply.status == 200 and reply.body == ""
    (update,) = bot.slack.calls_to("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (STOCK_CHANNEL, first.result["ts"])
    assert (
        ":zzz: <@U0BOB> snoozed this alert until tomorrow, Tue 3 Mar 2026, 10:30 "
        "(America/New_York). If CH-100 is still at or under its point then, it alerts again."
    ) in json.dumps(update.args["blocks"], ensure_ascii=False)
    product = bot.services.catalog.by_sku(TEAM, "CH-100")
    assert product.alert_snoozed_until == clock.now() + timedelta(days=1)

    clock.advance(timedelta(hours=23, minutes=59))
    assert sweep_low_stock(bot.services.uow_factory, clock) == 0
    send(bot)
    assert len(alerts(bot)) == 1

    clock.advance(timedelta(minutes=1))
    assert sweep_low_stock(bot.services.uow_factory, clock) == 1
    send(bot)
    assert len(alerts(bot)) == 2
    assert sweep_low_stock(bot.services.uow_factory, clock) == 0  # once per snooze


def test_a_product_restocked_during_its_snooze_does_not_alert_again(
    stock_bot: RunningBot, clock: FrozenClock
) -> None:
    bot = stock_bot
    setup(bot, on_hand=20)
    bot.command("/stock", "adjust CH-100 -15 counted")
    send(bot)
    press_on_alert(bot, alerts(bot)[0], snooze_action_id("1w"))
    bot.command("/stock", "receive CH-100 50")
    clock.advance(timedelta(weeks=1, minutes=1))
    assert sweep_low_stock(bot.services.uow_factory, clock) == 0
    send(bot)
    assert len(alerts(bot)) == 1


def test_mark_reordered_records_it_on_order_and_the_alert_says_who(
    stock_bot: RunningBot,
) -> None:
    bot = stock_bot
    setup(bot, on_hand=20)
    bot.command("/stock", "adjust CH-100 -12 counted")  # 8 on hand: order 10 + 30 - 8 = 32
    send(bot)
    (post,) = alerts(bot)
    press_on_alert(bot, post, ActionId.STOCK_REORDERED, user=BOB)

    level = bot.services.stock.level(TEAM, "CH-100", today=TODAY)
    assert level.on_order == 32 and level.order_now == 0
    (update,) = bot.slack.calls_to("chat.update")
    updated = json.dumps(update.args["blocks"], ensure_ascii=False)
    assert (
        ":package: <@U0BOB> marked CH-100 reordered: 32 units, expected around 9 Mar 2026. "
        "On order now: 32 units."
    ) in updated
    assert "*On order*\\n32 units" in updated
    assert "*Suggested order*\\nnone: enough is on order" in updated
    assert ActionId.STOCK_REORDERED not in updated  # nothing left to order

    bot.command("/stock", "CH-100")
    assert "*On order*\\n32 units" in said(bot)
    bot.command("/stock", "receive CH-100 32")  # the order arrives
    assert bot.services.stock.level(TEAM, "CH-100", today=TODAY).on_order == 0


def test_mark_reordered_clicked_twice_on_one_alert_orders_once(stock_bot: RunningBot) -> None:
    bot = stock_bot
    setup(bot, on_hand=20)
    bot.command("/stock", "adjust CH-100 -12 counted")
    send(bot)
    (post,) = alerts(bot)
    # Both clicks carry the alert as it was posted, as a double click does.
    press_on_alert(bot, post, ActionId.STOCK_REORDERED, user=BOB)
    press_on_alert(bot, post, ActionId.STOCK_REORDERED, user=BOB)

    assert bot.services.stock.level(TEAM, "CH-100", today=TODAY).on_order == 32


def test_edit_rule_on_the_alert_opens_the_rule_form_and_answers_privately(
    stock_bot: RunningBot,
) -> None:
    bot = stock_bot
    product = setup(bot, on_hand=20)
    bot.command("/stock", "adjust CH-100 -12 counted")
    send(bot)
    press_on_alert(bot, alerts(bot)[0], ActionId.STOCK_RULE_EDIT)
    form = bot.last_view()
    assert form["callback_id"] == CallbackId.STOCK_RULE_SAVE
    bot.submit(
        form,
        text_values(
            **{StockBlock.RULE_POINT: "5", StockBlock.RULE_QTY: "30", StockBlock.RULE_LEAD: "7"}
        ),
    )
    assert bot.services.catalog.get(TEAM, product.id).reorder_point == 5
    answer = bot.last_response()
    assert answer["response_type"] == "ephemeral" and not answer.get("replace_original")
    assert "point 5 (was 10)" in json.dumps(answer["blocks"])


def test_a_crossing_before_a_channel_was_set_alerts_once_the_sweep_runs_after(
    stock_bot: RunningBot, clock: FrozenClock
) -> None:
    bot = stock_bot
    setup(bot, on_hand=20, channel=False)
    bot.command("/stock", "adjust CH-100 -15 counted")
    raw_command(bot, "/salesbot", f"settings stock-channel <#{STOCK_CHANNEL}|stock>")
    assert sweep_low_stock(bot.services.uow_factory, clock) == 1
    send(bot)
    (post,) = alerts(bot)
    assert post.args["text"].startswith("Low stock: CH-100 Office chair: 5 on hand")
    assert sweep_low_stock(bot.services.uow_factory, clock) == 0
