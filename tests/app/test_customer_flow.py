"""The customer slice end to end: signed requests into `POST /slack/events`, Web API out."""

from __future__ import annotations

import json
import re

from commands.ids import ActionId, BlockId, CallbackId
from tests.harness import TEAM, USER, RunningBot, find_button, text_values


def mrkdwn_texts(node: object) -> list[str]:
    """Every mrkdwn string in a block tree: the places Slack parses for mentions."""
    if isinstance(node, list):
        return [t for item in node for t in mrkdwn_texts(item)]
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" else []
        return own + [t for v in node.values() for t in mrkdwn_texts(v)]
    return []


def add_form(bot: RunningBot, text: str = "add") -> dict:
    reply = bot.command("/customer", text)
    assert reply.status == 200
    return bot.last_view()


def fill(name: str | None = "Acme", **fields: str | None) -> dict:
    values = text_values(
        **{
            BlockId.CUSTOMER_NAME: name,
            BlockId.CUSTOMER_COMPANY: fields.get("company"),
            BlockId.CUSTOMER_EMAIL: fields.get("email"),
            BlockId.CUSTOMER_PHONE: fields.get("phone"),
            BlockId.CUSTOMER_TAGS: fields.get("tags"),
        }
    )
    values[BlockId.CUSTOMER_OWNER] = {
        "value": {"type": "users_select", "selected_user": fields.get("owner")}
    }
    return values


def test_customer_add_opens_the_form_with_the_requests_trigger(bot: RunningBot) -> None:
    reply = bot.command("/customer", "add Acme Corp")
    assert reply.status == 200 and reply.body == ""
    call = bot.slack.calls_to("views.open")[-1]
    sent_trigger = call.args["trigger_id"]
    assert sent_trigger  # the request's own trigger id went to views.open
    view = call.args["view"]
    assert view["callback_id"] == CallbackId.CUSTOMER_SAVE
    labels = [b["label"]["text"] for b in view["blocks"]]
    assert labels == [
        "Name",
        "Company",
        "Email",
        "Phone",
        "Owner",
        "Tags",
        "Industry",
        "Street address",
        "City",
        "Region or state",
        "Country",
        "Notes",
    ]
    name_input = view["blocks"][0]["element"]
    assert name_input["initial_value"] == "Acme Corp"
    assert view["blocks"][4]["element"]["initial_user"] == USER


def test_valid_submission_saves_and_answers_with_the_card(bot: RunningBot) -> None:
    view = add_form(bot)
    reply = bot.submit(
        view,
        fill(
            "Acme",
            company="Acme Corp",
            email="Buyer@Acme.example",
            phone="+1 415 555 0101",
            tags="vip, east",
            owner="U0BOB",
        ),
    )
    assert reply.status == 200 and reply.body == ""  # closes the modal
    card = bot.last_response()
    assert card["response_type"] == "ephemeral"
    assert card["text"] == "Added C-1 Acme (Acme Corp)"
    shown = json.dumps(card["blocks"])
    for expected in (
        "Acme Corp",
        "buyer@acme.example",
        "+1 415 555 0101",
        "<@U0BOB>",
        "vip, east",
        "2 Mar 2026",
        "C-1",
    ):
        assert expected in shown
    edit, _ = find_button(card["blocks"], ActionId.CUSTOMER_EDIT)
    assert edit["text"]["text"] == "Edit"


def test_invalid_submission_shows_inline_errors_and_saves_nothing(bot: RunningBot) -> None:
    view = add_form(bot)
    reply = bot.submit(view, fill("", email="nope", phone="call me"))
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {
        BlockId.CUSTOMER_NAME,
        BlockId.CUSTOMER_EMAIL,
        BlockId.CUSTOMER_PHONE,
    }
    assert "name@example.com" in answer["errors"][BlockId.CUSTOMER_EMAIL]
    assert bot.command("/customer", "C-1").status == 200
    assert "No customer matches" in bot.last_response()["text"]


def test_duplicate_name_is_an_inline_error(bot: RunningBot) -> None:
    bot.submit(add_form(bot), fill("Café Olé"))
    reply = bot.submit(add_form(bot), fill("CAFE OLE"))
    assert reply.json()["errors"][BlockId.CUSTOMER_NAME] == "Café Olé already exists as C-1."


