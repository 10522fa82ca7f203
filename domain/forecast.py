"""Sales forecast: stage probabilities learned from closed deals, and the month or quarter ahead.

Pure functions over deal histories and the pipeline's stage definitions. Money is Decimal, kept
to 4 dp; rates are Decimal to 4 dp; a number that cannot be computed (no closed deals) is None,
and every figure carries a sentence saying where it came from.

Rules, where there was room for taste:

- Passing a stage: a deal passed every open stage up to the furthest one it reached, in pipeline
  order (by `position`). A deal that skipped a stage (created at proposal, or moved from
  prospecting straight to proposal) passed the skipped ones too. A won deal passed every open
  stage; a lost deal passed the open stages up to the furthest one it visited before it was lost.
  Visited stage keys that are not (or no longer) configured are ignored.
- Observed probability of an open stage: of the closed deals that passed it, the share won.
  It is used only when at least `min_deals` closed deals passed the stage; otherwise the
  configured probability is used, and the `method` says so.
- The period is the calendar month or quarter containing `today`, both ends inclusive.
- Closed won: amounts of won deals whose `closed_on` falls in the period.
- Pipeline: open deals whose `expected_close` falls in the period, plus open deals that are past
  due (expected before the period started): they are still open and expected, so they count now.
  Open deals expected after the period, or with no expected close at all, are left out (we cannot
  place them in time); the explanation counts the undated ones.
- Weighted pipeline: Σ amount × configured probability of the deal's current stage.
  History forecast: closed won + Σ amount × used (observed or configured) probability.
- Metrics look at deals closed in the 365 days ending today (today - 364 … today); deals with a
  closed_on after today are not counted. Win rate = won / (won + lost); average deal size and
  average cycle (created_on → closed_on, in days) are over won deals. Sales velocity =
  open deals (all, regardless of expected close) × win rate × average deal size / average cycle,
  in money per day; None when any part is undefined or the average cycle is 0 days.
  Intermediate arithmetic is exact (fractions); only the results are rounded, half up.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from domain import pipeline

Outcome = Literal["open", "won", "lost"]
Period = Literal["month", "quarter"]
Method = Literal["history", "configured"]

DEFAULT_MIN_DEALS = 5
METRICS_WINDOW_DAYS = 365

_FOUR_DP = Decimal("0.0001")
# Decimal arithmetic follows the thread's context; pin it so a caller's context can't change us.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)


class StageDef(BaseModel):
    """One stage of the pipeline, with the probability a deal in it is eventually won."""

    model_config = ConfigDict(frozen=True)

    key: str
    name: str
    position: int  # pipeline order; lower comes first
    probability: Decimal  # 0..1
    outcome: Outcome = "open"

    @field_validator("probability")
    @classmethod
    def _probability_in_range(cls, v: Decimal) -> Decimal:
        if not v.is_finite() or not Decimal(0) <= v <= 1:
            raise ValueError(f"probability must be between 0 and 1, got {v}")
        return v


# The pipeline's own defaults (domain.pipeline), in the shape these functions take.
DEFAULT_STAGES: tuple[StageDef, ...] = tuple(
    StageDef(
        key=spec.key,
        name=spec.name,
        position=spec.position,
        probability=spec.probability,
        outcome=spec.outcome.value,
    )
    for spec in pipeline.DEFAULT_STAGES
)


class DealHistory(BaseModel):
    """A deal and every stage it entered, in order; the first is where it was created."""

    model_config = ConfigDict(frozen=True)

    deal_id: str
    amount: Decimal
    created_on: date
    stages_visited: tuple[tuple[str, date], ...]  # (stage key, date entered), in order
    outcome: Outcome
    closed_on: date | None = None  # required for won and lost deals
    expected_close: date | None = None
    current_stage: str

    @field_validator("amount")
    @classmethod
    def _amount_not_negative(cls, v: Decimal) -> Decimal:
        if not v.is_finite() or v < 0:
            raise ValueError(f"amount must be 0 or more, got {v}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if not self.stages_visited:
            raise ValueError(f"deal {self.deal_id} has no stages visited")
        if self.outcome != "open" and self.closed_on is None:
            raise ValueError(f"deal {self.deal_id} is {self.outcome} but has no closed_on")
        if self.closed_on is not None and self.closed_on < self.created_on:
            raise ValueError(f"deal {self.deal_id} closed before it was created")
        return self


class StageProbability(BaseModel):
    """How likely a deal in an open stage is to be won, and where that number comes from."""

    model_config = ConfigDict(frozen=True)

    key: str
    observed: Decimal | None  # won / deals, 4 dp; None when no closed deal passed the stage
    deals: int  # closed deals that passed the stage
    won: int  # of those, how many were won
    configured: Decimal
    used: Decimal  # observed when deals >= min_deals, else configured
    method: Method
    explanation: str


class Metric(BaseModel):
    """A number that may be undefined, and a sentence saying where it comes from."""

    model_config = ConfigDict(frozen=True)

    value: Decimal | None
    explanation: str


class Forecast(BaseModel):
    """What the month or quarter containing `today` should bring in, and the pipeline's pace."""

    model_config = ConfigDict(frozen=True)

    period: Period
    period_start: date
    period_end: date  # inclusive
    closed_won: Decimal  # 4 dp
    closed_won_deals: int
    pipeline_deals: int  # open deals counted in the period (due in it or past due)
    past_due_deals: int  # of those, expected before the period started
    undated_deals: int  # open deals with no expected close, left out
    weighted_pipeline: Decimal  # Σ amount × configured probability, 4 dp
    history_pipeline: Decimal  # Σ amount × used probability, 4 dp
    history_forecast: Decimal  # closed_won + history_pipeline, 4 dp
    stage_probabilities: dict[str, StageProbability]
    win_rate: Metric  # 4 dp
    average_deal_size: Metric  # 4 dp
    average_cycle_days: Metric  # 4 dp
    sales_velocity: Metric  # money per day, 4 dp
    explanation: str


