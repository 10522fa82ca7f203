"""/salesbot settings: the sales settings, the pipeline's stages, and editing them by text
and through the edit form, through the real app (and once through `salesbot serve`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot import payloads
from commands.admin.ids import PipelineId
from domain.customers import CustomerDraft
from domain.pipeline import Deal, DealDraft
from tests.harness import TEAM, USER, Reply, RunningBot, find_button, text_values
from tests.processes import ACK_LIMIT
from tests.served import BACKENDS, ServedBot, fresh_database, start_serving

REP = "U0REP"


@pytest.fixture
def admin_bot(bot: RunningBot) -> RunningBot:
    bot.services.workspaces.ensure(TEAM, USER)  # Alice, seen first, is the admin
    bot.services.workspaces.ensure(TEAM, REP)
    return bot


def deal_in(bot: RunningBot, stage: str, title: str = "Acme renewal") -> Deal:
    found = bot.services.customers.find(TEAM, "Acme")
    customer = (
        found.matches[0]
        if found.total
        else bot.services.customers.create(TEAM, CustomerDraft.from_input(name="Acme"), actor=REP)
    )
    draft = DealDraft.from_input(
        title=title,
        customer_id=customer.id,
        amount="5000",
        owner_id=REP,
        stage_key=stage,
        today=bot.services.clock.now().date(),
    )
    return bot.services.pipeline.create(TEAM, draft, actor=REP)


def stage_names(bot: RunningBot) -> list[str]:
    return [s.name for s in bot.services.pipeline.stages(TEAM)]


def said(reply: Reply) -> str:
    """All visible text of an ack, unicode as people read it."""
    data = reply.json()
    return data.get("text", "") + "\n" + json.dumps(data.get("blocks", []), ensure_ascii=False)


def blocks_of(reply: Reply) -> list[dict[str, Any]]:
    return reply.json().get("blocks", [])


def press_in_view(
    bot: RunningBot, view: dict[str, Any], action_id: str, value: str, *, user: str = USER
) -> Reply:
    element = {"type": "button", "action_id": action_id, "value": value}
    body = payloads.view_block_action(element, view, team_id=TEAM, user_id=user)
    reply = bot.post(body)
    bot.settle()
    return reply


# --- the settings card --------------------------------------------------------------------------


def test_settings_show_the_sales_settings_and_the_pipeline_with_open_deals(
    admin_bot: RunningBot,
) -> None:
    bot = admin_bot
    deal_in(bot, "proposal")
    deal_in(bot, "proposal", "Second")
    shown = bot.command("/salesbot", "settings")
    for expected in (
        "*Won/lost announcements:* off",
        "*Big stage moves announced:* off",
        "*Deals are stale after:* 14 days",
        "1. *Prospecting* · 10% · 0 open deals",
        "3. *Proposal* · 50% · 2 open deals",
        "4. *Negotiation* · 75% · 0 open deals",
        "5. *Won* · 100% · closes deals as won",
        "6. *Lost* · 0% · closes deals as lost",
    ):
        assert expected in said(shown), expected
    find_button(blocks_of(shown), PipelineId.EDIT)

    as_rep = bot.command("/salesbot", "settings pipeline", user=REP)
    assert "3. *Proposal* · 50% · 2 open deals" in said(as_rep)
    assert "Only admins can change the stages." in said(as_rep)
    with pytest.raises(AssertionError):
        find_button(blocks_of(as_rep), PipelineId.EDIT)


def test_stale_days_and_big_moves_are_set_and_bad_values_explained(admin_bot: RunningBot) -> None:
    bot = admin_bot
    assert "*Deals are stale after:* 21 days" in said(
        bot.command("/salesbot", "settings stale-days 21")
    )
    assert "is not a number of days" in said(bot.command("/salesbot", "settings stale-days abc"))
    big = bot.command("/salesbot", "settings big-moves 25,000")
    assert "deals of $25,000.00 or more" in said(big)
    assert "Set a sales channel too" in said(big)
    assert "Big moves:" in said(bot.command("/salesbot", "settings big-moves lots"))
    refused = bot.command("/salesbot", "settings stale-days 3", user=REP)
    assert "Only an admin or a manager" in said(refused)
    workspace, _ = bot.services.workspaces.ensure(TEAM, None)
    assert (workspace.stale_deal_days, workspace.big_move_amount) == (21, Decimal(25000))
    off = bot.command("/salesbot", "settings big-moves off")
    assert "*Big stage moves announced:* off" in said(off)


# --- text forms ------------------------------------------------------------------------------


def test_renaming_by_text_keeps_the_deals_in_the_stage(admin_bot: RunningBot) -> None:
    bot = admin_bot
    deal = deal_in(bot, "proposal")
    reply = bot.command("/salesbot", "settings pipeline rename Proposal Offer sent")
    assert "Renamed Proposal to *Offer sent*; its deals stay." in said(reply)
    assert "3. *Offer sent* · 50% · 1 open deal" in said(reply)
    again = bot.services.pipeline.get(TEAM, deal.id)
    assert again.stage_id == deal.stage_id
    stage = next(s for s in bot.services.pipeline.stages(TEAM) if s.id == again.stage_id)
    assert (stage.key, stage.name) == ("proposal", "Offer sent")
    # A multi-word stage is found by its whole name.
    bot.command("/salesbot", "settings pipeline rename offer sent Proposal")
    assert stage_names(bot)[2] == "Proposal"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("probability Proposal 150%", "over 100%"),
        ("probability Proposal abc", "is not a probability"),
        ("probability Nowhere 35%", "There is no stage “Nowhere”"),
        ("rename Proposal Negotiation", "already a stage called Negotiation"),
        ("rename Proposal", "Say the stage and its new name"),
        ("add Demo", "Say the new stage's name and probability"),
        ("add Demo 30% after Won", "New stages go among the open ones"),
        ("remove Won", "can be renamed but not removed"),
        ("remove Lost", "can be renamed but not removed"),
        ("move Won up", "stays at the end"),
        ("shuffle everything", "is not a pipeline change"),
    ],
)
def test_bad_pipeline_changes_are_explained_and_change_nothing(
    admin_bot: RunningBot, text: str, says: str
) -> None:
    bot = admin_bot
    before = bot.services.pipeline.stages(TEAM)
    reply = bot.command("/salesbot", f"settings pipeline {text}")
    assert says in said(reply)
    assert "Nothing was changed." in said(reply)
    assert bot.services.pipeline.stages(TEAM) == before


def test_a_rep_cannot_change_the_pipeline(admin_bot: RunningBot) -> None:
    bot = admin_bot
    before = bot.services.pipeline.stages(TEAM)
    for text in ("rename Proposal Offer", "add Demo 30%", "remove Proposal", "probability Won 5%"):
        reply = bot.command("/salesbot", f"settings pipeline {text}", user=REP)
        assert "Only an admin can change the pipeline's stages." in said(reply)
    assert bot.services.pipeline.stages(TEAM) == before


def test_add_probability_and_move_by_text(admin_bot: RunningBot) -> None:
    bot = admin_bot
    added = bot.command("/salesbot", "settings pipeline add Site visit 30% after Qualification")
    assert "Added *Site visit* at 30%." in said(added)
    assert "3. *Site visit* · 30% · 0 open deals" in said(added)
    bot.command("/salesbot", "settings pipeline probability site visit 35%")
    moved = bot.command("/salesbot", "settings pipeline move Site visit up")
    assert "2. *Site visit* · 35% · 0 open deals" in said(moved)
    assert stage_names(bot)[:3] == ["Prospecting", "Site visit", "Qualification"]


def test_removing_a_stage_with_deals_asks_where_they_go_then_moves_them(
    admin_bot: RunningBot,
) -> None:
    bot = admin_bot
    deals = [deal_in(bot, "negotiation"), deal_in(bot, "negotiation", "Other")]
    asked = bot.command("/salesbot", "settings pipeline remove Negotiation")
    assert "*Negotiation* holds 2 open deals. Where should they go" in said(asked)
    assert "Nothing has changed yet." in said(asked)
    assert "Negotiation" in stage_names(bot)
    proposal = next(s for s in bot.services.pipeline.stages(TEAM) if s.key == "proposal")
    element, block_id = find_button(blocks_of(asked), f"{PipelineId.MOVE_DEALS_TO}:{proposal.id}")
    assert element["text"]["text"] == "Move to Proposal"
    bot.press(element, block_id=block_id)
    done = bot.last_response()
    assert "Removed *Negotiation*. Its 2 deals moved to *Proposal*." in done["text"]
    assert done.get("replace_original") is True
    assert "Negotiation" not in stage_names(bot)
    for deal in deals:
        history = bot.services.pipeline.history(TEAM, deal.id)
        assert (history[-1].from_stage_name, history[-1].to_stage_name, history[-1].actor) == (
            "Negotiation",
            "Proposal",
            USER,
        )
    # Or all at once, with `to`.
    deal_in(bot, "qualification")
    reply = bot.command("/salesbot", "settings pipeline remove Qualification to Prospecting")
    assert "Its 1 deal moved to *Prospecting*." in said(reply)


# --- the edit form ---------------------------------------------------------------------------


def open_form(bot: RunningBot, user: str = USER) -> dict[str, Any]:
    card = bot.command("/salesbot", "settings pipeline")
    element, block_id = find_button(blocks_of(card), PipelineId.EDIT)
    bot.press(element, block_id=block_id, user=user)
    return bot.last_view()


def form_values(view: dict[str, Any], **changed: str) -> dict[str, Any]:
    """Every input of the edit form as it was drawn, with some changed by block id."""
    values = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            initial = block["element"].get("initial_value")
            values[block["block_id"]] = changed.get(block["block_id"], initial)
    return {
        block_id: {block_id.split(":")[0]: {"type": "plain_text_input", "value": value}}
        for block_id, value in values.items()
    }


def test_the_edit_form_renames_and_sets_probabilities_with_errors_beside_fields(
    admin_bot: RunningBot,
) -> None:
    bot = admin_bot
    deal = deal_in(bot, "proposal")
    view = open_form(bot)
    assert view["callback_id"] == PipelineId.SAVE
    stages = {s.key: s for s in bot.services.pipeline.stages(TEAM)}
    name, chance = (
        f"{PipelineId.NAME}:{stages['proposal'].id}",
        f"{PipelineId.PROBABILITY}:{stages['proposal'].id}",
    )
    bad = bot.submit(view, form_values(view, **{name: "", chance: "150%"}))
    errors = bad.json()["errors"]
    assert errors[name] == "Give the stage a name."
    assert "over 100%" in errors[chance]
    assert stage_names(bot)[2] == "Proposal"

    won = f"{PipelineId.NAME}:{stages['won'].id}"
    ok = bot.submit(view, form_values(view, **{name: "Quote", chance: "45%", won: "Closed won"}))
    assert ok.status == 200 and ok.body == ""
    saved = bot.last_response()
    assert ":white_check_mark: Pipeline saved." in saved["text"]
    assert "3. *Quote* · 45% · 1 open deal" in json.dumps(saved["blocks"], ensure_ascii=False)
    assert stage_names(bot)[2] == "Quote" and stage_names(bot)[4] == "Closed won"
    assert bot.services.pipeline.get(TEAM, deal.id).stage_id == stages["proposal"].id


def test_a_rep_pressing_edit_pipeline_is_refused(admin_bot: RunningBot) -> None:
    bot = admin_bot
    card = bot.command("/salesbot", "settings pipeline")  # shown to Alice, pressed by the rep
    element, block_id = find_button(blocks_of(card), PipelineId.EDIT)
    bot.press(element, block_id=block_id, user=REP)
    assert "Only an admin can change the pipeline's stages." in bot.last_response()["text"]
    assert bot.slack.calls_to("views.open") == []


def test_removing_in_the_form_asks_where_the_deals_go_in_a_pushed_form(
    admin_bot: RunningBot,
) -> None:
    bot = admin_bot
    deal = deal_in(bot, "qualification")
    view = open_form(bot)
    stages = {s.key: s for s in bot.services.pipeline.stages(TEAM)}
    # An empty stage goes at once.
    press_in_view(bot, view, PipelineId.REMOVE, str(stages["prospecting"].id))
    (update,) = bot.slack.calls_to("views.update")
    assert "Removed *Prospecting*." in json.dumps(update.args["view"])
    assert "Prospecting" not in stage_names(bot)
    # One with a deal asks first.
    press_in_view(bot, view, PipelineId.REMOVE, str(stages["qualification"].id))
    (pushed,) = bot.slack.calls_to("views.push")
    question = pushed.result["view"]
    assert "*Qualification* holds 1 open deal" in json.dumps(question["blocks"])
    assert "Qualification" in stage_names(bot)
    target = {
        PipelineId.TARGET.value: {
            PipelineId.TARGET.value: {
                "type": "static_select",
                "selected_option": {"value": str(stages["negotiation"].id)},
            }
        }
    }
    done = bot.submit(question, target)
    assert done.status == 200 and done.body == ""
    assert "Qualification" not in stage_names(bot)
    assert bot.services.pipeline.get(TEAM, deal.id).stage_id == stages["negotiation"].id
    redrawn = bot.slack.calls_to("views.update")[-1]
    assert redrawn.args["view_id"] == view["id"]
    assert "Its 1 deal moved to *Negotiation*." in json.dumps(redrawn.args["view"])
    # Add a stage through the pushed add form.
    press_in_view(bot, view, PipelineId.ADD, "add")
    add_form = bot.slack.calls_to("views.push")[-1].result["view"]
    values = text_values()
    values[PipelineId.NEW_NAME.value] = {
        PipelineId.NEW_NAME.value: {"type": "plain_text_input", "value": "Proposal"}
    }
    values[PipelineId.NEW_PROBABILITY.value] = {
        PipelineId.NEW_PROBABILITY.value: {"type": "plain_text_input", "value": "abc"}
    }
    values[PipelineId.NEW_AFTER.value] = {
        PipelineId.NEW_AFTER.value: {"type": "static_select", "selected_option": {"value": "0"}}
    }
    refused = bot.submit(add_form, values).json()["errors"]
    assert "already a stage called Proposal" in refused[PipelineId.NEW_NAME]
    assert "is not a probability" in refused[PipelineId.NEW_PROBABILITY]
    values[PipelineId.NEW_NAME.value][PipelineId.NEW_NAME.value]["value"] = "Lead"
    values[PipelineId.NEW_PROBABILITY.value][PipelineId.NEW_PROBABILITY.value]["value"] = "5%"
    bot.submit(add_form, values)
    assert stage_names(bot)[0] == "Lead"


# --- the real `salesbot serve --http` -------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedBot]:
    from bot.services import build_services
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
        finally:
            services.close()
        yield from start_serving(url, tmp_path)


@pytest.mark.slow
def test_serve_renames_a_stage_and_sets_stale_days(served: ServedBot) -> None:
    reply, _, _ = served.command("/salesbot", "settings pipeline rename Proposal Quote")
    assert reply.status == 200
    assert "Renamed Proposal to *Quote*" in said(reply)
    assert "3. *Quote* · 50% · 0 open deals" in said(reply)
    reply, _, _ = served.command("/salesbot", "settings stale-days 30")
    assert "*Deals are stale after:* 30 days" in said(reply)
    assert max(served.acks) < ACK_LIMIT
    served.slack.assert_no_problems()


def test_stage_names_are_escaped_in_the_notification_text_too(admin_bot: RunningBot) -> None:
    bot = admin_bot
    deal_in(bot, "proposal")
    reply = bot.command("/salesbot", "settings pipeline rename Proposal <!channel> & co")
    assert "<!channel>" not in reply.json()["text"]
    assert "&lt;!channel&gt; &amp; co" in reply.json()["text"]
    asked = bot.command("/salesbot", "settings pipeline remove <!channel> & co")
    assert "<!channel>" not in asked.json()["text"]
    assert "deal" in asked.json()["text"]


# --- `salesbot shell` -----------------------------------------------------------------------------


@pytest.mark.slow
def test_shell_sets_the_sales_channel_renames_a_stage_and_announces_a_win(
    tmp_path: Path,
) -> None:
    from bot.services import build_services
    from storage.migrate import upgrade
    from tests.app.test_cli import ShellSession
    from tests.conftest import make_settings
    from tests.processes import clean_env, sqlite_url

    url = sqlite_url(tmp_path / "shell.db")
    services = build_services(make_settings(url))
    try:
        upgrade(services.engine)
        services.workspaces.ensure("T0LOCAL", "U0LOCAL")  # who the shell acts as (the admin)
        acme = services.customers.create(
            "T0LOCAL", CustomerDraft.from_input(name="Acme Corporation"), actor="U0LOCAL"
        )
        draft = DealDraft.from_input(
            title="Acme renewal",
            customer_id=acme.id,
            amount="48000",
            stage_key="proposal",
            owner_id="U0LOCAL",
            today=services.clock.now().date(),
        )
        services.pipeline.create("T0LOCAL", draft, actor="U0LOCAL")
    finally:
        services.close()
    shell = ShellSession(env=clean_env(DATABASE_URL=url), cwd=tmp_path)
    try:
        shell.read_until(r"Salesbot shell")
        shell.type("/salesbot settings sales-channel <#C0SHELL|wins>")
        saved = shell.read_until(r"^6\. Lost")  # the settings card ends with the stages
        assert "Saved" in saved, saved
        shell.type("/salesbot settings pipeline rename Proposal Offer sent")
        renamed = shell.read_until(r"^6\. Lost")
        assert "Renamed Proposal to Offer sent; its deals stay." in renamed
        assert "3. Offer sent · 50% · 1 open deal" in renamed
        shell.type("/deal won D-1")
        shell.read_until(r"\[\d+\] Edit")
        shell.type("")  # the next tick posts what fell due: the announcement
        announced = shell.read_until(r"Nice work!")
        assert "Deal won! @U0LOCAL closed D-1 Acme renewal with Acme Corporation" in announced
        assert "$48,000.00" in announced
        shell.type("/salesbot settings pipeline remove Negotiation")
        shell.read_until(r"^6\. Lost|^5\. Lost")
        shell.type("quit")
        assert shell.wait() == 0
        assert "Traceback" not in shell.stderr()
    finally:
        shell.kill()
