"""Forecast and stage probabilities, checked against numbers worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.forecast import (
    DEFAULT_STAGES,
    DealHistory,
    StageDef,
    forecast,
    observed_probabilities,
    period_bounds,
)

D = Decimal
TODAY = date(2024, 5, 15)  # May 2024; Q2 is 1 Apr – 30 Jun


def deal(
    deal_id: str,
    amount: str,
    visited: list[tuple[str, date]],
    *,
    outcome: str = "open",
    expected: date | None = None,
) -> DealHistory:
    """A deal created at its first stage, now at its last; closed then when that is won/lost."""
    closed_on = visited[-1][1] if outcome != "open" else None
    return DealHistory.model_validate(
        {
            "deal_id": deal_id,
            "amount": D(amount),
            "created_on": visited[0][1],
            "stages_visited": visited,
            "outcome": outcome,
            "closed_on": closed_on,
            "expected_close": expected,
            "current_stage": visited[-1][0],
        }
    )


# The worked example. Default stages: prospecting 10%, qualification 20%, proposal 50%,
# negotiation 75%, won 100%, lost 0%.
#
# Closed deals (cycle = created_on → closed_on):
#   D1 won  1000  prospecting → qualification → proposal → negotiation → won
#                 created 2024-01-01, closed 2024-03-01: 31 + 29 (leap Feb) = 60 days
#   D2 won  2000  created at qualification → proposal → won
#                 created 2024-03-01, closed 2024-05-10: 31 + 30 + 9 = 70 days
#   D3 won  3000  created at negotiation (skipped the first three) → won
#                 created 2024-04-01, closed 2024-04-21: 20 days
#   D4 lost  500  prospecting → qualification → lost, closed 2024-02-09
#   D5 lost  800  prospecting → proposal (skipped qualification) → lost, closed 2024-04-05
#   D6 lost  400  prospecting → lost, closed 2023-03-01 (over a year ago)
#
# Passing (a deal passed every open stage up to the furthest it reached; won deals all of them):
#   prospecting    D1 D2 D3 D4 D5 D6  → 6 deals, 3 won → 0.5    (6 >= 5: history)
#   qualification  D1 D2 D3 D4 D5     → 5 deals, 3 won → 0.6    (5 >= 5: history; D5 skipped it)
#   proposal       D1 D2 D3 D5        → 4 deals, 3 won → 0.75   (4 < 5: configured 0.5)
#   negotiation    D1 D2 D3           → 3 deals, 3 won → 1      (3 < 5: configured 0.75)
#
# Open deals:
#   O1  600  at proposal,     expected 2024-05-20 (in May and Q2)
#   O2 1000  at negotiation,  expected 2024-06-15 (in Q2, not May)
#   O3 2000  at qualification, expected 2024-03-31 (past due: counts in the current period)
#   O4 5000  at prospecting,  no expected close (left out)
#   O5 4000  at negotiation,  expected 2024-07-01 (next quarter, left out)
CLOSED = [
    deal(
        "D1",
        "1000",
        [
            ("prospecting", date(2024, 1, 1)),
            ("qualification", date(2024, 1, 10)),
            ("proposal", date(2024, 1, 20)),
            ("negotiation", date(2024, 2, 1)),
            ("won", date(2024, 3, 1)),
        ],
        outcome="won",
    ),
    deal(
        "D2",
        "2000",
        [
            ("qualification", date(2024, 3, 1)),
            ("proposal", date(2024, 4, 1)),
            ("won", date(2024, 5, 10)),
        ],
        outcome="won",
    ),
    deal(
        "D3",
        "3000",
        [("negotiation", date(2024, 4, 1)), ("won", date(2024, 4, 21))],
        outcome="won",
    ),
    deal(
        "D4",
        "500",
        [
            ("prospecting", date(2024, 1, 10)),
            ("qualification", date(2024, 1, 20)),
            ("lost", date(2024, 2, 9)),
        ],
        outcome="lost",
    ),
    deal(
        "D5",
        "800",
        [
            ("prospecting", date(2024, 2, 1)),
            ("proposal", date(2024, 3, 1)),
            ("lost", date(2024, 4, 5)),
        ],
        outcome="lost",
    ),
    deal(
        "D6",
        "400",
        [("prospecting", date(2023, 2, 1)), ("lost", date(2023, 3, 1))],
        outcome="lost",
    ),
]
OPEN = [
    deal("O1", "600", [("proposal", date(2024, 4, 1))], expected=date(2024, 5, 20)),
    deal("O2", "1000", [("negotiation", date(2024, 4, 1))], expected=date(2024, 6, 15)),
    deal(
        "O3",
        "2000",
        [("prospecting", date(2024, 1, 15)), ("qualification", date(2024, 2, 1))],
        expected=date(2024, 3, 31),
    ),
    deal("O4", "5000", [("prospecting", date(2024, 5, 1))]),
    deal("O5", "4000", [("negotiation", date(2024, 5, 1))], expected=date(2024, 7, 1)),
]
ALL = CLOSED + OPEN


# --- observed probabilities -------------------------------------------------------------------


def test_observed_probabilities_worked_example() -> None:
    probs = observed_probabilities(ALL, DEFAULT_STAGES)
    assert list(probs) == ["prospecting", "qualification", "proposal", "negotiation"]
    got = {k: (p.deals, p.won, p.observed, p.used, p.method) for k, p in probs.items()}
    assert got == {
        "prospecting": (6, 3, D("0.5000"), D("0.5000"), "history"),
        "qualification": (5, 3, D("0.6000"), D("0.6000"), "history"),
        "proposal": (4, 3, D("0.7500"), D("0.50"), "configured"),
        "negotiation": (3, 3, D("1.0000"), D("0.75"), "configured"),
    }


def test_explanations_say_where_each_probability_comes_from() -> None:
    probs = observed_probabilities(ALL, DEFAULT_STAGES)
    assert probs["prospecting"].explanation == (
        "from 6 closed deals that passed Prospecting: 3 won"
    )
    assert probs["proposal"].explanation == (
        "configured 50%: fewer than 5 closed deals passed Proposal (4)"
    )


def test_skipping_a_stage_counts_as_passing_it() -> None:
    # D5 went prospecting → proposal → lost: it passed qualification too.
    probs = observed_probabilities([CLOSED[4]], DEFAULT_STAGES, min_deals=1)
    assert {k: p.deals for k, p in probs.items()} == {
        "prospecting": 1,
        "qualification": 1,
        "proposal": 1,
        "negotiation": 0,
    }
    # D3 was created at negotiation and won: it passed every open stage.
    probs = observed_probabilities([CLOSED[2]], DEFAULT_STAGES, min_deals=1)
    assert all(p.deals == 1 and p.won == 1 for p in probs.values())


def test_min_deals_is_inclusive() -> None:
    # Proposal was passed by 4 closed deals: min_deals=4 uses history, 5 does not.
    assert observed_probabilities(ALL, DEFAULT_STAGES, min_deals=4)["proposal"].method == "history"
    assert observed_probabilities(ALL, DEFAULT_STAGES, min_deals=5)["proposal"].method == (
        "configured"
    )


def test_no_deals_falls_back_to_configured() -> None:
    probs = observed_probabilities([], DEFAULT_STAGES)
    for stage in DEFAULT_STAGES[:4]:
        p = probs[stage.key]
        assert (p.observed, p.deals, p.won, p.used, p.method) == (
            None,
            0,
            0,
            stage.probability,
            "configured",
        )


def test_open_deals_do_not_count() -> None:
    probs = observed_probabilities(OPEN, DEFAULT_STAGES, min_deals=1)
    assert all(p.deals == 0 for p in probs.values())


def test_observed_share_is_rounded_half_up_to_four_places() -> None:
    # 1 won of 3 passed = 0.33333… → 0.3333; 2 of 3 = 0.66666… → 0.6667.
    lost = [
        deal(f"L{i}", "1", [("prospecting", TODAY), ("lost", TODAY)], outcome="lost")
        for i in (1, 2)
    ]
    won = deal("W", "1", [("prospecting", TODAY), ("won", TODAY)], outcome="won")
    assert observed_probabilities([won, *lost], DEFAULT_STAGES)["prospecting"].observed == D(
        "0.3333"
    )
    assert observed_probabilities([won, won, lost[0]], DEFAULT_STAGES)["prospecting"].observed == (
        D("0.6667")
    )


def test_unknown_visited_stages_are_ignored() -> None:
    # A stage since removed from the configuration has no place in the pipeline order.
    d = deal("X", "1", [("demo", date(2024, 1, 1)), ("lost", date(2024, 1, 2))], outcome="lost")
    probs = observed_probabilities([d], DEFAULT_STAGES, min_deals=1)
    assert all(p.deals == 0 for p in probs.values())


def test_min_deals_must_be_positive() -> None:
    with pytest.raises(ValueError, match="min_deals"):
        observed_probabilities([], DEFAULT_STAGES, min_deals=0)


# --- forecast ---------------------------------------------------------------------------------


def test_quarter_forecast_worked_example() -> None:
    f = forecast(ALL, DEFAULT_STAGES, today=TODAY, period="quarter")
    assert (f.period_start, f.period_end) == (date(2024, 4, 1), date(2024, 6, 30))
    # Won in Q2: D2 (10 May) 2000 + D3 (21 Apr) 3000; D1 closed in March.
    assert (f.closed_won, f.closed_won_deals) == (D("5000.0000"), 2)
    # O1, O2 due in Q2, O3 past due; O4 undated, O5 next quarter.
    assert (f.pipeline_deals, f.past_due_deals, f.undated_deals) == (3, 1, 1)
    # Configured: 600 × 0.5 + 1000 × 0.75 + 2000 × 0.2 = 300 + 750 + 400 = 1450.
    assert f.weighted_pipeline == D("1450.0000")
    # Used: proposal configured 0.5, negotiation configured 0.75, qualification history 0.6:
    # 300 + 750 + 2000 × 0.6 = 2250; plus closed won 5000 = 7250.
    assert f.history_pipeline == D("2250.0000")
    assert f.history_forecast == D("7250.0000")


def test_month_forecast_worked_example() -> None:
    f = forecast(ALL, DEFAULT_STAGES, today=TODAY, period="month")
    assert (f.period_start, f.period_end) == (date(2024, 5, 1), date(2024, 5, 31))
    # Won in May: D2 2000. Pipeline: O1 (20 May) and O3 (past due); O2 is due in June.
    assert (f.closed_won, f.pipeline_deals, f.past_due_deals) == (D("2000.0000"), 2, 1)
    assert f.weighted_pipeline == D("700.0000")  # 300 + 400
    assert f.history_pipeline == D("1500.0000")  # 300 + 1200
    assert f.history_forecast == D("3500.0000")  # 2000 + 1500


def test_history_forecast_follows_min_deals() -> None:
    # With min_deals=3 proposal (0.75) and negotiation (1) use history too:
    # 600 × 0.75 + 1000 × 1 + 2000 × 0.6 = 450 + 1000 + 1200 = 2650; + 5000 = 7650.
    f = forecast(ALL, DEFAULT_STAGES, today=TODAY, period="quarter", min_deals=3)
    assert f.weighted_pipeline == D("1450.0000")  # configured, unchanged
    assert f.history_forecast == D("7650.0000")


def test_metrics_worked_example() -> None:
    f = forecast(ALL, DEFAULT_STAGES, today=TODAY, period="quarter")
    # Closed in the 365 days to 2024-05-15 (from 2023-05-17): D1–D5; D6 (2023-03-01) is older.
    # Win rate 3 / 5 = 0.6. Average won size (1000 + 2000 + 3000) / 3 = 2000.
    # Average cycle (60 + 70 + 20) / 3 = 50 days.
    # Velocity: 5 open deals × 0.6 × 2000 / 50 = 120 per day.
    assert f.win_rate.value == D("0.6000")
    assert f.average_deal_size.value == D("2000.0000")
    assert f.average_cycle_days.value == D("50.0000")
    assert f.sales_velocity.value == D("120.0000")
    assert f.win_rate.explanation == "from 5 closed deals in the 365 days to 2024-05-15: 3 won"
    assert f.sales_velocity.explanation == (
        "5 open deals × win rate 0.6000 × average deal size 2000.0000 / average cycle 50.0000 days"
    )


def test_forecast_explanation_names_its_sources() -> None:
    f = forecast(ALL, DEFAULT_STAGES, today=TODAY, period="quarter")
    lines = f.explanation.splitlines()
    assert lines[0] == "2024-Q2: closed won 5000.0000 from 2 deals closed in the period."
    assert lines[1] == (
        "Weighted pipeline 1450.0000 from 3 open deals due by 2024-06-30 (1 past due);"
        " 1 with no expected close left out, at configured stage probabilities."
    )
    assert "Proposal 50% (configured 50%: fewer than 5 closed deals passed Proposal (4))." in lines


def test_metrics_window_is_365_days_including_today() -> None:
    # 2024-05-15 − 364 days = 2023-05-17 is in; 2023-05-16 is out.
    inside = deal(
        "in", "10", [("prospecting", date(2023, 5, 1)), ("won", date(2023, 5, 17))], outcome="won"
    )
    outside = deal(
        "out",
        "10",
        [("prospecting", date(2023, 5, 1)), ("lost", date(2023, 5, 16))],
        outcome="lost",
    )
    future = deal(
        "fut",
        "10",
        [("prospecting", date(2024, 5, 1)), ("lost", date(2024, 5, 16))],
        outcome="lost",
    )
    f = forecast([inside, outside, future], DEFAULT_STAGES, today=TODAY, period="month")
    assert f.win_rate.value == D("1.0000")


def test_no_deals() -> None:
    f = forecast([], DEFAULT_STAGES, today=TODAY, period="quarter")
    assert (f.closed_won, f.weighted_pipeline, f.history_pipeline, f.history_forecast) == (
        D("0.0000"),
        D("0.0000"),
        D("0.0000"),
        D("0.0000"),
    )
    assert (f.closed_won_deals, f.pipeline_deals, f.past_due_deals, f.undated_deals) == (0, 0, 0, 0)
    for m in (f.win_rate, f.average_deal_size, f.average_cycle_days, f.sales_velocity):
        assert m.value is None
        assert m.explanation == "undefined: no deals closed in the 365 days to 2024-05-15"
    assert all(p.method == "configured" for p in f.stage_probabilities.values())


def test_all_open() -> None:
    f = forecast(OPEN, DEFAULT_STAGES, today=TODAY, period="quarter")
    assert f.closed_won == D("0.0000")
    assert f.weighted_pipeline == D("1450.0000")
    # Nothing closed, so every stage is configured and both pipelines agree.
    assert f.history_pipeline == f.weighted_pipeline
    assert f.win_rate.value is None
    assert f.sales_velocity.value is None


def test_only_lost_deals_give_a_zero_win_rate_and_no_averages() -> None:
    f = forecast([CLOSED[3], *OPEN], DEFAULT_STAGES, today=TODAY, period="quarter")
    assert f.win_rate.value == D("0.0000")
    assert f.average_deal_size.value is None
    assert (
        f.average_deal_size.explanation == "undefined: no deals won in the 365 days to 2024-05-15"
    )
    assert f.sales_velocity.value is None


def test_same_day_wins_leave_velocity_undefined() -> None:
    w = deal("W", "100", [("prospecting", TODAY), ("won", TODAY)], outcome="won")
    f = forecast([w, OPEN[0]], DEFAULT_STAGES, today=TODAY, period="month")
    assert f.average_cycle_days.value == D("0.0000")
    assert f.sales_velocity.value is None
    assert "closed the day it was created" in f.sales_velocity.explanation


def test_money_is_rounded_to_four_places_half_up() -> None:
    # 333.3333 × 0.75 = 249.999975 and 0.0001 × 0.5 = 0.00005 would round to 250.0000 and
    # 0.0001 one at a time (250.0001), but the sum is rounded once: 250.000025 → 250.0000.
    a = deal("A", "333.3333", [("negotiation", TODAY)], expected=TODAY)
    b = deal("B", "0.0001", [("proposal", TODAY)], expected=TODAY)
    f = forecast([a, b], DEFAULT_STAGES, today=TODAY, period="month")
    assert f.weighted_pipeline == D("250.0000")
    assert forecast([b], DEFAULT_STAGES, today=TODAY, period="month").weighted_pipeline == D(
        "0.0001"
    )


def test_won_on_the_period_edges() -> None:
    def won_on(day: date) -> DealHistory:
        return deal("W", "100", [("prospecting", date(2024, 1, 1)), ("won", day)], outcome="won")

    deals = [won_on(date(2024, 3, 31)), won_on(date(2024, 4, 1)), won_on(date(2024, 6, 30))]
    deals.append(won_on(date(2024, 7, 1)))
    assert forecast(deals, DEFAULT_STAGES, today=TODAY, period="quarter").closed_won == D(
        "200.0000"
    )
    # On 31 March the quarter is Q1 and the month March: only the 31 March win counts.
    q1 = forecast(deals, DEFAULT_STAGES, today=date(2024, 3, 31), period="quarter")
    assert (q1.period_start, q1.closed_won) == (date(2024, 1, 1), D("100.0000"))


def test_expected_close_on_the_period_edges() -> None:
    # Due 30 Apr: in April, past due in May. Due 1 May: next month from April.
    apr30 = deal("A", "100", [("proposal", date(2024, 4, 1))], expected=date(2024, 4, 30))
    may1 = deal("B", "100", [("proposal", date(2024, 4, 1))], expected=date(2024, 5, 1))
    april = forecast([apr30, may1], DEFAULT_STAGES, today=date(2024, 4, 30), period="month")
    assert (april.pipeline_deals, april.past_due_deals) == (1, 0)
    may = forecast([apr30, may1], DEFAULT_STAGES, today=date(2024, 5, 1), period="month")
    assert (may.pipeline_deals, may.past_due_deals) == (2, 1)


@pytest.mark.parametrize(
    ("today", "period", "bounds"),
    [
        (date(2024, 2, 10), "month", (date(2024, 2, 1), date(2024, 2, 29))),  # leap year
        (date(2023, 2, 10), "month", (date(2023, 2, 1), date(2023, 2, 28))),
        (date(2024, 12, 31), "month", (date(2024, 12, 1), date(2024, 12, 31))),
        (date(2024, 1, 1), "quarter", (date(2024, 1, 1), date(2024, 3, 31))),
        (date(2024, 3, 31), "quarter", (date(2024, 1, 1), date(2024, 3, 31))),
        (date(2024, 4, 1), "quarter", (date(2024, 4, 1), date(2024, 6, 30))),
        (date(2024, 9, 30), "quarter", (date(2024, 7, 1), date(2024, 9, 30))),
        (date(2024, 11, 15), "quarter", (date(2024, 10, 1), date(2024, 12, 31))),
    ],
)
def test_period_bounds(today: date, period: str, bounds: tuple[date, date]) -> None:
    assert period_bounds(today, period) == bounds  # type: ignore[arg-type]


def test_month_label() -> None:
    f = forecast([], DEFAULT_STAGES, today=date(2024, 2, 10), period="month")
    assert f.explanation.startswith("2024-02: closed won 0.0000")


# --- validation -------------------------------------------------------------------------------


def test_bad_stage_probability() -> None:
    with pytest.raises(ValidationError, match="between 0 and 1"):
        StageDef(key="x", name="X", position=1, probability=D("1.5"))


def test_closed_deal_needs_closed_on() -> None:
    with pytest.raises(ValidationError, match="no closed_on"):
        DealHistory(
            deal_id="x",
            amount=D(1),
            created_on=TODAY,
            stages_visited=(("won", TODAY),),
            outcome="won",
            current_stage="won",
        )


def test_negative_amount_and_empty_history_are_refused() -> None:
    with pytest.raises(ValidationError, match="0 or more"):
        deal("x", "-1", [("proposal", TODAY)])
    with pytest.raises(ValidationError, match="no stages"):
        DealHistory(
            deal_id="x",
            amount=D(1),
            created_on=TODAY,
            stages_visited=(),
            outcome="open",
            current_stage="proposal",
        )


def test_open_deal_must_be_at_an_open_stage() -> None:
    for stage in ("demo", "won"):
        d = deal("x", "1", [(stage, TODAY)], expected=TODAY)
        with pytest.raises(ValueError, match="not an open stage"):
            forecast([d], DEFAULT_STAGES, today=TODAY, period="month")


def test_duplicate_stages_are_refused() -> None:
    with pytest.raises(ValueError, match="defined twice"):
        observed_probabilities([], [*DEFAULT_STAGES, DEFAULT_STAGES[0]])
    clash = StageDef(key="demo", name="Demo", position=1, probability=D("0.3"))
    with pytest.raises(ValueError, match="share position"):
        observed_probabilities([], [*DEFAULT_STAGES, clash])


# --- properties -------------------------------------------------------------------------------

_open_deals = st.lists(
    st.builds(
        lambda i, amount, stage, offset: deal(
            f"o{i}",
            str(amount),
            [(stage, TODAY)],
            expected=TODAY + timedelta(days=offset),
        ),
        st.integers(0, 10**6),
        st.decimals(min_value=0, max_value=10**6, places=4),
        st.sampled_from(["prospecting", "qualification", "proposal", "negotiation"]),
        st.integers(-400, 400),
    ),
    max_size=12,
)


@given(_open_deals)
def test_weighted_pipeline_is_between_zero_and_the_dated_pipeline(deals: list[DealHistory]) -> None:
    f = forecast(deals, DEFAULT_STAGES, today=TODAY, period="quarter")
    counted = [d for d in deals if d.expected_close and d.expected_close <= f.period_end]
    assert f.pipeline_deals == len(counted)
    assert D(0) <= f.weighted_pipeline <= sum((d.amount for d in counted), D(0))
    # No closed deals: history falls back to configured everywhere.
    assert f.history_forecast == f.weighted_pipeline