def period_bounds(today: date, period: Period) -> tuple[date, date]:
    """First and last day (inclusive) of the calendar month or quarter containing today."""
    if period == "month":
        first_month = today.month
        last_month = today.month
    elif period == "quarter":
        first_month = (today.month - 1) // 3 * 3 + 1
        last_month = first_month + 2
    else:
        raise ValueError(f"period must be 'month' or 'quarter', got {period!r}")
    last_day = calendar.monthrange(today.year, last_month)[1]
    return date(today.year, first_month, 1), date(today.year, last_month, last_day)


def observed_probabilities(
    histories: Iterable[DealHistory],
    stages: Sequence[StageDef],
    *,
    min_deals: int = DEFAULT_MIN_DEALS,
) -> dict[str, StageProbability]:
    """For each open stage, the share of closed deals that passed it and were won."""
    if min_deals < 1:
        raise ValueError(f"min_deals must be at least 1, got {min_deals}")
    by_key = _stage_index(stages)
    open_stages = sorted((s for s in stages if s.outcome == "open"), key=lambda s: s.position)
    passed = {s.key: 0 for s in open_stages}
    won = {s.key: 0 for s in open_stages}
    for deal in histories:
        if deal.outcome == "open":
            continue
        reach = _reach(deal, by_key)
        for stage in open_stages:
            if reach is not None and stage.position <= reach:
                passed[stage.key] += 1
                won[stage.key] += deal.outcome == "won"

    result: dict[str, StageProbability] = {}
    for stage in open_stages:
        n, w = passed[stage.key], won[stage.key]
        observed = _ratio(w, n) if n else None
        if observed is not None and n >= min_deals:
            used, method = observed, "history"
            why = f"from {n} closed deals that passed {stage.name}: {w} won"
        else:
            used, method = stage.probability, "configured"
            why = (
                f"configured {_percent(stage.probability)}: fewer than {min_deals} closed deals"
                f" passed {stage.name} ({n})"
            )
        result[stage.key] = StageProbability(
            key=stage.key,
            observed=observed,
            deals=n,
            won=w,
            configured=stage.probability,
            used=used,
            method=method,
            explanation=why,
        )
    return result


def forecast(
    histories: Iterable[DealHistory],
    stages: Sequence[StageDef],
    *,
    today: date,
    period: Period,
    min_deals: int = DEFAULT_MIN_DEALS,
    probabilities: dict[str, StageProbability] | None = None,
) -> Forecast:
    """Closed won, weighted and history-based pipeline for the period, and the pipeline metrics.

    `probabilities`: observed_probabilities(histories, stages, min_deals=min_deals) when the
    caller has them already (forecasting several periods over the same history)."""
    deals = list(histories)
    start, end = period_bounds(today, period)
    by_key = _stage_index(stages)
    if probabilities is None:
        probabilities = observed_probabilities(deals, stages, min_deals=min_deals)

    won_in_period = [
        d for d in deals if d.outcome == "won" and d.closed_on and start <= d.closed_on <= end
    ]

    open_deals = [d for d in deals if d.outcome == "open"]
    for d in open_deals:
        stage = by_key.get(d.current_stage)
        if stage is None or stage.outcome != "open":
            raise ValueError(
                f"open deal {d.deal_id} is at {d.current_stage!r}, which is not an open stage"
            )
    in_pipeline = [d for d in open_deals if d.expected_close and d.expected_close <= end]
    past_due = sum(1 for d in in_pipeline if d.expected_close and d.expected_close < start)
    undated = sum(1 for d in open_deals if d.expected_close is None)

    with localcontext(_CONTEXT):
        closed_won = sum((d.amount for d in won_in_period), Decimal(0))
        weighted = sum(
            (d.amount * by_key[d.current_stage].probability for d in in_pipeline), Decimal(0)
        )
        learned = sum(
            (d.amount * probabilities[d.current_stage].used for d in in_pipeline), Decimal(0)
        )
        closed_won_q = closed_won.quantize(_FOUR_DP)
        weighted_q = weighted.quantize(_FOUR_DP)
        learned_q = learned.quantize(_FOUR_DP)
        history_q = (closed_won + learned).quantize(_FOUR_DP)

    win_rate, avg_size, avg_cycle, velocity = _metrics(deals, today, len(open_deals))

    label = _period_label(start, period)
    pipe_note = f"{len(in_pipeline)} open deals due by {end.isoformat()}"
    if past_due:
        pipe_note += f" ({past_due} past due)"
    if undated:
        pipe_note += f"; {undated} with no expected close left out"
    lines = [
        f"{label}: closed won {closed_won_q} from {len(won_in_period)} deals closed in the period.",
        f"Weighted pipeline {weighted_q} from {pipe_note}, at configured stage probabilities.",
        f"History forecast {history_q} = closed won {closed_won_q} + {learned_q}"
        " from the same deals at used stage probabilities.",
    ]
    for p in probabilities.values():
        lines.append(f"{by_key[p.key].name} {_percent(p.used)} ({p.explanation}).")

    return Forecast(
        period=period,
        period_start=start,
        period_end=end,
        closed_won=closed_won_q,
        closed_won_deals=len(won_in_period),
        pipeline_deals=len(in_pipeline),
        past_due_deals=past_due,
        undated_deals=undated,
        weighted_pipeline=weighted_q,
        history_pipeline=learned_q,
        history_forecast=history_q,
        stage_probabilities=probabilities,
        win_rate=win_rate,
        average_deal_size=avg_size,
        average_cycle_days=avg_cycle,
        sales_velocity=velocity,
        explanation="\n".join(lines),
    )


