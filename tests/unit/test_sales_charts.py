"""Sales charts: PNGs readable at Slack's preview size, currency on the axis, no label drawn
over another (even for a year of daily points), `$` drawn as typed, and empty data."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from commands.sales.charts import Point, bar_chart, short_count, trend_chart

PNG = b"\x89PNG\r\n\x1a\n"


def year_of_days() -> list[Point]:
    start = date(2025, 1, 1)
    return [
        Point(
            label=f"{start + timedelta(days=n):%-d %b}",
            value=Decimal(1000 + (n * 37) % 500),
            previous=Decimal(900 + (n * 13) % 400),
        )
        for n in range(365)
    ]


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Figure]]:
    """Every figure saved while the test runs, to inspect what was drawn."""
    figures: list[Figure] = []
    real_savefig = Figure.savefig

    def keep(self: Figure, *args: object, **kwargs: object) -> None:
        figures.append(self)
        real_savefig(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Figure, "savefig", keep)
    yield figures


def visible_texts(figure: Figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def assert_no_overlaps(figure: Figure) -> None:
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    renderer = canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in visible_texts(figure)]
    for i, (a_text, a) in enumerate(boxes):
        for b_text, b in boxes[i + 1 :]:
            assert not a.overlaps(b), f"“{a_text}” overlaps “{b_text}”"


def test_a_trend_chart_is_a_png_at_slacks_preview_size() -> None:
    png = trend_chart(year_of_days()[:30], title="Revenue per day", currency="USD")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (1200, 675)  # 8 × 4.5 in at 150 dpi


def test_a_year_of_daily_points_has_thinned_labels_that_never_overlap(
    drawn: list[Figure],
) -> None:
    trend_chart(year_of_days(), title="Revenue per day · 2025", currency="USD")
    [figure] = drawn
    axes = figure.axes[0]
    labels = [t.get_text() for t in axes.get_xticklabels() if t.get_text()]
    assert 5 <= len(labels) <= 14
    assert labels[0] == "1 Jan"  # the first bucket is always labelled
    assert_no_overlaps(figure)


@pytest.mark.parametrize("count", [1, 2, 7, 13, 31, 53, 90])
def test_any_number_of_points_is_labelled_without_overlaps(drawn: list[Figure], count: int) -> None:
    points = [Point(f"wk {n}", Decimal(n * 100)) for n in range(count)]
    trend_chart(points, title="Revenue per week", currency="EUR")
    assert_no_overlaps(drawn[-1])


def test_the_axis_shows_the_currency_and_the_legend_both_periods(drawn: list[Figure]) -> None:
    trend_chart(
        year_of_days()[:31],
        title="Revenue per day",
        currency="USD",
        value_label="January 2025",
        previous_label="Previous period (1–31 Dec 2024)",
        y_label="Revenue (USD)",
    )
    [figure] = drawn
    axes = figure.axes[0]
    ticks = [t.get_text() for t in axes.get_yticklabels() if t.get_text()]
    assert ticks and all("$" in t for t in ticks if t not in ("$0", r"\$0")), ticks
    assert axes.get_ylabel() == "Revenue (USD)"
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend == ["January 2025", "Previous period (1–31 Dec 2024)"]
    # The previous period is drawn dashed, behind the current one.
    current, previous = axes.get_lines()
    assert previous.get_linestyle() == "--" and current.get_linestyle() == "-"


def test_counts_have_no_currency(drawn: list[Figure]) -> None:
    trend_chart(
        [Point("1 Mar", Decimal(12)), Point("2 Mar", Decimal(1500))],
        title="Orders",
        currency=None,
    )
    ticks = [t.get_text() for t in drawn[0].axes[0].get_yticklabels()]
    assert ticks and not any("$" in t for t in ticks)
    assert short_count(1500) == "1.5k" and short_count(12) == "12"


def test_dollar_signs_in_titles_and_labels_are_drawn_as_typed(drawn: list[Figure]) -> None:
    png = trend_chart(
        [Point("Big $$ week", Decimal(5)), Point("$10k-$50k", Decimal(9), Decimal(3))],
        title="Revenue $ per week · Big $$ deals",
        currency="USD",
        previous_label="Before $$",
    )
    assert png.startswith(PNG)
    bars = bar_chart(
        [("Big $$ deals", Decimal(5000)), ("Budget $10k-$50k", Decimal(900))],
        title="Top $$ products",
        currency="USD",
    )
    assert bars.startswith(PNG)
    titles = [figure.axes[0].get_title(loc="left") for figure in drawn]
    assert titles == [r"Revenue \$ per week · Big \$\$ deals", r"Top \$\$ products"]


def test_no_points_or_only_zeros_still_draw_and_say_so(drawn: list[Figure]) -> None:
    for points in ([], [Point("1 Mar", Decimal(0), Decimal(0))] * 3):
        png = trend_chart(points, title="Revenue per day", currency="USD")
        assert png.startswith(PNG)
    for figure in drawn:
        assert "No sales in this period" in [t.get_text() for t in visible_texts(figure)]
    assert bar_chart([], title="Top products", currency="USD").startswith(PNG)


def test_a_year_of_days_renders_within_half_a_second() -> None:
    points = year_of_days()
    trend_chart(points, title="warm-up", currency="USD")  # fonts and caches load once
    started = time.perf_counter()
    trend_chart(points, title="Revenue per day · 2025", currency="USD")
    assert time.perf_counter() - started < 0.5


# --- bars ----------------------------------------------------------------------------------------


def test_bars_carry_value_labels_largest_on_top(drawn: list[Figure]) -> None:
    png = bar_chart(
        [("Furniture", Decimal("19997.85")), ("Technology", Decimal(15149)), ("Paper", Decimal(9))],
        title="Revenue by category",
        currency="USD",
    )
    assert Image.open(io.BytesIO(png)).size == (1200, 675)
    [figure] = drawn
    axes = figure.axes[0]
    shown = [t.get_text() for t in visible_texts(figure)]
    for label in (r"\$20k", r"\$15k", r"\$9"):
        assert label in shown, shown
    names = [t.get_text() for t in axes.get_yticklabels()]
    assert names == ["Furniture", "Technology", "Paper"]
    top = axes.get_yticklabels()[0].get_position()[1]
    assert top < axes.get_yticklabels()[-1].get_position()[1]  # y axis inverted: first on top
    assert not figure.legends  # one series needs no legend
    assert_no_overlaps(figure)


def test_compared_bars_are_drawn_beside_with_na_for_missing(drawn: list[Figure]) -> None:
    bar_chart(
        [
            ("Phones", Decimal(12000)),
            ("Chairs", Decimal(9000)),
            ("A long product name", Decimal(3)),
        ],
        title="Top products",
        currency="USD",
        compared=[Decimal(10000), None, Decimal(5)],
        compared_label="February 2026",
        value_label="March 2026",
    )
    [figure] = drawn
    shown = [t.get_text() for t in visible_texts(figure)]
    assert "n/a" in shown and r"\$10k" in shown
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["March 2026", "February 2026"]
    assert_no_overlaps(figure)


def test_many_long_bars_are_cut_and_wrapped_without_overlaps(drawn: list[Figure]) -> None:
    bars = [(f"Product number {n} with a rather long name indeed", Decimal(n)) for n in range(40)]
    bar_chart(bars, title="Revenue by product", currency="GBP")
    [figure] = drawn
    assert len(figure.axes[0].get_yticklabels()) == 15
    assert_no_overlaps(figure)


# --- review: values below zero, tick labels, gaps ------------------------------------------------


def tick_labels(figure: Figure, axis: str) -> list[tuple[float, str]]:
    """(position, label) of each visible tick inside the axis's limits."""
    axes = figure.axes[0]
    figure.canvas.draw()
    ticks = axes.get_yticklabels() if axis == "y" else axes.get_xticklabels()
    low, high = axes.get_ylim() if axis == "y" else axes.get_xlim()
    low, high = min(low, high), max(low, high)
    found = []
    for tick in ticks:
        x, y = tick.get_position()
        at = y if axis == "y" else x
        if tick.get_text() and low - 1e-9 <= at <= high + 1e-9:
            found.append((at, tick.get_text().replace("\\$", "$")))
    return found


