"""Benchmark: `/customer <text>` over real HTTP against a workspace with many customers.

Measures the ack (HTTP answer Slack waits for, budget 3 s) and the time until the card
or list has been delivered to the response URL. Run from the repository root:

    .venv/bin/python -m bench.customer_lookup [--customers 20000] [--requests 300]
        [--database-url postgresql://postgres@127.0.0.1:5432/test]

With a PostgreSQL URL a scratch database is created on that server and dropped after.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from bot.local_slack import LocalSlack
from domain.clock import SystemClock
from domain.text import fold
from storage.engine import make_engine, normalise_url
from storage.migrate import upgrade
from storage.orm import CustomerRow, SequenceRow, WorkspaceRow
from tests.conftest import make_settings
from tests.harness import TEAM, RunningBot

WORDS = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Cyberdyne",
    "Tyrell",
    "Soylent",
    "Nakatomi",
    "Oceanic",
    "Bluth",
    "Dunder",
    "Pollos",
    "Lumière",
    "Müller",
    "Café",
    "Zürich",
    "Ollivander",
]
KINDS = ("Trading", "Holdings", "Retail", "Foods", "Systems", "Partners", "Supply", "Labs")


def seed(url: str, count: int) -> list[str]:
    """Insert `count` customers in bulk; returns their names."""
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    rng = random.Random(7)
    names = [f"{rng.choice(WORDS)} {rng.choice(KINDS)} {i:05d}" for i in range(1, count + 1)]
    rows = [
        {
            "team_id": TEAM,
            "number": i,
            "name": name,
            "name_key": fold(name),
            "company": name.rsplit(" ", 1)[0],
            "company_key": fold(name.rsplit(" ", 1)[0]),
            "email": f"buyer{i}@example.com",
            "phone": None,
            "owner_id": "U0ALICE",
            "tags": [],
            "created_by": "U0ALICE",
            "created_at": now,
            "updated_at": now,
        }
        for i, name in enumerate(names, start=1)
    ]
    with engine.begin() as conn:
        conn.execute(
            insert(WorkspaceRow),
            [{"team_id": TEAM, "timezone": "UTC", "currency": "USD", "created_at": now}],
        )
        for start in range(0, len(rows), 5000):
            conn.execute(insert(CustomerRow), rows[start : start + 5000])
        conn.execute(insert(SequenceRow), [{"team_id": TEAM, "name": "customer", "value": count}])
    engine.dispose()
    return names


def queries(names: list[str], n: int) -> list[str]:
    rng = random.Random(11)
    mix = []
    for i in range(n):
        name = rng.choice(names)
        mix.append(
            [
                name,
                name.split()[0].lower(),
                f"C-{rng.randint(1, len(names))}",
                f"buyer{rng.randint(1, len(names))}@",
                "no such customer",
            ][i % 5]
        )
    return mix


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(url: str, customers: int, requests: int) -> dict[str, object]:
    names = seed(url, customers)
    acks, totals = [], []
    with (
        LocalSlack(team_id=TEAM, validate=False) as slack,
        RunningBot(make_settings(url, slack.api_url), SystemClock(), slack) as bot,
    ):
        bot.command("/customer", "warm up")
        for query in queries(names, requests):
            started = time.monotonic()
            reply = bot.command("/customer", query)  # returns once the reply was delivered
            totals.append(time.monotonic() - started)
            acks.append(reply.seconds)
            assert reply.status == 200, reply
    ms = lambda xs, p: round(percentile(xs, p) * 1000, 1)  # noqa: E731
    return {
        "backend": make_url(url).get_backend_name(),
        "customers": customers,
        "requests": requests,
        "ack_ms": {"p50": ms(acks, 50), "p95": ms(acks, 95), "max": ms(acks, 100)},
        "delivered_ms": {"p50": ms(totals, 50), "p95": ms(totals, 95), "max": ms(totals, 100)},
        "mean_delivered_ms": round(statistics.mean(totals) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}"
        f" · {time.strftime('%Y-%m-%d')}"
    )
    if args.database_url:
        admin_url = make_url(normalise_url(args.database_url))
        name = f"salesbot_bench_{secrets.token_hex(4)}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = admin_url.set(database=name).render_as_string(hide_password=False)
            print(json.dumps(run(url, args.customers, args.requests)))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            print(json.dumps(run(url, args.customers, args.requests)))


if __name__ == "__main__":
    main()
