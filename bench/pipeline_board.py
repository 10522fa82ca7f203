"""Benchmark: /pipeline and /pipeline forecast on a big pipeline, over HTTP.

One workspace with the default stages, `--open` open deals spread over the open stages
(some stale, some overdue) and `--closed` won or lost deals from the past two years, each
with its stage history (1–4 moves), bulk-inserted. Then signed requests into the real app
served by waitress: `/pipeline` (the board: sums per stage in the database, the biggest
deals, the stale list; the chart follows in a DM) and `/pipeline forecast` (reads every
deal's stage history and computes both periods). *Ack* is the HTTP answer Slack waits for
(3 s limit); *delivered* is until the board or forecast reached the response URL.

    .venv/bin/python -m bench.pipeline_board [--open 5000] [--closed 20000]
        [--requests 30] [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from sqlalchemy import Engine, insert, select, text

from bench.stock_orders import command, scratch_database, timed
from bot.local_slack import LocalSlack
from bot.services import build_services
from domain.clock import SystemClock
from domain.text import fold
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.orm import (
    CustomerRow,
    DealRow,
    DealStageChangeRow,
    PipelineStageRow,
    SequenceRow,
)
from tests.conftest import make_settings
from tests.harness import TEAM, USER, RunningBot

REPS = [USER, *(f"U0REP{i:02d}" for i in range(1, 12))]
CUSTOMERS = 500
ACK_BUDGET_MS = 1000.0
DELIVERED_BUDGET_MS = 2000.0  # the board
FORECAST_DELIVERED_BUDGET_MS = 3000.0  # reads every deal's history: linear in deals


def seed(engine: Engine, open_deals: int, closed_deals: int) -> dict[str, int]:
    """Deals with histories, written in bulk (the services would take minutes)."""
    rng = random.Random(5)
    now = datetime.now(UTC)
    services = build_services(make_settings(engine.url.render_as_string(hide_password=False)))
    try:
        services.workspaces.ensure(TEAM, USER)
        services.pipeline.stages(TEAM)  # the default stages
    finally:
        services.close()
    with engine.begin() as conn:
        stages = conn.execute(
            select(PipelineStageRow.id, PipelineStageRow.key, PipelineStageRow.outcome)
            .where(PipelineStageRow.team_id == TEAM)
            .order_by(PipelineStageRow.position)
        ).all()
        open_ids = [s.id for s in stages if s.outcome == "open"]
        won_id = next(s.id for s in stages if s.outcome == "won")
        lost_id = next(s.id for s in stages if s.outcome == "lost")
        conn.execute(
            insert(CustomerRow),
            [
                {
                    "team_id": TEAM,
                    "number": i,
                    "name": f"Prospect {i:04d}",
                    "name_key": fold(f"Prospect {i:04d}"),
                    "tags": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1, CUSTOMERS + 1)
            ],
        )
        customer_ids = list(conn.scalars(select(CustomerRow.id).where(CustomerRow.team_id == TEAM)))
        deals: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        first_id = int(conn.scalar(text("SELECT COALESCE(MAX(id), 0) + 1 FROM deals")))
        for n in range(open_deals + closed_deals):
            deal_id = first_id + n
            created = now - timedelta(days=rng.uniform(1, 730 if n >= open_deals else 120))
            path = open_ids[: rng.randint(1, len(open_ids))]
            at = created
            visits = [(None, path[0], at)]
            for previous, stage in pairwise(path):
                at += timedelta(days=rng.uniform(1, 20))
                visits.append((previous, stage, at))
            status, closed_at = "open", None
            if n >= open_deals:
                status = "won" if rng.random() < 0.35 else "lost"
                at += timedelta(days=rng.uniform(1, 20))
                visits.append((path[-1], won_id if status == "won" else lost_id, at))
                closed_at = at
            at = min(at, now)
            deals.append(
                {
                    "id": deal_id,
                    "team_id": TEAM,
                    "number": n + 1,
                    "title": f"Deal {n + 1}",
                    "title_key": f"deal {n + 1}",
                    "customer_id": rng.choice(customer_ids),
                    "amount": Decimal(rng.randint(500, 250_000)),
                    "expected_close": (created + timedelta(days=rng.randint(10, 120))).date(),
                    "stage_id": visits[-1][1],
                    "owner_id": rng.choice(REPS),
                    "status": status,
                    "lost_reason": "price" if status == "lost" else None,
                    "created_at": created,
                    "updated_at": at,
                    "stage_changed_at": min(visits[-1][2], now),
                    "closed_at": closed_at and min(closed_at, now),
                    "last_activity_at": at,
                }
            )
            changes += [
                {
                    "team_id": TEAM,
                    "deal_id": deal_id,
                    "from_stage_id": source,
                    "to_stage_id": target,
                    "at": min(when, now),
                }
                for source, target, when in visits
            ]
        for first in range(0, len(deals), 5000):
            conn.execute(insert(DealRow), deals[first : first + 5000])
        for first in range(0, len(changes), 10000):
            conn.execute(insert(DealStageChangeRow), changes[first : first + 10000])
        conn.execute(insert(SequenceRow), [{"team_id": TEAM, "name": "deal", "value": len(deals)}])
        if engine.dialect.name == "postgresql":
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence('deals', 'id'), MAX(id)) FROM deals")
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    return {"open": open_deals, "closed": closed_deals, "stage_changes": len(changes)}


def run(url: str, open_deals: int, closed_deals: int, requests: int) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    sizes = seed(engine, open_deals, closed_deals)
    sizes["seed_s"] = round(time.perf_counter() - started, 1)
    engine.dispose()
    with (
        LocalSlack(team_id=TEAM, validate=False) as slack,
        RunningBot(make_settings(url, slack.api_url), SystemClock(), slack) as bot,
    ):
        for warm in ("", "forecast"):
            command(bot, "/pipeline", warm)
        board = timed(requests, lambda _: command(bot, "/pipeline", ""))
        mine = timed(requests, lambda _: command(bot, "/pipeline", "mine"))
        forecast = timed(requests, lambda _: command(bot, "/pipeline", "forecast"))
        time.sleep(0.5)  # the last charts are still being drawn and uploaded
    figures = {
        "/pipeline": board.summary(),
        "/pipeline mine": mine.summary(),
        "/pipeline forecast": forecast.summary(),
    }
    budgets = {}
    for name, figure in figures.items():
        delivered = FORECAST_DELIVERED_BUDGET_MS if "forecast" in name else DELIVERED_BUDGET_MS
        label = f"{name} ack p95 < {ACK_BUDGET_MS:,.0f} ms, delivered p95 < {delivered:,.0f} ms"
        budgets[label] = (
            figure["ack_ms"]["p95"] < ACK_BUDGET_MS and figure["delivered_ms"]["p95"] < delivered
        )
    return {
        "backend": engine.dialect.name,
        "workspace": sizes,
        "commands": figures,
        "budgets": budgets,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=5_000)
    parser.add_argument("--closed", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}"
        f" · {time.strftime('%Y-%m-%d')}"
    )
    with scratch_database(args.database_url) as url:
        result = run(url, args.open, args.closed, args.requests)
    print(json.dumps(result, indent=1))
    if not all(result["budgets"].values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
