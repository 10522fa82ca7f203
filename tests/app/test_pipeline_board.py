"""/pipeline end to end: signed requests into the real app (and a real `salesbot serve
--http` and `salesbot shell`), the board's numbers against a hand-built pipeline, its
filters, stale deals, the chart sent as a PNG, and bad input.

The clock starts Monday 2 March 2026, 15:30 UTC (10:30 in New York, the workspace's zone).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.services import Services, build_services
from commands.pipeline.views import PipelineAction
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.pipeline import Deal, DealDraft, PipelineService
from tests.app.test_cli import ShellSession
from tests.conftest import START, make_settings
from tests.harness import CHANNEL, TEAM, USER, Reply, RunningBot, find_button
from tests.processes import ACK_LIMIT, clean_env, sqlite_url
from tests.served import BACKENDS, ServedBot, fresh_database, start_serving

ALICE = USER  # first seen, so the workspace's admin
BOB = "U0BOB"
OTHER_TEAM = "T0OTHER"
PNG = b"\x89PNG\r\n\x1a\n"

# --- the hand-built pipeline ----------------------------------------------------------------------


@dataclass
class Dataset:
    deals: dict[str, Deal]
    now: datetime


def build(services: Services, team: str) -> Dataset:
    """Open deals (amount, stage, owner, created / last moved, expected close):

    A  1,000.0000    prospecting    Alice  3 days ago                  close 2026-03-20
    B  2,500.5000    prospecting    Bob    3 days ago                  no close date
    C 10,000.0000    proposal       Alice  10 days ago                 close 2026-02-20 (overdue)
    D  4,000.2500    proposal       Bob    2 days ago                  close 2026-05-10
    E  8,000.0000    negotiation    Bob    40 days ago, moved 30 and 20 days ago  close 2026-03-31
    Closed: F 5,000 won 10 days ago (2026-02-20), H 2,000 won 1 day ago (2026-03-01),
    G 3,000 lost 5 days ago. In another workspace: X 99,999 in prospecting (never counted).

    Board: prospecting 2 deals 3,500.50 → weighted ×10% 350.05; qualification none;
    proposal 2 deals 14,000.25 → ×50% 7,000.125; negotiation 1 deal 8,000 → ×75% 6,000.
    All: 5 deals, 25,500.75, weighted 13,350.175 ($13,350.18); 1 overdue (C).
    Stale at 14 days: E (idle 20 days); at 7 days: E and C (idle 10 days).
    """
    now = services.clock.now()
    services.workspaces.ensure(team, ALICE)
    alice = services.workspaces.ensure(team, ALICE)[1]
    bob = services.workspaces.ensure(team, BOB)[1]
    assert alice is not None and bob is not None
    customer = services.customers.create(
        team, CustomerDraft.from_input(name="Acme Retail"), actor=ALICE
    )
    users = {ALICE: alice, BOB: bob}

    def deal(
        key: str,
        amount: str,
        owner: str,
        days_ago: float,
        *,
        stage: str = "prospecting",
        close: date | None = None,
        moves: tuple[tuple[float, str], ...] = (),
        reason: str | None = None,
    ) -> Deal:
        clock = FrozenClock(now - timedelta(days=days_ago))
        draft = DealDraft(
            title=f"Deal {key}",
            customer_id=customer.id,
            amount=Decimal(amount),
            expected_close=close,
            stage_key=stage,
            owner_id=owner,
        )
        made = PipelineService(services.uow_factory, clock).create(team, draft, actor=owner)
        for moved_ago, to in moves:
            clock.set(now - timedelta(days=moved_ago))
            made = PipelineService(services.uow_factory, clock).move(
                team, made.id, to, actor=users[owner], reason=reason if to == "lost" else None
            )
        return made

    deals = {
        "A": deal("A", "1000", ALICE, 3, close=date(2026, 3, 20)),
        "B": deal("B", "2500.5", BOB, 3),
        "C": deal("C", "10000", ALICE, 10, stage="proposal", close=date(2026, 2, 20)),
        "D": deal("D", "4000.25", BOB, 2, stage="proposal", close=date(2026, 5, 10)),
        "E": deal(
            "E",
            "8000",
            BOB,
            40,
            close=date(2026, 3, 31),
            moves=((30, "qualification"), (20, "negotiation")),
        ),
        "F": deal("F", "5000", ALICE, 60, moves=((30, "proposal"), (10, "won"))),
        "H": deal("H", "2000", BOB, 20, stage="negotiation", moves=((1, "won"),)),
        "G": deal("G", "3000", ALICE, 50, moves=((5, "lost"),), reason="Budget cut"),
    }
    services.workspaces.ensure(OTHER_TEAM, ALICE)
    other_customer = services.customers.create(
        OTHER_TEAM, CustomerDraft.from_input(name="Elsewhere Inc"), actor=ALICE
    )
    PipelineService(services.uow_factory, FrozenClock(now - timedelta(days=30))).create(
        OTHER_TEAM,
        DealDraft(
            title="Other workspace's deal",
            customer_id=other_customer.id,
            amount=Decimal("99999"),
            owner_id=ALICE,
            expected_close=date(2026, 3, 15),
        ),
        actor=ALICE,
    )
    return Dataset(deals=deals, now=now)


# --- helpers --------------------------------------------------------------------------------------


def shown(message: dict[str, Any]) -> str:
    """A message's fallback text and blocks, as the person would search them."""
    return (
        message.get("text", "") + "\n" + json.dumps(message.get("blocks", []), ensure_ascii=False)
    )


