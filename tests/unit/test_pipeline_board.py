"""/pipeline without a database: what people type, and the board and forecast blocks."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from slack_sdk.models.blocks import Block

from commands.pipeline import grammar, views
from domain import forecast as fc
from domain.pipeline import Deal, Outcome, Stage
from domain.pipeline_board import Board, StageLine, StaleDeal, weighted_amount

NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
TODAY = NOW.date()


# --- grammar --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "intent"),
    [
        ("", grammar.Board()),
        ("mine", grammar.Board(mine=True)),
        ("ME proposal", grammar.Board(mine=True, stage="proposal")),
        ("<@U0BOB>", grammar.Board(owner_id="U0BOB")),
        ("&lt;@U0BOB&gt; negotiation", grammar.Board(owner_id="U0BOB", stage="negotiation")),
        ("<@U0BOB|Bob Smith> proposal", grammar.Board(owner_id="U0BOB", stage="proposal")),
        ("@U0BOB1", grammar.Board(owner_id="U0BOB1")),
        ("contract sent", grammar.Board(stage="contract sent")),
        ("forecast", grammar.Forecast()),
        ("Forecast quarter", grammar.Forecast(periods=("quarter",))),
        ("forecast this month", grammar.Forecast(periods=("month",))),
        ("help", grammar.Help()),
    ],
)
def test_parse_understands_each_form(typed: str, intent: grammar.Intent) -> None:
    assert grammar.parse(typed) == intent


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("@bob", "I can't tell who “@bob” is"),
        ("<!here>", "I can't tell who “<!here>” is"),
        ("mine <@U0BOB>", "Give one person"),
        ("<@U0A1> <@U0B2>", "Give one person"),
        ("forecast year", "takes `month` or `quarter`"),
        ("x" * 400, "far fewer"),
    ],
)
def test_parse_refuses_what_it_cannot_read(typed: str, says: str) -> None:
    with pytest.raises(grammar.UsageError) as caught:
        grammar.parse(typed)
    assert says in caught.value.message


def test_usage_hint_matches_the_manifest_string() -> None:
    assert grammar.SPEC.usage_hint == "[mine|@user] [stage] | forecast [month|quarter] | help"


# --- the board's blocks ---------------------------------------------------------------------------


def stage(key: str, position: int, probability: str) -> Stage:
    return Stage(
        id=position,
        team_id="T1",
        key=key,
        name=key.capitalize(),
        position=position,
        probability=Decimal(probability),
        outcome=Outcome.OPEN,
    )


def deal(number: int, amount: str, stage_id: int, *, close: date | None = None) -> Deal:
    return Deal(
        id=number,
        team_id="T1",
        number=number,
        title=f"Deal {number} <b>",
        customer_id=1,
        amount=Decimal(amount),
        expected_close=close,
        stage_id=stage_id,
        owner_id="U0BOB",
        status=Outcome.OPEN,
        created_at=NOW - timedelta(days=40),
        updated_at=NOW,
        stage_changed_at=NOW - timedelta(days=30),
        last_activity_at=NOW - timedelta(days=30),
    )


def board(stale_total: int = 40) -> Board:
    prospecting, proposal = stage("prospecting", 1, "0.1"), stage("proposal", 3, "0.5")
    stale = tuple(
        StaleDeal(deal=deal(100 + n, "10", 1), stage_name="Prospecting", idle_days=30)
        for n in range(min(stale_total, 8))
    )
    return Board(
        owner_id=None,
        stage=None,
        lines=(
            StageLine(
                stage=prospecting,
                count=5,
                total=Decimal("1234.5678"),
                weighted=weighted_amount(Decimal("1234.5678"), Decimal("0.1")),
                overdue=0,
                biggest=(deal(1, "900", 1), deal(2, "300", 1, close=date(2026, 2, 1))),
            ),
            StageLine(
                stage=proposal,
                count=0,
                total=Decimal(0),
                weighted=Decimal(0),
                overdue=0,
                biggest=(),
            ),
        ),
        stale=stale,
        stale_total=stale_total,
        stale_days=14,
        today=TODAY,
    )


def dumped(blocks: list[Block]) -> str:
    # to_dict() validates every block against Slack's limits.
    return json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)


def test_weighted_amount_is_exact_then_rounded_half_up() -> None:
    assert weighted_amount(Decimal("1234.5678"), Decimal("0.1")) == Decimal("123.4568")
    assert weighted_amount(Decimal("0.0001"), Decimal("0.5")) == Decimal("0.0001")
    assert weighted_amount(Decimal("4000.25"), Decimal("0.75")) == Decimal("3000.1875")


def test_board_blocks_show_totals_biggest_deals_and_cap_the_stale_list() -> None:
    text = dumped(views.board_blocks(board(), "EUR", chart_note="Chart below."))
    assert "*Prospecting* · 10% · 5 deals · *€1,234.57* · weighted €123.46" in text
    assert "`D-1` Deal 1 &lt;b&gt; — €900.00 · <@U0BOB>" in text  # titles escaped
    assert ":warning: due 1 Feb" in text
    assert "_and 3 more_" in text
    assert "*Proposal* · 50% · no deals" in text
    assert "*Stale* — 40 deals with no activity or stage change in 14+ days" in text
    assert text.count("idle 30 days") == 8
    assert "… and 32 more" in text
    assert "Chart below." in text


def test_board_buttons_carry_the_filter_for_sharing() -> None:
    blocks = views.board_blocks(board(), "USD")
    actions = blocks[-1].to_dict()
    share = actions["elements"][0]
    assert share["action_id"] == views.PipelineAction.SHARE
    assert views.read_share(share["value"]) == (None, None)


def test_forecast_blocks_name_the_method_of_every_number() -> None:
    history = [
        fc.DealHistory(
            deal_id=str(n),
            amount=Decimal(1000),
            created_on=date(2026, 1, 1),
            stages_visited=(("prospecting", date(2026, 1, 1)),),
            outcome="won" if n % 2 else "lost",
            closed_on=date(2026, 2, 1),
            current_stage="won" if n % 2 else "lost",
        )
        for n in range(6)
    ]
    forecasts = [
        fc.forecast(history, fc.DEFAULT_STAGES, today=TODAY, period=p) for p in ("month", "quarter")
    ]
    names = {s.key: s.name for s in fc.DEFAULT_STAGES}
    text = dumped(views.forecast_blocks(forecasts, "USD", names))
    assert "Prospecting *50%* — _history_: from 6 closed deals" in text
    assert "(set: 10%)" in text
    assert "Proposal *50%* — _configured_" in text  # lost deals never reached it: 3 passed
    for method in ("_actual_", "_configured_", "_history_"):
        assert method in text
    assert "Average cycle: *31.0 days*" in text
