"""`salesbot shell` with buttons and dispatched inputs inside a modal.

A small real Bolt app (built here, signed requests in, Web API calls out to LocalSlack)
opens an order form with line inputs, an "Add line" button and per-line "Remove" buttons
that redraw the form with views.update; the shell's scripted user fills it in.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.local_slack import LocalSlack
from bot.services import Services
from bot.shell.console import Console
from bot.shell.forms import carry_over, fields_of
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.harness import TEAM, USER

CALLBACK = "sales_record"


def text(value: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": value}


def order_view(lines: list[int], *, prefill: dict[str, str] | None = None) -> dict[str, Any]:
    """One quantity input per line (block line_<n>, action qty_<n>), then the line buttons."""
    blocks: list[dict[str, Any]] = []
    for n in lines:
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": f"qty_{n}"}
        if prefill and prefill.get(f"qty_{n}"):
            element["initial_value"] = prefill[f"qty_{n}"]
        blocks.append(
            {
                "type": "input",
                "block_id": f"line_{n}",
                "label": text(f"Quantity (line {n})"),
                "element": element,
            }
        )
    buttons: list[dict[str, Any]] = [
        {"type": "button", "action_id": "sales_line_add", "text": text("Add line"), "value": "add"}
    ]
    if len(lines) > 1:
        buttons += [
            {
                "type": "button",
                "action_id": f"sales_line_remove_{n}",
                "text": text(f"Remove line {n}"),
                "value": str(n),
            }
            for n in lines
        ]
    blocks.append({"type": "actions", "block_id": "line_buttons", "elements": buttons})
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "private_metadata": json.dumps(lines),
        "title": text("Record an order"),
        "submit": text("Save"),
        "blocks": blocks,
    }


def customer_view(
    contacts: list[str] | None = None, *, initial: str | None = None
) -> dict[str, Any]:
    """A customer input that dispatches; once typed, the app adds a contact select."""
    customer: dict[str, Any] = {"type": "plain_text_input", "action_id": "customer_typed"}
    if initial:
        customer["initial_value"] = initial
    blocks: list[dict[str, Any]] = [
        {
            "type": "input",
            "block_id": "customer",
            "dispatch_action": True,
            "label": text("Customer"),
            "element": customer,
        }
    ]
    if contacts:
        blocks.append(
            {
                "type": "input",
                "block_id": "contact",
                "label": text("Contact"),
                "element": {
                    "type": "static_select",
                    "action_id": "contact_pick",
                    "options": [{"text": text(c), "value": c.lower()} for c in contacts],
                },
            }
        )
    blocks.append(
        {
            "type": "actions",
            "block_id": "stock",
            "elements": [
                {"type": "button", "action_id": "stock_check", "text": text("Check stock")}
            ],
        }
    )
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "title": text("Record an order"),
        "submit": text("Save"),
        "blocks": blocks,
    }


def extras_view() -> dict[str, Any]:
    """A note input, and a static_select and an overflow menu in an actions block."""
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "title": text("Record an order"),
        "submit": text("Save"),
        "blocks": [
            {
                "type": "input",
                "block_id": "note",
                "label": text("Note"),
                "element": {"type": "plain_text_input", "action_id": "note_text"},
            },
            {
                "type": "actions",
                "block_id": "extras",
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": "currency",
                        "placeholder": text("Currency"),
                        "options": [
                            {"text": text("USD"), "value": "usd"},
                            {"text": text("EUR"), "value": "eur"},
                        ],
                    },
                    {
                        "type": "overflow",
                        "action_id": "more",
                        "options": [{"text": text("Copy last order"), "value": "copy"}],
                    },
                ],
            },
        ],
    }


class OrderApp:
    """The Bolt app under test, and every interactive payload it received."""

    def __init__(
        self, services: Services, slack: LocalSlack, *, prefill: bool = False, shout: bool = False
    ) -> None:
        self.received: list[dict[str, Any]] = []
        self.app = App(
            client=WebClient(token=BOT_TOKEN, base_url=slack.api_url),
            signing_secret=SIGNING_SECRET,
            listener_executor=services.executor,
            token_verification_enabled=False,
        )
        app = self.app

        @app.command("/sales")
        def open_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            forms = {"customer": customer_view, "extras": extras_view}
            view = forms.get(body["text"], lambda: order_view([1]))()
            client.views_open(trigger_id=body["trigger_id"], view=view)

        def redraw(body: dict[str, Any], client: WebClient, lines: list[int]) -> None:
            view = body["view"]
            typed = {
                action_id: entry.get("value")
                for actions in view["state"]["values"].values()
                for action_id, entry in actions.items()
            }
            new = order_view(lines, prefill=typed if prefill else None)
            client.views_update(view_id=view["id"], hash=view["hash"], view=new)

        @app.action("sales_line_add")
        def add_line(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            self.received.append(body)
            lines = json.loads(body["view"]["private_metadata"])
            redraw(body, client, [*lines, max(lines) + 1])

        @app.action(re.compile(r"^sales_line_remove_\d+$"))
        def remove_line(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            self.received.append(body)
            gone = int(body["actions"][0]["value"])
            lines = json.loads(body["view"]["private_metadata"])
            redraw(body, client, [n for n in lines if n != gone])

        @app.action("customer_typed")
        def customer_typed(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            self.received.append(body)
            view = body["view"]
            # With `shout`, the app tries to replace what was typed through initial_value.
            initial = body["actions"][0]["value"].upper() if shout else None
            new = customer_view(["Wile E.", "Road Runner"], initial=initial)
            client.views_update(view_id=view["id"], hash=view["hash"], view=new)

        @app.action("stock_check")
        @app.action("currency")
        @app.action("more")
        def just_ack(ack: Ack, body: dict[str, Any]) -> None:
            ack()
            self.received.append(body)

        @app.view(CALLBACK)
        def save(ack: Ack, body: dict[str, Any]) -> None:
            self.received.append(body)
            ack()

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [body for body in self.received if body["type"] == kind]


ShellRun = Callable[..., tuple[OrderApp, str]]


@pytest.fixture
def run_shell(services: Services, slack: LocalSlack) -> ShellRun:
    """Run the shell on the order app with these typed lines; (the app, the transcript)."""

    def run(*lines: str, prefill: bool = False, shout: bool = False) -> tuple[OrderApp, str]:
        order = OrderApp(services, slack, prefill=prefill, shout=shout)
        out = io.StringIO()
        console = Console(
            order.app,
            services,
            slack,
            secret=SIGNING_SECRET,
            team_id=TEAM,
            user_id=USER,
            stdin=io.StringIO("".join(f"{line}\n" for line in [*lines, "quit"])),
            stdout=out,
        )
        assert console.run() == 0
        return order, out.getvalue()

    return run


def submitted(order: OrderApp) -> dict[str, Any]:
    [submission] = order.of_type("view_submission")
    return submission["view"]["state"]["values"]


def test_add_line_redraws_the_form_and_the_submission_holds_both_lines(
    run_shell: ShellRun, slack: LocalSlack
) -> None:
    order, out = run_shell("/sales record", "3", "1", "5", "")

    assert "Press a button in the form, or Enter to submit: [1] Add line" in out
    assert "Quantity (line 1): 3" in out  # the redrawn form shows what was typed
    [press] = order.of_type("block_actions")
    [opened] = slack.calls_to("views.open")
    view = opened.result["view"]
    assert press["container"] == {"type": "view", "view_id": view["id"]}
    assert press["trigger_id"] and press["user"]["id"] == USER and press["team"]["id"] == TEAM
    assert "response_url" not in press and "channel" not in press
    sent = press["view"]
    assert (sent["id"], sent["hash"]) == (view["id"], view["hash"])
    assert (sent["callback_id"], sent["private_metadata"]) == (CALLBACK, "[1]")
    assert sent["state"]["values"] == {
        "line_1": {"qty_1": {"type": "plain_text_input", "value": "3"}}
    }
    [action] = press["actions"]
    assert action["type"] == "button" and action["action_id"] == "sales_line_add"
    assert action["block_id"] == "line_buttons" and action["value"] == "add"
    assert action["text"]["text"] == "Add line" and action["action_ts"]

    # The app redrew with views.update and the current hash; Slack kept line 1's value.
    [update] = slack.calls_to("views.update")
    assert update.args["view_id"] == view["id"] and update.args["hash"] == view["hash"]
    assert update.result["ok"] and update.result["view"]["hash"] != view["hash"]
    assert update.result["view"]["state"]["values"] == sent["state"]["values"]

    assert submitted(order) == {
        "line_1": {"qty_1": {"type": "plain_text_input", "value": "3"}},
        "line_2": {"qty_2": {"type": "plain_text_input", "value": "5"}},
    }
    [submission] = order.of_type("view_submission")
    assert submission["view"]["hash"] == update.result["view"]["hash"]
    assert submission["view"]["private_metadata"] == "[1, 2]"
    # Slack holds the submitted state too.
    assert slack.views()[view["id"]]["state"]["values"] == submitted(order)


def test_remove_line_drops_it_and_keeps_the_others(run_shell: ShellRun, slack: LocalSlack) -> None:
    order, out = run_shell(
        "/sales record",
        "3",
        "1",  # Add line
        "5",
        "1",  # Add line
        "7",
        "3",  # [1] Add line [2] Remove line 1 [3] Remove line 2 [4] Remove line 3
        "",
    )
    assert "[2] Remove line 1 [3] Remove line 2 [4] Remove line 3" in out
    updates = slack.calls_to("views.update")
    assert len(updates) == 3 and all(u.result["ok"] for u in updates)  # each with the new hash
    assert [u.args["hash"] for u in updates[1:]] == [u.result["view"]["hash"] for u in updates[:-1]]
    removes = [b for b in order.of_type("block_actions") if b["actions"][0]["value"] == "2"]
    assert removes and removes[0]["actions"][0]["action_id"] == "sales_line_remove_2"
    assert submitted(order) == {
        "line_1": {"qty_1": {"type": "plain_text_input", "value": "3"}},
        "line_3": {"qty_3": {"type": "plain_text_input", "value": "7"}},
    }


def test_an_app_that_prefills_from_state_gets_the_same_submission(run_shell: ShellRun) -> None:
    order, _ = run_shell("/sales record", "3", "1", "5", "", prefill=True)
    assert submitted(order) == {
        "line_1": {"qty_1": {"type": "plain_text_input", "value": "3"}},
        "line_2": {"qty_2": {"type": "plain_text_input", "value": "5"}},
    }


def test_edit_goes_through_the_fields_again_keeping_what_enter_keeps(run_shell: ShellRun) -> None:
    order, out = run_shell("/sales record", "3", "1", "5", "edit", "4", "", "")
    assert "[current: 3]" in out and "[current: 5]" in out
    assert submitted(order) == {
        "line_1": {"qty_1": {"type": "plain_text_input", "value": "4"}},
        "line_2": {"qty_2": {"type": "plain_text_input", "value": "5"}},
    }


def test_cancel_at_the_buttons_closes_the_form_without_submitting(run_shell: ShellRun) -> None:
    order, out = run_shell("/sales record", "3", "cancel")
    assert "(form closed, nothing saved)" in out
    assert order.of_type("view_submission") == []


def test_a_dispatch_action_input_sends_block_actions_and_goes_on_with_the_update(
    run_shell: ShellRun, slack: LocalSlack
) -> None:
    order, out = run_shell("/sales customer", "Acme", "2", "")

    [dispatched] = order.of_type("block_actions")
    [action] = dispatched["actions"]
    assert action["type"] == "plain_text_input"
    assert (action["block_id"], action["action_id"]) == ("customer", "customer_typed")
    assert action["value"] == "Acme" and action["action_ts"]
    [opened] = slack.calls_to("views.open")
    assert dispatched["container"] == {"type": "view", "view_id": opened.result["view"]["id"]}
    assert dispatched["view"]["hash"] == opened.result["view"]["hash"]
    assert dispatched["view"]["state"]["values"] == {
        "customer": {"customer_typed": {"type": "plain_text_input", "value": "Acme"}}
    }
    # The redrawn form asks only for the new field ("2": Road Runner), then Enter submits.
    assert "Customer: Acme" in out and "2) Road Runner" in out
    assert out.count("\nCustomer\n") == 1  # not asked again
    values = submitted(order)
    assert values["customer"]["customer_typed"]["value"] == "Acme"
    assert values["contact"]["contact_pick"]["selected_option"]["value"] == "road runner"


def test_an_unchanged_dispatch_input_sends_nothing_and_a_plain_button_keeps_the_form(
    run_shell: ShellRun, slack: LocalSlack
) -> None:
    # "edit" goes through the fields again: Enter leaves the customer as it was, so it is
    # not dispatched again; "1" presses Check stock, which the app only acks.
    order, out = run_shell("/sales customer", "Acme", "2", "edit", "", "", "1", "")
    assert [b["actions"][0]["action_id"] for b in order.of_type("block_actions")] == [
        "customer_typed",
        "stock_check",
    ]
    check = order.of_type("block_actions")[1]
    assert check["view"]["state"]["values"]["contact"]["contact_pick"]["selected_option"] == {
        "text": {"type": "plain_text", "text": "Road Runner", "emoji": True},
        "value": "road runner",
    }
    assert len(slack.calls_to("views.update")) == 1
    assert out.count("Press a button in the form") == 3
    assert submitted(order)["customer"]["customer_typed"]["value"] == "Acme"


def test_slack_keeps_what_was_typed_over_a_new_initial_value_on_the_same_block(
    run_shell: ShellRun,
) -> None:
    order, out = run_shell("/sales customer", "Acme", "1", "", shout=True)
    assert "Slack keeps what Customer holds and ignores the app's new initial value" in out
    assert submitted(order)["customer"]["customer_typed"]["value"] == "Acme"


def test_selects_and_overflow_in_an_actions_block(run_shell: ShellRun) -> None:
    order, out = run_shell("/sales extras", "Rush", "2", "3", "")
    assert "[1] Currency: USD [2] Currency: EUR [3] Option: Copy last order" in out
    currency, more = order.of_type("block_actions")
    eur = {"text": {"type": "plain_text", "text": "EUR"}, "value": "eur"}
    assert currency["actions"][0]["type"] == "static_select"
    assert currency["actions"][0]["selected_option"] == eur
    picked = {"extras": {"currency": {"type": "static_select", "selected_option": eur}}}
    assert currency["view"]["state"]["values"]["extras"] == picked["extras"]
    assert more["actions"][0]["type"] == "overflow"
    assert more["actions"][0]["selected_option"]["value"] == "copy"
    assert submitted(order) == {
        "note": {"note_text": {"type": "plain_text_input", "value": "Rush"}},
        **picked,
    }


def test_carry_over_keeps_unchanged_inputs_only() -> None:
    select = {
        "type": "input",
        "block_id": "stage",
        "label": text("Stage"),
        "element": {
            "type": "static_select",
            "action_id": "pick",
            "options": [{"text": text("Lead"), "value": "lead"}],
        },
    }
    old = fields_of(order_view([1, 2])) + fields_of({"blocks": [select]})
    new_view = order_view([1, 2, 3], prefill={"qty_1": "9"})
    new_view["blocks"][1]["element"]["type"] = "number_input"  # line 2 changes kind
    select["element"]["options"] = [{"text": text("Won"), "value": "won"}]  # "lead" is gone
    new = fields_of(new_view) + fields_of({"blocks": [select]})
    carried = carry_over(old, new, {"line_1": "3", "line_2": "5", "stage": "lead"})
    assert carried.answers == {"line_1": "3"}
    assert [f.initial for f in carried.fields] == ["3", None, None, None]
    assert carried.ignored_initial == ["Quantity (line 1)"]


# -- the local Slack holds view state and checks updates ------------------------------------


def test_views_update_keeps_state_of_unchanged_inputs_and_refuses_a_stale_hash(
    slack: LocalSlack,
) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
    opened = client.views_open(trigger_id="1.2.3", view=order_view([1, 2]))["view"]
    typed = {
        "line_1": {"qty_1": {"type": "plain_text_input", "value": "3"}},
        "line_2": {"qty_2": {"type": "plain_text_input", "value": "5"}},
        "line_buttons": {"gone": {"type": "static_select", "selected_option": None}},
    }
    slack.set_view_state(opened["id"], typed)
    assert slack.views()[opened["id"]]["state"]["values"] == typed

    # Line 2's input changes type: its entry goes; line 1 is kept; line 3 is new.
    redrawn = order_view([1, 2, 3])
    redrawn["blocks"][1]["element"] = {"type": "number_input", "action_id": "qty_2"}
    redrawn["blocks"][1]["element"]["is_decimal_allowed"] = False
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=redrawn)["view"]
    assert updated["hash"] != opened["hash"]
    assert updated["state"]["values"] == {"line_1": typed["line_1"]}

    with pytest.raises(SlackApiError) as err:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=redrawn)
    assert err.value.response["error"] == "hash_conflict"
    with pytest.raises(KeyError):
        slack.set_view_state("V0NOPE", {})


def test_views_update_checks_the_view_like_views_open(slack: LocalSlack) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
    opened = client.views_open(trigger_id="1.2.3", view=order_view([1]))["view"]
    home = {"type": "home", "blocks": [{"type": "section", "text": text("hi")}]}
    broken = {**order_view([1]), "title": text("t" * 25)}
    for view, says in ((home, "must be 'modal'"), (broken, "title longer than 24")):
        with pytest.raises(SlackApiError) as err:
            client.views_update(view_id=opened["id"], hash=opened["hash"], view=view)
        assert err.value.response["error"] == "invalid_arguments"
        assert any(says in p for p in slack.problems), slack.problems
    slack.problems.clear()  # expected: the fixture fails the test on any left over
