"""Benchmark: every query the dashboard, the report command, App Home and the digest make, at
a million order lines, against the same sums as bare SQL over the order lines.

Generates a workspace with `bench.datagen` (2023-2025, seasonality, categories, reps,
20,000 customers), builds the rollups from the lines, then times what each surface asks
`ReportService` (or, for the digest, the repository, as `domain.digest.build_digest` does)
for its data — rollups plus the lines of a period's edge days, unit of work and Python
included — beside bare SQL: the same sums as plain GROUP BY statements over the order lines
(one per period or breakdown read, run one after another on the same database). "Today" is
2025-12-15, so "this month", "this quarter" and "this year" end mid-month.

    .venv/bin/python -m bench.sales_reports [--lines 1000000] [--repeat 7] [--bare-repeat 3]
        [--database-url postgresql://postgres@127.0.0.1:5432/test] [--save result.json]
    .venv/bin/python -m bench.sales_reports --markdown sqlite.json postgresql.json

With a PostgreSQL URL a scratch database is created on that server and dropped after;
`--in-place` uses the given database as it is instead (one `bench.datagen` made, same
dates). `--markdown` prints the saved results of two runs as docs/performance.md's table.
Budgets (issue 5): the data part of any dashboard or report ≤ 300 ms and ≤ 1.5× the bare
SQL. Exits with status 1 when a query is over budget.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from bench.datagen import generate
from bench.stock_orders import scratch_database
from commands.sales.report_views import TABLE_ROWS_SHOWN as CARD_ROWS
from domain.clock import SystemClock
from domain.metrics import Dimension, Metric, Period
from domain.reports import Compare, ReportService
from storage import rollups
from storage.engine import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

TEAM = "T0BENCH"
START, END = date(2023, 1, 1), date(2025, 12, 31)
TODAY = date(2025, 12, 15)
BUDGET_MS = 300.0
RATIO_BUDGET = 1.5
CATEGORY = "Technology"

SUMS = (
    "SUM(l.line_total) AS revenue, SUM(l.quantity) AS units, COUNT(*) AS lines, "
    "COUNT(DISTINCT l.order_id) AS orders, "
    "SUM(CASE WHEN l.unit_cost IS NOT NULL THEN l.quantity * l.unit_cost END) AS cost, "
    "SUM(CASE WHEN l.unit_cost IS NOT NULL THEN l.line_total END) AS covered_revenue"
)
LINES = "FROM order_lines l JOIN orders o ON o.id = l.order_id"
WITH_PRODUCTS = f"{LINES} JOIN products p ON p.id = l.product_id"
ORDER_BY = {
    Metric.REVENUE: "revenue",
    Metric.ORDERS: "orders",
    Metric.UNITS: "units",
    Metric.MARGIN: "covered_revenue - cost",
    Metric.AOV: "revenue / orders",
}
Statement = tuple[str, dict[str, Any]]


# -- the bare statements -------------------------------------------------------------------------


def _where(period: Period, category: str | None, n: int = 0) -> tuple[str, dict[str, Any]]:
    a, b, c = f"a{n}", f"b{n}", f"c{n}"
    sql = f"l.team_id = :team AND l.order_date BETWEEN :{a} AND :{b}"
    params: dict[str, Any] = {"team": TEAM, a: period.start, b: period.end}
    if category is not None:
        sql += f" AND p.category = :{c}"
        params[c] = category
    return sql, params


def _source(category: str | None) -> str:
    return WITH_PRODUCTS if category is not None else LINES


def bare_totals(periods: list[Period], category: str | None = None) -> Statement:
    """The totals of each period, in one statement (UNION ALL)."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    for n, period in enumerate(periods):
        where, more = _where(period, category, n)
        parts.append(f"SELECT {n} AS part, {SUMS} {_source(category)} WHERE {where}")
        params |= more
    return " UNION ALL ".join(parts), params


def bare_by_day(period: Period, category: str | None = None) -> Statement:
    where, params = _where(period, category)
    return (
        f"SELECT l.order_date, {SUMS} {_source(category)} WHERE {where} GROUP BY l.order_date",
        params,
    )


def bare_by(
    dimension: Dimension,
    period: Period,
    category: str | None = None,
    *,
    top: int | None = None,
    metric: Metric = Metric.REVENUE,
) -> Statement:
    """Sums per category, rep, region, product or customer; ranked and cut when `top`."""
    if dimension.is_time:
        return bare_by_day(period, category)
    key = {
        Dimension.CATEGORY: "p.category",
        Dimension.REP: "o.rep_id",
        Dimension.REGION: "o.region",
        Dimension.PRODUCT: "l.product_id",
        Dimension.CUSTOMER: "o.customer_id",
    }[dimension]
    where, params = _where(period, category)
    source = WITH_PRODUCTS if dimension is Dimension.CATEGORY else _source(category)
    if top is None:
        return f"SELECT {key} AS key, {SUMS} {source} WHERE {where} GROUP BY {key}", params
    return (
        f"SELECT *, COUNT(*) OVER () AS counted FROM (SELECT {key} AS key, {SUMS} {source} "
        f"WHERE {where} GROUP BY {key}) AS summed ORDER BY {ORDER_BY[metric]} DESC, key "
        f"LIMIT {top}",
        params,
    )