def test_negative_values_are_drawn_below_the_axis_not_cut_off(drawn: list[Figure]) -> None:
    """A loss-making product's margin, a day of returns: the chart shows them below zero."""
    trend_chart(
        [Point("1 Mar", Decimal(-50)), Point("2 Mar", Decimal(5)), Point("3 Mar", Decimal(20))],
        title="Gross margin by day",
        currency="USD",
    )
    bar_chart(
        [("Good", Decimal(5)), ("Loss leader", Decimal(-50))],
        title="Gross margin by product",
        currency="USD",
    )
    bar_chart(
        [("Loss leader", Decimal(-50)), ("Worse", Decimal(-80))],
        title="Gross margin by product",
        currency="USD",
    )
    line, bars, all_negative = drawn
    assert line.axes[0].get_ylim()[0] < -50
    assert bars.axes[0].get_xlim()[0] < -50
    assert all_negative.axes[0].get_xlim()[0] < -80
    shown = [t.get_text() for t in visible_texts(all_negative)]
    assert "Nothing to show" not in shown and "-\\$80" in shown, shown
    for figure in drawn:
        assert_no_overlaps(figure)


@pytest.mark.parametrize(
    ("values", "currency"),
    [
        ([1, 3, 2, 0], None),  # orders per day of a small team
        ([1, 1], None),
        ([Decimal("1.20"), Decimal("4.94"), Decimal(2)], "USD"),  # a few dollars a day
        ([Decimal("0.35"), Decimal("0.10")], "EUR"),
        ([Decimal(9), Decimal(10), Decimal(8)], "USD"),
        ([Decimal(1200), Decimal(1300)], "USD"),
        ([Decimal(4_940_000_000), Decimal(1_200_000_000)], "USD"),  # billions
    ],
)
def test_each_tick_is_labelled_with_the_value_it_stands_at(
    drawn: list[Figure], values: list[Decimal], currency: str | None
) -> None:
    """No "1" written at 0.5 and again at 1, no "$2" at 1.5: the axis must not mislead."""
    trend_chart(
        [Point(f"{n + 1} Mar", Decimal(v)) for n, v in enumerate(values)],
        title="t",
        currency=currency,
    )
    bars = [(f"row {n}", Decimal(v)) for n, v in enumerate(values)]
    bar_chart(bars, title="b", currency=currency)
    line, barred = drawn
    for figure, axis in ((line, "y"), (barred, "x")):
        ticks = tick_labels(figure, axis)
        labels = [label for _, label in ticks]
        assert len(set(labels)) == len(labels), labels  # never the same label twice
        for at, label in ticks:
            if currency is None:
                assert at == int(at), ticks  # counts tick at whole numbers
            number = label.replace("$", "").replace("€", "").replace(",", "")
            scale = {"k": 1e3, "M": 1e6, "B": 1e9}.get(number[-1:], 1.0)
            shown = float(number.rstrip("kMB")) * scale
            assert abs(shown - at) <= 1e-6 + abs(at) * 1e-9, ticks


