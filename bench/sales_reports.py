"""Benchmark: dashboard and report queries at a million order lines, against bare SQL.

Generates a workspace with `bench.datagen` (3 years, seasonality, categories, reps,
customers), builds the rollups from the lines, then times each query the dashboard and
`/sales report` make through `ReportService` (rollups, plus the lines of a period's edge
days for products and customers), and the same aggregation written as one bare SQL
statement over the order lines on the same database. Each figure is the median of
`--repeat` runs after one warm-up.

    .venv/bin/python -m bench.sales_reports [--lines 1000000] [--repeat 7]
        [--database-url postgresql://postgres@127.0.0.1:5432/test]

With a PostgreSQL URL a scratch database is created on that server and dropped after.
Budgets (issue 5): the data part of any dashboard or report ≤ 300 ms and ≤ 1.5× the bare
statement.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

from bench.datagen import generate
from bench.stock_orders import scratch_database
from domain.clock import SystemClock
from domain.metrics import Dimension, Metric, Period
from domain.reports import Compare, ReportService
from storage import rollups
from storage.engine import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

TEAM = "T0BENCH"
START, END = date(2023, 1, 1), date(2025, 12, 31)
TODAY = END
BUDGET_MS = 300.0
RATIO_BUDGET = 1.5

LINES = "FROM order_lines l JOIN orders o ON o.id = l.order_id"
SUMS = (
    "SUM(l.line_total), SUM(l.quantity), COUNT(*), COUNT(DISTINCT l.order_id), "
    "SUM(CASE WHEN l.unit_cost IS NOT NULL THEN l.quantity * l.unit_cost END)"
)


def periods() -> dict[str, Period]:
    year = Period(start=date(TODAY.year, 1, 1), end=TODAY)
    return {
        "year": year,
        "quarter": Period(start=date(TODAY.year, 10, 1), end=TODAY),
        "30 days": Period(start=TODAY - timedelta(days=29), end=TODAY),
    }


def cases(reports: ReportService) -> list[tuple[str, Callable[[], Any], str, dict[str, Any]]]:
    """(name, our call, the bare statement, its parameters)."""
    p = periods()
    year, days30 = p["year"], p["30 days"]
    team = {"team": TEAM}

    def span(period: Period) -> dict[str, Any]:
        return team | {"a": period.start, "b": period.end}

    where = "WHERE l.team_id = :team AND l.order_date BETWEEN :a AND :b"
    prev = year.previous()
    ago = year.last_year()
    return [
        (
            "dashboard KPIs, year to date (3 periods)",
            lambda: reports.kpis(TEAM, year),
            f"SELECT {SUMS} {LINES} WHERE l.team_id = :team AND ("
            "l.order_date BETWEEN :a AND :b OR l.order_date BETWEEN :c AND :d "
            "OR l.order_date BETWEEN :e AND :f) GROUP BY l.order_date >= :a, "
            "l.order_date >= :c",
            span(year) | {"c": prev.start, "d": prev.end, "e": ago.start, "f": ago.end},
        ),
        (
            "dashboard KPIs, year, category filter",
            lambda: reports.kpis(TEAM, year, "Technology"),
            f"SELECT {SUMS} {LINES} JOIN products p ON p.id = l.product_id {where} "
            "AND p.category = :cat",
            span(year) | {"cat": "Technology"},
        ),
        (
            "revenue by month, year, compare:yoy",
            lambda: reports.report(
                TEAM, Metric.REVENUE, Dimension.MONTH, year, compare=Compare.YOY
            ),
            f"SELECT l.order_date, {SUMS} {LINES} {where} GROUP BY l.order_date",
            span(year),
        ),
        (
            "revenue by day, 30 days",
            lambda: reports.report(TEAM, Metric.REVENUE, Dimension.DAY, days30),
            f"SELECT l.order_date, {SUMS} {LINES} {where} GROUP BY l.order_date",
            span(days30),
        ),
        (
            "revenue by category, year",
            lambda: reports.report(TEAM, Metric.REVENUE, Dimension.CATEGORY, year),
            f"SELECT p.category, {SUMS} {LINES} JOIN products p ON p.id = l.product_id "
            f"{where} GROUP BY p.category",
            span(year),
        ),
        (
            "revenue by rep, year",
            lambda: reports.report(TEAM, Metric.REVENUE, Dimension.REP, year),
            f"SELECT o.rep_id, {SUMS} {LINES} {where} GROUP BY o.rep_id",
            span(year),
        ),
        (
            "revenue by region, year",
            lambda: reports.report(TEAM, Metric.REVENUE, Dimension.REGION, year),
            f"SELECT o.region, {SUMS} {LINES} {where} GROUP BY o.region",
            span(year),
        ),
        (
            "top 10 products, year",
            lambda: reports.report(TEAM, Metric.REVENUE, Dimension.PRODUCT, year, top=10),
            f"SELECT l.product_id, {SUMS} {LINES} {where} GROUP BY l.product_id",
            span(year),
        ),
        (
            "top 5 products, 30 days",
            lambda: reports.report(TEAM, Metric.REVENUE, Dimension.PRODUCT, days30, top=5),
            f"SELECT l.product_id, {SUMS} {LINES} {where} GROUP BY l.product_id",
            span(days30),
        ),
        (
            "top 10 customers, year, compare:mom",
            lambda: reports.report(
                TEAM, Metric.REVENUE, Dimension.CUSTOMER, year, compare=Compare.MOM, top=10
            ),
            f"SELECT o.customer_id, {SUMS} {LINES} {where} GROUP BY o.customer_id",
            span(year),
        ),
    ]


def median_ms(call: Callable[[], Any], repeat: int) -> float:
    call()  # warm-up: caches, compiled statements, pages in memory
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1)


def run(url: str, lines: int, repeat: int) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    made = generate(engine, lines, start=START, end=END, team_id=TEAM)
    started = time.perf_counter()
    with make_session_factory(engine).begin() as session:
        rollups.rebuild(session, TEAM)
    rebuild_s = round(time.perf_counter() - started, 1)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    session_factory = make_session_factory(engine)
    reports = ReportService(lambda: SqlUnitOfWork(session_factory), SystemClock())
    rows = []
    with engine.connect() as conn:
        for name, ours, bare, params in cases(reports):
            ours_ms = median_ms(ours, repeat)
            bare_ms = median_ms(lambda b=bare, p=params: conn.execute(text(b), p).all(), repeat)
            rows.append(
                {
                    "query": name,
                    "ours_ms": ours_ms,
                    "bare_sql_ms": bare_ms,
                    "ratio": round(ours_ms / bare_ms, 2) if bare_ms else None,
                    "holds": ours_ms <= BUDGET_MS and ours_ms <= RATIO_BUDGET * bare_ms,
                }
            )
    engine.dispose()
    return {
        "backend": engine.dialect.name,
        "lines": made.lines,
        "orders": made.orders,
        "generate_s": made.seconds,
        "rollup_rebuild_s": rebuild_s,
        "rows": rows,
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"{result['backend']}: {result['lines']:,} lines, {result['orders']:,} orders "
        f"(generated in {result['generate_s']} s, rollups rebuilt in "
        f"{result['rollup_rebuild_s']} s)"
    )
    print(f"{'query':44} {'ours ms':>9} {'bare SQL ms':>12} {'ratio':>6}  budget")
    for row in result["rows"]:
        verdict = "holds" if row["holds"] else "OVER"
        print(
            f"{row['query']:44} {row['ours_ms']:>9} {row['bare_sql_ms']:>12} "
            f"{row['ratio']:>6}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}"
        f" · {time.strftime('%Y-%m-%d')}"
    )
    with scratch_database(args.database_url) as url:
        result = run(url, args.lines, args.repeat)
    report(result)


if __name__ == "__main__":
    main()
