"""The App Home tab end to end: app_home_opened events and button presses, signed and posted
to `POST /slack/events`; views.publish checked by the local Slack.

The clock starts Monday 2 March 2026, 15:30 UTC: 10:30 in New York, the workspace's zone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from slack_sdk.models.views import View

from bot import payloads
from bot.shell.home import app_home_opened
from commands.home.views import HomeAction, HomeBlock
from commands.ids import ActionId, CallbackId
from domain.catalog import ProductDraft
from domain.customers import Customer, CustomerDraft
from domain.orders import LineInput
from domain.pipeline import DealDraft
from domain.tasks import TaskDraft, TaskStatus
from tests.app.test_sales_record import form_values
from tests.harness import CHANNEL, TEAM, USER, Reply, RunningBot, find_button
from tests.processes import ACK_LIMIT
from tests.served import BACKENDS, ServedBot, fresh_database, start_serving

BOB = "U0BOB"
OTHER_TEAM, MALLORY = "T0OTHER", "U0MALLORY"
NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
TODAY = date(2026, 3, 2)


# -- helpers ------------------------------------------------------------------------------------


def open_home(bot: RunningBot, *, user: str = USER, team: str = TEAM) -> dict[str, Any]:
    """Open the Home tab as Slack reports it; the view the app published for that person."""
    before = len(bot.slack.calls_to("views.publish"))
    reply = bot.post(app_home_opened(team, user), headers={"Content-Type": "application/json"})
    assert reply.status == 200, reply.body
    bot.settle()
    return published(bot, user, after=before)


def published(bot: RunningBot, user: str = USER, *, after: int = 0) -> dict[str, Any]:
    calls = [
        c
        for c in bot.slack.calls_to("views.publish")[after:]
        if c.args.get("user_id") == user and c.result.get("ok")
    ]
    assert calls, f"no views.publish for {user}"
    view = calls[-1].result["view"]
    assert view["type"] == "home"
    View(**{k: view[k] for k in ("type", "blocks")}).to_dict()  # Slack's model takes it
    return view


def visible(view: dict[str, Any]) -> str:
    """Every text a person sees on the tab, one piece per line."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
                out.append(node["text"])
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(view["blocks"])
    return "\n".join(out)


def add_customer(bot: RunningBot, name: str = "Acme Corp", team: str = TEAM) -> Customer:
    bot.services.workspaces.ensure(team, USER if team == TEAM else MALLORY)
    return bot.services.customers.create(team, CustomerDraft.from_input(name=name), actor=USER)


def add_task(
    bot: RunningBot,
    title: str,
    due: datetime | None,
    *,
    assignee: str = USER,
    team: str = TEAM,
    customer: Customer | None = None,
) -> Any:
    bot.services.workspaces.ensure(team, assignee)
    draft = TaskDraft.from_input(
        title=title,
        assignee_id=assignee,
        due_at=due,
        due_has_time=due is not None,
        customer_id=customer.id if customer else None,
    )
    return bot.services.tasks.add(team, draft, actor=assignee)


def add_deal(
    bot: RunningBot,
    customer: Customer,
    title: str,
    amount: str,
    *,
    owner: str = USER,
    team: str = TEAM,
    close: str | None = "2026-04-30",
) -> Any:
    draft = DealDraft.from_input(
        title=title,
        customer_id=customer.id,
        amount=amount,
        expected_close=close,
        owner_id=owner,
        today=TODAY,
    )
    return bot.services.pipeline.create(team, draft, actor=owner)


def add_product(bot: RunningBot, sku: str, price: str, *, team: str = TEAM, cost: str = "") -> Any:
    draft = ProductDraft.from_input(
        sku=sku, name=f"Product {sku}", list_price=price, unit_cost=cost or None
    )
    return bot.services.catalog.create(team, draft, actor=USER)


def sell(
    bot: RunningBot,
    customer: Customer,
    product: Any,
    qty: int,
    day: date,
    *,
    rep: str = USER,
    team: str = TEAM,
) -> None:
    bot.services.orders.record(
        team,
        customer_id=customer.id,
        order_date=day,
        lines=[LineInput(product_id=product.id, quantity=str(qty))],
        tz=bot.services.workspaces.ensure(team, None)[0].tz,
        actor=rep,
    )


