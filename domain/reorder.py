"""Reorder suggestions: expected demand over the lead time plus safety stock at a service level.

Pure functions over daily unit sales. Money-free, but quantities follow the money rule: results
are Decimal or int; a float appears only inside the inverse normal CDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction
from statistics import NormalDist

from pydantic import BaseModel, ConfigDict

DEFAULT_SERVICE_LEVEL = Decimal("0.95")
DEFAULT_LEAD_TIME_DAYS = 7
HISTORY_DAYS = 90  # days of daily sales the suggestion looks at
MIN_REVIEW_DAYS = 14  # a standing order covers at least two weeks, or one lead time if longer

_FOUR_DP = Decimal("0.0001")
_ONE_DP = Decimal("0.1")
_TWO_DP = Decimal("0.01")
# Decimal arithmetic follows the thread's context; pin it so a caller's context can't change us.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)


class Velocity(BaseModel):
    """How fast a product sells: units per day over a window of days."""

    model_config = ConfigDict(frozen=True)

    days: int  # length of the window
    units: int  # units sold in the window
    mean_per_day: Decimal  # 4 dp
    stdev_per_day: Decimal  # sample standard deviation of daily units, 4 dp; 0 when days < 2


class Suggestion(BaseModel):
    """When to reorder a product, how much to order now, and why."""

    model_config = ConfigDict(frozen=True)

    reorder_point: int
    reorder_qty: int  # to order now; >= 0
    rule_qty: int  # the standing quantity per order
    safety_stock: int
    lead_time_days: int
    service_level: Decimal
    mean_per_day: Decimal
    days_of_cover: Decimal | None
    explanation: str


def velocity(daily_units: Sequence[int], days: int) -> Velocity:
    """Mean and sample standard deviation of daily units, counting days not listed as zero."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if len(daily_units) > days:
        raise ValueError(f"{len(daily_units)} daily values given for a {days}-day window")
    # Padding zeros add nothing to the sums, so the statistics need only the listed days.
    return velocity_from_sums(sum(daily_units), sum(u * u for u in daily_units), days)


