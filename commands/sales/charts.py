"""Sales charts as PNG bytes: a metric over time (with the comparison period drawn behind
it) and a metric per category, product, rep… as bars.

Built on `matplotlib.figure.Figure` with the Agg canvas (no pyplot: listener threads share
nothing), sized for Slack's inline preview like commands/pipeline/chart.py.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from commands.pipeline.chart import DPI, FIGSIZE, short_money
from domain.money import CURRENCY_SYMBOLS

CURRENT_COLOUR = "#1d4f91"
PREVIOUS_COLOUR = "#8c9aab"
COMPARED_COLOUR = "#b9c9de"
TICK_POINTS = 10
# The plot area once the y axis, its labels and the margins are taken off the figure.
_PLOT_WIDTH_PX = (FIGSIZE[0] - 1.3) * DPI
_CHAR_PX = TICK_POINTS * DPI / 72 * 0.62  # an average DejaVu Sans character
MAX_BARS = 15  # more rows than this would not be legible at preview size


@dataclass(frozen=True)
class Point:
    """One bucket on a time chart: its label ("3 Mar", "W10", "Mar 2025") and values."""

    label: str
    value: Decimal | None  # None: no value in this bucket (an AOV without orders), a gap
    previous: Decimal | None = None  # the comparison period's bucket at the same position


def trend_chart(
    points: Sequence[Point],
    *,
    title: str,
    currency: str | None,  # None: the values are counts (orders, units), not money
    value_label: str = "This period",
    previous_label: str | None = "Previous period",
    y_label: str | None = None,
) -> bytes:
    """A line (or area) of the values over time; the previous values as a dashed line."""
    figure, axes = _figure()
    short = _shortener(currency)
    positions = list(range(len(points)))
    values = [float(p.value) if p.value is not None else math.nan for p in points]
    drawn_values = [v for v in values if not math.isnan(v)]
    handles: list[Artist | BarContainer] = []
    if points:
        marker = "o" if len(points) <= 31 else None  # dots help only while they are sparse
        (current,) = axes.plot(
            positions,
            values,
            color=CURRENT_COLOUR,
            linewidth=2.2,
            marker=marker,
            markersize=4,
            label=_plain(value_label),
            zorder=3,
        )
        axes.fill_between(
            positions,
            [0.0 if math.isnan(v) else v for v in values],
            where=[not math.isnan(v) for v in values],
            color=CURRENT_COLOUR,
            alpha=0.08,
            zorder=2,
        )
        handles.append(current)
    previous = [(i, float(p.previous)) for i, p in enumerate(points) if p.previous is not None]
    if previous and previous_label is not None:
        (drawn_previous,) = axes.plot(
            [i for i, _ in previous],
            [v for _, v in previous],
            color=PREVIOUS_COLOUR,
            linewidth=1.6,
            linestyle="--",
            marker="o" if len(points) <= 31 else None,  # one bucket alone is a dot, not a line
            markersize=3,
            label=_plain(previous_label),
            zorder=2,
        )
        handles.append(drawn_previous)
    every = _label_step([p.label for p in points])
    axes.set_xticks(
        positions[::every], [_plain(p.label) for p in points[::every]], fontsize=TICK_POINTS
    )
    if len(points) == 1:
        axes.set_xlim(-0.5, 0.5)
    elif points:
        axes.set_xlim(-0.3, len(points) - 0.7)
    everything = [*drawn_values, *(v for _, v in previous)]
    top = max([*everything, 0.0])
    bottom = min([*everything, 0.0])  # a negative margin, a day of returns: below the axis
    axes.set_ylim(bottom * 1.12, top * 1.12 if top > 0 or bottom < 0 else 1.0)
    if bottom < 0:
        axes.axhline(0, color="#333333", linewidth=0.8, zorder=1)
    _value_axis(axes.yaxis, currency, short)
    axes.tick_params(axis="y", labelsize=11)
    if y_label:
        axes.set_ylabel(_plain(y_label), fontsize=12)
    axes.grid(axis="y", alpha=0.3)
    if not points or (top == 0 and bottom == 0):
        axes.text(
            0.5,
            0.5,
            "No sales in this period",
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=14,
            color="#666666",
        )
    _finish(figure, axes, title, handles)
    return _png(figure)


def bar_chart(
    bars: Sequence[tuple[str, Decimal]],
    *,
    title: str,
    currency: str | None,
    compared: Sequence[Decimal | None] | None = None,
    compared_label: str | None = None,
    value_label: str | None = None,
) -> bytes:
    """Horizontal bars, largest first as given; a second, lighter bar per row when compared."""
    figure, axes = _figure()
    short = _shortener(currency)
    shown = list(bars[:MAX_BARS])
    others = list(compared[: len(shown)]) if compared is not None else None
    rows = len(shown)
    positions = list(range(rows))
    values = [float(v) for _, v in shown]
    handles: list[Artist | BarContainer] = []
    height = 0.38 if others is not None else 0.6
    offset = height / 2 if others is not None else 0.0
    if shown:
        drawn = axes.barh(
            [p - offset for p in positions],
            values,
            height,
            color=CURRENT_COLOUR,
            label=_plain(value_label or "This period"),
        )
        axes.bar_label(drawn, labels=[short(v) for v in values], padding=3, fontsize=10)
        handles.append(drawn)
    compared_values: list[float] = []
    if others is not None and shown:
        compared_values = [float(v) if v is not None else 0.0 for v in others]
        compared_values += [0.0] * (rows - len(compared_values))
        drawn_compared = axes.barh(
            [p + offset for p in positions],
            compared_values,
            height,
            color=COMPARED_COLOUR,
            label=_plain(compared_label or "Compared"),
        )
        axes.bar_label(
            drawn_compared,
            labels=[
                short(v) if i < len(others) and others[i] is not None else "n/a"
                for i, v in enumerate(compared_values)
            ],
            padding=3,
            fontsize=9,
            color="#555555",
        )
        handles.append(drawn_compared)
    label_points = TICK_POINTS if rows <= 10 else 8
    axes.set_yticks(
        positions,
        [_plain(name) for name in _bar_names([name for name, _ in shown], 1 if rows > 8 else 2)],
        fontsize=label_points,
    )
    axes.invert_yaxis()  # the largest, given first, on top
    top = max([*values, *compared_values, 0.0])
    bottom = min([*values, *compared_values, 0.0])  # a negative margin: bars to the left
    # Room for the value labels on either side.
    axes.set_xlim(bottom * 1.22, top * 1.22 if top > 0 or bottom < 0 else 1.0)
    if bottom < 0:
        axes.axvline(0, color="#333333", linewidth=0.8, zorder=1)
    _value_axis(axes.xaxis, currency, short)
    axes.tick_params(axis="x", labelsize=10)
    axes.grid(axis="x", alpha=0.3)
    if not shown or (top == 0 and bottom == 0):
        axes.text(
            0.5,
            0.5,
            "Nothing to show",
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=14,
            color="#666666",
        )
    _finish(figure, axes, title, handles if len(handles) > 1 else [])
    return _png(figure)


def short_count(value: float) -> str:
    """0, 950, 12k, 1.2M: a count short enough for an axis."""
    return short_money(value, "").strip()


def _shortener(currency: str | None) -> Callable[[float], str]:
    if currency is None:
        return short_count
    return lambda v: _plain(short_money(v, currency))


def _value_axis(axis: Any, currency: str | None, short: Callable[[float], str]) -> None:
    """Ticks at round values, each labelled with the value it stands at.

    Counts get whole ticks only (no "1" at 0.5 and again at 1); money ticks avoid steps
    like 2.5 that the short form would round ("$1.2k" at 1,250) and show cents between
    whole amounts ("$1.50")."""
    if currency is None:
        axis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=3, integer=True))
        # With a top of 1 the locator still needs halves: leave those unlabelled.
        axis.set_major_formatter(
            FuncFormatter(lambda v, _pos: short(v) if abs(v - round(v)) < 1e-9 else "")
        )
        return
    axis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=3, steps=[1, 2, 5, 10]))

    def label(value: float, _pos: int | None) -> str:
        if abs(value) < 1000 and abs(value - round(value)) > 1e-9:
            symbol = CURRENCY_SYMBOLS.get(currency.upper())
            sign, body = ("-" if value < 0 else ""), f"{abs(value):.2f}"
            return _plain(f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency.upper()}")
        return short(value)

    axis.set_major_formatter(FuncFormatter(label))


def _figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _finish(
    figure: Figure, axes: Axes, title: str, handles: Sequence[Artist | BarContainer]
) -> None:
    axes.set_title(_plain(title), fontsize=14, loc="left")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_axisbelow(True)
    if handles:
        figure.legend(
            handles=handles,
            loc="outside lower center",
            ncols=len(handles),
            fontsize=11,
            frameon=False,
        )


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _label_step(labels: Sequence[str]) -> int:
    """Label every k-th bucket so that the widest label still leaves a gap to the next one."""
    if not labels:
        return 1
    widest = max(len(label) for label in labels) + 2  # two characters of air between labels
    fit = max(1, int(_PLOT_WIDTH_PX / (widest * _CHAR_PX)))
    return max(1, math.ceil(len(labels) / fit))


def _plain(text: str) -> str:
    """Text shown as typed: matplotlib reads what sits between two `$` as math markup."""
    return text.replace("$", r"\$")


def _bar_names(names: Sequence[str], lines: int, width: int = 24) -> list[str]:
    """Each bar's name cut to fit beside the axis, and still told apart: names that only
    differ at the end ("… number 1", "… number 2") keep their end instead of their middle,
    and a name given twice (two products called "Chair") is numbered."""
    cut = [_wrap(name, width, lines) for name in names]
    clashing = {name for name in cut if cut.count(name) > 1}
    room = width * lines - 1
    for i, name in enumerate(names):
        flat = " ".join(name.split())
        if cut[i] in clashing and len(flat) > room:
            head = room // 2
            cut[i] = _wrap(
                f"{flat[:head].rstrip()}…{flat[-(room - head) :].lstrip()}", width, lines
            )
    seen: dict[str, int] = {}
    numbered = []
    for name in cut:
        seen[name] = seen.get(name, 0) + 1
        numbered.append(f"{name} ({seen[name]})" if cut.count(name) > 1 else name)
    return numbered


def _wrap(label: str, width: int, lines: int) -> str:
    wrapped = textwrap.wrap(label, width, break_long_words=True, max_lines=lines, placeholder="…")
    return "\n".join(wrapped) or "?"
