"""Customers and products files: create, update, leave alone; products' opening stock."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from bot.services import Services
from domain.customers import CustomerDraft
from storage.importers import import_file
from storage.importers.products import OPENING_BALANCE_REASON
from storage.orm import AuditRow, CustomerRow, ProductRow, StockMovementRow

TEAM = "T0CATALOG"


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def customers(services: Services) -> dict[str, tuple]:
    with services.engine.connect() as conn:
        return {
            row.name: (row.number, row.external_id, row.email, row.tags, row.city)
            for row in conn.execute(select(CustomerRow).where(CustomerRow.team_id == TEAM))
        }


def test_customers_are_created_then_updated_by_external_id_and_never_duplicated(
    services: Services, tmp_path: Path
) -> None:
    services.workspaces.ensure(TEAM, "U1")
    services.customers.create(TEAM, CustomerDraft.from_input(name="Hand Made Ltd"), actor="U1")
    header = ["Customer ID", "Name", "Email", "Tags", "City", "Phone"]
    rows = [
        ["K-1", "Kappa", "buy@kappa.example", "vip", "Berlin", ""],
        ["", "Hand Made Ltd", "", "retail", "", ""],  # matched by name
        ["K-2", "Lambda", "not-an-email", "", "", ""],
        ["K-1", "Kappa again", "", "", "", ""],  # the same customer twice in one file
        ["K-3", "", "", "", "", ""],
        ["K-4", "Mu", "", "", "", "12"],
    ]
    path = write_csv(tmp_path / "customers.csv", header, rows)
    first = import_file(services, "customers", path, team_id=TEAM)

    assert [(e.line, e.column) for e in first.errors] == [
        (4, "Email"),
        (5, "Customer ID"),
        (6, "Name"),
        (7, "Phone"),
    ]
    assert first.errors[1].reason == "this customer came already on line 2"
    assert (first.customers.created, first.customers.updated, first.customers.rejected) == (
        1,
        1,
        4,
    )
    assert customers(services) == {
        "Hand Made Ltd": (1, None, None, ["retail"], None),
        "Kappa": (2, "K-1", "buy@kappa.example", ["vip"], "Berlin"),
    }

    rows = [
        ["K-1", "Kappa", "", "vip, east", "", ""],  # empty cells keep what is stored
        ["", "Hand Made Ltd", "", "retail", "", ""],
        ["K-2", "Lambda", "hello@lambda.example", "", "", ""],
    ]
    write_csv(path, header, rows)
    second = import_file(services, "customers", path, team_id=TEAM)
    assert second.errors == []
    assert (second.customers.created, second.customers.updated, second.customers.unchanged) == (
        1,
        1,
        1,
    )
    assert customers(services)["Kappa"] == (
        2,
        "K-1",
        "buy@kappa.example",
        ["vip", "east"],
        "Berlin",
    )
    assert customers(services)["Lambda"][:3] == (3, "K-2", "hello@lambda.example")

    third = import_file(services, "customers", path, team_id=TEAM)
    assert (third.customers.created, third.customers.updated, third.customers.unchanged) == (
        0,
        0,
        3,
    )
    with services.engine.connect() as conn:
        runs = conn.scalars(
            select(AuditRow.entity_id).where(AuditRow.team_id == TEAM, AuditRow.entity == "import")
        ).all()
    assert runs == [1, 2, 3]


def stock(services: Services) -> dict[str, tuple]:
    with services.engine.connect() as conn:
        products = {
            row.sku: (row.name, row.list_price, row.unit_cost, row.on_hand)
            for row in conn.execute(select(ProductRow).where(ProductRow.team_id == TEAM))
        }
        movements = conn.execute(
            select(
                ProductRow.sku,
                StockMovementRow.kind,
                StockMovementRow.quantity,
                StockMovementRow.balance_after,
                StockMovementRow.reason,
            )
            .join(ProductRow, ProductRow.id == StockMovementRow.product_id)
            .order_by(StockMovementRow.id)
        ).all()
    return {"products": products, "movements": [tuple(m) for m in movements]}


def test_products_import_sets_opening_stock_once_as_an_adjustment(
    services: Services, tmp_path: Path
) -> None:
    header = ["SKU", "Name", "Category", "Price", "Cost", "On hand", "Reorder point"]
    rows = [
        ["W-1", "Widget", "Tools", "12.50", "7.1234", "40", "10"],
        ["G-1", "Gadget", "Tools", "99", "", "0", ""],
        ["X-1", "", "Tools", "5", "", "", ""],  # a new product needs a name
        ["w-1", "Widget (dup)", "Tools", "1", "", "", ""],  # the same SKU in another case
        ["B-1", "Bad", "Tools", "-1", "1.00001", "-3", ""],
    ]
    path = write_csv(tmp_path / "products.csv", header, rows)
    first = import_file(services, "products", path, team_id=TEAM)

    assert [(e.line, e.column, e.reason) for e in first.errors] == [
        (4, "Name", "is empty; a new product needs it"),
        (5, "SKU", "this SKU came already on line 2"),
        (6, "Price", "must not be negative"),
        (6, "Cost", "has more than 4 decimal places"),
        (6, "On hand", "must be at least 0"),
    ]
    assert (first.products.created, first.products.rejected, first.stock_movements) == (2, 3, 1)
    assert stock(services) == {
        "products": {
            "W-1": ("Widget", Decimal("12.5000"), Decimal("7.1234"), 40),
            "G-1": ("Gadget", Decimal("99.0000"), None, 0),
        },
        "movements": [("W-1", "adjustment", 40, 40, OPENING_BALANCE_REASON)],
    }

    # A later file: a new price, and a stock level that must not reset what has moved since.
    rows = [
        ["W-1", "Widget", "Tools", "13.00", "", "55", "10"],
        ["G-1", "Gadget", "Tools", "99", "", "8", ""],
    ]
    write_csv(path, header, rows)
    second = import_file(services, "products", path, team_id=TEAM)
    assert second.errors == []
    assert (second.products.updated, second.products.unchanged, second.stock_movements) == (2, 0, 1)
    assert "on_hand left alone for 1 products" in " ".join(second.notes)
    after = stock(services)
    assert after["products"]["W-1"] == ("Widget", Decimal("13.0000"), Decimal("7.1234"), 40)
    assert after["products"]["G-1"][3] == 8
    assert after["movements"][-1] == ("G-1", "adjustment", 8, 8, OPENING_BALANCE_REASON)

    third = import_file(services, "products", path, team_id=TEAM)
    assert (third.products.updated, third.products.unchanged, third.stock_movements) == (0, 2, 0)
    assert stock(services) == after