def raw_command(bot: RunningBot, text: str, *, user: str = USER) -> Reply:
    """/pipeline with `text` exactly as Slack sends it (mentions as <@U…|name>)."""
    from urllib.parse import parse_qsl, urlencode

    from bot import payloads

    body = payloads.slash_command(
        "/pipeline",
        "",
        team_id=TEAM,
        user_id=user,
        channel_id=CHANNEL,
        response_url=bot.slack.response_url(),
    )
    fields = dict(parse_qsl(body, keep_blank_values=True))
    fields["text"] = text
    reply = bot.post(urlencode(fields))
    bot.settle()
    return reply


def uploads(bot: RunningBot) -> list[dict[str, Any]]:
    return [c.args for c in bot.slack.calls_to("files.completeUploadExternal")]


@pytest.fixture
def pipeline_bot(bot: RunningBot) -> RunningBot:
    build(bot.services, TEAM)
    return bot


# --- the board ------------------------------------------------------------------------------------


def test_board_sums_each_stage_and_weights_it_by_the_stage_probability(
    pipeline_bot: RunningBot,
) -> None:
    bot = pipeline_bot
    reply = bot.command("/pipeline")
    assert reply.status == 200 and reply.body == ""  # acked at once; the board follows
    board = bot.last_response()
    assert board["response_type"] == "ephemeral"
    assert board["text"] == "Pipeline: 5 open deals, $25,500.75 total, $13,350.18 weighted."
    text = shown(board)
    assert "*Pipeline* — *5* open deals · total *$25,500.75* · weighted *$13,350.18*" in text
    assert ":warning: 1 past their expected close date" in text
    assert "*Prospecting* · 10% · 2 deals · *$3,500.50* · weighted $350.05" in text
    assert "*Qualification* · 20% · no deals" in text
    assert "*Proposal* · 50% · 2 deals · *$14,000.25* · weighted $7,000.13 · 1 overdue" in text
    assert "*Negotiation* · 75% · 1 deal · *$8,000.00* · weighted $6,000.00" in text
    # The biggest first within a stage, the overdue one flagged, with owners.
    c_line = "`D-3` Deal C — $10,000.00 · <@U0ALICE> · :warning: due 20 Feb"
    d_line = "`D-4` Deal D — $4,000.25 · <@U0BOB>"
    assert c_line in text and d_line in text and text.index(c_line) < text.index(d_line)
    # Closed deals and the other workspace's deal are not on the board.
    for absent in ("Deal F", "Deal G", "Deal H", "99,999", "Other workspace"):
        assert absent not in text