def typed_command(bot: RunningBot, command: str, text: str, *, user: str = USER) -> Reply:
    """A slash command with `text` as Slack sends it (a picked mention stays <@U…>)."""
    body = payloads.slash_command(
        command, "", team_id=TEAM, user_id=user, channel_id=CHANNEL,
        response_url=bot.slack.response_url(),
    )  # fmt: skip
    fields = dict(parse_qsl(body, keep_blank_values=True))
    fields["text"] = text
    reply = bot.post(urlencode(fields))
    bot.settle()
    return reply


@dataclass
class Seeded:
    bot: RunningBot
    acme: Customer
    chair: Any
    overdue: Any


@pytest.fixture
def seeded(bot: RunningBot) -> Seeded:
    return make_seeded(bot)


def make_seeded(bot: RunningBot) -> Seeded:
    """Alice's tasks and deals, this and last month's orders by Alice and Bob, one product low."""
    bot.command("/task", "help")  # Alice is the workspace's first user: its admin
    acme = add_customer(bot, "Acme Corp")
    overdue = add_task(bot, "Chase the invoice", NOW - timedelta(days=2), customer=acme)
    add_task(bot, "Call Acme back", NOW + timedelta(hours=3))
    add_task(bot, "Send the catalogue", NOW + timedelta(days=3))
    add_task(bot, "Plan Q3", NOW + timedelta(days=30))  # later: counted, not listed
    add_task(bot, "Bob's own task", NOW, assignee=BOB)
    add_deal(bot, acme, "Small add-on", "1500")
    add_deal(bot, acme, "Acme renewal", "12000.5")
    add_deal(bot, acme, "Bob's deal", "99999", owner=BOB)
    chair = add_product(bot, "CH-1", "100", cost="60")
    bot.services.stock.receive(TEAM, "CH-1", 50, note=None, actor=USER)
    bot.services.stock.set_rule(TEAM, chair.id, point=100, qty=50, lead=7, actor=USER)
    sell(bot, acme, chair, 3, TODAY)  # Alice: $300
    sell(bot, acme, chair, 5, date(2026, 3, 1), rep=BOB)  # Bob: $500
    sell(bot, acme, chair, 2, date(2026, 2, 1))  # last month's same days: $200
    sell(bot, acme, chair, 9, date(2026, 2, 20))  # later in February: not compared
    return Seeded(bot, acme, chair, overdue)


# -- opening the tab ------------------------------------------------------------------------


def test_opening_home_publishes_my_tasks_deals_numbers_leaderboard_and_stock(
    seeded: Seeded,
) -> None:
    bot = seeded.bot
    view = open_home(bot)
    shown = visible(view)

    assert "Salesbot" in shown and "Monday 2 Mar 2026" in shown
    for action in (ActionId.SALE_RECORD, HomeAction.LOG, ActionId.TASK_ADD):
        find_button(view["blocks"], action)
    assert "Record sale" in shown and "Log activity" in shown and "Add task" in shown

    # Tasks: overdue, due today, this week, each with Done; later ones only counted.
    assert shown.index("Overdue") < shown.index("Chase the invoice") < shown.index("Due today")
    assert shown.index("Due today") < shown.index("Call Acme back") < shown.index("Next 7 days")
    assert "Send the catalogue" in shown
    assert "Plan Q3" not in shown and "1 open task due later or undated" in shown
    assert "Bob's own task" not in shown
    done_buttons = [
        b["accessory"]
        for b in view["blocks"]
        if (b.get("accessory") or {}).get("action_id") == HomeAction.TASK_DONE
    ]
    assert len(done_buttons) == 3
    assert "Acme Corp" in shown  # the overdue task's customer

    # Deals: mine, biggest first, with stage, amount and close date.
    assert shown.index("Acme renewal") < shown.index("Small add-on")
    assert "$12,000.50" in shown and "$1,500.00" in shown and "Prospecting" in shown
    assert "closes 30 Apr" in shown and "Bob's deal" not in shown
    assert "2 open deals, $13,500.50 in all" in shown

    # This month (1–2 Mar) against 1–2 Feb: $800 vs $200, 2 orders vs 1.
    assert "1–2 Mar against last month's same days (1–2 Feb)" in shown
    assert "$800.00  ▲ 300.0%" in shown and "last month $200.00" in shown
    assert "2  ▲ 100.0%" in shown
    assert "Gross margin" in shown and "$320.00" in shown  # 8 × (100 − 60)

    # Leaderboard: Bob ($500) before Alice ($300), as mentions.
    assert shown.index(f"<@{BOB}>") < shown.index(f"<@{USER}> — $300.00")
    assert f"<@{BOB}> — $500.00 · 1 order" in shown

    assert "1 product is low on stock" in shown and "/stock low" in shown
    assert len(view["blocks"]) <= 100