# -- the cases ---------------------------------------------------------------------------------


@dataclass
class Case:
    group: str
    name: str
    ours: Callable[[], Any]
    bare: list[Statement]
    result: dict[str, Any] = field(default_factory=dict)


def this_month() -> Period:
    return Period(start=TODAY.replace(day=1), end=TODAY)


def this_quarter() -> Period:
    return Period(start=rollups.span_start(TODAY, 3), end=TODAY)


def this_year() -> Period:
    return Period(start=date(TODAY.year, 1, 1), end=TODAY)


def last_days(days: int) -> Period:
    return Period(start=TODAY - timedelta(days=days - 1), end=TODAY)


def compare_period(period: Period, compare: Compare | None) -> Period | None:
    if compare is Compare.MOM:
        return period.month_before()
    if compare is Compare.YOY:
        return period.last_year()
    return None


def cases(reports: ReportService, uow_factory: Callable[[], Any]) -> list[Case]:
    out: list[Case] = []

    def report_case(
        group: str,
        name: str,
        metric: Metric,
        dimension: Dimension,
        period: Period,
        *,
        compare: Compare | None = None,
        top: int | None = None,
        category: str | None = None,
        with_compare_total: bool = False,
    ) -> None:
        """One `ReportService.report` (and, as /sales report does with a comparison, the
        comparison period's KPIs); bare: the period's total, its breakdown, and the
        comparison period's breakdown (and total)."""
        other = compare_period(period, compare)

        def ours() -> None:
            reports.report(
                TEAM, metric, dimension, period, compare=compare, top=top, category=category
            )
            if with_compare_total and other is not None:
                reports.kpis(TEAM, other, category)

        bare = [
            bare_totals([period], category),
            bare_by(dimension, period, category, top=top, metric=metric),
        ]
        if other is not None:
            bare.append(bare_by(dimension, other, category))
            if with_compare_total:
                bare.append(bare_totals([other], category))
        out.append(Case(group, name, ours, bare))

    # The /sales dashboard (commands/sales/dashboard.py `load`): KPIs, top 5 products and
    # categories, revenue per bucket for the period and the previous one.
    for label, period, bucket, category in (
        ("this month, by day", this_month(), Dimension.DAY, None),
        ("last 30 days, by day", last_days(30), Dimension.DAY, None),
        ("this quarter, by week", this_quarter(), Dimension.WEEK, None),
        ("this year, by month", this_year(), Dimension.MONTH, None),
        (
            "last year, by month",
            Period(start=date(2024, 1, 1), end=date(2024, 12, 31)),
            Dimension.MONTH,
            None,
        ),
        (f"this year, by month, category:{CATEGORY}", this_year(), Dimension.MONTH, CATEGORY),
    ):

        def dashboard(
            period: Period = period, bucket: Dimension = bucket, category: str | None = category
        ) -> None:
            reports.kpis(TEAM, period, category)
            for dimension in (Dimension.PRODUCT, Dimension.CATEGORY):
                reports.report(TEAM, Metric.REVENUE, dimension, period, top=5, category=category)
            for over in (period, period.previous()):
                reports.report(TEAM, Metric.REVENUE, bucket, over, category=category)

        bare = [
            bare_totals([period, period.previous(), period.last_year()], category),
            bare_totals([period], category),
            bare_by(Dimension.PRODUCT, period, category, top=5),
            bare_totals([period], category),
            bare_by(Dimension.CATEGORY, period, category),
            bare_totals([period], category),
            bare_by_day(period, category),
            bare_totals([period.previous()], category),
            bare_by_day(period.previous(), category),
        ]
        out.append(Case("dashboard", f"dashboard data, {label}", dashboard, bare))

    # /sales report: each dimension over this year, alone and compare:yoy / compare:mom.
    year = this_year()
    for dimension in Dimension:
        top = 10 if dimension in (Dimension.PRODUCT, Dimension.CUSTOMER) else None
        for compare in (None, Compare.YOY, Compare.MOM):
            report_case(
                "report",
                f"revenue by {dimension.value}, this year"
                + (f" top:{top}" if top else "")
                + (f" compare:{compare.value}" if compare else ""),
                Metric.REVENUE,
                dimension,
                year,
                compare=compare,
                top=top,
                with_compare_total=True,
            )
    for metric in (Metric.ORDERS, Metric.UNITS, Metric.MARGIN, Metric.AOV):
        for dimension in (Dimension.PRODUCT, Dimension.CUSTOMER, Dimension.REP):
            top = 10 if dimension is not Dimension.REP else None
            report_case(
                "report",
                f"{metric.value} by {dimension.value}, this year"
                + (f" top:{top}" if top else "")
                + " compare:yoy",
                metric,
                dimension,
                year,
                compare=Compare.YOY,
                top=top,
                with_compare_total=True,
            )
    report_case(
        "report",
        f"revenue by customer, this year, category:{CATEGORY} top:10 compare:yoy",
        Metric.REVENUE,
        Dimension.CUSTOMER,
        year,
        compare=Compare.YOY,
        top=10,
        category=CATEGORY,
        with_compare_total=True,
    )
    for dimension in (Dimension.PRODUCT, Dimension.CUSTOMER):
        # Without top:N the command's card ranks the largest rows in the database and
        # counts the rest (commands/sales/report.py); only `csv` reads every row.
        report_case(
            "report",
            f"revenue by {dimension.value}, this year, no top:N (the card's {CARD_ROWS} rows)",
            Metric.REVENUE,
            dimension,
            year,
            top=CARD_ROWS,
        )

    # Top products and customers over calendar and arbitrary periods.
    for label, period in (
        ("last year (2024)", Period(start=date(2024, 1, 1), end=date(2024, 12, 31))),
        ("last quarter (Q3 2025)", Period(start=date(2025, 7, 1), end=date(2025, 9, 30))),
        ("this quarter to date", this_quarter()),
        ("2025-02-15..2025-11-20", Period(start=date(2025, 2, 15), end=date(2025, 11, 20))),
        ("last 30 days", last_days(30)),
        ("2023-01-01..2025-12-15", Period(start=date(2023, 1, 1), end=TODAY)),
    ):
        for dimension in (Dimension.PRODUCT, Dimension.CUSTOMER):
            report_case(
                "top",
                f"top 10 {dimension.value}s, {label}, compare:mom",
                Metric.REVENUE,
                dimension,
                period,
                compare=Compare.MOM,
                top=10,
            )

    # App Home: this month against last month's same days, the leaderboard by rep.
    month = this_month()

    def home() -> None:
        reports.kpis(TEAM, month)
        reports.report(TEAM, Metric.REVENUE, Dimension.REP, month, top=5)

    out.append(
        Case(
            "home",
            "App Home: KPIs this month, revenue by rep top 5",
            home,
            [
                bare_totals([month, month.previous(), month.last_year()]),
                bare_totals([month]),
                bare_by(Dimension.REP, month),
            ],
        )
    )

    # The daily digest's sales (domain/digest.py build_digest), run on TODAY.
    yesterday = TODAY - timedelta(days=1)
    one_day = Period(start=yesterday, end=yesterday)
    week_before = Period(start=yesterday - timedelta(days=7), end=yesterday - timedelta(days=7))
    to_date = Period(start=yesterday.replace(day=1), end=yesterday)
    window = Period(start=yesterday - timedelta(days=29), end=yesterday)

    def digest() -> None:
        with uow_factory() as uow:
            sums = uow.sales_reports
            if sums.refresh_if_dirty(TEAM):
                uow.commit()
            for period in (one_day, week_before, to_date, to_date.month_before()):
                sums.totals(TEAM, period)
            sums.by_day(TEAM, window)
            sums.by_day(TEAM, window.previous())

    out.append(
        Case(
            "digest",
            "digest: yesterday, week before, month to date, last month, 2 × 30 days by day",
            digest,
            [
                bare_totals([one_day, week_before, to_date, to_date.month_before()]),
                bare_by_day(window),
                bare_by_day(window.previous()),
            ],
        )
    )
    return out


