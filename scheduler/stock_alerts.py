"""Low-stock alerts: the channel message for each queued alert, and the sweep job.

A movement that takes a product to or under its reorder point queues one alert in the
delivery outbox (domain.inventory); the sender renders it here, when it goes out, from
the product as it is then. The sweep catches what no movement queued: alerts whose snooze
has ended, and products that became low without a movement (a new rule).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from domain.inventory import StockService

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.delivery import Attempt, Delivery
    from domain.ports import UnitOfWork, UnitOfWorkFactory
    from scheduler.sender import Message

log = logging.getLogger(__name__)


def render_low_stock_alert(uow: UnitOfWork, delivery: Delivery, attempt: Attempt) -> Message:
    """The alert for the delivery's product, unless it is no longer low (or snoozed, or gone)."""
    # Imported here: scheduler.sender imports this module for its RENDERERS, and the views
    # are needed only when sending.
    from commands.stock.views import alert_message
    from scheduler.sender import Message, Skip, _timezone

    team_id = delivery.team_id
    product = uow.products.get(team_id, int(delivery.payload["product_id"]))
    if product is None:
        raise Skip("the product was deleted")
    if not product.needs_alert:
        where = "its reorder point" if product.has_rule else "zero"
        raise Skip(f"{product.sku} is back above {where}")
    if product.alert_snoozed_until is not None and product.alert_snoozed_until > attempt.now:
        raise Skip(f"{product.sku} is snoozed: the sweep alerts again when that ends")
    tz = _timezone(uow, team_id)
    level = StockService.level_in(uow, product, today=attempt.now.astimezone(tz).date())
    text, blocks = alert_message(level, tz=tz, now=attempt.now, late=attempt.late)
    return Message(text, blocks)


def sweep_low_stock(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Queue the low-stock alerts no movement queued: ended snoozes, products low by a new rule."""
    queued = StockService(uow_factory, clock).sweep()
    if queued:
        log.info("queued %d low-stock alert(s)", queued)
    return queued
