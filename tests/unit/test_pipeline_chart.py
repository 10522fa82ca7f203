"""The pipeline chart: a PNG readable at Slack's preview size, money on the axis, and no
label drawn over another."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from commands.pipeline import chart
from commands.pipeline.chart import Bar

BARS = [
    Bar("Prospecting", 42, Decimal("1250000"), Decimal("125000")),
    Bar("Qualification", 17, Decimal("640000"), Decimal("128000")),
    Bar("Proposal", 9, Decimal("380500"), Decimal("190250")),
    Bar("Negotiation and contract review", 4, Decimal("210000"), Decimal("157500")),
]


def test_chart_is_a_png_of_a_sensible_size() -> None:
    png = chart.pipeline_chart(BARS, currency="USD", title="Pipeline by stage")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    width, height = image.size
    assert 1000 <= width <= 1600 and 500 <= height <= 1000


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        (0, "USD", "$0"),
        (950, "USD", "$950"),
        (12_400, "EUR", "€12k"),
        (1_250_000, "GBP", "£1.2M"),
        (2_500, "CHF", "2.5k CHF"),
    ],
)
def test_short_money_puts_the_currency_on_every_amount(
    value: float, currency: str, shown: str
) -> None:
    assert chart.short_money(value, currency) == shown


def test_no_label_overlaps_another(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[Figure] = []
    real_savefig = Figure.savefig

    def keep(self: Figure, *args: object, **kwargs: object) -> None:
        drawn.append(self)
        real_savefig(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Figure, "savefig", keep)
    many = [
        Bar(f"Stage {n} with a long name", n, Decimal(n * 1000), Decimal(n * 400))
        for n in range(1, 9)
    ]
    for bars in (BARS, many):
        chart.pipeline_chart(bars, currency="USD", title="Pipeline")
    for figure in drawn:
        canvas = figure.canvas
        assert isinstance(canvas, FigureCanvasAgg)
        renderer = canvas.get_renderer()
        texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
        for i, (a_text, a) in enumerate(boxes):
            for b_text, b in boxes[i + 1 :]:
                assert not a.overlaps(b), f"“{a_text}” overlaps “{b_text}”"
        axes = figure.axes[0]
        assert axes.get_ylabel() == "Amount (USD)"
        assert any("$" in t.get_text() for t in axes.get_yticklabels())


def test_dollar_signs_in_stage_names_are_drawn_as_typed() -> None:
    bars = [
        chart.Bar(label="Big $$ deals", count=2, total=Decimal("5000"), weighted=Decimal("1500")),
        chart.Bar(label="Budget $10k-$50k", count=1, total=Decimal("900"), weighted=Decimal("90")),
    ]
    png = chart.pipeline_chart(bars, currency="USD", title="Pipeline $$ by stage")
    assert png.startswith(b"\x89PNG")
