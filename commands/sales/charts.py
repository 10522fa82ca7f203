"""Sales charts as PNG bytes: a metric over time (with the comparison period drawn behind
it) and a metric per category, product, rep… as bars.

Built on `matplotlib.figure.Figure` with the Agg canvas (no pyplot: listener threads share
nothing), sized for Slack's inline preview like commands/pipeline/chart.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Point:
    """One bucket on a time chart: its label ("3 Mar", "W10", "Mar 2025") and values."""

    label: str
    value: Decimal
    previous: Decimal | None = None  # the comparison period's bucket at the same position


def trend_chart(
    points: Sequence[Point],
    *,
    title: str,
    currency: str | None,  # None: the values are counts (orders, units), not money
    value_label: str = "This period",
    previous_label: str | None = "Previous period",
) -> bytes:
    """A line (or area) of the values over time; the previous values as a dashed line."""
    raise NotImplementedError


def bar_chart(
    bars: Sequence[tuple[str, Decimal]],
    *,
    title: str,
    currency: str | None,
    compared: Sequence[Decimal | None] | None = None,
    compared_label: str | None = None,
) -> bytes:
    """Horizontal bars, largest first as given; a second, lighter bar per row when compared."""
    raise NotImplementedError