def test_the_chart_goes_to_the_askers_dm_as_a_png(pipeline_bot: RunningBot) -> None:
    bot = pipeline_bot
    bot.command("/pipeline")
    assert "The chart follows in your DM with Salesbot." in shown(bot.last_response())
    [upload] = uploads(bot)
    assert upload["channel_id"] == f"D{USER}"  # the DM conversations.open gave
    assert upload["initial_comment"].startswith("Pipeline: 5 open deals")
    [file] = upload["files"]
    assert bot.slack.file_bytes(file["id"]).startswith(PNG)
    assert not bot.slack.calls_to("chat.postMessage")  # nothing posted in the channel


def test_share_posts_the_chart_in_the_channel_it_was_pressed_in(pipeline_bot: RunningBot) -> None:
    bot = pipeline_bot
    bot.command("/pipeline", "proposal")
    element, block_id = find_button(bot.last_response()["blocks"], PipelineAction.SHARE)
    bot.press(element, block_id=block_id)
    dm, shared = uploads(bot)
    assert dm["channel_id"] == f"D{USER}"
    assert shared["channel_id"] == CHANNEL
    assert shared["initial_comment"] == (
        f"<@{USER}> shared Pipeline · Proposal: 2 open deals, $14,000.25 total, $7,000.13 weighted."
    )
    assert bot.slack.file_bytes(shared["files"][0]["id"]).startswith(PNG)


def test_mine_a_mention_and_a_stage_filter_the_board(pipeline_bot: RunningBot) -> None:
    bot = pipeline_bot
    cases = {
        "mine": "Your pipeline: 2 open deals, $11,000.00 total, $5,100.00 weighted.",
        "<@U0BOB>": "<@U0BOB>'s pipeline: 3 open deals, $14,500.75 total, $8,250.18 weighted.",
        "proposal": "Pipeline · Proposal: 2 open deals, $14,000.25 total, $7,000.13 weighted.",
        "mine Proposal": (
            "Your pipeline · Proposal: 1 open deal, $10,000.00 total, $5,000.00 weighted."
        ),
    }
    for typed, expected in cases.items():
        bot.command("/pipeline", typed)
        assert bot.last_response()["text"] == expected, typed
    # As Slack sends a mention picked from the menu, with the stage first.
    raw_command(bot, "negotiation <@U0BOB|bob>")
    board = bot.last_response()
    assert board["text"] == (
        "<@U0BOB>'s pipeline · Negotiation: 1 open deal, $8,000.00 total, $6,000.00 weighted."
    )
    assert "Prospecting" not in shown(board)


def test_stale_deals_are_flagged_with_owners_per_the_workspace_setting(
    pipeline_bot: RunningBot,
) -> None:
    bot = pipeline_bot
    bot.command("/pipeline")
    text = shown(bot.last_response())
    assert ":hourglass: *Stale* — 1 deal with no activity or stage change in 14+ days:" in text
    assert "• `D-5` Deal E — Negotiation, idle 20 days · <@U0BOB>" in text

    alice = bot.services.workspaces.ensure(TEAM, ALICE)[1]
    bot.services.workspaces.change_settings(TEAM, alice, stale_deal_days="7")
    bot.command("/pipeline")
    text = shown(bot.last_response())
    assert "*Stale* — 2 deals with no activity or stage change in 7+ days:" in text
    e_line = "`D-5` Deal E — Negotiation, idle 20 days · <@U0BOB>"
    c_line = "`D-3` Deal C — Proposal, idle 10 days · <@U0ALICE>"
    assert text.index(e_line) < text.index(c_line)  # the longest idle first

    bot.services.workspaces.change_settings(TEAM, alice, stale_deal_days="25")
    bot.command("/pipeline")
    assert "No stale deals: every open deal moved in the last 25 days." in shown(
        bot.last_response()
    )


