"""Recording orders on a real database: one transaction, exact money, tenancy, once per key."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.services import Services
from domain.catalog import Product, ProductDraft
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.errors import ValidationFailed
from domain.orders import LineInput, OrderService, RecordedOrder
from storage.engine import make_session_factory
from storage.orm import (
    AuditRow,
    DeliveryRow,
    IdempotencyKeyRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SequenceRow,
    StockMovementRow,
)
from storage.uow import SqlUnitOfWork

TEAM, OTHER = "T0ORD", "T0ELSE"
REP = "U0REP"
NY = ZoneInfo("America/New_York")


class Shop:
    """A workspace with a customer and two products, and a way to record orders in it."""

    def __init__(self, services: Services) -> None:
        self.services = services
        services.workspaces.ensure(TEAM, REP)
        self.customer = services.customers.create(
            TEAM, CustomerDraft.from_input(name="Acme", city="Boston"), actor=REP
        )
        self.pen = self.product("PEN-1", "Pen", "19.99", cost="7.5")
        self.ink = self.product("INK-1", "Ink", "0.0001")

    def product(self, sku: str, name: str, price: str, *, cost: str | None = None) -> Product:
        draft = ProductDraft.from_input(sku=sku, name=name, list_price=price, unit_cost=cost)
        return self.services.catalog.create(TEAM, draft, actor=REP)

    def record(
        self,
        *lines: LineInput,
        customer_id: int | None = None,
        order_date: date | None = None,
        key: str | None = None,
        orders: OrderService | None = None,
    ) -> RecordedOrder:
        return (orders or self.services.orders).record(
            TEAM,
            customer_id=customer_id or self.customer.id,
            order_date=order_date,
            lines=list(lines),
            tz=NY,
            actor=REP,
            idempotency_key=key,
        )

    def on_hand(self, product: Product) -> int:
        return self.services.catalog.get(TEAM, product.id).on_hand


@pytest.fixture
def shop(services: Services) -> Shop:
    return Shop(services)


def line(
    product: Product | int | None,
    quantity: str,
    price: str | None = None,
    discount: str | None = None,
) -> LineInput:
    product_id = product.id if isinstance(product, Product) else product
    return LineInput(product_id=product_id, quantity=quantity, unit_price=price, discount=discount)


def counts(services: Services) -> dict[str, Any]:
    """Everything recording an order may write, to compare before and after."""
    with Session(services.engine) as session:
        found: dict[str, Any] = {
            table.__tablename__: session.scalar(select(func.count()).select_from(table))
            for table in (
                OrderRow,
                OrderLineRow,
                StockMovementRow,
                AuditRow,
                IdempotencyKeyRow,
                DeliveryRow,
            )
        }
        found["on_hand"] = sorted(session.execute(select(ProductRow.id, ProductRow.on_hand)).all())
        found["sequences"] = sorted(
            session.execute(select(SequenceRow.team_id, SequenceRow.name, SequenceRow.value)).all()
        )
    return found


# -- one transaction ---------------------------------------------------------------------


def test_order_lines_and_movements_are_written_together(shop: Shop) -> None:
    shop.services.stock.receive(TEAM, "PEN-1", 10, note=None, actor=REP)
    recorded = shop.record(line(shop.pen, "3"), line(shop.ink, "7"))
    order = recorded.order
    assert order.public_id == "O-1"
    assert order.line_count == 2
    assert [(ln.product_id, ln.quantity) for ln in order.lines] == [
        (shop.pen.id, 3),
        (shop.ink.id, 7),
    ]
    moves = [
        (r.stock.movement.kind, r.stock.movement.quantity, r.stock.after) for r in recorded.lines
    ]
    assert moves == [("sale", -3, 7), ("sale", -7, -7)]
    assert all(r.stock.movement.order_id == order.id for r in recorded.lines)
    assert all(r.stock.movement.reason == "O-1" for r in recorded.lines)
    assert (shop.on_hand(shop.pen), shop.on_hand(shop.ink)) == (7, -7)
    with Session(shop.services.engine) as session:
        audit = session.scalars(select(AuditRow).where(AuditRow.entity == "order")).all()
    assert [(a.entity_id, a.changes["total"], a.changes["lines"]) for a in audit] == [
        (order.id, "59.9707", 2)
    ]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (line(10**9, "1"), "line2.product"),  # no such product
        (line(None, "1", price="5"), "line2.product"),
        (LineInput(quantity="0"), "line2.quantity"),
        (LineInput(quantity="-2"), "line2.quantity"),
        (LineInput(quantity="1.5"), "line2.quantity"),
    ],
)
def test_a_bad_line_writes_nothing_at_all(shop: Shop, bad: LineInput, field: str) -> None:
    if bad.product_id is None and bad.unit_price is None:
        bad = bad.model_copy(update={"product_id": shop.ink.id})
    before = counts(shop.services)
    with pytest.raises(ValidationFailed) as failed:
        shop.record(line(shop.pen, "2"), bad)
    assert field in failed.value.errors
    assert counts(shop.services) == before


@pytest.mark.parametrize(
    ("price", "discount", "field"),
    [
        ("abc", None, "line1.price"),
        ("-1", None, "line1.price"),
        ("12.34567", None, "line1.price"),
        (None, "150%", "line1.discount"),
        (None, "-5%", "line1.discount"),
        (None, "lots", "line1.discount"),
    ],
)
def test_bad_prices_and_discounts_are_refused_per_line(
    shop: Shop, price: str | None, discount: str | None, field: str
) -> None:
    before = counts(shop.services)
    with pytest.raises(ValidationFailed) as failed:
        shop.record(line(shop.pen, "1", price=price, discount=discount))
    assert set(failed.value.errors) == {field}
    assert counts(shop.services) == before


class _StockFailingOnMove:
    """The real stock repository, except that its n-th movement fails (a crash mid-order)."""

    def __init__(self, real: Any, fail_on: int) -> None:
        self._real = real
        self._left = fail_on

    def move(self, *args: Any, **kwargs: Any) -> Any:
        self._left -= 1
        if self._left == 0:
            raise RuntimeError("the database went away")
        return self._real.move(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def test_a_failure_after_the_first_movement_rolls_back_the_whole_order(shop: Shop) -> None:
    session_factory = make_session_factory(shop.services.engine)

    class CrashingUnitOfWork(SqlUnitOfWork):
        def __enter__(self) -> CrashingUnitOfWork:
            super().__enter__()
            self.stock = _StockFailingOnMove(self.stock, fail_on=2)  # type: ignore[assignment]
            return self

    crashing = OrderService(lambda: CrashingUnitOfWork(session_factory), shop.services.clock)
    shop.services.stock.receive(TEAM, "PEN-1", 5, note=None, actor=REP)
    before = counts(shop.services)
    with pytest.raises(RuntimeError):
        shop.record(line(shop.pen, "2"), line(shop.ink, "3"), key="k-crash", orders=crashing)
    assert counts(shop.services) == before  # no order, line, movement, level, number or key
    # The key was not spent: the retry records the order, as O-1.
    retried = shop.record(line(shop.pen, "2"), line(shop.ink, "3"), key="k-crash")
    assert retried.order.public_id == "O-1"
    assert (shop.on_hand(shop.pen), shop.on_hand(shop.ink)) == (3, -3)


# -- exact money -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "total"),
    [
        ("3", "19.99", "0.15", "50.9745"),
        ("3", "19.99", "15%", "50.9745"),
        ("7", "0.0001", None, "0.0007"),
        ("3", "99999999.9999", None, "299999999.9997"),
        ("1", "99999999999999", "0.0001", "99989999999999.0001"),  # 18 significant digits
        ("1", "99999999999999", None, "99999999999999.0000"),  # the largest amount
        ("5", "12.5", "100%", "0.0000"),
        ("3", "0.3333", "0.3333", "0.6666"),  # 0.66663333 to 4 places
        ("1", "0.0005", "0.5", "0.0003"),  # 0.00025 rounded half up, not half even
    ],
)
def test_totals_are_exact_and_read_back_equal(
    shop: Shop, quantity: str, price: str, discount: str | None, total: str
) -> None:
    recorded = shop.record(line(shop.pen, quantity, price=price, discount=discount))
    assert str(recorded.order.total) == total
    again = shop.services.orders.get_by_number(TEAM, recorded.order.number)
    assert str(again.total) == total
    (stored,) = again.lines
    assert str(stored.line_total) == total
    assert str(stored.unit_price) == str(Decimal(price).quantize(Decimal("0.0001")))
    assert stored == recorded.order.lines[0]


def test_sums_in_sql_stay_exact(shop: Shop) -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in floating point; SUM over Fixed4 must not be.
    shop.record(*(line(shop.pen, "1", price=p) for p in ("0.1", "0.2", "0.0001", "99999999.9999")))
    with Session(shop.services.engine) as session:
        line_sum = session.scalar(select(func.sum(OrderLineRow.line_total)))
        order_total = session.scalar(select(OrderRow.total))
    assert line_sum == order_total == Decimal("100000000.3000")
    assert str(order_total) == "100000000.3000"


def test_order_total_too_large_to_store_is_refused_and_writes_nothing(shop: Shop) -> None:
    # NUMERIC(18,4) holds up to 99,999,999,999,999.9999; two units at the largest price
    # allowed make an order total no column can hold. It must be a validation error, on
    # both databases, rather than a DataError (PostgreSQL) or a stored value PostgreSQL
    # could never hold (SQLite keeps ten-thousandths in a 64-bit integer).
    before = counts(shop.services)
    with pytest.raises(ValidationFailed):
        shop.record(line(shop.pen, "2", price="99999999999999"))
    with pytest.raises(ValidationFailed):
        shop.record(line(shop.pen, "1000", price="99999999999999"))
    assert counts(shop.services) == before


def test_list_price_and_cost_are_the_default(shop: Shop) -> None:
    recorded = shop.record(line(shop.pen, "2"), line(shop.pen, "1", price="$18"))
    first, second = recorded.order.lines
    assert (first.unit_price, first.line_total) == (Decimal("19.99"), Decimal("39.98"))
    assert (second.unit_price, second.line_total) == (Decimal("18"), Decimal("18"))
    assert first.unit_cost == second.unit_cost == Decimal("7.5")
    assert recorded.order.total == Decimal("57.98")
    assert shop.on_hand(shop.pen) == -3  # the same product twice: two movements


# -- once per request --------------------------------------------------------------------


def test_the_same_idempotency_key_records_once(shop: Shop) -> None:
    first = shop.record(line(shop.pen, "2"), key="modal-1")
    again = shop.record(line(shop.pen, "2"), key="modal-1")
    assert again.order == first.order
    assert [r.stock.after for r in again.lines] == [-2]
    other = shop.record(line(shop.pen, "2"), key="modal-2")
    assert other.order.public_id == "O-2"
    assert shop.on_hand(shop.pen) == -4
    with Session(shop.services.engine) as session:
        assert session.scalar(select(func.count()).select_from(OrderRow)) == 2


def test_concurrent_submissions_with_one_key_record_once(shop: Shop) -> None:
    barrier = threading.Barrier(4)
    results: list[RecordedOrder] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(shop.record(line(shop.pen, "1"), line(shop.ink, "2"), key="dup"))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len({r.order.id for r in results}) == 1
    assert (shop.on_hand(shop.pen), shop.on_hand(shop.ink)) == (-1, -2)
    with Session(shop.services.engine) as session:
        assert session.scalar(select(func.count()).select_from(OrderRow)) == 1
        assert session.scalar(select(func.count()).select_from(StockMovementRow)) == 2


# -- dates -------------------------------------------------------------------------------


def test_dates_after_today_and_before_1990_are_refused(shop: Shop, clock: FrozenClock) -> None:
    today = clock.now().astimezone(NY).date()
    before = counts(shop.services)
    for day in (today + timedelta(days=1), date(1970, 1, 1), date(1989, 12, 31)):
        with pytest.raises(ValidationFailed) as failed:
            shop.record(line(shop.pen, "1"), order_date=day)
        assert set(failed.value.errors) == {"date"}
    assert counts(shop.services) == before
    oldest = shop.record(line(shop.pen, "1"), order_date=date(1990, 1, 1)).order
    assert oldest.ordered_at == datetime(1990, 1, 1, tzinfo=NY)
    assert shop.record(line(shop.pen, "1"), order_date=today).order.ordered_at == clock.now()


def test_today_is_the_workspace_day_not_the_utc_day(shop: Shop, clock: FrozenClock) -> None:
    clock.set(datetime(2026, 3, 3, 3, 0, tzinfo=UTC))  # still 2 March, 22:00, in New York
    with pytest.raises(ValidationFailed) as failed:
        shop.record(line(shop.pen, "1"), order_date=date(2026, 3, 3))
    assert set(failed.value.errors) == {"date"}
    assert shop.record(line(shop.pen, "1")).order.order_date == date(2026, 3, 2)


# -- tenancy -----------------------------------------------------------------------------


def test_another_workspaces_customer_or_product_is_refused(shop: Shop) -> None:
    services = shop.services
    services.workspaces.ensure(OTHER, "U0EVE")
    their_customer = services.customers.create(
        OTHER, CustomerDraft.from_input(name="Theirs"), actor="U0EVE"
    )
    their_product = services.catalog.create(
        OTHER, ProductDraft.from_input(sku="PEN-1", name="Their pen", list_price="1"), actor="U0EVE"
    )
    services.stock.receive(OTHER, "PEN-1", 4, note=None, actor="U0EVE")
    before = counts(services)
    with pytest.raises(ValidationFailed) as failed:
        shop.record(line(shop.pen, "1"), customer_id=their_customer.id)
    assert set(failed.value.errors) == {"customer"}
    with pytest.raises(ValidationFailed) as failed:
        shop.record(line(shop.pen, "1"), line(their_product, "1"))
    assert set(failed.value.errors) == {"line2.product"}
    assert counts(services) == before
    assert services.catalog.get(OTHER, their_product.id).on_hand == 4


def test_order_numbers_count_per_workspace(shop: Shop) -> None:
    services = shop.services
    services.workspaces.ensure(OTHER, "U0EVE")
    customer = services.customers.create(OTHER, CustomerDraft.from_input(name="B"), actor="U0EVE")
    product = services.catalog.create(
        OTHER, ProductDraft.from_input(sku="X", name="X", list_price="1"), actor="U0EVE"
    )
    mine = [shop.record(line(shop.pen, "1")).order.public_id for _ in range(2)]
    theirs = services.orders.record(
        OTHER,
        customer_id=customer.id,
        order_date=None,
        lines=[line(product, "1")],
        tz=NY,
        actor="U0EVE",
    )
    assert mine == ["O-1", "O-2"]
    assert theirs.order.public_id == "O-1"


# -- lines -------------------------------------------------------------------------------


def test_an_oversold_line_goes_negative_and_is_flagged(shop: Shop) -> None:
    shop.services.stock.receive(TEAM, "PEN-1", 2, note=None, actor=REP)
    shop.services.stock.receive(TEAM, "INK-1", 9, note=None, actor=REP)
    recorded = shop.record(line(shop.pen, "5"), line(shop.ink, "3"))
    assert [r.product.sku for r in recorded.oversold] == ["PEN-1"]
    (pen,) = recorded.oversold
    assert (pen.stock.before, pen.stock.after, pen.stock.went_negative) == (2, -3, True)
    assert shop.on_hand(shop.pen) == -3


def test_empty_lines_are_skipped_and_an_order_needs_one(shop: Shop) -> None:
    recorded = shop.record(LineInput(), line(shop.pen, "1"), LineInput(quantity="  "))
    assert recorded.order.line_count == 1
    with pytest.raises(ValidationFailed) as failed:
        shop.record(LineInput(), LineInput())
    assert set(failed.value.errors) == {"lines"}


def test_more_than_twenty_lines_are_refused(shop: Shop) -> None:
    with pytest.raises(ValidationFailed) as failed:
        shop.record(*(line(shop.pen, "1") for _ in range(21)))
    assert set(failed.value.errors) == {"lines"}
    assert shop.record(*(line(shop.pen, "1") for _ in range(20))).order.line_count == 20