def test_a_new_workspace_sees_friendly_empty_sections(bot: RunningBot) -> None:
    shown = visible(open_home(bot))
    assert "No tasks yet" in shown
    assert "No open deals yet" in shown and "/deal new" in shown
    assert "No orders yet" in shown and "/sales record" in shown
    assert "No sales recorded this month yet" in shown
    assert "Nothing is low on stock" in shown


def test_the_messages_tab_publishes_nothing(bot: RunningBot) -> None:
    reply = bot.post(
        app_home_opened(TEAM, USER, tab="messages"), headers={"Content-Type": "application/json"}
    )
    bot.settle()
    assert reply.status == 200
    assert bot.slack.calls_to("views.publish") == []


def test_another_workspace_never_shows(seeded: Seeded) -> None:
    bot = seeded.bot
    theirs = add_customer(bot, "Their Secret Client", team=OTHER_TEAM)
    add_task(bot, "Their secret task", NOW, assignee=USER, team=OTHER_TEAM)
    add_deal(bot, theirs, "Their secret deal", "5000000", owner=USER, team=OTHER_TEAM)
    product = add_product(bot, "SEC-1", "1000", team=OTHER_TEAM)
    sell(bot, theirs, product, 10, TODAY, team=OTHER_TEAM)

    shown = visible(open_home(bot))
    assert "secret" not in shown.lower()
    assert "$800.00" in shown and "$10,000.00" not in shown

    # The same person in the other workspace sees only that workspace's.
    other = visible(open_home(bot, team=OTHER_TEAM))
    assert "Their secret task" in other and "Their secret deal" in other
    assert "Chase the invoice" not in other and "Acme renewal" not in other
    assert "$10,000.00" in other


def test_what_people_typed_is_escaped(bot: RunningBot) -> None:
    bot.command("/task", "help")
    evil = add_customer(bot, "<!channel> & Co")
    add_task(bot, "Ping <!here> about <@U0BOSS>", NOW + timedelta(hours=1), customer=evil)
    add_deal(bot, evil, "<!everyone> deal", "10")
    shown = visible(open_home(bot))
    assert "<!channel>" not in shown and "<!here>" not in shown and "<!everyone>" not in shown
    assert "&lt;!channel&gt; &amp; Co" in shown
    assert "Ping &lt;!here&gt; about &lt;@U0BOSS&gt;" in shown
    assert "&lt;!everyone&gt; deal" in shown


# -- Done on the tab ----------------------------------------------------------------------------


def test_done_completes_the_task_and_republishes_without_it(seeded: Seeded) -> None:
    bot = seeded.bot
    view = open_home(bot)
    task = seeded.overdue
    button, block_id = find_button(
        [b for b in view["blocks"] if b.get("block_id") == f"home_task:{task.id}"],
        HomeAction.TASK_DONE,
    )
    before = len(bot.slack.calls_to("views.publish"))
    reply = bot.press(button, block_id=block_id, view=view)
    assert reply.status == 200 and reply.seconds < ACK_LIMIT

    assert bot.services.tasks.get(TEAM, task.id).status is TaskStatus.DONE
    after = published(bot, after=before)
    shown = visible(after)
    note = f"{task.public_id} *Chase the invoice* is done"
    assert note in shown and "Chase the invoice" not in shown.replace(note, "")
    assert "Call Acme back" in shown

    # The old tab's Done again (a second click): said calmly, nothing breaks.
    before = len(bot.slack.calls_to("views.publish"))
    bot.press(button, block_id=block_id, view=view)
    again = visible(published(bot, after=before))
    assert f"{task.public_id} was already done by <@{USER}>" in again
    assert bot.slack.calls_to("chat.postMessage") == []  # no error DM


def test_done_on_someone_elses_task_is_refused(seeded: Seeded) -> None:
    bot = seeded.bot
    bobs = add_task(bot, "Bob's private task", NOW, assignee=BOB)
    view = open_home(bot, user="U0MALLORY")
    forged = {
        "type": "button",
        "action_id": HomeAction.TASK_DONE,
        "value": str(bobs.id),
        "text": {"type": "plain_text", "text": "Done"},
    }
    before = len(bot.slack.calls_to("views.publish"))
    bot.press(forged, block_id=f"home_task:{bobs.id}", view=view, user="U0MALLORY")
    assert bot.services.tasks.get(TEAM, bobs.id).status is TaskStatus.OPEN
    assert "Only <@U0BOB>" in visible(published(bot, "U0MALLORY", after=before))