def velocity_from_sums(total: int, squares: int, days: int) -> Velocity:
    """The same statistics from the sum and sum of squares of daily units (SQL gives those)."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    with localcontext(_CONTEXT):
        mean = (Decimal(total) / days).quantize(_FOUR_DP)
        stdev = Decimal(0)
        if days >= 2:
            # Integer sums make the variance exact, so the 4th decimal never depends on float error.
            variance = Fraction(days * squares - total * total, days * (days - 1))
            stdev = (Decimal(variance.numerator) / variance.denominator).sqrt().quantize(_FOUR_DP)
    return Velocity(days=days, units=total, mean_per_day=mean, stdev_per_day=stdev)


def suggested_point(
    v: Velocity,
    *,
    lead_time_days: int = DEFAULT_LEAD_TIME_DAYS,
    service_level: Decimal = DEFAULT_SERVICE_LEVEL,
) -> int:
    """The reorder point `suggest` computes from velocity alone, without building a Suggestion."""
    mean = max(v.mean_per_day, Decimal(0))
    if mean <= 0:
        return 0
    z = z_for_service_level(service_level)
    with localcontext(_CONTEXT):
        return _ceil(mean * lead_time_days + z * v.stdev_per_day * Decimal(lead_time_days).sqrt())


def z_for_service_level(level: Decimal) -> Decimal:
    """The standard normal z for a service level strictly between 0.5 and 1, to 4 dp."""
    if not level.is_finite() or not Decimal("0.5") < level < 1:
        raise ValueError(f"service level must be between 0.5 and 1 (exclusive), got {level}")
    p = float(level)
    if not 0.5 < p < 1.0:  # a level within float rounding of 1 has no finite z
        raise ValueError(f"service level {level} is too close to 1")
    z = NormalDist().inv_cdf(p)
    return Decimal(repr(z)).quantize(_FOUR_DP, rounding=ROUND_HALF_UP)


def days_of_cover(on_hand: int, mean_per_day: Decimal) -> Decimal | None:
    """How many days on_hand lasts at mean_per_day, to 1 dp; None when nothing sells."""
    if mean_per_day <= 0:
        return None
    if on_hand <= 0:
        return Decimal("0.0")
    with localcontext(_CONTEXT):
        return (Decimal(on_hand) / mean_per_day).quantize(_ONE_DP)


def suggest(
    v: Velocity,
    *,
    on_hand: int,
    on_order: int = 0,
    lead_time_days: int = DEFAULT_LEAD_TIME_DAYS,
    service_level: Decimal = DEFAULT_SERVICE_LEVEL,
    reorder_point: int | None = None,
    reorder_qty: int | None = None,
) -> Suggestion:
    """Reorder point, standing quantity and quantity to order now, from a rule or from velocity."""
    if lead_time_days < 0:
        raise ValueError(f"lead time must not be negative, got {lead_time_days}")
    if on_order < 0:
        raise ValueError(f"on order must not be negative, got {on_order}")
    if reorder_point is not None and reorder_point < 0:
        raise ValueError(f"reorder point must not be negative, got {reorder_point}")
    if reorder_qty is not None and reorder_qty < 0:
        raise ValueError(f"reorder quantity must not be negative, got {reorder_qty}")
    z = z_for_service_level(service_level)  # validates even when a rule makes z moot

    # A negative mean (returns outweighing sales) is no demand to plan for.
    mean = max(v.mean_per_day, Decimal(0))
    with localcontext(_CONTEXT):
        expected = mean * lead_time_days
        raw_safety = z * v.stdev_per_day * Decimal(lead_time_days).sqrt()
        safety = _ceil(raw_safety)
        if mean > 0:
            # One rounding up of the sum, not two: ceil(expected) + ceil(safety) would overstock.
            point = _ceil(expected + raw_safety)
            standing = max(1, _ceil(mean * max(lead_time_days, MIN_REVIEW_DAYS)))
        else:
            point, safety, standing = 0, 0, 0

    final_point = point if reorder_point is None else reorder_point
    final_qty = standing if reorder_qty is None else reorder_qty
    order_now = max(0, final_point + final_qty - on_hand - on_order)

    if reorder_point is not None:
        explanation = _rule_sentence(v, mean, lead_time_days, reorder_point, point)
    elif mean > 0:
        explanation = (
            f"Sells {_rate(mean)}/day (σ {_rate(v.stdev_per_day)}); {lead_time_days}-day lead time"
            # point - safety keeps the sentence adding up; it is within 1 of the exact expectation.
            f" → {point - safety} expected + {safety} safety ({_percent(service_level)} service)"
            f" = reorder at {point}."
        )
    else:
        explanation = _no_sales_sentence(v, order_now)

    return Suggestion(
        reorder_point=final_point,
        reorder_qty=order_now,
        rule_qty=final_qty,
        safety_stock=safety,
        lead_time_days=lead_time_days,
        service_level=service_level,
        mean_per_day=v.mean_per_day,
        days_of_cover=days_of_cover(on_hand, v.mean_per_day),
        explanation=explanation,
    )


def _rule_sentence(v: Velocity, mean: Decimal, lead: int, rule_point: int, point: int) -> str:
    if mean > 0:
        basis = f"sales of {_rate(mean)}/day and a {lead}-day lead time suggest {point}"
    else:
        basis = _no_sales(v)
    return f"Rule says reorder at {rule_point} ({basis})."


def _no_sales_sentence(v: Velocity, order_now: int) -> str:
    head = _no_sales(v).capitalize()
    if order_now > 0:
        return f"{head}; order {order_now} only to cover oversold stock."
    return f"{head}, so nothing to reorder."


def _no_sales(v: Velocity) -> str:
    if v.units > 0:  # sold something, but too little to show in a 4 dp mean
        return f"only {v.units} sold in the last {v.days} days"
    net = " net" if v.units < 0 else ""
    return f"no{net} sales in the last {v.days} days"


def _ceil(x: Decimal) -> int:
    return int(x.to_integral_value(rounding=ROUND_CEILING))


def _rate(x: Decimal) -> str:
    # One decimal hides slow movers (0.04/day would read 0.0), so those get two.
    if x >= 1 or x == 0:
        return f"{x.quantize(_ONE_DP, rounding=ROUND_HALF_UP)}"
    shown = x.quantize(_TWO_DP, rounding=ROUND_HALF_UP)
    return f"{shown}" if shown > 0 else "<0.01"


def _percent(level: Decimal) -> str:
    return f"{(level * 100).normalize():f}%"
