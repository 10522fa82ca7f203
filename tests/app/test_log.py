"""The communication log end to end: /log, its form, its buttons, the customer picker and the
"Log to customer" message shortcut, as signed requests into `POST /slack/events`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import payloads
from commands.ids import ActionId, CallbackId
from commands.log.views import LogBlock
from domain.customers import Customer, CustomerDraft
from domain.interactions import Interaction
from storage.orm import InteractionRow, TaskRow
from tests.conftest import START
from tests.harness import CHANNEL, TEAM, USER, RunningBot, find_button, text_values

OTHER_TEAM, MALLORY = "T0OTHER", "U0MALLORY"


# -- helpers ------------------------------------------------------------------------------------


def add_customer(bot: RunningBot, name: str, company: str | None = None) -> Customer:
    bot.services.workspaces.ensure(TEAM, USER)  # as the first request from the workspace does
    draft = CustomerDraft.from_input(name=name, company=company)
    return bot.services.customers.create(TEAM, draft, actor=USER)


def history(bot: RunningBot, customer: Customer) -> list[Interaction]:
    return bot.services.interactions.history(TEAM, customer.id, limit=50).items


def rows(bot: RunningBot, table: Any) -> int:
    """Rows in a table across every workspace: proof that nothing was written anywhere."""
    with bot.services.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table)) or 0


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text, "emoji": True}, "value": value}


def form_values(
    customer: Customer | None,
    *,
    kind: str | None = "call",
    when: int | None = None,
    duration: str | None = None,
    direction: str | None = None,
    summary: str | None = "Discussed renewal",
    outcome: str | None = None,
    task: str | None = None,
    due: str | None = None,
) -> dict[str, Any]:
    """view.state.values of the log form, as Slack sends them."""
    values = text_values(
        **{
            LogBlock.SUMMARY: summary,
            LogBlock.OUTCOME: outcome,
            LogBlock.TASK: task,
            LogBlock.DUE: due,
        }
    )
    chosen = (
        option(f"{customer.name} ({customer.public_id})", str(customer.id)) if customer else None
    )
    values[LogBlock.KIND] = {
        ActionId.INPUT: {
            "type": "static_select",
            "selected_option": option(kind.capitalize(), kind) if kind else None,
        }
    }
    values[LogBlock.CUSTOMER] = {
        ActionId.CUSTOMER_SELECT: {"type": "external_select", "selected_option": chosen}
    }
    values[LogBlock.WHEN] = {
        ActionId.INPUT: {
            "type": "datetimepicker",
            "selected_date_time": int(START.timestamp()) if when is None else when,
        }
    }
    values[LogBlock.DURATION] = {ActionId.INPUT: {"type": "number_input", "value": duration}}
    values[LogBlock.DIRECTION] = {
        ActionId.INPUT: {
            "type": "radio_buttons",
            "selected_option": option(direction, direction) if direction else None,
        }
    }
    return values


def blocks_by_id(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b.get("block_id")}


def open_form(bot: RunningBot, text: str) -> dict[str, Any]:
    before = len(bot.slack.calls_to("views.open"))
    reply = bot.command("/log", text)
    assert reply.status == 200 and reply.body == ""
    assert len(bot.slack.calls_to("views.open")) == before + 1, "the form did not open"
    return bot.last_view()


def elsewhere(view: dict[str, Any]) -> dict[str, Any]:
    """The same form as opened in another workspace (Slack stamps views with their team)."""
    return {**view, "team_id": OTHER_TEAM, "app_installed_team_id": OTHER_TEAM}


def suggest(bot: RunningBot, view: dict[str, Any], typed: str, team: str = TEAM) -> list[dict]:
    if team != TEAM:
        view = elsewhere(view)
    body = payloads.block_suggestion(
        ActionId.CUSTOMER_SELECT,
        LogBlock.CUSTOMER,
        typed,
        team_id=team,
        user_id=USER if team == TEAM else MALLORY,
        view=view,
    )
    reply = bot.post(body)
    assert reply.status == 200
    assert reply.seconds < 3
    options: list[dict] = reply.json()["options"]
    return options


# -- the quick form -----------------------------------------------------------------------------


def test_quick_form_by_id_saves_at_once_and_echoes_what_was_saved(bot: RunningBot) -> None:
    acme = add_customer(bot, "Acme Corp")
    reply = bot.command("/log", "call C-1 Discussed renewal, send quote")
    assert reply.status == 200 and reply.body == ""
    confirmation = bot.last_response()
    assert confirmation["response_type"] == "ephemeral"
    assert confirmation["text"] == "Logged a call with C-1 Acme Corp: Discussed renewal, send quote"
    shown = json.dumps(confirmation["blocks"])
    assert "today, Mon 2 Mar 2026, 10:30 (America/New_York)" in shown
    assert f"<@{USER}>" in shown
    [entry] = history(bot, acme)
    assert (entry.kind, entry.summary) == ("call", "Discussed renewal, send quote")
    assert entry.logged_by == USER and entry.occurred_at == START and entry.created_at == START
    assert bot.slack.calls_to("views.open") == []


def test_quick_form_finds_the_customer_by_a_unique_start_of_the_name(bot: RunningBot) -> None:
    corp = add_customer(bot, "Acme Corp")
    west = add_customer(bot, "Acme West")
    cafe = add_customer(bot, "Café Olé", company="Olé Holdings")

    bot.command("/log", "call Acme Corp Discussed renewal")
    assert bot.last_response()["text"] == "Logged a call with C-1 Acme Corp: Discussed renewal"
    bot.command("/log", "email acme w Sent the brochure")  # a partial word picks West
    assert bot.last_response()["text"] == "Logged an email with C-2 Acme West: Sent the brochure"
    bot.command("/log", "MEETING cafe ole Tasting at their office")  # case and accents fold
    assert bot.last_response()["text"].startswith("Logged a meeting with C-3 Café Olé:")
    bot.command("/log", "note olé holdings Prefers email")  # by company too
    assert bot.last_response()["text"] == "Logged a note on C-3 Café Olé: Prefers email"

    assert [e.summary for e in history(bot, corp)] == ["Discussed renewal"]
    assert [e.summary for e in history(bot, west)] == ["Sent the brochure"]
    assert sorted(e.kind for e in history(bot, cafe)) == ["meeting", "note"]


def test_an_exact_name_wins_over_longer_names_that_start_the_same(bot: RunningBot) -> None:
    acme = add_customer(bot, "Acme")
    add_customer(bot, "Acme Callaway")
    bot.command("/log", "call acme call back next week")
    assert bot.last_response()["text"] == "Logged a call with C-1 Acme: call back next week"
    assert len(history(bot, acme)) == 1


def test_an_ambiguous_name_asks_which_and_the_button_logs_it_once(bot: RunningBot) -> None:
    add_customer(bot, "Acme Corp")
    west = add_customer(bot, "Acme West")
    bot.command("/log", "call Acme Discussed renewal")
    question = bot.last_response()
    assert question["text"] == "Several customers match Acme: which one?"
    assert rows(bot, InteractionRow) == 0  # nothing saved until a customer is chosen
    shown = json.dumps(question["blocks"])
    assert "Acme Corp" in shown and "Acme West" in shown and "Discussed renewal" in shown

    buttons = [
        b["accessory"]
        for b in question["blocks"]
        if b.get("accessory", {}).get("action_id") == ActionId.LOG_PICK_CUSTOMER
    ]
    assert [b["text"]["text"] for b in buttons] == ["Log for C-1", "Log for C-2"]
    assert all(len(b["value"]) <= 2000 for b in buttons)
    bot.press(buttons[1])
    saved = bot.last_response()
    assert saved["replace_original"] is True
    assert saved["text"] == "Logged a call with C-2 Acme West: Discussed renewal"
    bot.press(buttons[1])  # pressed again (double click): still one entry
    [entry] = history(bot, west)
    assert entry.summary == "Discussed renewal" and entry.occurred_at == START
    assert rows(bot, InteractionRow) == 1


def test_a_summary_too_long_for_a_button_points_to_the_id_or_the_form(bot: RunningBot) -> None:
    add_customer(bot, "Acme Corp")
    add_customer(bot, "Acme West")
    bot.command("/log", "call Acme " + "word " * 500)
    text = bot.last_response()["text"]
    assert "too long to carry on a button" in text and "/log call C-12" in text
    assert rows(bot, InteractionRow) == 0


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("call Zeta Discussed renewal", "No customer matches “Zeta”."),
        ("call C-99 Discussed renewal", "There is no customer C-99."),
        ("cal C-1 Discussed renewal", "“cal” is not call, email, meeting or note"),
        ("call C-1 " + "x" * 3500, "keep the summary under 3,000"),
    ],
)
def test_bad_input_says_what_was_wrong_with_the_usage_and_writes_nothing(
    bot: RunningBot, typed: str, expected: str
) -> None:
    add_customer(bot, "Acme Corp")
    reply = bot.command("/log", typed)
    assert reply.status == 200
    answer = bot.last_response()
    assert answer["response_type"] == "ephemeral"
    assert expected in answer["text"]
    assert "Usage: /log" in answer["text"]
    assert "/log call C-12 Discussed renewal" in json.dumps(answer["blocks"])
    assert rows(bot, InteractionRow) == 0
    assert bot.slack.calls_to("views.open") == []


def test_help_shows_the_usage(bot: RunningBot) -> None:
    reply = bot.command("/log", "help")
    assert "[call|email|meeting|note] [customer]" in reply.text
    assert "/log call C-12 Discussed renewal, send quote" in reply.text
    assert reply.json().get("response_type", "ephemeral") == "ephemeral"


def test_what_people_typed_is_escaped_in_the_echo(bot: RunningBot) -> None:
    add_customer(bot, "AT&T <Wireless>")
    bot.command("/log", "note C-1 <!here> ping & <@U0BOSS>")
    saved = bot.last_response()
    assert saved["text"] == (
        "Logged a note on C-1 AT&amp;T &lt;Wireless&gt;: &lt;!here&gt; ping &amp; &lt;@U0BOSS&gt;"
    )
    assert "<!here>" not in json.dumps(saved["blocks"])
    [entry] = history(bot, bot.services.customers.get_by_number(TEAM, 1))
    assert entry.summary == "<!here> ping & <@U0BOSS>"  # stored as typed


# -- the form -----------------------------------------------------------------------------------


def test_without_a_summary_the_form_opens_prefilled(bot: RunningBot) -> None:
    acme = add_customer(bot, "Acme Corp")
    view = open_form(bot, "call acme")
    assert view["callback_id"] == CallbackId.LOG_SAVE
    assert view["title"]["text"] == "Log a call"
    blocks = blocks_by_id(view)
    assert blocks[LogBlock.KIND]["element"]["initial_option"]["value"] == "call"
    picker = blocks[LogBlock.CUSTOMER]["element"]
    assert picker["type"] == "external_select" and picker["min_query_length"] == 1
    assert picker["action_id"] == ActionId.CUSTOMER_SELECT
    assert picker["initial_option"] == option("Acme Corp (C-1)", str(acme.id))
    assert blocks[LogBlock.WHEN]["element"]["initial_date_time"] == int(START.timestamp())
    assert LogBlock.DURATION in blocks and LogBlock.DIRECTION not in blocks  # a call
    assert "initial_value" not in blocks[LogBlock.SUMMARY]["element"]
    assert blocks[LogBlock.SUMMARY]["element"]["max_length"] == 3000
    assert rows(bot, InteractionRow) == 0


def test_the_form_leaves_the_customer_empty_when_the_name_is_ambiguous(bot: RunningBot) -> None:
    add_customer(bot, "Acme Corp")
    add_customer(bot, "Acme West")
    blocks = blocks_by_id(open_form(bot, "email acme"))
    assert "initial_option" not in blocks[LogBlock.CUSTOMER]["element"]
    assert blocks[LogBlock.KIND]["element"]["initial_option"]["value"] == "email"
    assert LogBlock.DIRECTION in blocks and LogBlock.DURATION not in blocks

    kindless = blocks_by_id(open_form(bot, "acme Wants a call back"))
    assert "initial_option" not in kindless[LogBlock.CUSTOMER]["element"]
    assert kindless[LogBlock.SUMMARY]["element"]["initial_value"] == "Wants a call back"

    bare = blocks_by_id(open_form(bot, ""))  # /log alone: every field, nothing chosen
    assert "initial_option" not in bare[LogBlock.KIND]["element"]
    assert LogBlock.DIRECTION in bare and LogBlock.DURATION in bare


def test_without_a_kind_the_form_opens_with_customer_and_summary(bot: RunningBot) -> None:
    acme = add_customer(bot, "Acme Corp")
    blocks = blocks_by_id(open_form(bot, "acme Wants a call back"))
    assert "initial_option" not in blocks[LogBlock.KIND]["element"]
    assert blocks[LogBlock.CUSTOMER]["element"]["initial_option"]["value"] == str(acme.id)
    assert blocks[LogBlock.SUMMARY]["element"]["initial_value"] == "Wants a call back"


def test_submitting_saves_the_entry_and_its_follow_up_task(bot: RunningBot) -> None:
    acme = add_customer(bot, "Acme Corp")
    view = open_form(bot, "call C-1")
    earlier = int(datetime(2026, 3, 2, 14, 0, tzinfo=UTC).timestamp())  # 9:00 in New York
    reply = bot.submit(
        view,
        form_values(
            acme,
            when=earlier,
            duration="25",
            summary="Discussed renewal",
            outcome="Wants a quote",
            task="Send the quote",
            due="tomorrow 9am",
        ),
    )
    assert reply.status == 200 and reply.body == ""  # closes the form
    [entry] = history(bot, acme)
    assert entry.kind == "call" and entry.duration_minutes == 25
    assert entry.occurred_at == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert entry.outcome == "Wants a quote" and entry.logged_by == USER
    task = bot.services.tasks.get_by_number(TEAM, 1)
    assert task.title == "Send the quote" and task.customer_id == acme.id
    assert task.assignee_id == USER and task.created_by == USER
    assert task.due_at == datetime(2026, 3, 3, 14, 0, tzinfo=UTC) and task.due_has_time

    confirmation = bot.last_response()
    assert confirmation["text"].startswith("Logged a call with C-1 Acme Corp: Discussed renewal")
    assert "T-1" in confirmation["text"]
    shown = json.dumps(confirmation["blocks"], ensure_ascii=False)
    assert "due tomorrow, Tue 3 Mar 2026, 09:00 (America/New_York)" in shown
    assert "today, Mon 2 Mar 2026, 09:00 (America/New_York)" in shown  # when it happened
    assert "25 min" in shown and "Wants a quote" in shown


def test_a_follow_up_without_a_due_date_is_fine(bot: RunningBot) -> None:
    acme = add_customer(bot, "Acme Corp")
    bot.submit(open_form(bot, "note C-1"), form_values(acme, kind="note", task="Check in"))
    task = bot.services.tasks.get_by_number(TEAM, 1)
    assert task.due_at is None
    assert "no due date" in json.dumps(bot.last_response()["blocks"])


@pytest.mark.parametrize(
    ("fields", "block", "says"),
    [
        ({"summary": None}, LogBlock.SUMMARY, "Write what happened."),
        ({"summary": "   "}, LogBlock.SUMMARY, "Write what happened."),
        ({"summary": "x" * 50_000}, LogBlock.SUMMARY, "That is 50,000 characters"),
        ({"task": "Send quote", "due": "someday soon"}, LogBlock.DUE, "couldn't read"),
        ({"task": "Send quote", "due": "2020-01-01"}, LogBlock.DUE, "in the past"),
        ({"due": "tomorrow"}, LogBlock.TASK, "Say what the follow-up is"),
        ({"task": "t" * 600}, LogBlock.TASK, "keep a task under 500"),
        ({"duration": "0"}, LogBlock.DURATION, "1 to 1440"),
        ({"kind": None}, LogBlock.KIND, "Choose call, email, meeting or note."),
        ({"when": int(START.timestamp()) + 86_400}, LogBlock.WHEN, "in the future"),
    ],
)
def test_bad_values_are_inline_errors_and_nothing_is_written(
    bot: RunningBot, fields: dict[str, Any], block: str, says: str
) -> None:
    acme = add_customer(bot, "Acme Corp")
    view = open_form(bot, "call C-1")
    reply = bot.submit(view, form_values(acme, **fields))
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert says in answer["errors"][block], answer["errors"]
    assert rows(bot, InteractionRow) == 0 and rows(bot, TaskRow) == 0


def test_no_customer_chosen_is_an_inline_error(bot: RunningBot) -> None:
    view = open_form(bot, "call")
    answer = bot.submit(view, form_values(None)).json()
    assert answer["errors"] == {LogBlock.CUSTOMER: "Choose the customer."}


def test_submitting_the_same_form_twice_saves_once(bot: RunningBot) -> None:
    acme = add_customer(bot, "Acme Corp")
    view = open_form(bot, "call C-1")
    values = form_values(acme, task="Send the quote", due="fri")
    first, second = bot.submit(view, values), bot.submit(view, values)
    assert first.body == second.body == ""
    assert rows(bot, InteractionRow) == 1 and rows(bot, TaskRow) == 1
    answers = bot.slack.calls_to("response_url")
    assert answers[-1].args["text"] == answers[-2].args["text"]  # the same entry, confirmed


def test_choosing_another_kind_redraws_the_form_with_its_fields(bot: RunningBot) -> None:
    add_customer(bot, "Acme Corp")
    view = open_form(bot, "call C-1")
    select = blocks_by_id(view)[LogBlock.KIND]
    assert select["dispatch_action"] is True
    element = {**select["element"], "selected_option": option("Email", "email")}
    bot.press(element, block_id=LogBlock.KIND, view=view)
    [update] = bot.slack.calls_to("views.update")
    assert update.args["view_id"] == view["id"] and update.args["hash"] == view["hash"]
    redrawn = blocks_by_id(update.args["view"])
    assert LogBlock.DIRECTION in redrawn and LogBlock.DURATION not in redrawn
    assert redrawn[LogBlock.KIND]["element"]["initial_option"]["value"] == "email"
    assert update.args["view"]["private_metadata"] == view["private_metadata"]


# -- the customer picker ------------------------------------------------------------------------


def test_the_customer_picker_suggests_matching_customers(bot: RunningBot) -> None:
    corp = add_customer(bot, "Acme Corp")
    west = add_customer(bot, "Acme West", company="Roadrunner Supplies")
    add_customer(bot, "Globex")
    add_customer(bot, "Ünïcorn " + "Long Name " * 10)
    view = open_form(bot, "call")

    assert suggest(bot, view, "acme") == [
        option("Acme Corp (C-1)", str(corp.id)),
        option("Acme West (C-2)", str(west.id)),
    ]
    assert suggest(bot, view, "ROADRUNNER") == [option("Acme West (C-2)", str(west.id))]
    assert [o["text"]["text"] for o in suggest(bot, view, "C-3")] == ["Globex (C-3)"]
    [long] = suggest(bot, view, "unicorn")
    assert len(long["text"]["text"]) == 75 and long["text"]["text"].endswith("… (C-4)")
    assert suggest(bot, view, "zzz") == []
    assert suggest(bot, view, "   ") == []
    assert suggest(bot, view, "acme", team=OTHER_TEAM) == []  # another workspace sees none


def test_the_picker_lists_at_most_twenty(bot: RunningBot) -> None:
    for i in range(25):
        add_customer(bot, f"Store {i:02d}")
    assert len(suggest(bot, open_form(bot, "call"), "store")) == 20


# -- from a message, from a card ----------------------------------------------------------------


def shortcut(bot: RunningBot, text: str, *, team: str = TEAM) -> None:
    body = payloads.message_shortcut(
        CallbackId.LOG_MESSAGE_SHORTCUT,
        {"text": text, "user": "U0BOB", "ts": "1772465400.000100"},
        team_id=team,
        user_id=USER if team == TEAM else MALLORY,
        channel_id=CHANNEL,
        response_url=bot.slack.response_url(),
    )
    reply = bot.post(body)
    assert reply.status == 200 and reply.body == ""
    bot.settle()


def test_the_message_shortcut_opens_the_form_with_the_text_and_link(bot: RunningBot) -> None:
    acme = add_customer(bot, "Acme Corp")
    shortcut(bot, "Customer asked for a quote &amp; a &lt;demo&gt;")  # as Slack stores it
    [permalink] = bot.slack.calls_to("chat.getPermalink")
    assert permalink.args["channel"] == CHANNEL
    assert permalink.args["message_ts"] == "1772465400.000100"
    link = permalink.result["permalink"]
    view = bot.last_view()
    blocks = blocks_by_id(view)
    assert blocks[LogBlock.SUMMARY]["element"]["initial_value"] == (
        "Customer asked for a quote & a <demo>"
    )
    assert blocks[LogBlock.KIND]["element"]["initial_option"]["value"] == "note"
    assert link in json.dumps(view["blocks"])

    bot.submit(view, form_values(acme, kind="note", summary="Customer asked for a quote"))
    [entry] = history(bot, acme)
    assert entry.message_link == link
    confirmation = bot.last_response()
    assert f"<{link}|from a Slack message>" in json.dumps(confirmation["blocks"])


def test_a_long_message_is_cut_to_the_summary_limit(bot: RunningBot) -> None:
    shortcut(bot, "word " * 1000)
    summary = blocks_by_id(bot.last_view())[LogBlock.SUMMARY]["element"]["initial_value"]
    assert len(summary) == 3000 and summary.endswith("…")


@pytest.mark.parametrize(
    ("action_id", "kind", "title"),
    [
        (ActionId.LOG_CALL, "call", "Log a call"),
        (ActionId.LOG_EMAIL, "email", "Log an email"),
        (ActionId.LOG_NOTE, "note", "Add a note"),
    ],
)
def test_card_buttons_open_the_form_for_that_customer(
    bot: RunningBot, action_id: str, kind: str, title: str
) -> None:
    acme = add_customer(bot, "Acme Corp")
    bot.press({"type": "button", "action_id": action_id, "value": str(acme.id)})
    view = bot.last_view()
    assert view["title"]["text"] == title
    blocks = blocks_by_id(view)
    assert blocks[LogBlock.KIND]["element"]["initial_option"]["value"] == kind
    assert blocks[LogBlock.CUSTOMER]["element"]["initial_option"]["value"] == str(acme.id)


def test_the_card_buttons_are_the_ones_the_customer_card_shows(bot: RunningBot) -> None:
    add_customer(bot, "Acme Corp")
    bot.command("/customer", "C-1")
    card = bot.last_response()
    button, block_id = find_button(card["blocks"], ActionId.LOG_CALL)
    bot.press(button, block_id=block_id)
    assert bot.last_view()["callback_id"] == CallbackId.LOG_SAVE


# -- workspaces stay apart ----------------------------------------------------------------------


def test_another_workspace_cannot_log_to_a_customer_of_this_one(bot: RunningBot) -> None:
    acme = add_customer(bot, "Acme Corp")
    add_customer(bot, "Acme West")

    bot.command("/log", "call C-1 Stealing a look", team=OTHER_TEAM, user=MALLORY)
    assert "There is no customer C-1." in bot.last_response()["text"]
    bot.command("/log", "call acme Stealing a look", team=OTHER_TEAM, user=MALLORY)
    assert "No customer matches “acme”." in bot.last_response()["text"]

    bot.press(
        {"type": "button", "action_id": ActionId.LOG_CALL, "value": str(acme.id)},
        team=OTHER_TEAM,
        user=MALLORY,
    )
    assert bot.slack.calls_to("views.open") == []
    assert bot.last_response()["text"] == "That customer does not exist in this workspace."

    bot.command("/log", "call Acme Discussed renewal")  # this workspace's own picker message
    button, _ = find_button(bot.last_response()["blocks"], ActionId.LOG_PICK_CUSTOMER)
    bot.press(button, team=OTHER_TEAM, user=MALLORY)
    assert bot.last_response()["text"] == "That customer does not exist in this workspace."

    view = elsewhere(open_form(bot, "call"))
    other = bot.submit(view, form_values(acme), team=OTHER_TEAM, user=MALLORY)
    assert other.json()["errors"] == {
        LogBlock.CUSTOMER: "That customer does not exist in this workspace."
    }
    assert rows(bot, InteractionRow) == 0


def test_every_log_request_acks_well_within_three_seconds(bot: RunningBot) -> None:
    add_customer(bot, "Acme Corp")
    for text in ("help", "", "call", "call C-1", "call C-1 Quick note", "call acme Hi"):
        assert bot.command("/log", text).seconds < 3