def test_a_task_done_with_slash_task_republishes_the_home(seeded: Seeded) -> None:
    bot = seeded.bot
    assert "Chase the invoice" in visible(open_home(bot))
    task = add_task(bot, "Quick one", NOW + timedelta(hours=2))
    before = len(bot.slack.calls_to("views.publish"))
    bot.command("/task", f"done {task.public_id}")
    shown = visible(published(bot, after=before))
    assert "Quick one" not in shown and "Chase the invoice" in shown


def test_a_task_added_for_someone_refreshes_their_home(seeded: Seeded) -> None:
    bot = seeded.bot
    before = len(bot.slack.calls_to("views.publish"))
    typed_command(bot, "/task", f"add Review the contract <@{BOB}|bob> due:today 5pm")
    assert "Review the contract" in visible(published(bot, BOB, after=before))
    assert "Review the contract" not in visible(published(bot, USER, after=before))


def test_a_deal_won_refreshes_the_owners_home(seeded: Seeded) -> None:
    bot = seeded.bot
    assert "Acme renewal" in visible(open_home(bot))
    before = len(bot.slack.calls_to("views.publish"))
    bot.command("/deal", "won D-2")
    shown = visible(published(bot, after=before))
    assert "Acme renewal" not in shown and "Small add-on" in shown
    assert "1 open deal, $1,500.00 in all" in shown


# -- quick actions ------------------------------------------------------------------------------


def test_record_sale_from_home_updates_this_months_numbers(seeded: Seeded) -> None:
    bot = seeded.bot
    view = open_home(bot)
    assert "$800.00  ▲ 300.0%" in visible(view)
    button, block_id = find_button(view["blocks"], ActionId.SALE_RECORD)
    assert block_id == HomeBlock.QUICK
    bot.press(button, block_id=block_id, view=view)
    form = bot.last_view()
    assert form["callback_id"] == CallbackId.SALE_SAVE

    acme, chair = seeded.acme, seeded.chair
    before = len(bot.slack.calls_to("views.publish"))
    reply = bot.submit(form, form_values(acme, {1: (chair, "2", None, None)}, day="2026-03-02"))
    assert reply.status == 200 and reply.seconds < ACK_LIMIT
    shown = visible(published(bot, after=before))
    assert "$1,000.00  ▲ 400.0%" in shown  # $800 + 2 × $100 against $200
    assert f"<@{USER}> — $500.00 · 2 orders" in shown


def test_log_activity_and_add_task_open_their_forms(bot: RunningBot) -> None:
    view = open_home(bot)
    button, block_id = find_button(view["blocks"], HomeAction.LOG)
    bot.press(button, block_id=block_id, view=view)
    assert bot.last_view()["callback_id"] == CallbackId.LOG_SAVE

    button, block_id = find_button(view["blocks"], ActionId.TASK_ADD)
    bot.press(button, block_id=block_id, view=view)
    assert bot.last_view()["callback_id"] == CallbackId.TASK_SAVE


def test_a_failed_publish_never_breaks_the_action(seeded: Seeded) -> None:
    bot = seeded.bot
    task = add_task(bot, "Still done", NOW + timedelta(hours=2))
    bot.slack.fail_next("views.publish", error="internal_error", times=5)
    reply = bot.command("/task", f"done {task.public_id}")
    assert reply.status == 200
    assert bot.services.tasks.get(TEAM, task.id).status is TaskStatus.DONE
    assert "Done: " in json.dumps(bot.last_response())


# -- served -------------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedBot]:
    with fresh_database(request.param, tmp_path) as url:
        yield from start_serving(url, tmp_path)


def test_serve_publishes_the_home_tab_when_opened(served: ServedBot) -> None:
    reply, _, key = served.command("/task", "add Call the supplier due:today 5pm")
    served.posted_to(key)
    refreshed = len(served.slack.wait_for("views.publish"))  # the task's assignee: Alice
    reply = served.post(app_home_opened(TEAM, USER))
    assert reply.status == 200 and reply.seconds < ACK_LIMIT
    publish = served.slack.wait_for("views.publish", refreshed + 1)[-1]
    assert publish.args["user_id"] == USER and publish.result["ok"]
    shown = visible(publish.result["view"])
    assert "Call the supplier" in shown and "My open deals" in shown
    served.slack.assert_no_problems()
