"""Benchmark: the Superstore import, then /stock and /sales record on a big workspace.

1. Import throughput: `import_superstore` (what `salesbot import orders` runs with the
   built-in `superstore` mapping) on the sample file, then the same file again, which
   must add nothing.
2. One workspace with N products (a reorder rule on about half) and M order lines over
   the last 120 days, bulk-inserted. Then signed requests into the real app served by
   waitress: `/stock <SKU>` (the card), `/stock low` (worst first, with a suggestion for
   every selling product), and the `/sales record` form submitted with 3 lines, whose
   ack includes the write (validation, order, lines, stock movements: one transaction).

*Ack* is the HTTP answer Slack waits for (hard limit 3 s); *delivered* is until the reply
reached the response URL. Run from the repository root:

    .venv/bin/python -m bench.stock_orders [--products 2000] [--lines 200000]
        [--requests 200] [--database-url postgresql://postgres@127.0.0.1:5432/test]

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from bench.customer_lookup import percentile
from bot.local_slack import LocalSlack
from bot.services import build_services
from commands.ids import ActionId
from commands.sales.views import SaleBlock, line_block
from domain.clock import SystemClock
from domain.text import fold
from storage.engine import make_engine, normalise_url
from storage.importers import import_superstore
from storage.migrate import upgrade
from storage.orm import (
    CustomerRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SequenceRow,
    StockMovementRow,
    WorkspaceRow,
)
from tests.conftest import make_settings
from tests.harness import TEAM, USER, RunningBot, find_button, text_values

SUPERSTORE = Path("/work/shared/datasets/superstore.csv")
IMPORT_TEAM = "T0IMPORT"  # the import gets its own workspace, beside the big one
CUSTOMERS = 500
DAYS = 120  # order lines spread over this many days, today included
BATCH = 5000
LINES_PER_SUBMISSION = 3
ACK_BUDGET_MS = 1000.0  # every command; Slack's hard limit is 3 s
LOW_DELIVERED_BUDGET_MS = 2000.0  # /stock low at 2,000 products / 200,000 lines
CENT = Decimal("0.01")
PLACES = Decimal("0.0001")
CATEGORIES = {
    "FUR": ("Furniture", ("Chairs", "Tables", "Bookcases", "Furnishings")),
    "OFF": ("Office Supplies", ("Paper", "Binders", "Storage", "Art", "Labels")),
    "TEC": ("Technology", ("Phones", "Accessories", "Machines", "Copiers")),
}
NOUNS = ("Chair", "Desk", "Lamp", "Binder", "Stapler", "Shelf", "Phone", "Cable", "Printer")
ADJECTIVES = ("Ergonomic", "Compact", "Deluxe", "Basic", "Heavy-duty", "Wireless", "Recycled")


# -- seeding ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    """What the requests need to know about the seeded workspace."""

    skus: list[str]
    product_ids: list[int]
    customer_ids: list[int]
    orders: int
    lines: int
    ruled: int
    low: int


def seed(engine: Engine, products: int, lines: int, today: date) -> Catalog:
    """One workspace: customers, products with stock and rules, orders and their lines."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(WorkspaceRow),
            [{"team_id": TEAM, "timezone": "UTC", "currency": "USD", "created_at": now}],
        )
        customer_ids = _insert_returning(
            conn,
            CustomerRow,
            [
                {
                    "team_id": TEAM,
                    "number": i,
                    "name": f"Customer {i:04d} Trading",
                    "name_key": fold(f"Customer {i:04d} Trading"),
                    "company": f"Customer {i:04d}",
                    "company_key": fold(f"Customer {i:04d}"),
                    "owner_id": USER,
                    "tags": [],
                    "created_by": USER,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1, CUSTOMERS + 1)
            ],
        )

        product_rows, ruled, low = [], 0, 0
        for i in range(1, products + 1):
            prefix = rng.choice(list(CATEGORIES))
            category, subcategories = CATEGORIES[prefix]
            price = (Decimal(rng.randint(199, 99_999)) / 100).quantize(CENT)
            point = qty = lead = None
            on_hand = rng.randint(0, 400)
            if rng.random() < 0.5:  # a reorder rule on about half
                ruled += 1
                point, qty, lead = rng.randint(5, 60), rng.randint(20, 300), rng.randint(2, 21)
                if rng.random() < 0.25:  # some at or under the point, a few oversold
                    on_hand = rng.choice([point, rng.randint(-5, point)])
                low += on_hand <= point
            product_rows.append(
                {
                    "team_id": TEAM,
                    "sku": f"{prefix}-{i:05d}",
                    "sku_key": f"{prefix}-{i:05d}",
                    "name": f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {i}",
                    "name_key": "",  # set below from the name
                    "category": category,
                    "subcategory": rng.choice(subcategories),
                    "list_price": price,
                    "unit_cost": (price * Decimal("0.6")).quantize(CENT),
                    "active": True,
                    "on_hand": on_hand,
                    "reorder_point": point,
                    "reorder_qty": qty,
                    "lead_time_days": lead,
                    "low_crossings": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for row in product_rows:
            row["name_key"] = fold(row["name"])
        product_ids = _insert_returning(conn, ProductRow, product_rows)
        # The ledger's sum is on_hand: one opening count per product that holds stock.
        movements = [
            {
                "team_id": TEAM,
                "product_id": pid,
                "kind": "adjustment",
                "quantity": row["on_hand"],
                "balance_after": row["on_hand"],
                "reason": "opening count",
                "actor": USER,
                "at": now - timedelta(days=DAYS),
            }
            for pid, row in zip(product_ids, product_rows, strict=True)
            if row["on_hand"]
        ]
        for start in range(0, len(movements), BATCH):
            conn.execute(insert(StockMovementRow), movements[start : start + BATCH])

        # Orders of 1–5 lines (3 on average) until `lines` lines; some products sell far
        # more than others, and about a tenth never sell.
        selling = rng.sample(range(products), k=max(1, products * 9 // 10))
        weights = [1 / (rank + 10) for rank in range(len(selling))]
        prices = [row["list_price"] for row in product_rows]
        costs = [row["unit_cost"] for row in product_rows]
        number, written = 0, 0
        while written < lines:
            orders, order_lines = [], []
            while written < lines and len(order_lines) < BATCH:
                number += 1
                day = today - timedelta(days=rng.randrange(DAYS))
                count = min(rng.randint(1, 5), lines - written)
                picked = set(rng.choices(selling, weights=weights, k=count))
                drafts = []
                for n, index in enumerate(sorted(picked), 1):
                    quantity = rng.randint(1, 10)
                    discount = rng.choice((Decimal(0), Decimal(0), Decimal("0.1"), Decimal("0.2")))
                    total = (quantity * prices[index] * (1 - discount)).quantize(PLACES)
                    drafts.append(
                        {
                            "team_id": TEAM,
                            "line_key": str(n),
                            "product_id": product_ids[index],
                            "order_date": day,
                            "quantity": quantity,
                            "unit_price": prices[index],
                            "discount": discount,
                            "line_total": total,
                            "unit_cost": costs[index],
                        }
                    )
                written += len(drafts)
                at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=15)
                orders.append(
                    {
                        "team_id": TEAM,
                        "number": number,
                        "customer_id": rng.choice(customer_ids),
                        "rep_id": USER,
                        "ordered_at": at,
                        "order_date": day,
                        "total": sum((d["line_total"] for d in drafts), Decimal(0)),
                        "line_count": len(drafts),
                        "source": "slack",
                        "created_by": USER,
                        "created_at": at,
                    }
                )
                order_lines.append(drafts)
            order_ids = _insert_returning(conn, OrderRow, orders)
            flat = [
                line | {"order_id": order_id}
                for order_id, drafts in zip(order_ids, order_lines, strict=True)
                for line in drafts
            ]
            conn.execute(insert(OrderLineRow), flat)
        conn.execute(
            insert(SequenceRow),
            [
                {"team_id": TEAM, "name": "customer", "value": CUSTOMERS},
                {"team_id": TEAM, "name": "order", "value": number},
            ],
        )
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load; without it the planner guesses.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    return Catalog(
        skus=[row["sku"] for row in product_rows],
        product_ids=product_ids,
        customer_ids=customer_ids,
        orders=number,
        lines=written,
        ruled=ruled,
        low=low,
    )


def _insert_returning(conn: Any, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert in batches; the new ids, in the order of `rows`."""
    ids: list[int] = []
    stmt = insert(table).returning(table.id, sort_by_parameter_order=True)
    for start in range(0, len(rows), BATCH):
        ids += conn.execute(stmt, rows[start : start + BATCH]).scalars().all()
    return ids


# -- measuring ----------------------------------------------------------------------------------


def ms(values: list[float]) -> dict[str, float]:
    def at(p: float) -> float:
        return round(percentile(values, p) * 1000, 1)

    return {"p50": at(50), "p95": at(95), "max": at(100)}


@dataclass
class Timings:
    acks: list[float]
    delivered: list[float]

    def summary(self) -> dict[str, Any]:
        return {
            "requests": len(self.acks),
            "ack_ms": ms(self.acks),
            "delivered_ms": ms(self.delivered),
            "mean_delivered_ms": round(statistics.mean(self.delivered) * 1000, 1),
        }


def timed(samples: int, one: Callable[[int], tuple[float, float]]) -> Timings:
    """Run `one(i)` for each sample; it returns (ack seconds, delivered seconds)."""
    timings = Timings([], [])
    for i in range(samples):
        ack, delivered = one(i)
        timings.acks.append(ack)
        timings.delivered.append(delivered)
    return timings


def command(bot: RunningBot, name: str, query: str) -> tuple[float, float]:
    started = time.monotonic()
    reply = bot.command(name, query)  # returns once the reply was delivered
    delivered = time.monotonic() - started
    assert reply.status == 200 and reply.body == "", reply
    return reply.seconds, delivered


def stock_card(bot: RunningBot, catalog: Catalog, requests: int) -> Timings:
    rng = random.Random(11)
    skus = [rng.choice(catalog.skus) for _ in range(requests)]

    def one(i: int) -> tuple[float, float]:
        timing = command(bot, "/stock", skus[i].lower() if i % 4 == 0 else skus[i])
        shown = bot.last_response()
        assert skus[i] in shown["text"] + json.dumps(shown.get("blocks", [])), shown["text"]
        return timing

    return timed(requests, one)


def stock_low(bot: RunningBot, requests: int) -> Timings:
    def one(_: int) -> tuple[float, float]:
        timing = command(bot, "/stock", "low")
        assert bot.last_response().get("blocks"), "`/stock low` answered without a list"
        return timing

    return timed(requests, one)


def sales_record(bot: RunningBot, catalog: Catalog, requests: int, today: date) -> Timings:
    """Open the form, add two lines, then submit 3 lines: the submission is what is timed."""
    rng = random.Random(13)

    def one(_: int) -> tuple[float, float]:
        opened = bot.command("/sales", "record")
        assert opened.status == 200 and opened.body == "", opened
        view = bot.last_view()
        for _ in range(LINES_PER_SUBMISSION - 1):
            view = add_line(bot, view)
        keys = json.loads(view["private_metadata"])["l"]
        assert len(keys) == LINES_PER_SUBMISSION, keys
        picked = rng.sample(range(len(catalog.product_ids)), LINES_PER_SUBMISSION)
        values = form_values(
            rng.choice(catalog.customer_ids),
            {key: (catalog.product_ids[p], catalog.skus[p], rng.randint(1, 3)) for key, p in
             zip(keys, picked, strict=True)},
            today,
        )  # fmt: skip
        before = len(bot.slack.calls_to("response_url"))
        started = time.monotonic()
        reply = bot.submit(view, values)  # returns once the answer was delivered
        delivered = time.monotonic() - started
        assert reply.status == 200 and reply.body == "", f"the form was refused: {reply.body}"
        assert len(bot.slack.calls_to("response_url")) == before + 1, "no answer after saving"
        assert bot.last_response()["text"].startswith("Recorded O-"), bot.last_response()
        return reply.seconds, delivered

    return timed(requests, one)


def add_line(bot: RunningBot, view: dict[str, Any]) -> dict[str, Any]:
    button, block_id = find_button(view["blocks"], ActionId.SALE_LINE_ADD)
    reply = bot.press(button, block_id=block_id, view=view)
    assert reply.status == 200, reply
    redrawn: dict[str, Any] = bot.slack.calls_to("views.update")[-1].result["view"]
    return redrawn


def option(label: str, value: int) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label, "emoji": True}, "value": str(value)}


def form_values(
    customer_id: int, lines: dict[int, tuple[int, str, int]], day: date
) -> dict[str, Any]:
    """view.state.values of the order form, as Slack sends them; `lines` by line key."""
    values: dict[str, Any] = text_values(**{SaleBlock.NOTE: None})
    values[SaleBlock.CUSTOMER] = {
        ActionId.CUSTOMER_SELECT: {
            "type": "external_select",
            "selected_option": option(f"customer {customer_id}", customer_id),
        }
    }
    values[SaleBlock.DATE] = {
        ActionId.INPUT: {"type": "datepicker", "selected_date": day.isoformat()}
    }
    for key, (product_id, sku, quantity) in lines.items():
        values[line_block(SaleBlock.PRODUCT, key)] = {
            ActionId.PRODUCT_SELECT: {
                "type": "external_select",
                "selected_option": option(sku, product_id),
            }
        }
        values |= text_values(
            **{
                line_block(SaleBlock.QUANTITY, key): str(quantity),
                line_block(SaleBlock.PRICE, key): None,
                line_block(SaleBlock.DISCOUNT, key): None,
            }
        )
    return values


def count(engine: Engine, table: Any, *where: Any) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table).where(*where)) or 0


# -- the run ------------------------------------------------------------------------------------


def import_timings(url: str) -> dict[str, Any]:
    """The Superstore file imported, then imported again (which must add nothing)."""
    services = build_services(make_settings(url), clock=SystemClock())
    try:
        started = time.perf_counter()
        first = import_superstore(services, IMPORT_TEAM, SUPERSTORE)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = import_superstore(services, IMPORT_TEAM, SUPERSTORE)
        again_seconds = time.perf_counter() - started
    finally:
        services.close()
    assert first.orders.created and first.lines.created, first.render()
    for name in ("customers", "products", "orders", "lines"):
        counts = getattr(again, name)
        assert counts.created == 0 and counts.updated == 0, f"the re-run changed {name}: {counts}"
    return {
        "file": SUPERSTORE.name,
        "rows": first.rows,
        "rejected_rows": first.rejected_rows,
        "created": {
            name: getattr(first, name).created
            for name in ("customers", "products", "orders", "lines")
        },
        "first_s": round(first_seconds, 2),
        "rows_per_s": round(first.rows / first_seconds),
        "rerun_s": round(again_seconds, 2),
        "rerun_created": 0,
    }


def run(url: str, products: int, lines: int, requests: int) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    result: dict[str, Any] = {"backend": make_url(url).get_backend_name()}
    result["import"] = import_timings(url)

    today = datetime.now(UTC).date()  # the workspace's timezone is UTC
    started = time.perf_counter()
    catalog = seed(engine, products, lines, today)
    result["workspace"] = {
        "products": products,
        "ruled": catalog.ruled,
        "low": catalog.low,
        "orders": catalog.orders,
        "lines": catalog.lines,
        "seed_s": round(time.perf_counter() - started, 1),
    }
    orders_before = count(engine, OrderRow, OrderRow.team_id == TEAM)
    with (
        LocalSlack(team_id=TEAM, validate=False) as slack,
        RunningBot(make_settings(url, slack.api_url), SystemClock(), slack) as bot,
    ):
        bot.services.workspaces.ensure(TEAM, USER)
        for warm in ("low", catalog.skus[0]):
            command(bot, "/stock", warm)
        commands = {
            "/stock <SKU>": stock_card(bot, catalog, requests),
            "/stock low": stock_low(bot, requests),
            "/sales record (submit, 3 lines)": sales_record(bot, catalog, requests, today),
        }
        # The last answer is read before waitress finishes that request; closing the server
        # under it prints a harmless "Bad file descriptor" traceback, so let it finish.
        time.sleep(0.2)
    recorded = count(engine, OrderRow, OrderRow.team_id == TEAM) - orders_before
    assert recorded == requests, f"{recorded} orders recorded for {requests} submissions"
    engine.dispose()
    result["commands"] = {name: timings.summary() for name, timings in commands.items()}
    result["budgets"] = check_budgets(result["commands"], products, lines)
    return result


def check_budgets(figures: dict[str, Any], products: int, lines: int) -> dict[str, Any]:
    """Ack p95 under 1 s for every command; /stock low delivered p95 under 2 s."""
    checks: dict[str, Any] = {}
    for name, figure in figures.items():
        p95 = figure["ack_ms"]["p95"]
        checks[f"{name} ack p95 < {ACK_BUDGET_MS:,.0f} ms"] = {
            "p95_ms": p95,
            "holds": p95 < ACK_BUDGET_MS,
        }
    p95 = figures["/stock low"]["delivered_ms"]["p95"]
    checks[f"/stock low delivered p95 < {LOW_DELIVERED_BUDGET_MS:,.0f} ms"] = {
        "p95_ms": p95,
        "holds": p95 < LOW_DELIVERED_BUDGET_MS,
        "sized_for": "2,000 products / 200,000 lines",
        "measured_at": f"{products:,} products / {lines:,} lines",
    }
    return checks


def report(result: dict[str, Any]) -> None:
    print(json.dumps(result))
    imported = result["import"]
    print(
        f"import {imported['file']}: {imported['rows']:,} rows in {imported['first_s']} s "
        f"({imported['rows_per_s']:,} rows/s); re-run {imported['rerun_s']} s, added nothing"
    )
    for name, figure in result["commands"].items():
        ack, out = figure["ack_ms"], figure["delivered_ms"]
        print(
            f"{name:<32} ack {ack['p50']} / {ack['p95']} / {ack['max']} ms · "
            f"delivered {out['p50']} / {out['p95']} / {out['max']} ms (p50 / p95 / max)"
        )
    for budget, check in result["budgets"].items():
        verdict = "holds" if check["holds"] else "OVER BUDGET"
        print(f"budget {budget}: p95 {check['p95_ms']} ms: {verdict}")


@contextmanager
def scratch_database(database_url: str | None) -> Iterator[str]:
    """A fresh SQLite file, or a scratch database on the PostgreSQL server, dropped after."""
    if not database_url:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    admin_url = make_url(normalise_url(database_url))
    name = f"salesbot_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=200, help="per command")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}"
        f" · {time.strftime('%Y-%m-%d')}"
    )
    started = time.perf_counter()
    with scratch_database(args.database_url) as url:
        result = run(url, args.products, args.lines, args.requests)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    report(result)
    if not all(check["holds"] for check in result["budgets"].values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
