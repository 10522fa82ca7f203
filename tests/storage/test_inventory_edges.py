"""Stock edge cases found in review: a workspace without a stock channel, imports that move
stock or rules, long unicode names, and `/stock low` over many rule-less products."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bot.services import Services
from domain.catalog import ProductDraft
from domain.customers import CustomerDraft
from domain.imports import ImportKind
from domain.inventory import LOW_STOCK_ALERT
from storage.importers import import_file
from storage.orm import DeliveryRow, OrderLineRow, OrderRow, ProductRow

ADMIN = "U0ADMIN"
TODAY = date(2026, 3, 2)  # the FrozenClock's day


def queued_alerts(services: Services, team: str) -> int:
    with Session(services.engine) as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(DeliveryRow)
                .where(DeliveryRow.team_id == team, DeliveryRow.kind == LOW_STOCK_ALERT)
            )
            or 0
        )


def test_a_workspace_without_a_stock_channel_does_not_starve_the_sweep(
    services: Services,
) -> None:
    services.workspaces.ensure("T0BIG", ADMIN)
    now = services.clock.now()
    with Session(services.engine) as session, session.begin():
        session.execute(
            insert(ProductRow),
            [
                {
                    "team_id": "T0BIG",
                    "sku": f"B-{n}",
                    "sku_key": f"B-{n}",
                    "name": f"Bulk {n}",
                    "name_key": f"bulk {n}",
                    "list_price": 1,
                    "on_hand": 0,
                    "reorder_point": 5,
                    "low_crossings": 0,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(600)  # more than one sweep batch (500), all low, no channel
            ],
        )
    _, admin = services.workspaces.ensure("T0SMALL", ADMIN)
    services.workspaces.change_settings("T0SMALL", admin, stock_channel_id="C0STOCK")
    draft = ProductDraft.from_input(sku="S-1", name="Small", list_price="1")
    product = services.catalog.create("T0SMALL", draft, actor=ADMIN)
    with Session(services.engine) as session, session.begin():
        session.execute(  # low by a rule written without a movement (as an import does)
            ProductRow.__table__.update().where(ProductRow.id == product.id).values(reorder_point=5)
        )

    assert services.stock.sweep() == 1
    assert queued_alerts(services, "T0SMALL") == 1
    assert queued_alerts(services, "T0BIG") == 0


def test_an_import_that_lifts_stock_above_the_point_rearms_the_alert(
    services: Services, tmp_path: Path
) -> None:
    _, admin = services.workspaces.ensure("T0IMP", ADMIN)
    services.workspaces.change_settings("T0IMP", admin, stock_channel_id="C0STOCK")
    rules = tmp_path / "rules.csv"
    rules.write_text("sku,name,list_price,reorder_point\nAB-1,Widget,10,10\n", encoding="utf-8")
    import_file(services, ImportKind.PRODUCTS, rules, team_id="T0IMP")
    assert services.stock.sweep() == 1  # 0 on hand, point 10: alerted
    stock = tmp_path / "stock.csv"
    stock.write_text("sku,name,list_price,on_hand\nAB-1,Widget,10,100\n", encoding="utf-8")
    import_file(services, ImportKind.PRODUCTS, stock, team_id="T0IMP")
    assert services.catalog.by_sku("T0IMP", "AB-1").low_since is None  # re-armed at 100

    moved = services.stock.adjust("T0IMP", "AB-1", "-95", "sold at the fair", actor=ADMIN)
    assert moved.after == 5 and moved.alert_queued
    assert queued_alerts(services, "T0IMP") == 2


def test_a_name_whose_folded_key_is_longer_than_storage_keeps_is_saved(
    services: Services,
) -> None:
    services.workspaces.ensure("T0UNI", ADMIN)
    name = "ﷺ" * 300  # NFKD turns each into 18 characters
    draft = ProductDraft.from_input(sku="U-1", name=name, list_price="1")
    product = services.catalog.create("T0UNI", draft, actor=ADMIN)
    assert services.catalog.get("T0UNI", product.id).name == name


def test_stock_low_pages_many_rule_less_products_worst_first(services: Services) -> None:
    services.workspaces.ensure("T0MANY", ADMIN)
    customer = services.customers.create(
        "T0MANY", CustomerDraft.from_input(name="Acme"), actor=ADMIN
    )
    now = services.clock.now()
    with Session(services.engine) as session, session.begin():
        ids = session.scalars(
            insert(ProductRow).returning(ProductRow.id),
            [
                {
                    "team_id": "T0MANY",
                    "sku": f"P-{n:03d}",
                    "sku_key": f"P-{n:03d}",
                    "name": f"Part {n}",
                    "name_key": f"part {n}",
                    "list_price": 1,
                    "on_hand": n,  # P-000 has nothing left, P-199 the most
                    "low_crossings": 0,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(200)
            ],
            # insertmanyvalues returns ids in the order given only when asked to
        ).all()
        order_id = session.scalar(
            insert(OrderRow)
            .values(
                team_id="T0MANY",
                number=1,
                customer_id=customer.id,
                ordered_at=now,
                order_date=TODAY,
                total=0,
                line_count=0,
                source="test",
                created_at=now,
            )
            .returning(OrderRow.id)
        )
        # Every part sold 10 a day on the last 9 days: a suggested point well above 10.
        session.execute(
            insert(OrderLineRow),
            [
                {
                    "team_id": "T0MANY",
                    "order_id": order_id,
                    "line_key": f"{product_id}:{day}",
                    "product_id": product_id,
                    "order_date": TODAY - timedelta(days=day),
                    "quantity": 10,
                    "unit_price": 1,
                    "discount": 0,
                    "line_total": 10,
                }
                for product_id in ids
                for day in range(9)
            ],
        )
    page = services.stock.low("T0MANY", today=TODAY, limit=10)
    due = page.unruled_total
    assert 0 < due <= 200
    assert [level.product.sku for level in page.unruled] == [f"P-{n:03d}" for n in range(10)]
    first = page.unruled[0]
    assert first.sold_30d == 90 and first.suggestion.reorder_point > first.product.on_hand
    # The count agrees with the per-product suggestion the card shows.
    last_due = services.stock.level("T0MANY", f"P-{due - 1:03d}", today=TODAY)
    assert last_due.product.on_hand <= last_due.suggestion.reorder_point
    after = services.stock.level("T0MANY", f"P-{due:03d}", today=TODAY) if due < 200 else None
    assert after is None or after.product.on_hand > after.suggestion.reorder_point