# -- timing --------------------------------------------------------------------------------------


def median_ms(call: Callable[[], Any], repeat: int) -> float:
    call()  # warm-up: caches, compiled statements, pages in memory
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1)


class BareTimer:
    """Median time of each distinct bare statement, measured once and reused by every case
    that runs it."""

    def __init__(self, conn: Connection, repeat: int) -> None:
        self._conn = conn
        self._repeat = repeat
        self._known: dict[str, float] = {}

    def _runner(self, sql: str, params: dict[str, Any]) -> Callable[[], Any]:
        return lambda: self._conn.execute(text(sql), params).all()

    def total_ms(self, statements: list[Statement]) -> float:
        total = 0.0
        for sql, params in statements:
            key = sql + repr(sorted(params.items()))
            if key not in self._known:
                self._known[key] = median_ms(self._runner(sql, params), self._repeat)
            total += self._known[key]
        return round(total, 1)


def run(url: str, lines: int, repeat: int, bare_repeat: int, in_place: bool) -> dict[str, Any]:
    engine = make_engine(url)
    made: dict[str, Any] = {}
    if not in_place:
        upgrade(engine)
        generated = generate(engine, lines, start=START, end=END, team_id=TEAM)
        started = time.perf_counter()
        with make_session_factory(engine).begin() as session:
            rollups.rebuild(session, TEAM)
        made = {
            "lines": generated.lines,
            "orders": generated.orders,
            "generate_s": generated.seconds,
            "rollup_rebuild_s": round(time.perf_counter() - started, 1),
        }
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a bulk load
        else:
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
    session_factory = make_session_factory(engine)

    def uow_factory() -> Any:
        return SqlUnitOfWork(session_factory)

    reports = ReportService(uow_factory, SystemClock())
    rows = []
    with engine.connect() as conn:
        bare = BareTimer(conn, bare_repeat)
        for case in cases(reports, uow_factory):
            ours_ms = median_ms(case.ours, repeat)
            bare_ms = bare.total_ms(case.bare)
            row = {
                "group": case.group,
                "query": case.name,
                "ours_ms": ours_ms,
                "bare_sql_ms": bare_ms,
                "statements": len(case.bare),
                "ratio": round(ours_ms / bare_ms, 2) if bare_ms else None,
                "holds": ours_ms <= BUDGET_MS and ours_ms <= RATIO_BUDGET * bare_ms,
            }
            rows.append(row)
            print_row(row)
    engine.dispose()
    return {
        "backend": engine.dialect.name,
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, python {platform.python_version()}",
        **made,
        "rows": rows,
    }


