"""Exports: orders one row per line with exact amounts, streamed in pages, and back in again."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.services import Services
from storage import exporters
from storage.exporters import CUSTOMER_COLUMNS, ORDER_COLUMNS, PRODUCT_COLUMNS, export_csv
from storage.importers import SUPERSTORE_MAPPING, import_file, load_mapping
from storage.orm import OrderLineRow

TEAM, OTHER = "T0EXPORT", "T0COPY"
SUPERSTORE = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "superstore.csv"
SPLIT_ID = "FUR-BO-10002213"  # one of the Product IDs with two names


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The first 300 Superstore rows plus every row of a product id that carries two names."""
    if not SUPERSTORE.exists():
        pytest.skip(f"no dataset at {SUPERSTORE}")
    with SUPERSTORE.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [row for n, row in enumerate(reader) if n < 300 or row[13] == SPLIT_ID]
    path = tmp_path / "sample.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def export(services: Services, kind: str, team: str = TEAM) -> list[dict[str, str]]:
    out = io.StringIO()
    count = export_csv(services.engine, kind, team, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == count
    return rows


def line_sum(services: Services, team: str) -> Decimal:
    with services.engine.connect() as conn:
        total = conn.scalar(
            select(func.sum(OrderLineRow.line_total)).where(OrderLineRow.team_id == team)
        )
    assert isinstance(total, Decimal)
    return total


def test_orders_export_streams_every_line_exactly_and_imports_back_unchanged(
    services: Services, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exporters, "PAGE_SIZE", 7)  # many pages, with dates equal across them
    imported = import_file(
        services, "orders", sample, team_id=TEAM, mapping=load_mapping(SUPERSTORE_MAPPING)
    )
    assert imported.errors == [] and SPLIT_ID in [split.product_id for split in imported.splits]

    rows = export(services, "orders")

    assert list(rows[0]) == list(ORDER_COLUMNS)
    assert len(rows) == imported.lines.created
    assert len({(row["order_id"], row["line_key"]) for row in rows}) == len(rows)
    assert [row["order_date"] for row in rows] == sorted(row["order_date"] for row in rows)
    for row in rows:
        for amount in ("unit_price", "discount", "line_total", "unit_cost"):
            assert row[amount].split(".")[1].__len__() == 4, row
    assert sum(Decimal(row["line_total"]) for row in rows) == line_sum(services, TEAM)
    first = next(row for row in rows if row["line_key"] == "1")  # Superstore's Row ID 1
    assert {k: first[k] for k in ("order_id", "customer_id", "sku", "quantity", "line_total")} == {
        "order_id": "CA-2018-152156",
        "customer_id": "CG-12520",
        "sku": "FUR-BO-10001798",
        "quantity": "2",
        "line_total": "261.9600",
    }
    assert {row["sku"] for row in rows if row["sku"].startswith(SPLIT_ID)} == {
        SPLIT_ID,
        f"{SPLIT_ID}-2",
    }

    # The export is an orders file: columns named like our fields, both amounts kept exactly.
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(_as_csv(rows))
    same_team = import_file(services, "orders", path, team_id=TEAM)
    assert same_team.errors == []
    assert (same_team.lines.created, same_team.lines.updated) == (0, 0)
    assert same_team.lines.unchanged == len(rows)
    copy = import_file(services, "orders", path, team_id=OTHER)
    assert copy.errors == [] and copy.lines.created == len(rows)
    assert line_sum(services, OTHER) == line_sum(services, TEAM)

    def comparable(exported: list[dict[str, str]]) -> list[dict[str, str]]:
        return [{k: v for k, v in row.items() if k != "order_number"} for row in exported]

    assert comparable(export(services, "orders", OTHER)) == comparable(rows)


def test_customers_and_products_exports_carry_every_field_and_import_back_unchanged(
    services: Services, sample: Path, tmp_path: Path
) -> None:
    imported = import_file(
        services, "orders", sample, team_id=TEAM, mapping=load_mapping(SUPERSTORE_MAPPING)
    )
    customers = export(services, "customers")
    products = export(services, "products")

    assert list(customers[0]) == list(CUSTOMER_COLUMNS)
    assert len(customers) == imported.customers.created
    claire = next(row for row in customers if row["external_id"] == "CG-12520")
    assert (claire["id"], claire["name"], claire["tags"], claire["region"]) == (
        "C-1",
        "Claire Gute",
        "Consumer",
        "Kentucky",
    )
    assert list(products[0]) == list(PRODUCT_COLUMNS)
    assert len(products) == imported.products.created
    bookcase = next(row for row in products if row["sku"] == "FUR-BO-10001798")
    assert (bookcase["list_price"], bookcase["unit_cost"], bookcase["active"]) == (
        "130.9800",
        "110.0232",
        "yes",
    )

    for kind, rows in (("customers", customers), ("products", products)):
        path = tmp_path / f"{kind}.csv"
        path.write_text(_as_csv(rows), encoding="utf-8")
        again = import_file(services, kind, path, team_id=TEAM)
        counts = again.customers if kind == "customers" else again.products
        assert again.errors == []
        assert (counts.created, counts.updated, counts.unchanged) == (0, 0, len(rows))


def test_an_empty_workspace_exports_just_the_header(services: Services) -> None:
    out = io.StringIO()
    assert export_csv(services.engine, "orders", "T0NOBODY", out) == 0
    assert out.getvalue() == ",".join(ORDER_COLUMNS) + "\n"


def _as_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_an_export_is_one_snapshot_even_if_orders_arrive_meanwhile(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = "Order ID,Order Date,Customer,SKU,Quantity,Unit Price\n"
    first = tmp_path / "first.csv"
    first.write_text(header + "".join(f"A-{n},2024-03-01,Acme,S1,1,1\n" for n in range(5)))
    later = tmp_path / "later.csv"
    later.write_text(header + "B-1,2024-03-02,Acme,S1,1,1\n")
    import_file(services, "orders", first, team_id=TEAM)
    monkeypatch.setattr(exporters, "PAGE_SIZE", 2)
    pages = exporters._order_pages

    def pages_with_a_sale_in_between(conn, team_id):  # type: ignore[no-untyped-def]
        for n, page in enumerate(pages(conn, team_id)):
            yield page
            if n == 0:
                import_file(services, "orders", later, team_id=TEAM)

    monkeypatch.setitem(
        exporters._EXPORTS,
        exporters.ExportKind.ORDERS,
        (ORDER_COLUMNS, pages_with_a_sale_in_between),
    )
    assert [row["order_id"] for row in export(services, "orders")] == [f"A-{n}" for n in range(5)]
    assert len(export(services, "orders")) == 6
