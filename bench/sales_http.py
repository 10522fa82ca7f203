"""Benchmark: /sales and /sales report over real HTTP at a million order lines.

Generates one workspace with `bench.datagen` (2023-2025, seasonality, categories, 12 reps,
20,000 customers at a million lines), builds the rollups, then serves the real app with
waitress on loopback and sends signed slash commands, as Slack does, from the workspace's
admin. "Today" is 2025-12-15 (as in `bench.sales_reports`), through a frozen clock given to
the served app's services, so "this month" and "this year" end mid-month. Each command is
sent `--requests` times after one warm-up. *Ack* is the HTTP answer Slack waits for (hard
limit 3 s); *done* is until the listener finished: the card posted to the response URL, the
chart (and the CSV, when asked) uploaded with files_upload_v2 to the DM on the local Slack
stand-in (`bot.local_slack`). Every answer is checked: an empty ack, a card without a
warning or usage text, and the expected files uploaded.

    .venv/bin/python -m bench.sales_http [--lines 1000000] [--requests 20]
        [--database-url postgresql://postgres@127.0.0.1:5432/test]

With a PostgreSQL URL a scratch database is created on that server and dropped after;
without one a scratch SQLite file is used. Budget (issue): every ack p95 < 1,000 ms.
Exits with status 1 when over budget.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from bench.datagen import generate
from bench.sales_reports import CATEGORY, END, START, TODAY
from bench.stock_orders import Timings, ms, scratch_database, timed
from bot.local_slack import LocalSlack
from domain.clock import FrozenClock
from storage import rollups
from storage.engine import make_engine, make_session_factory
from storage.migrate import upgrade
from tests.conftest import make_settings
from tests.harness import TEAM, RunningBot  # the team the harness's commands come from

ADMIN = "U0REP001"  # datagen's first rep is the workspace's admin
NOW = datetime.combine(TODAY, datetime.min.time(), UTC).replace(hour=15)
ACK_BUDGET_MS = 1000.0
# (command, text, files uploaded to the DM)
COMMANDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("/sales", "", (".png",)),
    ("/sales", "year", (".png",)),
    ("/sales", f"last-month category:{CATEGORY}", (".png",)),
    ("/sales", "report revenue by customer year", (".png",)),
    ("/sales", "report revenue by month year compare:yoy csv", (".png", ".csv")),
    ("/sales", "report units by product last-quarter top:10", (".png",)),
)
PROBLEMS = (":warning:", "Usage:", "went wrong", "couldn't", "No sales")


def uploaded_since(slack: LocalSlack, before: int) -> list[str]:
    """The names of the files shared since the `before`-th files.completeUploadExternal."""
    names = []
    for call in slack.calls_to("files.completeUploadExternal")[before:]:
        assert call.result.get("ok"), call.result
        for entry in call.args["files"]:
            file_id = str(entry["id"])
            name = slack.file_name(file_id) or ""
            content = slack.file_bytes(file_id)
            if name.endswith(".png"):
                assert content.startswith(b"\x89PNG"), f"{name} is not a PNG"
            assert content, f"{name} was uploaded empty"
            names.append(name)
    return names


def timed_command(
    bot: RunningBot, slack: LocalSlack, name: str, query: str, files: tuple[str, ...], n: int
) -> Timings:
    def one(_: int) -> tuple[float, float]:
        responses = len(slack.calls_to("response_url"))
        uploads = len(slack.calls_to("files.completeUploadExternal"))
        started = time.monotonic()
        reply = bot.command(name, query, user=ADMIN)  # returns once the listener finished
        done = time.monotonic() - started
        assert reply.status == 200 and reply.body == "", f"{name} {query}: {reply}"
        answered = slack.calls_to("response_url")[responses:]
        assert len(answered) == 1, f"{name} {query}: {len(answered)} responses"
        card = answered[0].args
        shown = card.get("text", "") + json.dumps(card.get("blocks", []))
        assert card.get("blocks"), f"{name} {query}: a card without blocks: {shown[:300]}"
        for problem in PROBLEMS:
            assert problem not in shown, f"{name} {query}: {shown[:500]}"
        if "category:" in query:
            assert CATEGORY in shown, f"{name} {query}: the card does not name {CATEGORY}"
        names = uploaded_since(slack, uploads)
        assert sorted(n[n.rindex(".") :] for n in names) == sorted(files), (
            f"{name} {query}: uploaded {names}, expected {files}"
        )
        return reply.seconds, done

    return timed(n, one)


def summary(timings: Timings) -> dict[str, Any]:
    return {
        "requests": len(timings.acks),
        "ack_ms": ms(timings.acks),
        "done_ms": ms(timings.delivered),
    }


def run(url: str, lines: int, requests: int) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    generated = generate(engine, lines, start=START, end=END, team_id=TEAM)
    started = time.perf_counter()
    with make_session_factory(engine).begin() as session:
        rollups.rebuild(session, TEAM)
    rebuilt_s = round(time.perf_counter() - started, 1)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a bulk load
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    backend = engine.dialect.name
    engine.dispose()
    figures: dict[str, Any] = {}
    with (
        LocalSlack(team_id=TEAM, validate=False) as slack,
        RunningBot(make_settings(url, slack.api_url), FrozenClock(NOW), slack) as bot,
    ):
        for name, query, files in COMMANDS:
            label = f"{name} {query}".strip()
            timed_command(bot, slack, name, query, files, 1)  # warm-up
            figures[label] = summary(timed_command(bot, slack, name, query, files, requests))
            print(f"{label:58} {json.dumps(figures[label])}", flush=True)
        # The last answer is read before waitress finishes that request; let it finish.
        time.sleep(0.2)
    budgets = {
        f"{label} ack p95 < {ACK_BUDGET_MS:,.0f} ms": figure["ack_ms"]["p95"] < ACK_BUDGET_MS
        for label, figure in figures.items()
    }
    return {
        "backend": backend,
        "workspace": {
            "lines": generated.lines,
            "orders": generated.orders,
            "customers": generated.customers,
            "products": generated.products,
            "generate_s": generated.seconds,
            "rollup_rebuild_s": rebuilt_s,
            "today": TODAY.isoformat(),
        },
        "commands": figures,
        "budgets": budgets,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20, help="per command")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}"
        f" · {time.strftime('%Y-%m-%d')}",
        flush=True,
    )
    started = time.perf_counter()
    with scratch_database(args.database_url) as url:
        result = run(url, args.lines, args.requests)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=1))
    if not all(result["budgets"].values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
