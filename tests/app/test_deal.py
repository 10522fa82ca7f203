"""/deal end to end: signed requests into the real app, Web API calls out to LocalSlack.

The clock starts Monday 2 March 2026, 15:30 UTC: 10:30 in New York, the workspace's zone.
Alice is the workspace's first user, so its admin; Bob and Carol are reps.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services import build_services
from commands.deal.ids import DealAction, DealBlock, DealCallback
from commands.ids import ActionId, CallbackId
from commands.sales.views import SaleBlock
from domain.customers import Customer, CustomerDraft
from domain.pipeline import Deal, DealDraft
from storage.orm import AuditRow, DealNoteRow, DealRow, DealStageChangeRow, TaskRow
from tests.conftest import START
from tests.harness import TEAM, USER, RunningBot, find_button, text_values
from tests.processes import ACK_LIMIT
from tests.served import BACKENDS, ServedBot, fresh_database, start_serving

BOB = "U0BOB"
CAROL = "U0CAROL"
OTHER_TEAM = "T0OTHER"
TODAY = START.date()


# --- helpers --------------------------------------------------------------------------------------


@pytest.fixture
def deal_bot(bot: RunningBot) -> RunningBot:
    bot.services.workspaces.ensure(TEAM, USER)  # Alice is seen first: the admin
    bot.services.workspaces.ensure(TEAM, BOB)
    return bot


def add_customer(bot: RunningBot, name: str = "Acme Corp", team: str = TEAM) -> Customer:
    bot.services.workspaces.ensure(team, None)
    return bot.services.customers.create(team, CustomerDraft.from_input(name=name), actor=USER)


def add_deal(
    bot: RunningBot,
    customer: Customer,
    title: str = "Acme renewal",
    *,
    amount: str = "12000",
    owner: str = USER,
    team: str = TEAM,
    close: str | None = "2026-04-30",
) -> Deal:
    draft = DealDraft.from_input(
        title=title,
        customer_id=customer.id,
        amount=amount,
        expected_close=close,
        owner_id=owner,
        today=TODAY,
    )
    return bot.services.pipeline.create(team, draft, actor=owner)


def visible(message: dict[str, Any]) -> str:
    """Every piece of text a person sees in a message or view, one per line."""
    out = [message.get("text") or ""] if "blocks" not in message else []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                out.append(node["text"])
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks", []))
    return "\n".join(out)


def element(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    return find_button(message["blocks"], action_id)[0]


def pick(select: dict[str, Any], label: str) -> dict[str, Any]:
    """A static_select with the option labelled `label` chosen."""
    for option in select["options"]:
        if option["text"]["text"] == label:
            return {**select, "selected_option": option}
    raise AssertionError(f"no option {label} in {[o['text']['text'] for o in select['options']]}")


def deal_form(
    *,
    title: str | None = "Acme renewal",
    customer: Customer | None = None,
    amount: str | None = "12,000",
    close: str | None = "2026-04-30",
    stage: str | None = "qualification",
    owner: str | None = USER,
    next_step: str | None = "Send the proposal",
) -> dict[str, Any]:
    values = text_values(
        **{DealBlock.TITLE: title, DealBlock.AMOUNT: amount, DealBlock.NEXT_STEP: next_step}
    )
    chosen = (
        {"text": {"type": "plain_text", "text": customer.name}, "value": str(customer.id)}
        if customer
        else None
    )
    values[DealBlock.CUSTOMER] = {
        ActionId.CUSTOMER_SELECT: {"type": "external_select", "selected_option": chosen}
    }
    values[DealBlock.CLOSE] = {"value": {"type": "datepicker", "selected_date": close}}
    stage_option = (
        {"text": {"type": "plain_text", "text": stage}, "value": stage} if stage else None
    )
    values[DealBlock.STAGE] = {"value": {"type": "static_select", "selected_option": stage_option}}
    values[DealBlock.OWNER] = {"value": {"type": "users_select", "selected_user": owner}}
    return values


def count(bot: RunningBot, row: type[Any], **where: Any) -> int:
    stmt = select(func.count()).select_from(row)
    for name, value in where.items():
        stmt = stmt.where(getattr(row, name) == value)
    with bot.services.engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def written(bot: RunningBot) -> tuple[int, ...]:
    """Rows of everything a deal change writes: nothing new means no change was made."""
    return tuple(
        count(bot, row) for row in (DealRow, DealStageChangeRow, DealNoteRow, AuditRow, TaskRow)
    )


# --- the whole flow through buttons and modals ----------------------------------------------------


def test_new_deal_card_move_won_and_record_the_order(deal_bot: RunningBot) -> None:
    bot = deal_bot
    acme = add_customer(bot)
    reply = bot.command("/deal", "new")
    assert reply.status == 200 and reply.body == ""
    form = bot.last_view()
    assert form["title"]["text"] == "New deal" and form["callback_id"] == DealCallback.SAVE
    labels = [b["label"]["text"] for b in form["blocks"]]
    assert labels == [
        "Title",
        "Customer",
        "Amount",
        "Expected close",
        "Stage",
        "Owner",
        "Next step",
    ]
    customer_select = form["blocks"][1]["element"]
    assert customer_select["type"] == "external_select"
    assert customer_select["action_id"] == ActionId.CUSTOMER_SELECT  # the searchable picker

    reply = bot.submit(form, deal_form(customer=acme))
    assert reply.status == 200 and reply.body == ""
    card = bot.last_response()
    assert card["text"].startswith(":white_check_mark: Added D-1.")
    shown = visible(card)
    for expected in (
        "D-1 Acme renewal",
        "*Customer*\nC-1 Acme Corp",
        "*Amount*\n$12,000.00",
        "*Stage*\n▰▰▱▱ Qualification (2 of 4, 20%)",
        "*Owner*\n<@U0ALICE>",
        "*Expected close*\n30 Apr 2026",
        "*Next step*\nSend the proposal",
        "*Age*\n0 days · 0 days in this stage",
        "*Last activity*\n2 Mar 2026",
        "2 Mar 2026 · created in Qualification · <@U0ALICE>",
    ):
        assert expected in shown, shown

    move = pick(element(card, DealAction.MOVE), "Proposal")
    bot.press(move)
    moved = bot.last_response()
    assert moved["replace_original"] is True
    assert ":arrow_right: Moved D-1 from Qualification to *Proposal*." in visible(moved)
    assert "▰▰▰▱ Proposal (3 of 4, 50%)" in visible(moved)

    bot.press(element(moved, DealAction.WON))
    won = bot.last_response()
    assert ":tada: D-1 is won: $12,000.00. Record the order now?" in visible(won)
    assert ":trophy: Won" in visible(won)
    saved = bot.services.pipeline.get_by_number(TEAM, 1)
    stages = [c.to_stage_name for c in bot.services.pipeline.history(TEAM, saved.id)]
    assert stages == ["Qualification", "Proposal", "Won"]

    record = element(won, ActionId.SALE_RECORD)
    assert record["text"]["text"] == "Record the order"
    bot.press(record)
    order_form = bot.last_view()
    assert order_form["callback_id"] == CallbackId.SALE_SAVE
    picked = next(b for b in order_form["blocks"] if b["block_id"] == SaleBlock.CUSTOMER)
    assert picked["element"]["initial_option"] == {
        "text": {"type": "plain_text", "text": "Acme Corp (C-1)", "emoji": True},
        "value": str(acme.id),
    }


def test_lost_asks_the_reason_in_a_modal_and_the_card_shows_it(deal_bot: RunningBot) -> None:
    bot = deal_bot
    deal = add_deal(bot, add_customer(bot))
    bot.command("/deal", "D-1")
    bot.press(element(bot.last_response(), DealAction.LOST))
    form = bot.last_view()
    assert form["callback_id"] == DealCallback.LOST and form["title"]["text"] == "Lost D-1"

    before = written(bot)
    reply = bot.submit(form, text_values(**{DealBlock.REASON: "   "}))
    assert reply.json() == {
        "response_action": "errors",
        "errors": {DealBlock.REASON: "Say why the deal was lost."},
    }
    assert written(bot) == before

    reply = bot.submit(form, text_values(**{DealBlock.REASON: "Went with a cheaper supplier"}))
    assert reply.body == ""
    card = bot.last_response()
    assert card["replace_original"] is True
    shown = visible(card)
    assert ":x: D-1 is lost: Went with a cheaper supplier" in shown
    assert "*Lost because* Went with a cheaper supplier" in shown
    assert bot.services.pipeline.get(TEAM, deal.id).lost_reason == "Went with a cheaper supplier"


def test_picking_lost_in_the_move_select_asks_the_reason_too(deal_bot: RunningBot) -> None:
    bot = deal_bot
    add_deal(bot, add_customer(bot))
    bot.command("/deal", "D-1")
    before = written(bot)
    bot.press(pick(element(bot.last_response(), DealAction.MOVE), "Lost"))
    assert bot.last_view()["callback_id"] == DealCallback.LOST
    assert written(bot) == before


def test_a_note_is_shared_on_the_card(deal_bot: RunningBot) -> None:
    bot = deal_bot
    add_deal(bot, add_customer(bot))
    bot.command("/deal", "D-1")
    bot.press(element(bot.last_response(), DealAction.NOTE), user=BOB)  # anyone may add notes
    form = bot.last_view()
    assert form["callback_id"] == DealCallback.NOTE
    bot.submit(form, text_values(**{DealBlock.NOTE: "They want a pilot <first>"}), user=BOB)
    bot.submit(form, text_values(**{DealBlock.NOTE: "They want a pilot <first>"}), user=BOB)
    assert count(bot, DealNoteRow) == 1  # the same form submitted twice writes once
    shown = visible(bot.last_response())
    assert "*Notes* (1)\n• 2 Mar 2026 <@U0BOB>: They want a pilot &lt;first&gt;" in shown

    bot.command("/deal", "D-1", user=CAROL)  # a teammate sees it too
    assert "They want a pilot &lt;first&gt;" in visible(bot.last_response())


def test_a_task_from_the_card_is_linked_and_its_assignee_gets_a_dm(deal_bot: RunningBot) -> None:
    bot = deal_bot
    acme = add_customer(bot)
    add_deal(bot, acme)
    bot.command("/deal", "D-1")
    bot.press(element(bot.last_response(), DealAction.TASK))
    form = bot.last_view()
    assert form["callback_id"] == DealCallback.TASK

    values = text_values(
        **{DealBlock.TASK_TITLE: "Send the revised quote", DealBlock.TASK_DUE: "someday"}
    )
    values[DealBlock.TASK_ASSIGNEE] = {"value": {"type": "users_select", "selected_user": BOB}}
    reply = bot.submit(form, values)
    assert reply.json()["errors"].keys() == {DealBlock.TASK_DUE}
    assert count(bot, TaskRow) == 0

    values.update(text_values(**{DealBlock.TASK_DUE: "fri 3pm"}))
    assert bot.submit(form, values).body == ""
    task = bot.services.tasks.get_by_number(TEAM, 1)
    assert (task.deal_number, task.customer_id, task.assignee_id) == (1, acme.id, BOB)

    card = visible(bot.last_response())
    assert ":white_check_mark: Added T-1 for <@U0BOB>." in card
    assert "*Open tasks* (1)" in card and "*T-1* Send the revised quote" in card
    dm = bot.slack.calls_to("chat.postMessage")[-1].args
    assert dm["channel"] == BOB
    assert dm["text"].startswith(
        "<@U0ALICE> assigned you T-1 Send the revised quote, due Fri 6 Mar"
    )
    assert "D-1" in visible(dm)


def test_edit_changes_the_details_and_keeps_an_audit_diff(deal_bot: RunningBot) -> None:
    bot = deal_bot
    acme = add_customer(bot)
    deal = add_deal(bot, acme)
    bot.command("/deal", "D-1")
    bot.press(element(bot.last_response(), DealAction.EDIT))
    form = bot.last_view()
    assert form["title"]["text"] == "Edit D-1"
    by_block = {b["block_id"]: b["element"] for b in form["blocks"]}
    assert DealBlock.STAGE not in by_block  # moves happen on the card, into the history
    assert by_block[DealBlock.AMOUNT]["initial_value"] == "12000"
    assert by_block[DealBlock.CLOSE]["initial_date"] == "2026-04-30"
    assert by_block[DealBlock.CUSTOMER]["initial_option"]["value"] == str(acme.id)

    values = deal_form(customer=acme, amount="15000", stage=None, owner=BOB, next_step="Demo")
    assert bot.submit(form, values).body == ""
    card = bot.last_response()
    assert card["replace_original"] is True
    shown = visible(card)
    assert ":white_check_mark: Saved D-1." in shown
    assert "*Amount*\n$15,000.00" in shown and "*Owner*\n<@U0BOB>" in shown
    with bot.services.uow_factory() as uow:
        last = uow.audit.for_entity(TEAM, "deal", deal.id)[-1]
    assert last.changes == {
        "amount": ["12000.0000", "15000.0000"],
        "owner_id": [USER, BOB],
        "next_step": [None, "Demo"],
    }


# --- the text forms -------------------------------------------------------------------------------


def test_text_forms_move_win_lose_and_note(deal_bot: RunningBot) -> None:
    bot = deal_bot
    acme = add_customer(bot)
    add_deal(bot, acme)
    add_deal(bot, acme, "Acme expansion")

    reply = bot.command("/deal", "move D-1 negotiation")
    assert reply.body == ""
    assert ":arrow_right: Moved D-1 from Prospecting to *Negotiation*." in visible(
        bot.last_response()
    )

    bot.command("/deal", "won D-1")
    won = bot.last_response()
    assert ":tada: D-1 is won: $12,000.00" in visible(won)
    assert element(won, ActionId.SALE_RECORD)["value"] == f"customer:{acme.id}"

    bot.command("/deal", "lost d2 budget cut")
    assert ":x: D-2 is lost: budget cut" in visible(bot.last_response())

    bot.command("/deal", "note D-1 Paid upfront & happy")
    assert "• 2 Mar 2026 <@U0ALICE>: Paid upfront &amp; happy" in visible(bot.last_response())

    bot.command("/deal", "move D-1 proposal")  # reopening a won deal is a move too
    assert ":arrow_right: Moved D-1 from Won to *Proposal*." in visible(bot.last_response())


def test_no_text_lists_my_open_deals_biggest_first(deal_bot: RunningBot) -> None:
    bot = deal_bot
    acme = add_customer(bot)
    add_deal(bot, acme, "Small one", amount="500")
    add_deal(bot, acme, "Big one", amount="90000")
    add_deal(bot, acme, "Bob's", amount="1000000", owner=BOB)
    add_deal(bot, acme, "Middle", amount="7000", close="2026-02-01")
    bot.command("/deal")
    listed = bot.last_response()
    shown = visible(listed)
    assert "*Your open deals* (3), biggest first:" in shown
    assert shown.index("Big one") < shown.index("Middle") < shown.index("Small one")
    assert "Bob's" not in shown
    assert ":warning: closes 1 Feb 2026 (past)" in shown
    assert "`/deal new` starts a deal" in shown

    bot.press(element(listed, DealAction.OPEN))
    assert "D-2 Big one" in visible(bot.last_response())

    bot.command("/deal", user=CAROL)
    assert bot.last_response()["text"].startswith("You have no open deals.")


def test_search_one_several_or_none(deal_bot: RunningBot) -> None:
    bot = deal_bot
    acme = add_customer(bot)
    add_deal(bot, acme, "Acme renewal")
    add_deal(bot, acme, "Acme expansion")
    add_deal(bot, acme, "Globex pilot")

    bot.command("/deal", "globex")
    assert "D-3 Globex pilot" in visible(bot.last_response())  # one match: the card

    bot.command("/deal", "ACME")
    several = bot.last_response()
    assert "2 deals match *ACME*:" in visible(several)
    assert len([b for b in several["blocks"] if b.get("accessory")]) == 2

    bot.command("/deal", "initech")
    none = bot.last_response()
    assert "No deal matches *initech*. Start one with `/deal new`." in visible(none)
    bot.press(element(none, DealAction.NEW))
    title = bot.last_view()["blocks"][0]["element"]["initial_value"]
    assert title == "initech"


def test_help_and_usage(deal_bot: RunningBot) -> None:
    reply = deal_bot.command("/deal", "help")
    assert "/deal move D-42 &lt;stage&gt;" in reply.text
    reply = deal_bot.command("/deal", "move 42 proposal")
    assert "“42” isn't a deal id. Say which deal by its id" in reply.text


# --- refusals and bad input -----------------------------------------------------------------------


def test_a_rep_who_is_not_the_owner_is_refused_and_nothing_changes(deal_bot: RunningBot) -> None:
    bot = deal_bot
    add_deal(bot, add_customer(bot))  # Alice's
    before = written(bot)
    for text in ("move D-1 proposal", "won D-1", "lost D-1 no budget", "edit D-1"):
        bot.command("/deal", text, user=BOB)
        assert bot.last_response()["text"].startswith(
            ":warning: Only the deal's owner, a manager or an admin can change D-1."
        ), text
    assert written(bot) == before

    bot.command("/deal", "D-1", user=BOB)
    card = bot.last_response()
    views_opened = len(bot.slack.calls_to("views.open"))
    bot.press(element(card, DealAction.WON), user=BOB)
    refusal = bot.last_response()
    assert refusal["text"] == (
        ":warning: Only the deal's owner, a manager or an admin can change D-1. "
        "Nothing was changed."
    )
    assert refusal.get("replace_original") is False  # the card stays as it was
    for action in (DealAction.LOST, DealAction.EDIT):
        bot.press(element(card, action), user=BOB)
        assert bot.last_response()["text"].startswith(":no_entry: Only the deal's owner")
    bot.press(pick(element(card, DealAction.MOVE), "Proposal"), user=BOB)
    assert "Nothing was changed." in bot.last_response()["text"]
    assert len(bot.slack.calls_to("views.open")) == views_opened
    assert written(bot) == before


def test_unknown_stage_lists_the_stages(deal_bot: RunningBot) -> None:
    bot = deal_bot
    add_deal(bot, add_customer(bot))
    before = written(bot)
    bot.command("/deal", "move D-1 closing")
    assert bot.last_response()["text"] == (
        ":warning: There is no stage “closing”: pick one of Prospecting, Qualification, "
        "Proposal, Negotiation, Won, Lost. Nothing was changed."
    )
    assert written(bot) == before


def test_a_deal_of_another_workspace_is_not_there(deal_bot: RunningBot) -> None:
    bot = deal_bot
    add_deal(
        bot, add_customer(bot, "Secret Corp", team=OTHER_TEAM), "Secret merger", team=OTHER_TEAM
    )
    before = written(bot)
    for text in ("D-1", "move D-1 proposal", "won D-1", "lost D-1 x", "note D-1 hi", "secret"):
        bot.command("/deal", text)
        shown = visible(bot.last_response())
        assert "Secret" not in shown, text
    bot.command("/deal", "won D-1")
    assert bot.last_response()["text"] == ":warning: There is no deal D-1."
    assert written(bot) == before


def test_bad_input_in_the_form_is_shown_inline_and_nothing_is_saved(deal_bot: RunningBot) -> None:
    bot = deal_bot
    acme = add_customer(bot)
    bot.command("/deal", "new")
    form = bot.last_view()
    before = written(bot)
    reply = bot.submit(form, deal_form(customer=acme, amount="-5", close="1970-01-01"))
    assert reply.json() == {
        "response_action": "errors",
        "errors": {
            DealBlock.AMOUNT: "Amount: -5 is negative; amounts here are 0 or more.",
            DealBlock.CLOSE: "A close date in 1970 is too far back: give 2000-01-01 or later.",
        },
    }
    reply = bot.submit(form, deal_form(customer=None, title="x" * 301, next_step="y" * 1001))
    assert reply.json()["errors"] == {
        DealBlock.TITLE: "Keep the title under 300 characters.",
        DealBlock.CUSTOMER: "Pick the customer the deal is for.",
        DealBlock.NEXT_STEP: "Keep the next step under 1000 characters.",
    }
    assert written(bot) == before

    assert bot.submit(form, deal_form(customer=acme)).body == ""
    assert bot.submit(form, deal_form(customer=acme)).body == ""  # a double submit: one deal
    assert count(bot, DealRow) == 1


def test_bad_text_gets_a_clear_message_and_no_change(deal_bot: RunningBot) -> None:
    bot = deal_bot
    add_deal(bot, add_customer(bot))
    before = written(bot)
    cases = {
        "lost D-1": "Say why it was lost, like `/deal lost D-42 went with a cheaper supplier`.",
        "move D-1": "Say which stage, like `/deal move D-42 proposal`.",
        "won D-1 now please": "`/deal won` takes only the deal, like `/deal won D-42`.",
        "note D-1 " + "x" * 3001: "That note is 3,001 characters; keep it under 3,000.",
        "lost D-1 " + "x" * 1001: "That reason is 1,001 characters; keep it under 1,000.",
    }
    for text, message in cases.items():
        reply = bot.command("/deal", text)
        assert message in reply.json()["text"], text
    bot.command("/deal", "move D-1 lost")
    assert bot.last_response()["text"] == (
        ":warning: Say why D-1 was lost: `/deal lost D-1 &lt;reason&gt;`. Nothing was changed."
    )
    assert written(bot) == before
    assert bot.services.pipeline.get_by_number(TEAM, 1).amount == Decimal("12000")


# --- served over HTTP by `salesbot serve --http` --------------------------------------------------


@pytest.fixture(params=BACKENDS)
def served_with_a_customer(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedBot]:
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
            services.customers.create(TEAM, CustomerDraft.from_input(name="Acme Corp"), actor=USER)
        finally:
            services.close()
        yield from start_serving(url, tmp_path)


@pytest.mark.slow
def test_serve_creates_a_deal_from_the_form_and_moves_it(served_with_a_customer: ServedBot) -> None:
    served = served_with_a_customer
    reply, trigger, key = served.command("/deal", "new Acme renewal")
    assert reply.status == 200 and reply.body == ""
    form = served.opened_view(trigger).result["view"]
    assert form["blocks"][0]["element"]["initial_value"] == "Acme renewal"

    acme = {"name": "Acme Corp", "id": 1}
    values = deal_form(customer=None)
    values[DealBlock.CUSTOMER][ActionId.CUSTOMER_SELECT]["selected_option"] = {
        "text": {"type": "plain_text", "text": acme["name"]},
        "value": str(acme["id"]),
    }
    reply = served.submit(form, values)
    assert reply.status == 200 and reply.body == ""
    card = served.posted_to(key)
    assert card["text"].startswith(":white_check_mark: Added D-1.")
    assert "▰▰▱▱ Qualification (2 of 4, 20%)" in visible(card)

    reply, _, key = served.command("/deal", "move D-1 proposal")
    assert reply.body == ""
    assert ":arrow_right: Moved D-1 from Qualification to *Proposal*." in visible(
        served.posted_to(key)
    )
    reply, _, key = served.command("/deal", "won D-1")
    won = served.posted_to(key)
    assert "Record the order" in json.dumps(won["blocks"])
    assert max(served.acks) < ACK_LIMIT
    served.slack.assert_no_problems()


# --- `salesbot shell` -----------------------------------------------------------------------------


@pytest.mark.slow
def test_shell_adds_a_deal_moves_wins_it_and_records_the_order(tmp_path: Path) -> None:
    from domain.catalog import ProductDraft
    from storage.migrate import upgrade
    from tests.app.test_cli import ShellSession, button_number
    from tests.conftest import make_settings
    from tests.processes import clean_env, sqlite_url

    url = sqlite_url(tmp_path / "shell.db")
    services = build_services(make_settings(url))
    try:
        upgrade(services.engine)
        services.workspaces.ensure("T0LOCAL", "U0LOCAL")  # who the shell acts as
        draft = CustomerDraft.from_input(name="Acme Corporation")
        services.customers.create("T0LOCAL", draft, actor="U0LOCAL")
        paper = ProductDraft.from_input(sku="OFF-PA-2001", name="Copy paper", list_price="24.99")
        services.catalog.create("T0LOCAL", paper, actor="U0LOCAL")
    finally:
        services.close()
    shell = ShellSession(env=clean_env(DATABASE_URL=url), cwd=tmp_path)
    try:
        shell.read_until(r"Salesbot shell")
        shell.type("/deal new")
        shell.read_until(r"^Title\b")
        # Title, customer search and pick, amount, close date, stage and owner kept, next step.
        for answer in ("Acme renewal", "acme", "1", "12000", "2030-06-30", "", "", "Send it"):
            shell.type(answer)
        card = shell.read_until(r"\[\d+\] Edit")
        assert "Added D-1." in card, card
        deal = "D-1"
        for shown in ("C-1 Acme Corporation", "$12,000.00", "▰▱▱▱ Prospecting (1 of 4, 10%)"):
            assert shown in card, card
        assert "30 Jun 2030" in card and "Send it" in card

        shell.type(button_number(card, "Move stage: Proposal"))
        moved = shell.read_until(r"\[\d+\] Edit")
        assert f"Moved {deal} from Prospecting to Proposal." in moved

        shell.type(button_number(moved, "Won"))
        won = shell.read_until(r"\[\d+\] Edit")
        assert f":tada: {deal} is won: $12,000.00." in won

        shell.type(button_number(won, "Record the order"))
        shell.read_until(r"^Customer \[current: Acme Corporation \(C-1\)\]")
        for answer in ("", "", "OFF-PA-2001", "1", "2", "", "", ""):
            shell.type(answer)  # customer and date kept; one line of two reams
        shell.read_until(r"'edit' to change")
        shell.type("")
        recorded = shell.read_until(r"^Total:")
        assert "for C-1 Acme Corporation" in recorded

        shell.type(f"/deal move {deal} closing")
        refused = shell.read_until(r"Nothing was changed")
        assert "There is no stage “closing”: pick one of Prospecting" in refused

        shell.type("quit")
        assert shell.wait() == 0
        assert "Traceback" not in shell.stderr()
    finally:
        shell.kill()