def test_bad_input_gets_a_clear_message_and_nothing_else(pipeline_bot: RunningBot) -> None:
    bot = pipeline_bot
    acked = {
        "@bob": "I can't tell who “@bob” is: pick the person from Slack's @ menu",
        "mine <@U0BOB>": "Give one person: `mine`, or one @mention",
        "forecast year": "`/pipeline forecast` takes `month` or `quarter`",
    }
    for typed, expected in acked.items():
        reply = bot.command("/pipeline", typed)
        assert reply.status == 200 and expected in reply.text, typed
        assert "/pipeline mine" in reply.text  # and the usage
    answered = {
        "negotiations": (
            "There is no stage “negotiations”: pick one of Prospecting, Qualification, "
            "Proposal, Negotiation."
        ),
        "won": "Won is a closed stage and the board shows open deals",
    }
    for typed, expected in answered.items():
        bot.command("/pipeline", typed)
        assert expected in shown(bot.last_response()), typed
    assert not uploads(bot)


def test_an_empty_pipeline_says_so_and_sends_no_chart(bot: RunningBot) -> None:
    bot.command("/pipeline")
    board = bot.last_response()
    assert board["text"] == "Pipeline: no open deals."
    assert "`/deal new` adds one" in shown(board)
    assert not uploads(bot)


# --- `salesbot serve --http` and `salesbot shell` -------------------------------------------------


@pytest.fixture(params=BACKENDS)
def served_pipeline(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedBot]:
    with fresh_database(request.param, tmp_path) as url:
        served = start_serving(url, tmp_path)
        first = next(served)  # migrated by the CLI, serving
        services = build_services(make_settings(url), clock=FrozenClock(datetime.now(START.tzinfo)))
        try:
            build(services, TEAM)
        finally:
            services.close()
        yield first
        next(served, None)


@pytest.mark.slow
def test_serve_answers_the_board_and_uploads_the_chart(served_pipeline: ServedBot) -> None:
    served = served_pipeline
    reply, _, key = served.command("/pipeline")
    assert reply.status == 200 and reply.body == ""
    board = served.posted_to(key)
    assert board["text"] == "Pipeline: 5 open deals, $25,500.75 total, $13,350.18 weighted."
    [upload] = served.slack.wait_for("files.completeUploadExternal", timeout=20)
    assert served.slack.file_bytes(upload.args["files"][0]["id"]).startswith(PNG)
    reply, _, key = served.command("/pipeline", "@nobody")
    assert "I can't tell who “@nobody” is" in reply.text
    assert max(served.acks) < ACK_LIMIT
    served.slack.assert_no_problems()


@pytest.mark.slow
def test_shell_shows_the_board_and_writes_the_chart(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "shell.db"))
    shell = ShellSession("--demo", env=env, cwd=tmp_path)
    try:
        shell.read_until(r"Salesbot shell", timeout=180)
        shell.type("/pipeline")
        out = shell.read_until(r"^\[file\] Pipeline by stage")
        assert re.search(r"Pipeline — \d+ open deals · total \$[\d,]+\.\d\d", out), out
        assert "Stale" in out and "Negotiation" in out
        [chart] = list((tmp_path / "charts").iterdir())
        assert chart.suffix == ".png" and chart.read_bytes().startswith(PNG)
        shell.type("/pipeline forecast")
        out = shell.read_until(r"Sales velocity")
        assert "History forecast" in out and "history: from" in out
        shell.type("quit")
        assert shell.wait() == 0
        assert "Traceback" not in shell.stderr()
    finally:
        shell.kill()