def test_a_bucket_without_a_value_is_a_gap_not_a_zero(drawn: list[Figure]) -> None:
    """An average order value on a day without orders has no value: not $0."""
    trend_chart(
        [Point("1 Mar", Decimal(100)), Point("2 Mar", None), Point("3 Mar", Decimal(80))],
        title="Average order value by day",
        currency="USD",
    )
    [figure] = drawn
    [line] = figure.axes[0].get_lines()
    ys = list(line.get_ydata())
    assert ys[0] == 100 and ys[2] == 80
    assert ys[1] != ys[1]  # NaN: matplotlib leaves a gap


def test_a_lone_previous_bucket_is_drawn_as_a_dot(drawn: list[Figure]) -> None:
    """ "today": one bucket each; the previous period in the legend must show on the chart."""
    trend_chart(
        [Point("2 Mar", Decimal(3700), Decimal(1200))], title="Revenue per day", currency="USD"
    )
    [figure] = drawn
    _, previous = figure.axes[0].get_lines()
    assert previous.get_marker() not in (None, "None", "", " ")


def test_bars_whose_names_differ_only_at_the_end_are_told_apart(drawn: list[Figure]) -> None:
    """Fifteen "Product with a rather long name number N" must not all read the same."""
    bars = [(f"Product with a rather long name number {n}", Decimal(100 - n)) for n in range(15)]
    bar_chart(
        [*bars[:13], ("Chair", Decimal(2)), ("Chair", Decimal(1))],
        title="Revenue by product",
        currency="USD",
    )
    [figure] = drawn
    names = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert len(set(names)) == len(names) == 15, names
    assert names[0].endswith("number 0") and names[12].endswith("number 12")
    assert names[13:] == ["Chair (1)", "Chair (2)"]
    assert_no_overlaps(figure)
