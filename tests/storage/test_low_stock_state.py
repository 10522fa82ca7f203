"""Low-stock alerts on a real database: one per crossing, re-armed above the point, swept."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import Services
from domain.catalog import Product, ProductDraft
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.inventory import LOW_STOCK_ALERT, MoveResult
from domain.orders import LineInput
from domain.workspaces import User
from storage.orm import DeliveryRow

TEAM = "T0LOW"
ADMIN = "U0ADMIN"
CHANNEL = "C0STOCK"
NY = ZoneInfo("America/New_York")


@dataclass
class Shop:
    services: Services
    admin: User
    customer_id: int
    product: Product

    def set_channel(self, channel: str = CHANNEL) -> None:
        self.services.workspaces.change_settings(TEAM, self.admin, stock_channel_id=channel)

    def rule(self, point: int) -> Product:
        return self.services.stock.set_rule(
            TEAM, self.product.id, point=point, qty=10, lead=7, actor=ADMIN
        )

    def receive(self, qty: int) -> MoveResult:
        return self.services.stock.receive(TEAM, self.product.sku, qty, note=None, actor=ADMIN)

    def sell(self, qty: int) -> MoveResult:
        recorded = self.services.orders.record(
            TEAM,
            customer_id=self.customer_id,
            order_date=None,
            lines=[LineInput(product_id=self.product.id, quantity=str(qty))],
            tz=NY,
            actor=ADMIN,
        )
        return recorded.lines[0].stock

    def current(self) -> Product:
        return self.services.catalog.get(TEAM, self.product.id)

    def alerts(self) -> list[tuple[str, str, dict[str, int]]]:
        """(key, recipient, payload) of every low-stock alert queued, oldest first."""
        with Session(self.services.engine) as session:
            rows = session.execute(
                select(DeliveryRow.key, DeliveryRow.recipient, DeliveryRow.payload)
                .where(DeliveryRow.team_id == TEAM, DeliveryRow.kind == LOW_STOCK_ALERT)
                .order_by(DeliveryRow.id)
            ).all()
        return [(key, recipient, payload) for key, recipient, payload in rows]


@pytest.fixture
def shop(services: Services) -> Shop:
    _, admin = services.workspaces.ensure(TEAM, ADMIN)
    assert admin is not None
    customer = services.customers.create(TEAM, CustomerDraft.from_input(name="Acme"), actor=ADMIN)
    product = services.catalog.create(
        TEAM, ProductDraft.from_input(sku="WID-1", name="Widget", list_price="2.50"), actor=ADMIN
    )
    return Shop(services, admin, customer.id, product)


def key(shop: Shop, crossing: int) -> str:
    return f"low_stock:{shop.product.id}:{crossing}"


def sell_together(shop: Shop, qty: int, *, threads: int) -> list[MoveResult]:
    """Each thread sells `qty` in its own order, all starting at once."""
    barrier = threading.Barrier(threads)
    results: list[MoveResult] = []
    errors: list[BaseException] = []

    def sell() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(shop.sell(qty))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    pool = [threading.Thread(target=sell) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(30)
    assert errors == []
    return results


def test_low_stock_alert_fires_once_per_crossing(shop: Shop) -> None:
    shop.set_channel()
    assert not shop.receive(10).alert_queued
    shop.rule(5)  # 10 is above the point: nothing to say
    assert shop.alerts() == []

    first = shop.sell(6)
    assert (first.before, first.after, first.alert_queued) == (10, 4, True)
    payload = {"product_id": shop.product.id}
    assert shop.alerts() == [(key(shop, 1), CHANNEL, payload)]

    assert not shop.sell(1).alert_queued  # 3: the same crossing
    assert len(shop.alerts()) == 1

    assert not shop.receive(10).alert_queued  # 13: above the point again, re-armed
    assert shop.current().low_since is None
    assert len(shop.alerts()) == 1

    second = shop.sell(9)
    assert (second.after, second.alert_queued) == (4, True)
    assert shop.alerts() == [(key(shop, 1), CHANNEL, payload), (key(shop, 2), CHANNEL, payload)]
    assert shop.current().low_crossings == 2


def test_landing_exactly_on_the_point_is_a_crossing(shop: Shop) -> None:
    shop.set_channel()
    shop.receive(6)
    shop.rule(5)
    assert shop.sell(1).alert_queued  # 5 ≤ 5
    assert [k for k, _, _ in shop.alerts()] == [key(shop, 1)]


def test_concurrent_crossings_queue_exactly_one_alert(shop: Shop) -> None:
    shop.set_channel()
    shop.receive(8)
    shop.rule(5)
    for round_ in range(1, 6):
        # 8 → 5 → 2 whichever thread goes first; only the first one crosses.
        results = sell_together(shop, 3, threads=2)
        assert sorted(r.after for r in results) == [2, 5]
        assert [r.alert_queued for r in sorted(results, key=lambda r: -r.after)] == [True, False]
        assert [k for k, _, _ in shop.alerts()] == [key(shop, n) for n in range(1, round_ + 1)]
        shop.receive(6)  # back to 8: re-armed for the next round
    assert shop.current().low_crossings == 5


@pytest.mark.parametrize("crossed_by", ["sale", "new rule"])
def test_crossing_without_a_channel_is_queued_by_the_sweep_once_a_channel_is_set(
    shop: Shop, crossed_by: str
) -> None:
    if crossed_by == "sale":
        shop.receive(10)
        shop.rule(5)
        assert not shop.sell(6).alert_queued
    else:
        shop.receive(3)
        shop.rule(5)
    assert shop.alerts() == []
    assert shop.services.stock.sweep() == 0  # still nowhere to post it

    shop.set_channel()
    assert shop.services.stock.sweep() == 1
    assert [(k, r) for k, r, _ in shop.alerts()] == [(key(shop, 1), CHANNEL)]
    assert shop.services.stock.sweep() == 0
    assert len(shop.alerts()) == 1


def test_rule_set_at_or_above_the_level_alerts_at_once(shop: Shop) -> None:
    shop.set_channel()
    shop.receive(3)
    shop.rule(5)
    assert [(k, r) for k, r, _ in shop.alerts()] == [(key(shop, 1), CHANNEL)]
    shop.rule(4)  # still low, same crossing: no second alert
    assert len(shop.alerts()) == 1
    assert shop.services.stock.sweep() == 0


def test_rule_below_the_level_does_not_alert(shop: Shop) -> None:
    shop.set_channel()
    shop.receive(3)
    shop.rule(2)
    assert shop.alerts() == []
    assert shop.services.stock.sweep() == 0


def test_snoozed_alert_comes_back_once_after_the_snooze(shop: Shop, clock: FrozenClock) -> None:
    shop.set_channel()
    shop.receive(10)
    shop.rule(5)
    shop.sell(6)
    assert len(shop.alerts()) == 1
    until = shop.services.stock.snooze(TEAM, shop.product.id, "1d", actor=ADMIN)
    assert until == clock.now() + timedelta(days=1)

    clock.advance(timedelta(hours=23))
    assert shop.services.stock.sweep() == 0
    assert len(shop.alerts()) == 1

    clock.advance(timedelta(hours=1))
    assert shop.services.stock.sweep() == 1
    keys = [k for k, _, _ in shop.alerts()]
    assert keys == [key(shop, 1), f"{key(shop, 1)}:snooze:{until.isoformat()}"]
    assert shop.current().alert_snoozed_until is None

    assert shop.services.stock.sweep() == 0
    clock.advance(timedelta(days=3))
    assert shop.services.stock.sweep() == 0
    assert len(shop.alerts()) == 2


def test_rising_above_the_point_clears_a_snooze(shop: Shop, clock: FrozenClock) -> None:
    shop.set_channel()
    shop.receive(10)
    shop.rule(5)
    shop.sell(6)
    shop.services.stock.snooze(TEAM, shop.product.id, "1w", actor=ADMIN)
    shop.receive(10)  # 14: re-armed, and the snooze with it
    assert shop.current().alert_snoozed_until is None
    clock.advance(timedelta(weeks=2))
    assert shop.services.stock.sweep() == 0
    assert len(shop.alerts()) == 1


def test_sweeping_twice_queues_nothing_twice(shop: Shop) -> None:
    shop.set_channel()
    shop.receive(10)
    shop.rule(5)
    shop.sell(8)
    assert shop.services.stock.sweep() == 0  # the sale queued it already
    assert shop.services.stock.sweep() == 0
    assert len(shop.alerts()) == 1


def test_concurrent_sweeps_queue_a_missed_alert_once(shop: Shop) -> None:
    shop.receive(10)
    shop.rule(5)
    shop.sell(6)  # no channel yet: nothing queued
    shop.set_channel()
    barrier = threading.Barrier(4)
    queued: list[int] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            queued.append(shop.services.stock.sweep())
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    pool = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(30)
    assert errors == []
    assert sorted(queued) == [0, 0, 0, 1]
    assert [k for k, _, _ in shop.alerts()] == [key(shop, 1)]
