"""Products files: one row per product, matched by SKU (in any case).

An existing product gets the row's non-empty cells; a new one needs a name and a list price.
The optional on_hand column sets opening stock: an "adjustment" movement with reason
"opening balance (import)", written only for a product with no stock movements yet, so a
re-run (or an old file) never resets stock that has moved since.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from domain.catalog import name_key as product_name_key
from domain.imports import ProductRecord, RowError
from storage import rollups
from storage.importers.common import Good, RunContext, bulk_insert, chunked
from storage.orm import ProductRow, StockMovementRow
from storage.repositories.stock import rearm_above_threshold

OPENING_BALANCE_REASON = "opening balance (import)"
_FIELDS = (
    "name",
    "category",
    "subcategory",
    "list_price",
    "unit_cost",
    "reorder_point",
    "reorder_qty",
    "lead_time_days",
    "active",
)

Row = Good[ProductRecord]


class ProductImporter:
    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._seen: dict[str, int] = {}  # SKU key -> first line in the file
        self._stock_ignored = 0

    def prepare(self, values: dict[str, str]) -> None:
        pass

    def rejected(self, line: int, values: dict[str, str], errors: list[RowError]) -> None:
        self._ctx.summary.products.rejected += 1

    def finish(self) -> None:
        if self._stock_ignored:
            self._ctx.summary.notes.append(
                f"on_hand left alone for {self._stock_ignored:,} products that already have "
                "stock movements (use /stock adjust to correct a level)"
            )

    def _reject(self, row: Row, field_name: str, reason: str) -> None:
        self._ctx.reject(row.line, row.values, field_name, reason)
        self._ctx.summary.products.rejected += 1

    def write(self, rows: list[Good[Any]]) -> None:
        unique: list[Row] = []
        for row in rows:
            first = self._seen.setdefault(row.record.sku_key, row.line)
            if first != row.line:
                self._reject(row, "sku", f"this SKU came already on line {first}")
                continue
            unique.append(row)
        if unique:
            with self._ctx.session_factory.begin() as session:
                self._write(session, unique)

    def _write(self, session: Session, rows: list[Row]) -> None:
        existing = self._existing(session, [row.record.sku_key for row in rows])
        counts = self._ctx.summary.products
        creates: list[Row] = []
        opening: list[tuple[int, int, Row]] = []  # product id, quantity, row
        matched: list[tuple[int, bool]] = []  # existing product id, whether its fields changed
        for row in rows:
            record = row.record
            found = existing.get(record.sku_key)
            if found is None:
                missing = [f for f in ("name", "list_price") if getattr(record, f) is None]
                if missing:
                    for field_name in missing:
                        self._reject(row, field_name, "is empty; a new product needs it")
                    continue
                creates.append(row)
                continue
            changes = self._changes(found, record)
            if changes:
                session.execute(
                    update(ProductRow)
                    .where(ProductRow.id == found["id"])
                    .values(updated_at=self._ctx.now, **changes)
                )
                if "category" in changes:
                    rollups.mark_products_dirty(session, self._ctx.team_id, [found["id"]])
            if record.on_hand:
                opening.append((found["id"], record.on_hand, row))
            matched.append((found["id"], bool(changes)))
        if creates:
            ids = self._insert(session, creates)
            counts.created += len(creates)
            opening.extend(
                (product_id, row.record.on_hand, row)
                for product_id, row in zip(ids, creates, strict=True)
                if row.record.on_hand
            )
        stocked = self._open_stock(session, opening)
        # A new rule or an opening balance can lift a product above its alert threshold:
        # re-arm its low-stock alert, as a stock movement or /stock reorder would.
        touched = [product_id for product_id, changed in matched if changed] + sorted(stocked)
        rearm_above_threshold(session, self._ctx.team_id, touched)
        for product_id, changed in matched:
            if changed or product_id in stocked:
                counts.updated += 1
            else:
                counts.unchanged += 1

    def _existing(self, session: Session, sku_keys: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for part in chunked(sorted(set(sku_keys))):
            query = select(ProductRow.__table__).where(
                ProductRow.team_id == self._ctx.team_id, ProductRow.sku_key.in_(part)
            )
            for product in session.execute(query).mappings():
                found[product["sku_key"]] = product
        return found

    def _changes(self, found: Any, record: ProductRecord) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for name in _FIELDS:
            value = getattr(record, name)
            if self._ctx.columns.has(name) and value is not None and value != found[name]:
                changes[name] = value
                if name == "name":
                    changes["name_key"] = product_name_key(value)
        return changes

    def _insert(self, session: Session, rows: list[Row]) -> list[int]:
        now = self._ctx.now
        values = []
        for row in rows:
            record = row.record
            assert record.name is not None and record.list_price is not None
            values.append(
                {
                    "team_id": self._ctx.team_id,
                    "sku": record.sku,
                    "sku_key": record.sku_key,
                    "name": record.name,
                    "name_key": product_name_key(record.name),
                    "category": record.category,
                    "subcategory": record.subcategory,
                    "list_price": record.list_price,
                    "unit_cost": record.unit_cost,
                    "active": True if record.active is None else record.active,
                    "on_hand": 0,  # opening stock arrives as a movement below
                    "reorder_point": record.reorder_point,
                    "reorder_qty": record.reorder_qty,
                    "lead_time_days": record.lead_time_days,
                    "low_crossings": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        made = bulk_insert(session, ProductRow, values, returning=("id", "sku_key"))
        ids = {sku_key: product_id for product_id, sku_key in made}
        return [ids[value["sku_key"]] for value in values]

    def _open_stock(self, session: Session, opening: list[tuple[int, int, Row]]) -> set[int]:
        """Opening balances, each for a product with no movements yet.

        on_hand moves in the same UPDATE … RETURNING that gives the movement its balance, as
        every stock change does, so on_hand stays the sum of the product's movements.
        """
        movements = []
        for product_id, quantity, _row in opening:
            has_movements = exists().where(StockMovementRow.product_id == ProductRow.id)
            balance = session.execute(
                update(ProductRow)
                .where(ProductRow.id == product_id, ~has_movements)
                .values(on_hand=ProductRow.on_hand + quantity)
                .returning(ProductRow.on_hand)
            ).scalar_one_or_none()
            if balance is None:
                self._stock_ignored += 1
                continue
            movements.append(
                {
                    "team_id": self._ctx.team_id,
                    "product_id": product_id,
                    "kind": "adjustment",
                    "quantity": quantity,
                    "balance_after": balance,
                    "reason": OPENING_BALANCE_REASON,
                    "order_id": None,
                    "actor": self._ctx.actor,
                    "at": self._ctx.now,
                }
            )
        if movements:
            bulk_insert(session, StockMovementRow, movements)
            self._ctx.summary.stock_movements += len(movements)
        return {int(movement["product_id"]) for movement in movements}  # type: ignore[call-overload]
