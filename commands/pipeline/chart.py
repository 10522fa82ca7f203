"""The pipeline chart: total and weighted amount per open stage, as PNG bytes.

Built on a `matplotlib.figure.Figure` with the Agg canvas (no pyplot, so no global state
shared between listener threads). Sized for Slack's inline preview: few, large labels,
money in short form on the axis ($1.2M), and the deal count under each stage's name.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from domain.money import CURRENCY_SYMBOLS

TOTAL_COLOUR = "#9bb7d9"
WEIGHTED_COLOUR = "#1d4f91"
FIGSIZE = (8.0, 4.5)  # inches; 1200 × 675 px at DPI
DPI = 150


@dataclass(frozen=True)
class Bar:
    """One stage on the chart."""

    label: str
    count: int
    total: Decimal
    weighted: Decimal


def short_money(value: float, currency: str) -> str:
    """$0, $950, $12k, $1.2M: short enough for an axis or a bar label."""
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    sign = "-" if value < 0 else ""
    value = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= limit:
            scaled = value / limit
            text = f"{scaled:.1f}".rstrip("0").rstrip(".") if scaled < 10 else f"{scaled:.0f}"
            body = f"{text}{suffix}"
            break
    else:
        body = f"{value:.0f}"
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency.upper()}"


def pipeline_chart(bars: Sequence[Bar], *, currency: str, title: str) -> bytes:
    """A grouped bar chart (total and weighted per stage) as PNG bytes."""
    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(bars)))
    width = 0.38
    totals = [float(b.total) for b in bars]
    weighted = [float(b.weighted) for b in bars]
    drawn_total = axes.bar(
        [p - width / 2 for p in positions], totals, width, color=TOTAL_COLOUR, label="Total"
    )
    drawn_weighted = axes.bar(
        [p + width / 2 for p in positions],
        weighted,
        width,
        color=WEIGHTED_COLOUR,
        label="Weighted (× stage probability)",
    )
    label_size = 12 if len(bars) <= 5 else 10
    width_chars = _chars_per_slot(len(bars), label_size)
    axes.set_xticks(
        positions,
        [
            f"{_plain(_wrap(b.label, width_chars))}\n{b.count:,} deal{'s' if b.count != 1 else ''}"
            for b in bars
        ],
        fontsize=label_size,
    )
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=3))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: short_money(v, currency)))
    axes.tick_params(axis="y", labelsize=11)
    axes.set_ylabel(f"Amount ({currency.upper()})", fontsize=12)
    axes.set_title(_plain(title), fontsize=14, loc="left")
    top = max([*totals, *weighted, 1.0])
    axes.set_ylim(0, top * 1.18)  # room for the labels above the tallest bar
    if len(bars) <= 6:  # value labels only while there is room for them
        for container in (drawn_total, drawn_weighted):
            axes.bar_label(
                container,
                labels=[short_money(v, currency) for v in container.datavalues],
                padding=3,
                fontsize=10,
            )
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    figure.legend(
        handles=[drawn_total, drawn_weighted],
        loc="outside lower center",
        ncols=2,
        fontsize=11,
        frameon=False,
    )
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _chars_per_slot(bars: int, font_points: int) -> int:
    """How many characters of a stage's name fit under its bars on one line."""
    plot_px = (FIGSIZE[0] - 1.2) * DPI  # the figure less the y axis and its label
    char_px = font_points * DPI / 72 * 0.62  # an average character of DejaVu Sans
    return max(5, int(plot_px / max(bars, 1) / char_px) - 1)


def _plain(text: str) -> str:
    """Text shown as typed: matplotlib reads what sits between two `$` as math markup, and
    a stage named "Big $$ deals" would not render at all."""
    return text.replace("$", r"\$")


def _wrap(label: str, width: int) -> str:
    """The name on at most two lines of `width` characters, cut short with … if longer."""
    lines = textwrap.wrap(label, width, break_long_words=True, max_lines=2, placeholder="…")
    return "\n".join(lines) or "?"
