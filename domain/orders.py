"""Orders: a sale to a customer, its lines, and the stock it takes, in one transaction."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from domain.audit import Action
from domain.catalog import Product
from domain.errors import NotFound, ValidationFailed
from domain.idempotency import write_once
from domain.ids import Kind, format_id
from domain.inventory import MovementKind, MoveResult, move
from domain.money import (
    BadAmount,
    fits,
    line_total,
    parse_amount,
    parse_discount,
    parse_quantity,
)
from domain.text import clean

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from domain.clock import Clock
    from domain.ports import UnitOfWork, UnitOfWorkFactory

MAX_LINES = 20  # a modal holds 100 blocks; 4 inputs a line leaves room for 20
NOTE_MAX = 2000
EARLIEST = date(1990, 1, 1)


class OrderLine(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    product_id: int
    line_key: str | None = None
    quantity: int
    unit_price: Decimal
    discount: Decimal
    line_total: Decimal
    unit_cost: Decimal | None = None


class Order(BaseModel):
    """An order as stored; `total` is the sum of its lines' totals."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    team_id: str
    number: int
    external_id: str | None = None
    customer_id: int
    rep_id: str | None = None
    ordered_at: datetime
    order_date: date
    total: Decimal
    line_count: int
    city: str | None = None
    state: str | None = None
    region: str | None = None
    source: str = "slack"
    note: str | None = None
    created_by: str | None = None
    created_at: datetime
    lines: list[OrderLine] = Field(default_factory=list)

    @property
    def public_id(self) -> str:
        return format_id(Kind.ORDER, self.number)


class Purchases(BaseModel):
    """A customer's buying so far: lifetime revenue, how many orders, the latest ones."""

    model_config = ConfigDict(frozen=True)

    revenue: Decimal
    orders: int
    last_order_date: date | None
    recent: list[Order]


class LineInput(BaseModel):
    """One line as a person entered it: text, checked by `OrderService.record`."""

    model_config = ConfigDict(frozen=True)

    product_id: int | None = None
    quantity: str = ""
    unit_price: str | None = None  # empty: the product's list price
    discount: str | None = None


class NewLine(BaseModel):
    """A validated line, priced, ready to store."""

    model_config = ConfigDict(frozen=True)

    product: Product
    quantity: int
    unit_price: Decimal
    discount: Decimal

    @property
    def total(self) -> Decimal:
        return line_total(self.quantity, self.unit_price, self.discount)


class NewOrder(BaseModel):
    """A validated order, ready to store."""

    model_config = ConfigDict(frozen=True)

    customer_id: int
    order_date: date
    ordered_at: datetime
    rep_id: str | None
    note: str | None
    lines: list[NewLine]
    city: str | None = None
    state: str | None = None
    region: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal(0))


class RecordedLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    line: OrderLine
    product: Product
    stock: MoveResult


class RecordedOrder(BaseModel):
    """What recording an order did: the order, each line with its stock move."""

    model_config = ConfigDict(frozen=True)

    order: Order
    lines: list[RecordedLine]

    @property
    def oversold(self) -> list[RecordedLine]:
        """Lines that took their product's stock below zero (allowed, but warned)."""
        return [line for line in self.lines if line.stock.went_negative]


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight of `day`, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=tz)