def test_submitting_the_same_form_twice_saves_once(bot: RunningBot) -> None:
    view = add_form(bot)
    first = bot.submit(view, fill("Twice"))
    second = bot.submit(view, fill("Twice"))
    assert first.body == second.body == ""
    bot.command("/customer", "twice")
    assert bot.last_response()["text"] == "C-1 Twice"
    bot.command("/customer", "C-2")
    assert "No customer matches" in bot.last_response()["text"]


def test_find_shows_one_card_a_list_or_an_add_offer(bot: RunningBot) -> None:
    for name, company in (("Acme", "Acme Corp"), ("Acme West", None), ("Globex", "Globex")):
        bot.submit(add_form(bot), fill(name, company=company))

    bot.command("/customer", "globex")
    assert bot.last_response()["text"] == "C-3 Globex (Globex)"

    bot.command("/customer", "ACME")
    listing = bot.last_response()
    assert listing["text"] == "2 customers match ACME."
    opened, block_id = find_button(listing["blocks"], ActionId.CUSTOMER_OPEN)
    bot.press(opened, block_id=block_id)
    card = bot.last_response()
    assert card["replace_original"] is True
    assert card["text"] == "C-1 Acme (Acme Corp)"

    bot.command("/customer", "Initech")
    none = bot.last_response()
    assert none["text"] == "No customer matches Initech."
    add, block_id = find_button(none["blocks"], ActionId.CUSTOMER_ADD)
    bot.press(add, block_id=block_id)
    assert bot.last_view()["blocks"][0]["element"]["initial_value"] == "Initech"


def test_edit_opens_the_same_form_prefilled_and_saves_changes(bot: RunningBot) -> None:
    bot.submit(add_form(bot), fill("Acme", email="a@acme.example", tags="vip"))
    card = bot.last_response()
    edit, block_id = find_button(card["blocks"], ActionId.CUSTOMER_EDIT)
    bot.press(edit, block_id=block_id)
    form = bot.last_view()
    assert form["title"]["text"] == "Edit customer"
    initial = {b["block_id"]: b["element"].get("initial_value") for b in form["blocks"]}
    assert initial[BlockId.CUSTOMER_NAME] == "Acme"
    assert initial[BlockId.CUSTOMER_EMAIL] == "a@acme.example"
    assert initial[BlockId.CUSTOMER_TAGS] == "vip"

    bot.submit(form, fill("Acme Inc", email="b@acme.example", tags="vip, west"))
    updated = bot.last_response()
    assert updated["text"] == "Saved C-1 Acme Inc"
    assert "b@acme.example" in json.dumps(updated["blocks"])
    bot.command("/customer", "edit C-1")
    assert bot.last_view()["blocks"][0]["element"]["initial_value"] == "Acme Inc"


def test_names_people_typed_are_escaped(bot: RunningBot) -> None:
    bot.submit(add_form(bot), fill("<!channel> & <@U0BOSS>", company="<https://evil|x>"))
    blocks = bot.last_response()["blocks"]
    mrkdwn = json.dumps(mrkdwn_texts(blocks))
    assert "<!channel>" not in mrkdwn and "<@U0BOSS>" not in mrkdwn
    assert "&lt;https://evil|x&gt;" in mrkdwn
    # plain_text (the header) is never parsed for mentions, so it shows the name as typed
    assert blocks[0]["text"] == {
        "type": "plain_text",
        "text": "<!channel> & <@U0BOSS>",
        "emoji": True,
    }


def test_another_workspace_cannot_open_or_edit_by_id(bot: RunningBot) -> None:
    bot.submit(add_form(bot), fill("Secret"))
    edit, block_id = find_button(bot.last_response()["blocks"], ActionId.CUSTOMER_EDIT)
    views_before = len(bot.slack.calls_to("views.open"))
    bot.press(edit, block_id=block_id, team="T0OTHER", user="U0MALLORY")
    assert len(bot.slack.calls_to("views.open")) == views_before
    assert bot.last_response()["text"] == "That customer does not exist in this workspace."
    bot.command("/customer", "secret", team="T0OTHER", user="U0MALLORY")
    assert "No customer matches" in bot.last_response()["text"]