def print_row(row: dict[str, Any]) -> None:
    verdict = "holds" if row["holds"] else "OVER"
    print(
        f"{row['query'][:72]:72} {row['ours_ms']:>8} {row['bare_sql_ms']:>9} "
        f"{row['ratio']:>6}  {verdict}",
        flush=True,
    )


def markdown(results: list[dict[str, Any]]) -> str:
    """One table: each query's time on each backend beside bare SQL, and its budget there
    (300 ms, or 1.5 × bare SQL when that is less)."""
    by_backend = {r["backend"]: {row["query"]: row for row in r["rows"]} for r in results}
    backends = [r["backend"] for r in results]
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    head = ["Query"]
    for b in backends:
        head += [f"{names.get(b, b)} (ms)", f"{names.get(b, b)} bare SQL (ms)"]
    head += [f"Budget {' / '.join(names.get(b, b) for b in backends)} (ms)", "Within budget"]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 2) + "|---|"]
    for row in results[0]["rows"]:
        cells = [row["query"]]
        budgets = []
        holds = True
        for b in backends:
            theirs = by_backend[b].get(row["query"])
            if theirs is None:
                cells += ["–", "–"]
                budgets.append("–")
                continue
            cells += [f"{theirs['ours_ms']:,.1f}", f"{theirs['bare_sql_ms']:,.1f}"]
            budgets.append(f"{min(BUDGET_MS, RATIO_BUDGET * theirs['bare_sql_ms']):,.0f}")
            holds = holds and theirs["holds"]
        cells.append(" / ".join(budgets))
        cells.append("yes" if holds else "**no**")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7, help="runs of ours per query")
    parser.add_argument("--bare-repeat", type=int, default=3, help="runs per bare statement")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--in-place", action="store_true", help="use the database as it is")
    parser.add_argument("--save", default=None, help="write the results as JSON here")
    parser.add_argument("--markdown", nargs="+", default=None, metavar="RESULT_JSON")
    args = parser.parse_args()
    if args.markdown:
        results = [json.loads(Path(path).read_text()) for path in args.markdown]
        print(markdown(results))
        return
    print(
        f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}"
        f" · {time.strftime('%Y-%m-%d')}",
        flush=True,
    )
    print(f"{'query':72} {'ours ms':>8} {'bare ms':>9} {'ratio':>6}  budget", flush=True)
    if args.in_place:
        result = run(args.database_url, args.lines, args.repeat, args.bare_repeat, True)
    else:
        with scratch_database(args.database_url) as url:
            result = run(url, args.lines, args.repeat, args.bare_repeat, False)
    if "lines" in result:
        print(
            f"{result['backend']}: {result['lines']:,} lines, {result['orders']:,} orders "
            f"(generated in {result['generate_s']} s, rollups rebuilt in "
            f"{result['rollup_rebuild_s']} s)"
        )
    over = [row["query"] for row in result["rows"] if not row["holds"]]
    print(f"{len(result['rows']) - len(over)} of {len(result['rows'])} within budget")
    for name in over:
        print(f"  OVER BUDGET: {name}")
    if args.save:
        Path(args.save).write_text(json.dumps(result, indent=1))
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
