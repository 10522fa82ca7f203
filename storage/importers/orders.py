"""Orders files: one row per order line; missing customers and products are created from rows.

Keys make a re-run change nothing: customers by external id (else by folded name), products by
SKU (and, when one product id carries several names, by name within that SKU's family), orders
by external id, lines by the file's row-id column or else their position within their order
("#1", "#2", … counting every row of the order, good or bad, so fixing a bad row and importing
again adds just that line). Historical sales move no stock: no stock movements are written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.catalog import name_key as product_name_key
from domain.imports import (
    OrderLineRecord,
    ProductSplit,
    RowError,
    local_midnight_utc,
)
from storage import rollups
from storage.importers.common import Good, RunContext, allocate_numbers, bulk_insert, chunked
from storage.orm import CustomerRow, OrderLineRow, OrderRow, ProductRow

SKU_MAX = 64


@dataclass
class _Customer:
    id: int
    number: int
    external_id: str | None


@dataclass
class _Product:
    id: int
    sku: str
    name_key: str
    list_price: Decimal
    unit_cost: Decimal | None


@dataclass
class _Order:
    id: int
    external_id: str
    customer_id: int
    order_date: date
    created: bool  # by this run
    first_line: int | None  # the file line that made it, when this run did


Row = Good[OrderLineRecord]
CustomerKey = tuple[str, str]  # ("id", external id) or ("name", folded name)
ProductKey = tuple[str, str | None]  # (SKU key, folded name when names split products)


class OrderImporter:
    """Imports an orders file, batch by batch, each batch in one transaction."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._positional = not ctx.columns.has("line_key")
        self._split = ctx.split_product_names and ctx.columns.has("product_name")
        self._positions: dict[str, int] = {}
        self._customers: dict[CustomerKey, _Customer | str] = {}  # str: why it is refused
        self._customers_created: set[int] = set()
        self._customers_adopted: set[int] = set()
        self._customers_seen: set[int] = set()
        self._products: dict[ProductKey, _Product | str] = {}
        self._families: dict[str, dict[str, _Product]] = {}  # SKU key -> SKU key -> product
        self._variants_loaded: set[str] = set()
        self._products_created: set[int] = set()
        self._products_seen: set[int] = set()
        self._file_families: dict[str, tuple[str, dict[str, None]]] = {}
        self._orders: dict[str, _Order] = {}
        self._orders_changed: set[int] = set()
        self._line_seen: dict[tuple[str, str], int] = {}
        self._rejected_orders: set[str] = set()

    # -- the run's hooks ----------------------------------------------------------------------

    def prepare(self, values: dict[str, str]) -> None:
        if self._positional:
            order_id = values.get("order_id", "").strip()
            position = self._positions.get(order_id, 0) + 1 if order_id else 0
            if order_id:
                self._positions[order_id] = position
            values["line_key"] = f"#{position}"  # "#0": no order id, the row is refused anyway

    def rejected(self, line: int, values: dict[str, str], errors: list[RowError]) -> None:
        self._ctx.summary.lines.rejected += 1
        order_id = values.get("order_id", "").strip()
        if order_id:
            self._rejected_orders.add(order_id)

    def write(self, rows: list[Good[Any]]) -> None:
        if not rows:
            return
        with self._ctx.session_factory.begin() as session:
            alive: list[Row] = rows
            alive = self._resolve_customers(session, alive)
            alive = self._resolve_products(session, alive)
            alive = self._resolve_orders(session, alive)
            self._write_lines(session, alive)

    def finish(self) -> None:
        with self._ctx.session_factory.begin() as session:
            rollups.refresh_dirty(session, self._ctx.team_id)
        summary = self._ctx.summary
        refused = sum(1 for c in self._customers.values() if isinstance(c, str))
        summary.customers.created = len(self._customers_created)
        summary.customers.updated = len(self._customers_adopted)
        summary.customers.unchanged = len(
            self._customers_seen - self._customers_created - self._customers_adopted
        )
        summary.customers.rejected = refused
        summary.products.created = len(self._products_created)
        summary.products.unchanged = len(self._products_seen - self._products_created)
        summary.products.rejected = sum(1 for p in self._products.values() if isinstance(p, str))
        existing = [o for o in self._orders.values() if not o.created]
        summary.orders.created = len(self._orders) - len(existing)
        summary.orders.updated = sum(1 for o in existing if o.id in self._orders_changed)
        summary.orders.unchanged = len(existing) - summary.orders.updated
        summary.orders.rejected = len(self._rejected_orders - self._orders.keys())
        summary.splits = self._splits()

    def _reject(self, row: Row, field_name: str, reason: str) -> None:
        self._ctx.reject(row.line, row.values, field_name, reason)
        self._ctx.summary.lines.rejected += 1
        self._rejected_orders.add(row.record.order_id)

    # -- customers ------------------------------------------------------------------------------

    @staticmethod
    def _customer_key(record: OrderLineRecord) -> CustomerKey:
        if record.customer_id is not None:
            return ("id", record.customer_id)
        assert record.customer is not None  # validation requires an id or a name
        return ("name", record.customer.name_key)

    def _resolve_customers(self, session: Session, rows: list[Row]) -> list[Row]:
        team_id = self._ctx.team_id
        firsts: dict[CustomerKey, Row] = {}
        for row in rows:
            key = self._customer_key(row.record)
            if key not in self._customers:
                firsts.setdefault(key, row)
        if firsts:
            self._find_or_create_customers(session, team_id, firsts)
        alive: list[Row] = []
        for row in rows:
            found = self._customers[self._customer_key(row.record)]
            if isinstance(found, str):
                field_name = "customer_id" if row.record.customer_id else "customer_name"
                self._reject(row, field_name, found)
                continue
            row.extra["customer_id"] = found.id
            self._customers_seen.add(found.id)
            alive.append(row)
        return alive

    def _find_or_create_customers(
        self, session: Session, team_id: str, firsts: dict[CustomerKey, Row]
    ) -> None:
        external_ids = [key[1] for key in firsts if key[0] == "id"]
        name_keys = [row.record.customer.name_key for row in firsts.values() if row.record.customer]
        columns = (
            CustomerRow.id,
            CustomerRow.number,
            CustomerRow.external_id,
            CustomerRow.name_key,
        )
        by_id: dict[str, Any] = {}
        for part in chunked(external_ids):
            for found in session.execute(
                select(*columns).where(
                    CustomerRow.team_id == team_id, CustomerRow.external_id.in_(part)
                )
            ):
                by_id[found.external_id] = found
        by_name: dict[str, _Customer] = {}
        for part in chunked(sorted(set(name_keys))):
            for found in session.execute(
                select(*columns).where(
                    CustomerRow.team_id == team_id, CustomerRow.name_key.in_(part)
                )
            ):
                by_name[found.name_key] = _Customer(found.id, found.number, found.external_id)
        new: list[tuple[CustomerKey, Row]] = []
        claimed: dict[str, str] = {}  # name key -> external id of a customer this batch creates
        adopted: list[dict[str, Any]] = []
        for key, row in firsts.items():
            kind, value = key
            if kind == "id" and value in by_id:
                found = by_id[value]
                self._customers[key] = _Customer(found.id, found.number, value)
                continue
            draft = row.record.customer
            if draft is None:
                self._customers[key] = (
                    f"customer {value} is not in Salesbot and this row gives no name to create it"
                )
                continue
            same_name = by_name.get(draft.name_key)
            if same_name is not None and kind == "name":
                self._customers[key] = same_name
            elif same_name is not None and same_name.external_id is None:
                # Someone added this customer by hand: the import links it to its external id.
                same_name.external_id = value
                adopted.append(
                    {"id": same_name.id, "external_id": value, "updated_at": self._ctx.now}
                )
                self._customers_adopted.add(same_name.id)
                self._customers[key] = same_name
            elif same_name is not None:
                self._customers[key] = (
                    f"C-{same_name.number} ({same_name.external_id}) already has the name "
                    f"“{draft.name}”; customer names are unique"
                )
            elif draft.name_key in claimed:
                self._customers[key] = (
                    f"customer {claimed[draft.name_key]} of this file already has the name "
                    f"“{draft.name}”; customer names are unique"
                )
            else:
                claimed[draft.name_key] = value
                new.append((key, row))
        if adopted:
            session.execute(update(CustomerRow), adopted)
        if new:
            self._insert_customers(session, team_id, new)

    def _insert_customers(
        self, session: Session, team_id: str, new: list[tuple[CustomerKey, Row]]
    ) -> None:
        first = allocate_numbers(session, team_id, "customer", len(new))
        now, actor = self._ctx.now, self._ctx.actor
        values: list[dict[str, Any]] = []
        for offset, (key, row) in enumerate(new):
            draft = row.record.customer
            assert draft is not None
            values.append(
                {
                    "team_id": team_id,
                    "number": first + offset,
                    "external_id": key[1] if key[0] == "id" else None,
                    "name": draft.name,
                    "name_key": draft.name_key,
                    "company": None,
                    "company_key": None,
                    "email": None,
                    "phone": None,
                    "owner_id": None,
                    "tags": draft.tags,
                    "address": None,
                    "city": draft.city,
                    "region": draft.region,
                    "country": draft.country,
                    "industry": None,
                    "notes": None,
                    "created_by": actor,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        made = bulk_insert(session, CustomerRow, values, returning=("id", "number"))
        ids = {number: customer_id for customer_id, number in made}
        for (key, _row), value in zip(new, values, strict=True):
            customer_id = ids[value["number"]]
            self._customers[key] = _Customer(customer_id, value["number"], value["external_id"])
            self._customers_created.add(customer_id)

    # -- products -------------------------------------------------------------------------------

    def _product_key(self, row: Row) -> ProductKey:
        key = row.extra.get("product_key")
        if key is None:
            record = row.record
            name_key = _fold(record.product_name) if self._split and record.product_name else None
            key = row.extra["product_key"] = (record.sku_key, name_key)
        return key  # type: ignore[return-value]

    def _resolve_products(self, session: Session, rows: list[Row]) -> list[Row]:
        firsts: dict[ProductKey, Row] = {}
        prices: dict[ProductKey, Decimal] = {}  # the first unit price each new key's rows give
        for row in rows:
            key = self._product_key(row)
            if key in self._products:
                continue
            firsts.setdefault(key, row)
            if key not in prices and row.record.unit_price is not None:
                prices[key] = row.record.unit_price
        if firsts:
            self._load_families(session, sorted({key[0] for key in firsts}))
            new, aliases = self._plan_products(session, firsts)
            if new:
                self._insert_products(session, new, prices)
            for key, sku_key in aliases.items():
                self._products[key] = self._families[key[0]][sku_key]
        alive: list[Row] = []
        for row in rows:
            key = self._product_key(row)
            found = self._products[key]
            if isinstance(found, str):
                self._reject(row, "sku", found)
                continue
            row.extra["product"] = found
            self._products_seen.add(found.id)
            _base, skus = self._file_families.setdefault(key[0], (row.record.sku, {}))
            skus[found.sku] = None
            alive.append(row)
        return alive

    def _load_families(self, session: Session, sku_keys: list[str]) -> None:
        """The products whose SKU is exactly one of these (not yet known to this run)."""
        wanted = [key for key in sku_keys if key not in self._families]
        for key in wanted:
            self._families[key] = {}
        for part in chunked(wanted):
            for found in session.execute(
                select(
                    ProductRow.id,
                    ProductRow.sku,
                    ProductRow.sku_key,
                    ProductRow.name_key,
                    ProductRow.list_price,
                    ProductRow.unit_cost,
                ).where(ProductRow.team_id == self._ctx.team_id, ProductRow.sku_key.in_(part))
            ):
                self._families[found.sku_key][found.sku_key] = _Product(
                    found.id, found.sku, found.name_key, found.list_price, found.unit_cost
                )

    def _load_variants(self, session: Session, base_key: str) -> None:
        """The SKU's split siblings (SKU-2, SKU-3, …): looked up only when a name differs."""
        if base_key in self._variants_loaded:
            return
        self._variants_loaded.add(base_key)
        escaped = base_key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = re.compile(re.escape(base_key) + r"-\d+$")
        for found in session.execute(
            select(
                ProductRow.id,
                ProductRow.sku,
                ProductRow.sku_key,
                ProductRow.name_key,
                ProductRow.list_price,
                ProductRow.unit_cost,
            ).where(
                ProductRow.team_id == self._ctx.team_id,
                ProductRow.sku_key.like(escaped + "-%", escape="\\"),
            )
        ):
            if pattern.match(found.sku_key):
                self._families[base_key][found.sku_key] = _Product(
                    found.id, found.sku, found.name_key, found.list_price, found.unit_cost
                )

    def _plan_products(
        self, session: Session, firsts: dict[ProductKey, Row]
    ) -> tuple[list[tuple[ProductKey, Row, str]], dict[ProductKey, str]]:
        """Match each key to its product, or plan a new one with its SKU (id, id-2, id-3 …).

        Returns the products to create (key, first row, SKU) and the keys that mean a product
        this batch creates (key -> its SKU key).
        """
        new: list[tuple[ProductKey, Row, str]] = []
        planned: dict[str, ProductKey] = {}  # SKU key -> the key that creates it
        aliases: dict[ProductKey, str] = {}
        for key, row in firsts.items():
            base_key, name_key = key
            family = self._families[base_key]
            exact = family.get(base_key)
            if name_key is None or (exact is not None and exact.name_key == name_key):
                if exact is not None:
                    self._products[key] = exact
                elif base_key in planned:
                    aliases[key] = base_key
                else:
                    planned[base_key] = key
                    new.append((key, row, row.record.sku))
                continue
            if exact is None and base_key not in planned:
                planned[base_key] = key
                new.append((key, row, row.record.sku))
                continue
            self._load_variants(session, base_key)
            match = next((p for p in family.values() if p.name_key == name_key), None)
            if match is not None:
                self._products[key] = match
                continue
            suffix = 2
            while f"{base_key}-{suffix}" in family or f"{base_key}-{suffix}" in planned:
                suffix += 1
            sku = f"{row.record.sku}-{suffix}"
            if len(sku) > SKU_MAX:
                self._products[key] = (
                    f"this product id has another name already, and {sku} would be longer "
                    f"than {SKU_MAX} characters"
                )
                continue
            planned[sku.upper()] = key
            new.append((key, row, sku))
        return new, aliases

    def _insert_products(
        self,
        session: Session,
        new: list[tuple[ProductKey, Row, str]],
        prices: dict[ProductKey, Decimal],
    ) -> None:
        now = self._ctx.now
        values: list[dict[str, Any]] = []
        for key, row, sku in new:
            record = row.record
            name = record.product_name or record.sku
            values.append(
                {
                    "team_id": self._ctx.team_id,
                    "sku": sku,
                    "sku_key": sku.upper(),
                    "name": name,
                    "name_key": product_name_key(name),
                    "category": record.category,
                    "subcategory": record.subcategory,
                    # The unit price of the first line that states one (a 100%-discount line
                    # implies none), and the first line's unit cost.
                    "list_price": prices.get(key, Decimal("0.0000")),
                    "unit_cost": record.unit_cost,
                    "active": True,
                    "on_hand": 0,
                    "low_crossings": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        made = bulk_insert(session, ProductRow, values, returning=("id", "sku_key"))
        ids = {sku_key: product_id for product_id, sku_key in made}
        for (key, _row, sku), value in zip(new, values, strict=True):
            product_id = ids[value["sku_key"]]
            product = _Product(
                product_id, sku, value["name_key"], value["list_price"], value["unit_cost"]
            )
            self._products[key] = product
            self._families[key[0]][sku.upper()] = product
            self._products_created.add(product_id)

    def _splits(self) -> list[ProductSplit]:
        splits = []
        for base_key in sorted(self._file_families):
            base, skus = self._file_families[base_key]
            if len(skus) > 1:
                ordered = sorted(skus, key=lambda sku: _suffix(sku, base_key))
                splits.append(ProductSplit(product_id=base, skus=ordered))
        return splits

    # -- orders ---------------------------------------------------------------------------------

    def _resolve_orders(self, session: Session, rows: list[Row]) -> list[Row]:
        unknown = sorted({row.record.order_id for row in rows} - self._orders.keys())
        for part in chunked(unknown):
            for found in session.execute(
                select(
                    OrderRow.id, OrderRow.external_id, OrderRow.customer_id, OrderRow.order_date
                ).where(OrderRow.team_id == self._ctx.team_id, OrderRow.external_id.in_(part))
            ):
                self._orders[found.external_id] = _Order(
                    found.id, found.external_id, found.customer_id, found.order_date, False, None
                )
        new: dict[str, Row] = {}
        for row in rows:
            if row.record.order_id not in self._orders:
                new.setdefault(row.record.order_id, row)
        if new:
            self._insert_orders(session, list(new.values()))
        alive: list[Row] = []
        for row in rows:
            order = self._orders[row.record.order_id]
            where = f"on line {order.first_line}" if order.first_line else "in Salesbot"
            if row.extra["customer_id"] != order.customer_id:
                field_name = "customer_id" if row.record.customer_id else "customer_name"
                self._reject(
                    row, field_name, f"order {order.external_id} is for another customer ({where})"
                )
            elif row.record.order_date != order.order_date:
                self._reject(
                    row,
                    "order_date",
                    f"order {order.external_id} is dated {order.order_date.isoformat()} ({where})",
                )
            else:
                row.extra["order"] = order
                alive.append(row)
        return alive

    def _insert_orders(self, session: Session, heads: list[Row]) -> None:
        team_id, timezone = self._ctx.team_id, self._ctx.timezone
        first = allocate_numbers(session, team_id, "order", len(heads))
        values = [
            {
                "team_id": team_id,
                "number": first + offset,
                "external_id": row.record.order_id,
                "customer_id": row.extra["customer_id"],
                "rep_id": row.record.rep,
                "ordered_at": local_midnight_utc(row.record.order_date, timezone),
                "order_date": row.record.order_date,
                "total": Decimal("0.0000"),  # summed from the lines below
                "line_count": 0,
                "city": row.record.city,
                "state": row.record.state,
                "region": row.record.region,
                "source": "import",
                "note": None,
                "created_by": self._ctx.actor,
                "created_at": self._ctx.now,
            }
            for offset, row in enumerate(heads)
        ]
        made = bulk_insert(session, OrderRow, values, returning=("id", "number"))
        ids = {number: order_id for order_id, number in made}
        for row, value in zip(heads, values, strict=True):
            order_id = ids[value["number"]]
            record = row.record
            customer_id: int = row.extra["customer_id"]  # type: ignore[assignment]
            self._orders[record.order_id] = _Order(
                order_id, record.order_id, customer_id, record.order_date, True, row.line
            )

    # -- lines ----------------------------------------------------------------------------------

    def _write_lines(self, session: Session, rows: list[Row]) -> None:
        existing = self._existing_lines(session, rows)
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        touched: set[int] = set()
        days: set[date] = set()
        counts = self._ctx.summary.lines
        for row in rows:
            record = row.record
            order: _Order = row.extra["order"]  # type: ignore[assignment]
            product: _Product = row.extra["product"]  # type: ignore[assignment]
            line_key = record.line_key
            seen_at = self._line_seen.get((order.external_id, line_key))
            if seen_at is not None:
                self._reject(
                    row,
                    "line_key",
                    f"order {order.external_id} has a line {line_key} already (line {seen_at})",
                )
                continue
            self._line_seen[(order.external_id, line_key)] = row.line
            values = {
                "product_id": product.id,
                "quantity": record.quantity,
                "unit_price": (
                    record.unit_price if record.unit_price is not None else product.list_price
                ),
                "discount": record.discount,
                "line_total": record.total,
                "unit_cost": record.unit_cost
                if record.unit_cost is not None
                else product.unit_cost,
            }
            stored = existing.get((order.id, line_key))
            if stored is None:
                inserts.append(
                    {
                        "team_id": self._ctx.team_id,
                        "order_id": order.id,
                        "line_key": line_key,
                        "order_date": order.order_date,
                        **values,
                    }
                )
                counts.created += 1
            elif any(stored[name] != value for name, value in values.items()):
                updates.append({"id": stored["id"], **values})
                counts.updated += 1
            else:
                counts.unchanged += 1
                continue
            touched.add(order.id)
            days.add(order.order_date)
            if not order.created:
                self._orders_changed.add(order.id)
        if inserts:
            bulk_insert(session, OrderLineRow, inserts)
        if updates:
            session.execute(update(OrderLineRow), updates)
        self._recount(session, sorted(touched))
        # In this batch's transaction, so the days are refreshed even after a crash.
        rollups.mark_dirty(session, self._ctx.team_id, days)

    def _existing_lines(self, session: Session, rows: list[Row]) -> dict[tuple[int, str], Any]:
        """Lines already stored for orders this run did not create (its own it knows)."""
        orders: list[_Order] = [row.extra["order"] for row in rows]  # type: ignore[misc]
        order_ids = sorted({order.id for order in orders if not order.created})
        found: dict[tuple[int, str], Any] = {}
        for part in chunked(order_ids):
            for line in session.execute(
                select(
                    OrderLineRow.id,
                    OrderLineRow.order_id,
                    OrderLineRow.line_key,
                    OrderLineRow.product_id,
                    OrderLineRow.quantity,
                    OrderLineRow.unit_price,
                    OrderLineRow.discount,
                    OrderLineRow.line_total,
                    OrderLineRow.unit_cost,
                ).where(OrderLineRow.team_id == self._ctx.team_id, OrderLineRow.order_id.in_(part))
            ).mappings():
                found[(line["order_id"], line["line_key"] or "")] = line
        return found

    def _recount(self, session: Session, order_ids: list[int]) -> None:
        """Orders' totals and line counts from their lines, summed exactly in the database."""
        for part in chunked(order_ids):
            sums = (
                select(
                    OrderLineRow.order_id,
                    func.sum(OrderLineRow.line_total).label("total"),
                    func.count().label("line_count"),
                )
                .where(OrderLineRow.order_id.in_(part))
                .group_by(OrderLineRow.order_id)
                .subquery()
            )
            session.execute(
                update(OrderRow)
                .where(OrderRow.team_id == self._ctx.team_id, OrderRow.id == sums.c.order_id)
                .values(total=sums.c.total, line_count=sums.c.line_count)
                .execution_options(synchronize_session=False)
            )


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    return product_name_key(text)


def _suffix(sku: str, base_key: str) -> int:
    rest = sku.upper()[len(base_key) :]
    return int(rest[1:]) if rest.startswith("-") and rest[1:].isdigit() else 1
