"""Benchmark: how long the charts take to render as PNG (budget: 500 ms each).

Renders each chart the dashboard, `/sales report` and `/pipeline` draw, with data the size
they get at the most: a year of days with the previous year behind it, twelve months, the
fifteen bars a bar chart shows with their comparison bars, and the pipeline's stages. The
first render of the process (matplotlib's fonts and caches loaded) is shown apart; then
median, p95 and max of `--renders` renders.

    .venv/bin/python -m bench.charts [--renders 20]

Exits with status 1 when a chart's p95 is over budget.
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

BUDGET_MS = 500.0


def charts() -> list[tuple[str, Callable[[], bytes]]]:
    from commands.pipeline.chart import Bar, pipeline_chart
    from commands.sales.charts import Point, bar_chart, trend_chart

    rng = random.Random(7)

    def amount(base: float) -> Decimal:
        return Decimal(str(round(base * math.exp(rng.gauss(0, 0.25)), 2)))

    first = date(2025, 1, 1)
    days = [
        Point(
            label=(first + timedelta(days=i)).strftime("%-d %b"),
            value=amount(60_000 * (1.3 if (first + timedelta(days=i)).month > 8 else 1)),
            previous=amount(52_000),
        )
        for i in range(365)
    ]
    months = [
        Point(label=date(2025, m, 1).strftime("%b %Y"), value=amount(2e6), previous=amount(1.7e6))
        for m in range(1, 13)
    ]
    ranked = sorted((amount(400_000) for _ in range(15)), reverse=True)
    bars = [(f"Customer {i + 1} Trading Group (C-{1000 + i})", v) for i, v in enumerate(ranked)]
    compared = [amount(300_000) for _ in range(15)]
    stages = ["Lead", "Qualified", "Discovery", "Proposal", "Negotiation", "Verbal yes", "Legal"]
    pipeline = [
        Bar(
            label=name,
            count=rng.randint(20, 900),
            total=amount(3e6 / (i + 1)),
            weighted=amount(3e6 / (i + 1) * (i + 1) / 8),
        )
        for i, name in enumerate(stages)
    ]
    return [
        (
            "trend_chart: 365 days with the previous year",
            lambda: trend_chart(
                days,
                title="Revenue by day · 2025",
                currency="USD",
                value_label="2025",
                previous_label="2024",
            ),
        ),
        (
            "trend_chart: 12 months with the previous year",
            lambda: trend_chart(
                months,
                title="Revenue by month · 2025",
                currency="USD",
                value_label="2025",
                previous_label="2024",
            ),
        ),
        (
            "bar_chart: 15 bars with compared",
            lambda: bar_chart(
                bars,
                title="Top customers by revenue · 2025",
                currency="USD",
                compared=compared,
                compared_label="2024",
            ),
        ),
        (
            "pipeline_chart: 7 stages",
            lambda: pipeline_chart(pipeline, currency="USD", title="Open pipeline"),
        ),
    ]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=20)
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}"
        f" · {time.strftime('%Y-%m-%d')}"
    )
    started = time.perf_counter()
    drawn = charts()
    print(f"imports (matplotlib): {(time.perf_counter() - started) * 1000:.0f} ms")
    print(f"{'chart':48} {'first':>7} {'p50':>7} {'p95':>7} {'max':>7} {'PNG kB':>7}  budget")
    over = []
    results: list[dict[str, Any]] = []
    for name, render in drawn:
        began = time.perf_counter()
        png = render()
        first = (time.perf_counter() - began) * 1000
        samples = []
        for _ in range(args.renders):
            began = time.perf_counter()
            render()
            samples.append((time.perf_counter() - began) * 1000)
        p95 = percentile(samples, 0.95)
        holds = p95 <= BUDGET_MS
        if not holds:
            over.append(name)
        results.append({"chart": name, "p50": statistics.median(samples), "p95": p95})
        print(
            f"{name:48} {first:>7.1f} {statistics.median(samples):>7.1f} {p95:>7.1f} "
            f"{max(samples):>7.1f} {len(png) / 1024:>7.1f}  {'holds' if holds else 'OVER'}"
        )
    for name in over:
        print(f"OVER BUDGET: {name}")
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