def test_customer_help_and_bad_input_answer_ephemerally(bot: RunningBot) -> None:
    help_reply = bot.command("/customer", "help")
    assert "/customer add [name]" in help_reply.text
    bad = bot.command("/customer", "edit acme")
    assert bad.status == 200
    assert "Say which customer to edit by id" in bad.text
    assert "/customer edit C-12" in bad.text
    assert bad.json().get("response_type", "ephemeral") == "ephemeral"


def test_unknown_customer_id_says_so(bot: RunningBot) -> None:
    bot.command("/customer", "edit C-99")
    assert bot.last_response()["text"] == "There is no customer C-99."


def test_every_command_acks_well_within_three_seconds(bot: RunningBot) -> None:
    for text in ("help", "add", "acme", "C-1", "edit C-1"):
        assert bot.command("/customer", text).seconds < 3
    assert bot.command("/salesbot", "help").seconds < 3


def test_the_first_request_creates_the_workspace_and_user(bot: RunningBot) -> None:
    bot.command("/customer", "help", team="T0FRESH", user="U0FIRST")
    workspace, user = bot.services.workspaces.ensure("T0FRESH", "U0FIRST")
    assert workspace.team_id == "T0FRESH" and user is not None and user.role == "admin"
    assert TEAM != "T0FRESH"


def test_characters_slack_escapes_in_command_text_are_read_as_typed(bot: RunningBot) -> None:
    bot.submit(add_form(bot), fill("AT&T <Wireless>"))
    bot.command("/customer", "at&t <wire")  # arrives as at&amp;t &lt;wire, as from Slack
    assert bot.last_response()["text"] == "C-1 AT&amp;T &lt;Wireless&gt;"
    bot.command("/customer", "add Smith & Sons")
    assert bot.last_view()["blocks"][0]["element"]["initial_value"] == "Smith & Sons"


def test_fallback_text_is_escaped_too(bot: RunningBot) -> None:
    bot.command("/customer", "<!channel>")
    assert bot.last_response()["text"] == "No customer matches &lt;!channel&gt;."


def test_an_over_long_name_for_add_is_a_usage_error(bot: RunningBot) -> None:
    reply = bot.command("/customer", "add " + "x" * 250)
    assert "That name is 250 characters; keep it under 200." in reply.text
    assert bot.slack.calls_to("views.open") == []


def test_a_card_stays_within_block_kit_limits_whatever_was_typed(bot: RunningBot) -> None:
    tags = ", ".join("&" * 38 + f"{i:02d}" for i in range(20))
    bot.submit(add_form(bot), fill("Ampersand & Co", tags=tags, company="&" * 200))
    card = bot.last_response()
    fields = card["blocks"][1]["fields"]
    assert all(len(f["text"]) <= 2000 for f in fields)
    assert fields[5]["text"].startswith("*Tags*")
    assert fields[5]["text"].endswith("…")  # the tags field was shortened, not refused


def test_a_50000_character_note_is_refused_on_its_field(bot: RunningBot) -> None:
    values = fill("Acme")
    values[BlockId.CUSTOMER_NOTES] = {"value": {"type": "plain_text_input", "value": "x" * 50_000}}
    reply = bot.submit(add_form(bot), values)
    assert reply.json()["errors"] == {
        BlockId.CUSTOMER_NOTES: "That is 50,000 characters; keep notes under 3,000."
    }
    bot.command("/customer", "acme")
    assert bot.last_response()["text"].startswith("No customer matches")


def test_a_50000_character_quick_log_is_refused_and_writes_nothing(bot: RunningBot) -> None:
    bot.submit(add_form(bot), fill("Acme"))
    reply = bot.command("/log", "note C-1 " + "x" * 50_000)
    assert reply.status == 200
    said = reply.text + json.dumps(bot.slack.calls_to("response_url")[-1].args)
    assert re.search(r"That is 50,0\d\d characters; keep a log entry under 3,000", said)
    customer = bot.services.customers.get_by_number(TEAM, 1)
    assert bot.services.interactions.history(TEAM, customer.id).total == 0