class OrderService:
    """Record orders and read them back."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def record(
        self,
        team_id: str,
        *,
        customer_id: int | None,
        order_date: date | None,
        lines: list[LineInput],
        tz: ZoneInfo,
        actor: str | None,
        rep_id: str | None = None,
        note: str | None = None,
        idempotency_key: str | None = None,
    ) -> RecordedOrder:
        """Write the order, its lines and their sale movements in one transaction.

        ValidationFailed keys: customer, date, note, lines, line<n>.product|quantity|price|
        discount (n from 1), so a modal can put each message under its field.
        """
        now = self._clock.now()

        def write(uow: UnitOfWork) -> RecordedOrder:
            draft = self._validate(
                uow, team_id, customer_id, order_date, lines, tz, now, rep_id or actor, note
            )
            order = uow.orders.add(team_id, draft, actor=actor, now=now)
            pairs = list(zip(order.lines, draft.lines, strict=True))
            stock: dict[int, MoveResult] = {}
            # Products are locked in one order (by id) so that two concurrent orders for
            # the same products queue up rather than deadlock on PostgreSQL.
            for stored, new in sorted(pairs, key=lambda pair: (pair[1].product.id, pair[0].id)):
                stock[stored.id] = move(
                    uow,
                    team_id,
                    new.product.id,
                    -new.quantity,
                    MovementKind.SALE,
                    now=now,
                    actor=actor,
                    reason=order.public_id,
                    order_id=order.id,
                )
            recorded = [
                RecordedLine(line=stored, product=new.product, stock=stock[stored.id])
                for stored, new in pairs
            ]
            uow.audit.record(
                team_id,
                actor,
                Action.CREATE,
                "order",
                order.id,
                {
                    "customer_id": order.customer_id,
                    "order_date": order.order_date.isoformat(),
                    "total": str(order.total),
                    "lines": order.line_count,
                },
                now=now,
            )
            return RecordedOrder(order=order, lines=recorded)

        return write_once(
            self._uow_factory,
            team_id,
            idempotency_key,
            now=now,
            write=write,
            result_ref=lambda recorded: str(recorded.order.id),
            load=lambda uow, ref: self._reload(uow, team_id, int(ref)),
        )

    def get_by_number(self, team_id: str, number: int) -> Order:
        with self._uow_factory() as uow:
            order = uow.orders.get_by_number(team_id, number)
        if order is None:
            raise NotFound(f"There is no order {format_id(Kind.ORDER, number)}.")
        return order

    def purchases(self, team_id: str, customer_id: int, *, recent: int = 3) -> Purchases:
        """Lifetime revenue and order count of a customer, with its latest orders."""
        with self._uow_factory() as uow:
            count, revenue, last = uow.orders.totals_for_customer(team_id, customer_id)
            latest = uow.orders.for_customer(team_id, customer_id, limit=recent)
        return Purchases(revenue=revenue, orders=count, last_order_date=last, recent=latest)

    # -- helpers ---------------------------------------------------------------------

    def _validate(
        self,
        uow: UnitOfWork,
        team_id: str,
        customer_id: int | None,
        order_date: date | None,
        lines: list[LineInput],
        tz: ZoneInfo,
        now: datetime,
        rep_id: str | None,
        note: str | None,
    ) -> NewOrder:
        errors: dict[str, str] = {}
        customer = uow.customers.get(team_id, customer_id) if customer_id else None
        if customer is None:
            errors["customer"] = "Pick the customer the order is for."
        today = now.astimezone(tz).date()
        day = order_date or today
        if day > today:
            errors["date"] = f"The order date cannot be after today ({today.isoformat()})."
        elif day < EARLIEST:
            errors["date"] = f"The order date must be {EARLIEST.isoformat()} or later."
        note = clean(note)
        if note and len(note) > NOTE_MAX:
            errors["note"] = f"Keep the note under {NOTE_MAX} characters."
        filled = [(n, line) for n, line in enumerate(lines, 1) if _filled(line)]
        if not filled:
            errors["lines"] = "Add at least one line: a product and a quantity."
        elif len(filled) > MAX_LINES:
            errors["lines"] = f"An order holds up to {MAX_LINES} lines."
        products = uow.products.get_many(
            team_id, [line.product_id for _, line in filled if line.product_id]
        )
        by_id = {p.id: p for p in products}
        new_lines = []
        for n, line in filled:
            product = by_id.get(line.product_id) if line.product_id else None
            if product is None:
                errors[f"line{n}.product"] = "Pick a product (search by SKU or name)."
            elif not product.active:
                errors[f"line{n}.product"] = f"{product.sku} is discontinued: it is not for sale."
            try:
                quantity = parse_quantity(line.quantity)
            except BadAmount as exc:
                errors[f"line{n}.quantity"] = f"{exc}."
                quantity = None
            price: Decimal | None = product.list_price if product else None
            if clean(line.unit_price):
                try:
                    price = parse_amount(line.unit_price or "")
                except BadAmount as exc:
                    errors[f"line{n}.price"] = f"{exc}."
            try:
                discount = parse_discount(line.discount)
            except BadAmount as exc:
                errors[f"line{n}.discount"] = f"{exc}."
                discount = None
            if product and quantity and price is not None and discount is not None:
                new = NewLine(
                    product=product, quantity=quantity, unit_price=price, discount=discount
                )
                if not fits(new.total):
                    errors[f"line{n}.price"] = "This line's total is too large to record."
                new_lines.append(new)
        if new_lines and not fits(sum((line.total for line in new_lines), Decimal(0))):
            errors.setdefault("lines", "The order's total is too large to record.")
        if errors:
            raise ValidationFailed(errors)
        assert customer is not None
        ordered_at = now if day == today else start_of_day(day, tz)
        return NewOrder(
            customer_id=customer.id,
            order_date=day,
            ordered_at=ordered_at,
            rep_id=rep_id,
            note=note,
            lines=new_lines,
            city=customer.city,
            state=None,
            region=customer.region,
        )

    @staticmethod
    def _reload(uow: UnitOfWork, team_id: str, order_id: int) -> RecordedOrder:
        """The result of an earlier submission of the same request, for a repeated one."""
        order = uow.orders.get(team_id, order_id)
        if order is None:
            raise NotFound("That order does not exist any more.")
        products = {
            p.id: p for p in uow.products.get_many(team_id, [ln.product_id for ln in order.lines])
        }
        moves = uow.stock.for_order(team_id, order.id)
        recorded = []
        for line in order.lines:
            product = products[line.product_id]
            movement = next(m for m in moves if m.product_id == line.product_id)
            moves.remove(movement)
            stock = MoveResult(
                movement=movement,
                before=movement.balance_after - movement.quantity,
                after=movement.balance_after,
                reorder_point=product.reorder_point,
            )
            recorded.append(RecordedLine(line=line, product=product, stock=stock))
        return RecordedOrder(order=order, lines=recorded)


def _filled(line: LineInput) -> bool:
    return bool(line.product_id or (line.quantity or "").strip() or clean(line.unit_price))


__all__ = ["NewLine", "NewOrder", "Order", "OrderLine", "OrderService"]
