"""Reorder suggestions, checked against numbers worked out by hand."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.reorder import (
    DEFAULT_LEAD_TIME_DAYS,
    DEFAULT_SERVICE_LEVEL,
    HISTORY_DAYS,
    Velocity,
    days_of_cover,
    suggest,
    velocity,
    z_for_service_level,
)


def steady(mean: str, stdev: str = "0") -> Velocity:
    """A 90-day velocity with the given statistics, so suggestion tests need no daily data."""
    m = Decimal(mean)
    return Velocity(
        days=HISTORY_DAYS,
        units=int(m * HISTORY_DAYS),
        mean_per_day=m,
        stdev_per_day=Decimal(stdev),
    )


# --- velocity ---------------------------------------------------------------------------------


def test_defaults() -> None:
    defaults = (DEFAULT_SERVICE_LEVEL, DEFAULT_LEAD_TIME_DAYS, HISTORY_DAYS)
    assert defaults == (Decimal("0.95"), 7, 90)


def test_constant_demand_has_zero_stdev() -> None:
    v = velocity([3] * 30, 30)
    assert v == Velocity(days=30, units=90, mean_per_day=Decimal("3"), stdev_per_day=Decimal("0"))


def test_sample_stdev_uses_n_minus_1() -> None:
    # Classic data set: mean 5, squared deviations sum to 32.
    # Sample variance 32/7 = 4.571428..., sqrt = 2.138089... -> 2.1381 (the population one is 2).
    v = velocity([2, 4, 4, 4, 5, 5, 7, 9], 8)
    assert v.units == 40
    assert v.mean_per_day == Decimal("5.0000")
    assert v.stdev_per_day == Decimal("2.1381")


def test_missing_days_are_padded_with_zeros() -> None:
    # [1, 2, 3] over 5 days is [1, 2, 3, 0, 0]: mean 6/5 = 1.2.
    # Squared deviations: 0.04 + 0.64 + 3.24 + 1.44 + 1.44 = 6.8;
    # sample variance 6.8 / 4 = 1.7; sqrt = 1.30384... -> 1.3038.
    v = velocity([1, 2, 3], 5)
    assert v == velocity([1, 2, 3, 0, 0], 5)
    assert v == velocity([0, 3, 0, 1, 2], 5)  # order of days does not matter
    assert v.days == 5
    assert v.units == 6
    assert v.mean_per_day == Decimal("1.2000")
    assert v.stdev_per_day == Decimal("1.3038")


def test_padding_zeros_raise_the_stdev() -> None:
    # Two days of 5 in a 10-day window: mean 1, squared deviations 2*16 + 8*1 = 40,
    # variance 40/9 = 4.444..., sqrt = 2.10818... -> 2.1082; without padding it would be 0.
    v = velocity([5, 5], 10)
    assert v.mean_per_day == Decimal("1.0000")
    assert v.stdev_per_day == Decimal("2.1082")
    assert velocity([5, 5], 2).stdev_per_day == Decimal("0")


def test_mean_is_rounded_half_up_to_4_dp() -> None:
    assert velocity([1], 3).mean_per_day == Decimal("0.3333")  # 0.33333...
    assert velocity([2], 3).mean_per_day == Decimal("0.6667")  # 0.66666...
    assert velocity([1], 16).mean_per_day == Decimal("0.0625")  # exact, kept


def test_stdev_is_zero_for_a_single_day() -> None:
    assert velocity([4], 1) == Velocity(
        days=1, units=4, mean_per_day=Decimal("4"), stdev_per_day=Decimal("0")
    )


def test_no_sales_gives_zero_velocity() -> None:
    v = velocity([], HISTORY_DAYS)
    assert (v.units, v.mean_per_day, v.stdev_per_day) == (0, Decimal(0), Decimal(0))


@pytest.mark.parametrize(("daily", "days"), [([], 0), ([1], -1), ([1, 2, 3], 2)])
def test_velocity_rejects_a_bad_window(daily: list[int], days: int) -> None:
    with pytest.raises(ValueError):
        velocity(daily, days)


def test_velocity_is_frozen() -> None:
    v = velocity([1], 1)
    with pytest.raises(ValidationError):
        v.units = 2  # type: ignore[misc]


# --- z values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "z"),
    [
        ("0.95", "1.6449"),  # 1.644853...
        ("0.99", "2.3263"),  # 2.326347...
        ("0.9", "1.2816"),  # 1.281551...
        ("0.975", "1.9600"),  # 1.959963...
        ("0.8", "0.8416"),  # 0.841621...
    ],
)
def test_z_for_service_level(level: str, z: str) -> None:
    result = z_for_service_level(Decimal(level))
    assert isinstance(result, Decimal)
    assert result == Decimal(z)
    assert result.as_tuple().exponent == -4


@pytest.mark.parametrize(
    "level",
    ["0.5", "1", "0.4", "0", "-0.9", "1.2", "NaN", "Infinity", "0.99999999999999999999"],
)
def test_service_level_outside_half_to_one_is_rejected(level: str) -> None:
    with pytest.raises(ValueError):
        z_for_service_level(Decimal(level))


# --- suggestions from velocity ----------------------------------------------------------------


def test_constant_demand_needs_no_safety_stock() -> None:
    # 3/day, stdev 0, 7-day lead: expected 21, safety 0 -> point 21.
    # Standing qty covers max(7, 14) = 14 days: 42. Order now: 21 + 42 - 10 = 53.
    s = suggest(velocity([3] * 90, 90), on_hand=10)
    assert s.safety_stock == 0
    assert s.reorder_point == 21
    assert s.rule_qty == 42
    assert s.reorder_qty == 53
    assert s.lead_time_days == 7
    assert s.service_level == Decimal("0.95")
    assert s.mean_per_day == Decimal("3")
    assert s.days_of_cover == Decimal("3.3")  # 10 / 3 = 3.33
    assert s.explanation == (
        "Sells 3.0/day (σ 0.0); 7-day lead time → 21 expected + 0 safety (95% service)"
        " = reorder at 21."
    )


def test_variable_demand_adds_safety_stock() -> None:
    # 2/day, σ 1.5, 9-day lead (sqrt 9 = 3): expected 18, safety 1.6449 * 1.5 * 3 = 7.40205 -> 8,
    # point ceil(18 + 7.40205) = 26. Standing qty 2 * max(9, 14) = 28. Order now: 26 + 28 = 54.
    s = suggest(steady("2", "1.5"), on_hand=0, lead_time_days=9)
    assert s.safety_stock == 8
    assert s.reorder_point == 26
    assert s.rule_qty == 28
    assert s.reorder_qty == 54
    assert s.days_of_cover == Decimal("0.0")
    assert "9-day lead time → 18 expected + 8 safety (95% service) = reorder at 26." in (
        s.explanation
    )


@pytest.mark.parametrize(
    ("stdev", "safety", "point"),
    [
        # 2/day, 4-day lead (sqrt 4 = 2): expected 8; safety = 1.6449 * σ * 2.
        ("0", 0, 8),
        ("1", 4, 12),  # 3.2898 -> 4; ceil(11.2898) = 12
        ("2", 7, 15),  # 6.5796 -> 7; ceil(14.5796) = 15
        ("3", 10, 18),  # 9.8694 -> 10; ceil(17.8694) = 18
    ],
)
def test_safety_stock_grows_with_demand_variability(stdev: str, safety: int, point: int) -> None:
    s = suggest(steady("2", stdev), on_hand=0, lead_time_days=4)
    assert (s.safety_stock, s.reorder_point) == (safety, point)


@pytest.mark.parametrize(
    ("level", "safety", "point"),
    [
        # 2/day, σ 2, 4-day lead: expected 8; safety = z * 2 * 2 = 4z.
        ("0.9", 6, 14),  # 4 * 1.2816 = 5.1264 -> 6; ceil(13.1264) = 14
        ("0.95", 7, 15),  # 4 * 1.6449 = 6.5796 -> 7; ceil(14.5796) = 15
        ("0.99", 10, 18),  # 4 * 2.3263 = 9.3052 -> 10; ceil(17.3052) = 18
    ],
)
def test_safety_stock_grows_with_service_level(level: str, safety: int, point: int) -> None:
    s = suggest(steady("2", "2"), on_hand=0, lead_time_days=4, service_level=Decimal(level))
    assert (s.safety_stock, s.reorder_point) == (safety, point)
    assert s.service_level == Decimal(level)


def test_reorder_point_rounds_up_once_and_the_sentence_adds_up() -> None:
    # 2.3/day, σ 1.1, 7-day lead: expected 16.1; safety 1.6449 * 1.1 * sqrt(7) = 4.7872 -> 5.
    # Point ceil(16.1 + 4.7872) = ceil(20.8872) = 21, not ceil(16.1) + 5 = 22.
    # The sentence shows 21 - 5 = 16 expected so the sum reads right.
    # Standing qty ceil(2.3 * 14) = ceil(32.2) = 33.
    s = suggest(steady("2.3", "1.1"), on_hand=10)
    assert s.safety_stock == 5
    assert s.reorder_point == 21
    assert s.rule_qty == 33
    assert s.reorder_qty == 21 + 33 - 10
    assert s.explanation == (
        "Sells 2.3/day (σ 1.1); 7-day lead time → 16 expected + 5 safety (95% service)"
        " = reorder at 21."
    )


def test_long_lead_time_sets_the_standing_quantity() -> None:
    # 2/day, 20-day lead: review days max(20, 14) = 20 -> standing qty 40; point 40.
    s = suggest(steady("2"), on_hand=0, lead_time_days=20)
    assert (s.reorder_point, s.rule_qty, s.reorder_qty) == (40, 40, 80)


def test_zero_lead_time_means_no_expected_demand_or_safety() -> None:
    # sqrt(0) = 0: nothing sells before the delivery, so the point is 0; standing qty 2 * 14.
    s = suggest(steady("2", "1"), on_hand=0, lead_time_days=0)
    assert (s.reorder_point, s.safety_stock, s.rule_qty, s.reorder_qty) == (0, 0, 28, 28)


def test_slow_mover_orders_at_least_one() -> None:
    # 1 unit in 90 days: mean 1/90 = 0.0111; variance (90 * 1 - 1) / (90 * 89) = 0.011111,
    # stdev 0.10541 -> 0.1054. Safety 1.6449 * 0.1054 * sqrt(7) = 0.4587 -> 1.
    # Point ceil(0.0777 + 0.4587) = 1. Standing qty max(1, ceil(0.0111 * 14 = 0.1554)) = 1.
    v = velocity([1], 90)
    assert (v.mean_per_day, v.stdev_per_day) == (Decimal("0.0111"), Decimal("0.1054"))
    s = suggest(v, on_hand=0)
    assert (s.reorder_point, s.safety_stock, s.rule_qty, s.reorder_qty) == (1, 1, 1, 2)
    assert s.days_of_cover == Decimal("0.0")
    # Two decimals so a slow mover does not read as 0.0/day.
    assert s.explanation.startswith("Sells 0.01/day (σ 0.11); 7-day lead time → 0 expected")


def test_end_to_end_from_daily_sales() -> None:
    # 90 days: 45 days of 4 and 45 days of 0 -> mean 2, sample variance 90 * 4 / 89 = 4.0449,
    # stdev 2.01120 -> 2.0112. Safety 1.6449 * 2.0112 * sqrt(7) = 8.7527 -> 9.
    # Point ceil(14 + 8.7527) = 23. Standing qty 28. On hand 30, on order 5: 23 + 28 - 35 = 16.
    v = velocity([4] * 45, HISTORY_DAYS)
    assert (v.units, v.mean_per_day, v.stdev_per_day) == (180, Decimal("2"), Decimal("2.0112"))
    s = suggest(v, on_hand=30, on_order=5)
    assert (s.safety_stock, s.reorder_point, s.rule_qty, s.reorder_qty) == (9, 23, 28, 16)
    assert s.days_of_cover == Decimal("15.0")


def test_explanation_shows_a_fractional_service_level() -> None:
    s = suggest(steady("2", "1"), on_hand=0, service_level=Decimal("0.975"))
    assert "(97.5% service)" in s.explanation


# --- rules, stock on order, negative stock ----------------------------------------------------


def test_existing_rule_overrides_point_and_quantity() -> None:
    # Velocity alone: 2/day, σ 0, 7-day lead -> point 14, standing qty 28.
    # Rule: point 30, qty 50. On hand 12: 30 + 50 - 12 = 68.
    s = suggest(steady("2"), on_hand=12, reorder_point=30, reorder_qty=50)
    assert (s.reorder_point, s.rule_qty, s.reorder_qty) == (30, 50, 68)
    assert s.safety_stock == 0
    assert s.explanation == (
        "Rule says reorder at 30 (sales of 2.0/day and a 7-day lead time suggest 14)."
    )


def test_rule_point_alone_keeps_the_computed_quantity() -> None:
    # Point 30 from the rule, qty 28 from velocity: 30 + 28 - 12 = 46.
    s = suggest(steady("2"), on_hand=12, reorder_point=30)
    assert (s.reorder_point, s.rule_qty, s.reorder_qty) == (30, 28, 46)


def test_rule_quantity_alone_keeps_the_computed_point() -> None:
    # Point 14 from velocity, qty 50 from the rule: 14 + 50 - 12 = 52.
    s = suggest(steady("2"), on_hand=12, reorder_qty=50)
    assert (s.reorder_point, s.rule_qty, s.reorder_qty) == (14, 50, 52)
    assert s.explanation.endswith("= reorder at 14.")


def test_rule_applies_even_without_sales() -> None:
    # Rule 5 / 10, on hand 2: 5 + 10 - 2 = 13.
    s = suggest(velocity([], 90), on_hand=2, reorder_point=5, reorder_qty=10)
    assert (s.reorder_point, s.rule_qty, s.reorder_qty) == (5, 10, 13)
    assert s.days_of_cover is None
    assert s.explanation == "Rule says reorder at 5 (no sales in the last 90 days)."


def test_stock_on_order_reduces_the_quantity() -> None:
    # Point 14, standing qty 28 -> target position 42. On hand 10.
    assert suggest(steady("2"), on_hand=10).reorder_qty == 32  # 42 - 10
    assert suggest(steady("2"), on_hand=10, on_order=20).reorder_qty == 12  # 42 - 30
    assert suggest(steady("2"), on_hand=10, on_order=32).reorder_qty == 0  # exactly covered
    assert suggest(steady("2"), on_hand=10, on_order=40).reorder_qty == 0  # never negative


def test_days_of_cover_ignores_stock_on_order() -> None:
    assert suggest(steady("2"), on_hand=10, on_order=100).days_of_cover == Decimal("5.0")


def test_plenty_of_stock_orders_nothing() -> None:
    s = suggest(steady("2"), on_hand=100)
    assert s.reorder_qty == 0
    assert s.days_of_cover == Decimal("50.0")


def test_negative_stock_is_ordered_back_up() -> None:
    # Oversold by 5: 14 + 28 - (-5) = 47; with 3 on order, 44. No days of cover.
    s = suggest(steady("2"), on_hand=-5)
    assert s.reorder_qty == 47
    assert s.days_of_cover == Decimal("0.0")
    assert suggest(steady("2"), on_hand=-5, on_order=3).reorder_qty == 44


# --- no sales ---------------------------------------------------------------------------------


def test_zero_sales_suggests_nothing() -> None:
    s = suggest(velocity([], HISTORY_DAYS), on_hand=4)
    assert (s.reorder_point, s.rule_qty, s.safety_stock, s.reorder_qty) == (0, 0, 0, 0)
    assert s.mean_per_day == Decimal(0)
    assert s.days_of_cover is None
    assert s.explanation == "No sales in the last 90 days, so nothing to reorder."


def test_zero_sales_with_negative_stock_covers_only_the_shortfall() -> None:
    # -3 on hand, 1 on order: max(0, 3 - 1) = 2.
    s = suggest(velocity([], HISTORY_DAYS), on_hand=-3, on_order=1)
    assert (s.reorder_point, s.rule_qty, s.reorder_qty) == (0, 0, 2)
    assert s.days_of_cover is None
    assert s.explanation == "No sales in the last 90 days; order 2 only to cover oversold stock."


def test_zero_sales_with_negative_stock_already_on_order() -> None:
    assert suggest(velocity([], HISTORY_DAYS), on_hand=-3, on_order=3).reorder_qty == 0


def test_returns_outweighing_sales_count_as_no_demand() -> None:
    # Net -2 units over 10 days: mean -0.2, which is no demand to plan for.
    v = velocity([-3, 1], 10)
    assert v.mean_per_day == Decimal("-0.2000")
    s = suggest(v, on_hand=1)
    assert (s.reorder_point, s.rule_qty, s.reorder_qty) == (0, 0, 0)
    assert s.days_of_cover is None
    assert s.explanation == "No net sales in the last 10 days, so nothing to reorder."


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["0.5", "1", "0.3", "1.5"])
def test_suggest_rejects_a_bad_service_level(level: str) -> None:
    with pytest.raises(ValueError):
        suggest(steady("2"), on_hand=0, service_level=Decimal(level))
    # A rule does not make a bad level acceptable, nor does having no sales.
    with pytest.raises(ValueError):
        suggest(steady("2"), on_hand=0, service_level=Decimal(level), reorder_point=5)
    with pytest.raises(ValueError):
        suggest(velocity([], 90), on_hand=0, service_level=Decimal(level))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lead_time_days": -1},
        {"on_order": -1},
        {"reorder_point": -1},
        {"reorder_qty": -1},
    ],
)
def test_suggest_rejects_negative_inputs(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        suggest(steady("2"), on_hand=0, **kwargs)  # type: ignore[arg-type]


# --- days of cover ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_hand", "mean", "cover"),
    [
        (10, "3", Decimal("3.3")),  # 3.333
        (7, "2", Decimal("3.5")),
        (1, "0.16", Decimal("6.3")),  # 6.25 rounds half up
        (5, "0.3333", Decimal("15.0")),  # 15.0015
        (0, "2", Decimal("0.0")),
        (-4, "2", Decimal("0.0")),
        (10, "0", None),
        (10, "0.0000", None),
        (-4, "0", None),
        (10, "-0.5", None),
    ],
)
def test_days_of_cover(on_hand: int, mean: str, cover: Decimal | None) -> None:
    assert days_of_cover(on_hand, Decimal(mean)) == cover


# --- invariants -------------------------------------------------------------------------------


@given(
    daily=st.lists(st.integers(min_value=0, max_value=50), max_size=HISTORY_DAYS),
    on_hand=st.integers(min_value=-100, max_value=500),
    on_order=st.integers(min_value=0, max_value=200),
    lead=st.integers(min_value=0, max_value=60),
    level=st.sampled_from(["0.8", "0.9", "0.95", "0.975", "0.99", "0.999"]),
)
def test_suggestion_invariants(
    daily: list[int], on_hand: int, on_order: int, lead: int, level: str
) -> None:
    s = suggest(
        velocity(daily, HISTORY_DAYS),
        on_hand=on_hand,
        on_order=on_order,
        lead_time_days=lead,
        service_level=Decimal(level),
    )
    assert s.reorder_qty == max(0, s.reorder_point + s.rule_qty - on_hand - on_order)
    assert 0 <= s.safety_stock <= s.reorder_point
    for value in (s.reorder_point, s.reorder_qty, s.rule_qty, s.safety_stock):
        assert type(value) is int
    assert isinstance(s.mean_per_day, Decimal)
    assert s.days_of_cover is None or isinstance(s.days_of_cover, Decimal)
    if sum(daily) > 0:
        assert s.rule_qty >= 1
        # The sentence's sum always matches the point it states.
        m = re.search(r"→ (\d+) expected \+ (\d+) safety .* = reorder at (\d+)\.$", s.explanation)
        assert m is not None
        expected, safety, point = map(int, m.groups())
        assert (safety, point) == (s.safety_stock, s.reorder_point)
        assert expected + safety == point
