"""A generated 10 MB orders file with broken rows: each is reported on its line, the rest go in."""

from __future__ import annotations

import csv
import io
import random
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.services import Services
from storage.importers import SUPERSTORE_MAPPING, import_file, load_mapping
from storage.orm import OrderLineRow, OrderRow

TEAM = "T0LARGE"
HEADER = [
    "Row ID", "Order ID", "Order Date", "Ship Date", "Ship Mode", "Customer ID", "Customer Name",
    "Segment", "Country", "City", "State", "Postal Code", "Region", "Product ID", "Category",
    "Sub-Category", "Product Name", "Sales", "Quantity", "Discount", "Profit",
]  # fmt: skip
DISCOUNTS = ["0", "0", "0.2", "0.15", "0.5", "0.8"]
# (column to break, the bad value) — one defect per broken row
BREAKS = [
    ("Quantity", "ten"),
    ("Quantity", "0"),
    ("Sales", "-5"),
    ("Order Date", "13/45/2019"),
    ("Customer Name", ""),  # with the Customer ID emptied too: no customer at all
    ("Sales", "12.34567"),
]
TARGET_BYTES = 10 * 1024 * 1024


class Generated:
    def __init__(self) -> None:
        self.good_rows = 0
        self.good_orders: set[str] = set()
        self.good_sum = Decimal(0)
        self.broken: dict[int, str] = {}  # line -> the column broken there


def generate(path: Path) -> Generated:
    """Superstore-shaped rows; some product names are quoted over two lines."""
    rng = random.Random(20260302)
    made = Generated()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    line, row_id, order_no = 2, 0, 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(out.getvalue())
        written = len(out.getvalue().encode())
        while written < TARGET_BYTES:
            order_no += 1
            order_id = f"US-2019-{order_no:06d}"
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            customer = rng.randint(1, 3000)
            for _ in range(rng.randint(1, 4)):
                row_id += 1
                product = rng.randint(1, 4000)
                sales = Decimal(rng.randint(100, 5_000_000)) / 10_000
                profit = (sales * Decimal(rng.randint(-50, 50)) / 100).quantize(Decimal("0.0001"))
                name = f"Product {product}, model {product % 7}"
                if product % 97 == 0:
                    name = f"Product {product}\nwith a second line"
                row = {
                    "Row ID": str(row_id), "Order ID": order_id,
                    "Order Date": f"{month}/{day}/2019", "Ship Date": f"{month}/{day}/2019",
                    "Ship Mode": "Standard Class", "Customer ID": f"CU-{customer:05d}",
                    "Customer Name": f"Customer {customer:05d}", "Segment": "Consumer",
                    "Country": "United States", "City": "Springfield", "State": "Illinois",
                    "Postal Code": "62701", "Region": "Central", "Product ID": f"SKU-{product:05d}",
                    "Category": "Office Supplies", "Sub-Category": "Paper", "Product Name": name,
                    "Sales": str(sales), "Quantity": str(rng.randint(1, 9)),
                    "Discount": rng.choice(DISCOUNTS), "Profit": str(profit),
                }  # fmt: skip
                if row_id % 397 == 0:
                    column, value = BREAKS[(row_id // 397) % len(BREAKS)]
                    row[column] = value
                    if column == "Customer Name":
                        row["Customer ID"] = ""
                    made.broken[line] = column
                else:
                    made.good_rows += 1
                    made.good_orders.add(order_id)
                    made.good_sum += sales
                out.seek(0)
                out.truncate()
                writer.writerow([row[column] for column in HEADER])
                text = out.getvalue()
                handle.write(text)
                written += len(text.encode())
                line += text.count("\n")
    return made


@pytest.mark.slow
def test_a_10_mb_file_reports_every_broken_row_and_imports_all_good_ones(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "large.csv"
    made = generate(path)
    assert path.stat().st_size >= TARGET_BYTES

    started = time.perf_counter()
    summary = import_file(
        services, "orders", path, team_id=TEAM, mapping=load_mapping(SUPERSTORE_MAPPING)
    )
    elapsed = time.perf_counter() - started

    assert {(error.line, error.column) for error in summary.errors} == set(made.broken.items())
    assert len(summary.errors) == len(made.broken) > 100
    assert all(error.reason for error in summary.errors)
    assert summary.rows == made.good_rows + len(made.broken)
    assert (summary.lines.created, summary.lines.rejected) == (made.good_rows, len(made.broken))
    assert summary.orders.created == len(made.good_orders)
    assert summary.splits == []
    with services.engine.connect() as conn:
        lines, total = conn.execute(
            select(func.count(), func.sum(OrderLineRow.line_total)).where(
                OrderLineRow.team_id == TEAM
            )
        ).one()
        orders = conn.scalar(select(func.count()).where(OrderRow.team_id == TEAM))
    assert (lines, total, orders) == (made.good_rows, made.good_sum, len(made.good_orders))
    assert elapsed < 60, f"took {elapsed:.1f} s"