def _metrics(
    deals: Sequence[DealHistory], today: date, open_count: int
) -> tuple[Metric, Metric, Metric, Metric]:
    since = today - timedelta(days=METRICS_WINDOW_DAYS - 1)
    closed = [
        (d, d.closed_on)
        for d in deals
        if d.outcome != "open" and d.closed_on is not None and since <= d.closed_on <= today
    ]
    won = [(d, closed_on) for d, closed_on in closed if d.outcome == "won"]
    window = f"in the {METRICS_WINDOW_DAYS} days to {today.isoformat()}"

    if not closed:
        none = Metric(value=None, explanation=f"undefined: no deals closed {window}")
        return none, none, none, none
    rate = Fraction(len(won), len(closed))
    win_rate = Metric(
        value=_quantize(rate),
        explanation=f"from {len(closed)} closed deals {window}: {len(won)} won",
    )
    if not won:
        none = Metric(value=None, explanation=f"undefined: no deals won {window}")
        return win_rate, none, none, none

    size = sum((Fraction(d.amount) for d, _ in won), Fraction(0)) / len(won)
    cycle = Fraction(sum((closed_on - d.created_on).days for d, closed_on in won), len(won))
    avg_size = Metric(value=_quantize(size), explanation=f"from {len(won)} deals won {window}")
    avg_cycle = Metric(
        value=_quantize(cycle),
        explanation=f"created to closed, from {len(won)} deals won {window}",
    )
    if cycle == 0:
        velocity = Metric(
            value=None,
            explanation="undefined: the average won deal closed the day it was created",
        )
    else:
        velocity = Metric(
            value=_quantize(open_count * rate * size / cycle),
            explanation=(
                f"{open_count} open deals × win rate {_quantize(rate)}"
                f" × average deal size {_quantize(size)} / average cycle {_quantize(cycle)} days"
            ),
        )
    return win_rate, avg_size, avg_cycle, velocity


def _stage_index(stages: Sequence[StageDef]) -> dict[str, StageDef]:
    by_key: dict[str, StageDef] = {}
    positions: set[int] = set()
    for s in stages:
        if s.key in by_key:
            raise ValueError(f"stage {s.key!r} is defined twice")
        if s.position in positions:
            raise ValueError(f"two stages share position {s.position}")
        by_key[s.key] = s
        positions.add(s.position)
    return by_key


def _reach(deal: DealHistory, by_key: dict[str, StageDef]) -> int | None:
    """The furthest open-stage position a closed deal passed; the last open stage when won."""
    if deal.outcome == "won":
        return max((s.position for s in by_key.values() if s.outcome == "open"), default=None)
    visited = [
        by_key[key].position
        for key, _ in deal.stages_visited
        if key in by_key and by_key[key].outcome == "open"
    ]
    return max(visited) if visited else None


def _ratio(numerator: int, denominator: int) -> Decimal:
    return _quantize(Fraction(numerator, denominator))


def _quantize(x: Fraction) -> Decimal:
    """x to 4 dp, half away from zero, computed exactly (no intermediate rounding)."""
    scaled = abs(x) * 10_000
    units = int(scaled + Fraction(1, 2))  # floor(|x| · 10⁴ + ½)
    return Decimal(units if x >= 0 else -units).scaleb(-4).quantize(_FOUR_DP)


def _percent(p: Decimal) -> str:
    return f"{(p * 100).normalize():f}%"


def _period_label(start: date, period: Period) -> str:
    if period == "month":
        return start.strftime("%Y-%m")
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
