"""/pipeline forecast through the real app: the numbers equal domain.forecast over the same
deals (worked out by hand below too), and each number says which method it comes from."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from commands.pipeline.views import PipelineAction
from domain import forecast as fc
from domain.money import format_money
from tests.app.test_pipeline_board import build
from tests.conftest import START
from tests.harness import TEAM, RunningBot, find_button

NY = ZoneInfo("America/New_York")
TODAY = date(2026, 3, 2)


def day(days_ago: int) -> date:
    return (START - timedelta(days=days_ago)).astimezone(NY).date()


def histories() -> list[fc.DealHistory]:
    """The deals tests.app.test_pipeline_board.build makes, written out by hand."""

    def deal(
        key: str,
        amount: str,
        created: int,
        visits: tuple[tuple[str, int], ...],
        outcome: fc.Outcome = "open",
        closed: int | None = None,
        close: date | None = None,
    ) -> fc.DealHistory:
        return fc.DealHistory(
            deal_id=key,
            amount=Decimal(amount),
            created_on=day(created),
            stages_visited=tuple((stage, day(ago)) for stage, ago in visits),
            outcome=outcome,
            closed_on=day(closed) if closed is not None else None,
            expected_close=close,
            current_stage=visits[-1][0],
        )

    return [
        deal("A", "1000", 3, (("prospecting", 3),), close=date(2026, 3, 20)),
        deal("B", "2500.5", 3, (("prospecting", 3),)),
        deal("C", "10000", 10, (("proposal", 10),), close=date(2026, 2, 20)),
        deal("D", "4000.25", 2, (("proposal", 2),), close=date(2026, 5, 10)),
        deal(
            "E",
            "8000",
            40,
            (("prospecting", 40), ("qualification", 30), ("negotiation", 20)),
            close=date(2026, 3, 31),
        ),
        deal("F", "5000", 60, (("prospecting", 60), ("proposal", 30), ("won", 10)), "won", 10),
        deal("H", "2000", 20, (("negotiation", 20), ("won", 1)), "won", 1),
        deal("G", "3000", 50, (("prospecting", 50), ("lost", 5)), "lost", 5),
    ]


def shown(message: dict[str, Any]) -> str:
    return (
        message.get("text", "") + "\n" + json.dumps(message.get("blocks", []), ensure_ascii=False)
    )


@pytest.fixture
def forecast_bot(bot: RunningBot) -> RunningBot:
    build(bot.services, TEAM)
    return bot


def test_forecast_numbers_equal_the_domain_forecast_on_the_same_deals(
    forecast_bot: RunningBot,
) -> None:
    bot = forecast_bot
    reply = bot.command("/pipeline", "forecast")
    assert reply.status == 200 and reply.body == ""
    message = bot.last_response()
    text = shown(message)
    month, quarter = (
        fc.forecast(histories(), fc.DEFAULT_STAGES, today=TODAY, period=p)
        for p in ("month", "quarter")
    )
    # By hand: month closed won H 2,000; quarter F + H 7,000. Due by the period's end (or
    # past due): A 1,000 × 10% + C 10,000 × 50% + E 8,000 × 75% = 11,100; B has no date and
    # D is due in May. Only 3 deals closed (< 5), so history uses the configured numbers.
    assert (month.closed_won, quarter.closed_won) == (Decimal("2000"), Decimal("7000"))
    assert month.weighted_pipeline == quarter.weighted_pipeline == Decimal("11100")
    assert (month.history_forecast, quarter.history_forecast) == (
        Decimal("13100"),
        Decimal("18100"),
    )
    assert message["text"] == (
        "Forecast — This month, March 2026: closed won $2,000.00, weighted pipeline "
        "$11,100.00, history forecast $13,100.00; This quarter, Q1 2026: closed won "
        "$7,000.00, weighted pipeline $11,100.00, history forecast $18,100.00."
    )
    for f in (month, quarter):
        for number in (f.closed_won, f.weighted_pipeline, f.history_forecast):
            assert f"*{format_money(number)}*" in text
    assert "_actual_: 1 deal won in the period" in text
    assert "_actual_: 2 deals won in the period" in text
    assert "_configured_: 3 open deals due by 31 Mar (1 past due); 1 with no expected close" in text
    # Stage probabilities: the configured ones, saying why. F and H were won, so passed
    # every stage; G was lost from prospecting.
    assert (
        "Proposal *50%* — _configured_: configured 50%: fewer than 5 closed deals passed "
        "Proposal (2)" in text
    )
    assert "fewer than 5 closed deals passed Prospecting (3)" in text
    # Pace: win rate 2/3, deal size (5,000 + 2,000) / 2, cycle (50 + 19) / 2 days,
    # velocity 5 open × 2/3 × 3,500 / 34.5 = 338.16 a day.
    assert month.win_rate.value == Decimal("0.6667")
    assert month.average_cycle_days.value == Decimal("34.5")
    assert month.sales_velocity.value == Decimal("338.1643")
    assert "Win rate: *66.7%*" in text
    assert "Average deal size: *$3,500.00*" in text
    assert "Average cycle: *34.5 days*" in text
    assert "Sales velocity: *$338.16/day*" in text
    assert month.sales_velocity.explanation in text


def test_forecast_for_one_period_and_from_the_board_button(forecast_bot: RunningBot) -> None:
    bot = forecast_bot
    bot.command("/pipeline", "forecast quarter")
    text = shown(bot.last_response())
    assert "This quarter, Q1 2026" in text and "This month" not in text

    bot.command("/pipeline")
    element, block_id = find_button(bot.last_response()["blocks"], PipelineAction.FORECAST)
    bot.press(element, block_id=block_id)
    text = shown(bot.last_response())
    assert "This month, March 2026" in text and "This quarter, Q1 2026" in text


def test_another_workspaces_deals_never_reach_the_forecast(forecast_bot: RunningBot) -> None:
    forecasts = forecast_bot.services.pipeline_board.forecasts(TEAM)
    assert [f.pipeline_deals for f in forecasts] == [3, 3]
    assert len(forecast_bot.services.pipeline_board.histories(TEAM)[0]) == 8
