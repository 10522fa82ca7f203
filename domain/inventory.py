"""The stock ledger: every change of stock is a movement; the level is their sum.

A movement and the product's level change in one atomic UPDATE (see the repository), so
concurrent orders never lose a unit. The same step decides low-stock alerts: the
movement that takes a product to or under its reorder point queues one alert through
the delivery outbox, once per crossing; rising above the point re-arms it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from domain import reorder
from domain.audit import Action
from domain.catalog import OVERSOLD_BELOW, RULE_FIELDS, CatalogService, Product
from domain.delivery import enqueue
from domain.errors import NotFound, ValidationFailed
from domain.idempotency import write_once
from domain.money import BadAmount, parse_quantity
from domain.text import clean

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWork, UnitOfWorkFactory

LOW_STOCK_ALERT = "low_stock_alert"
REASON_MAX = 500
SALES_WINDOW_DAYS = 30
LOW_LIST_LIMIT = 50
RULE_MAX = 1_000_000
LEAD_MAX_DAYS = 365
NO_COVER = Decimal("1e9")  # sorts products that do not sell after those that do
SNOOZES = {"1d": timedelta(days=1), "1w": timedelta(weeks=1)}


class MovementKind(StrEnum):
    SALE = "sale"
    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"
    RETURN = "return"


class Movement(BaseModel):
    """One line of the ledger, as stored."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    team_id: str
    product_id: int
    kind: MovementKind
    quantity: int
    balance_after: int
    reason: str | None = None
    order_id: int | None = None
    actor: str | None = None
    at: datetime


class SalesStats(BaseModel):
    """A rule-less product's sales in the suggestion window, as sums (see reorder.velocity)."""

    model_config = ConfigDict(frozen=True)

    product_id: int
    on_hand: int
    lead_time_days: int | None
    units: int
    squares: int


class MoveResult(BaseModel):
    """What one movement did to its product."""

    model_config = ConfigDict(frozen=True)

    movement: Movement
    before: int
    after: int
    reorder_point: int | None
    alert_queued: bool = False

    @property
    def went_negative(self) -> bool:
        return self.after < 0


class Level(BaseModel):
    """Everything `/stock SKU` shows about one product."""

    model_config = ConfigDict(frozen=True)

    product: Product
    on_order: int
    sold_30d: int
    # From sales history alone: what the rule should be (Apply suggestion sets it).
    suggestion: reorder.Suggestion
    # With the product's own rule, where it has one: what to order now.
    with_rule: reorder.Suggestion

    @property
    def order_now(self) -> int:
        """Units to order now: from history when it sells, else by the rule's numbers."""
        if self.suggestion.mean_per_day > 0 or not self.product.has_rule:
            return self.suggestion.reorder_qty
        return self.with_rule.reorder_qty


class LowList(BaseModel):
    """`/stock low`: products at or under their point, worst first, and rule-less ones."""

    model_config = ConfigDict(frozen=True)

    low: list[Level]
    low_total: int
    unruled: list[Level]  # no rule, but their history says they are due for one
    unruled_total: int = 0


def move(
    uow: UnitOfWork,
    team_id: str,
    product_id: int,
    quantity: int,
    kind: MovementKind,
    *,
    now: datetime,
    actor: str | None,
    reason: str | None = None,
    order_id: int | None = None,
) -> MoveResult:
    """Write one movement inside the caller's transaction and queue an alert on a crossing."""
    movement, reorder_point = uow.stock.move(
        team_id,
        product_id,
        quantity,
        kind.value,
        reason=reason,
        order_id=order_id,
        actor=actor,
        at=now,
    )
    after = movement.balance_after
    queued = check_crossing(uow, team_id, product_id, after, reorder_point, now=now)
    return MoveResult(
        movement=movement,
        before=after - quantity,
        after=after,
        reorder_point=reorder_point,
        alert_queued=queued,
    )


def check_crossing(
    uow: UnitOfWork,
    team_id: str,
    product_id: int,
    level: int,
    reorder_point: int | None,
    *,
    now: datetime,
) -> bool:
    """Alert once when the level is at or under the point (below zero for a product with no
    rule: oversold); re-arm once it is above."""
    threshold = reorder_point if reorder_point is not None else OVERSOLD_BELOW
    if level > threshold:
        uow.stock.rearm(team_id, product_id)
        return False
    if not _has_channel(uow, team_id):
        return False  # left armed: the sweep alerts once a stock channel is set
    crossing = uow.stock.mark_low(team_id, product_id, now=now)
    if crossing is None:
        return False  # already alerted for this crossing
    return queue_alert(uow, team_id, product_id, f"{crossing}", now=now)


def queue_alert(uow: UnitOfWork, team_id: str, product_id: int, tag: str, *, now: datetime) -> bool:
    """Enqueue a low-stock alert for the workspace's stock channel, if it has one."""
    workspace = uow.workspaces.get(team_id)
    channel = workspace.stock_channel_id if workspace else None
    if not channel:
        return False
    return enqueue(
        uow,
        team_id=team_id,
        key=f"low_stock:{product_id}:{tag}",
        kind=LOW_STOCK_ALERT,
        recipient=channel,
        payload={"product_id": product_id},
        due_at=now,
        now=now,
    )


def parse_reason(reason: str | None, *, required: bool) -> str | None:
    text = clean(reason)
    if required and not text:
        raise ValidationFailed({"reason": "Say why, e.g. `/stock adjust SKU -2 damaged`."})
    if text and len(text) > REASON_MAX:
        raise ValidationFailed({"reason": f"Keep the reason under {REASON_MAX} characters."})
    return text


class StockService:
    """Levels, receipts, adjustments, reorder rules and low-stock alerts."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    # -- reading ---------------------------------------------------------------------

    def level(self, team_id: str, sku: str, *, today: date) -> Level:
        with self._uow_factory() as uow:
            product = CatalogService.sku_in(uow, team_id, sku)
            return self.level_in(uow, product, today=today)

    def level_of(self, team_id: str, product_id: int, *, today: date) -> Level:
        with self._uow_factory() as uow:
            product = uow.products.get(team_id, product_id)
            if product is None:
                raise NotFound("That product does not exist in this workspace.")
            return self.level_in(uow, product, today=today)

    def history(
        self, team_id: str, sku: str, *, limit: int = 20, offset: int = 0
    ) -> tuple[Product, list[Movement], int]:
        """The product's newest movements first, and how many there are in all."""
        with self._uow_factory() as uow:
            product = CatalogService.sku_in(uow, team_id, sku)
            movements, total = uow.stock.history(team_id, product.id, limit=limit, offset=offset)
            return product, movements, total

    def low(self, team_id: str, *, today: date, limit: int = LOW_LIST_LIMIT) -> LowList:
        """Products at or under their reorder point, worst first, each with a suggestion;
        then products with no rule whose sales history says they are due for one."""
        since = today - timedelta(days=reorder.HISTORY_DAYS - 1)
        with self._uow_factory() as uow:
            products, total = uow.products.low(team_id, limit=limit)
            # A few grouped queries for the whole list, however many products sell.
            ids = [p.id for p in products]
            daily = uow.stock.daily_units_many(team_id, since=since, until=today, product_ids=ids)
            on_order = uow.stock.on_order(team_id, ids)
            low = [
                _level_from(p, daily.get(p.id, {}), on_order.get(p.id, 0), today) for p in products
            ]
            # Rule-less products: the due ones are found from two sums per product (SQL), and
            # only the page shown is loaded and described in full.
            due = []
            on_order = uow.stock.on_order(team_id, None)
            for stats in uow.stock.unruled_sales(team_id, since=since, until=today):
                velocity = reorder.velocity_from_sums(
                    stats.units, stats.squares, reorder.HISTORY_DAYS
                )
                lead = stats.lead_time_days or reorder.DEFAULT_LEAD_TIME_DAYS
                point = reorder.suggested_point(velocity, lead_time_days=lead)
                if stats.on_hand + on_order.get(stats.product_id, 0) <= point:
                    cover = reorder.days_of_cover(stats.on_hand, velocity.mean_per_day)
                    due.append((cover if cover is not None else NO_COVER, stats))
            due.sort(key=lambda item: (item[0], item[1].on_hand, item[1].product_id))
            shown = [stats.product_id for _, stats in due[:limit]]
            daily = uow.stock.daily_units_many(team_id, since=since, until=today, product_ids=shown)
            by_id = {p.id: p for p in uow.products.get_many(team_id, shown)}
            unruled = [
                _level_from(by_id[i], daily.get(i, {}), on_order.get(i, 0), today)
                for i in shown
                if i in by_id
            ]
            return LowList(low=low, low_total=total, unruled=unruled, unruled_total=len(due))

    # -- writing ---------------------------------------------------------------------

    def receive(
        self, team_id: str, sku: str, quantity: str | int, *, note: str | None, actor: str | None
    ) -> MoveResult:
        """Stock arrived: add it, and count it against what was on order."""
        qty = _quantity(quantity, negative=False)
        reason = parse_reason(note, required=False)
        with self._uow_factory() as uow:
            product = CatalogService.sku_in(uow, team_id, sku)
            now = self._clock.now()
            result = move(
                uow, team_id, product.id, qty, MovementKind.RECEIPT, now=now, actor=actor,
                reason=reason,
            )  # fmt: skip
            uow.stock.receive_expected(team_id, product.id, qty)
            uow.commit()
            return result

    def adjust(
        self, team_id: str, sku: str, quantity: str | int, reason: str | None, *, actor: str | None
    ) -> MoveResult:
        """A counted correction (+ or −) with the reason for it."""
        qty = _quantity(quantity, negative=True)
        why = parse_reason(reason, required=True)
        return self._single(team_id, sku, qty, MovementKind.ADJUSTMENT, why, actor)

    def record_return(
        self, team_id: str, sku: str, quantity: str | int, *, note: str | None, actor: str | None
    ) -> MoveResult:
        """Units a customer sent back into stock."""
        qty = _quantity(quantity, negative=False)
        return self._single(
            team_id, sku, qty, MovementKind.RETURN, parse_reason(note, required=False), actor
        )

    def set_rule(
        self,
        team_id: str,
        product_id: int,
        *,
        point: int | None,
        qty: int | None,
        lead: int | None,
        actor: str | None,
    ) -> Product:
        """Set a product's reorder point, quantity and lead time; a new point may alert at once."""
        errors = {}
        for name, value, top in (("point", point, RULE_MAX), ("qty", qty, RULE_MAX)):
            if value is not None and not 0 <= value <= top:
                errors[name] = f"{name} must be between 0 and {top:,}."
        if qty is not None and qty == 0:
            errors["qty"] = "qty must be 1 or more."
        if lead is not None and not 0 <= lead <= LEAD_MAX_DAYS:
            errors["lead"] = f"lead must be between 0 and {LEAD_MAX_DAYS} days."
        if errors:
            raise ValidationFailed(errors)
        with self._uow_factory() as uow:
            before = uow.products.get(team_id, product_id)
            if before is None:
                raise NotFound("That product does not exist in this workspace.")
            now = self._clock.now()
            values = {"reorder_point": point, "reorder_qty": qty, "lead_time_days": lead}
            product = uow.products.update(team_id, product_id, values, now=now)
            changes = {
                f: [getattr(before, f), getattr(product, f)]
                for f in RULE_FIELDS
                if getattr(before, f) != getattr(product, f)
            }
            if changes:
                uow.audit.record(
                    team_id, actor, Action.UPDATE, "product", product_id, changes, now=now
                )
            check_crossing(uow, team_id, product_id, product.on_hand, point, now=now)
            uow.commit()
            return uow.products.get(team_id, product_id) or product

    def apply_suggestion(
        self, team_id: str, product_id: int, *, today: date, actor: str | None
    ) -> Product:
        """Make the suggested rule the product's rule."""
        level = self.level_of(team_id, product_id, today=today)
        suggestion = level.suggestion
        return self.set_rule(
            team_id,
            product_id,
            point=suggestion.reorder_point,
            qty=max(suggestion.rule_qty, 1),
            lead=suggestion.lead_time_days,
            actor=actor,
        )

    def mark_reordered(
        self,
        team_id: str,
        product_id: int,
        quantity: int,
        *,
        actor: str | None,
        idempotency_key: str | None = None,
    ) -> int:
        """Record stock ordered from the supplier (expected after the lead time); on order now.

        The same idempotency key (one alert's button clicked twice) records it once."""
        if quantity <= 0:
            raise ValidationFailed({"qty": "Order at least 1 unit."})
        now = self._clock.now()

        def write(uow: UnitOfWork) -> int:
            product = uow.products.get(team_id, product_id)
            if product is None:
                raise NotFound("That product does not exist in this workspace.")
            lead = product.lead_time_days or reorder.DEFAULT_LEAD_TIME_DAYS
            uow.stock.add_expected(
                team_id,
                product_id,
                quantity,
                expected_on=(now + timedelta(days=lead)).date(),
                actor=actor,
                now=now,
            )
            uow.audit.record(
                team_id,
                actor,
                Action.CREATE,
                "expected_receipt",
                product_id,
                {"quantity": quantity},
                now=now,
            )
            return uow.stock.on_order(team_id, [product_id]).get(product_id, 0)

        return write_once(
            self._uow_factory,
            team_id,
            idempotency_key,
            now=now,
            write=write,
            result_ref=str,
            load=lambda uow, _: uow.stock.on_order(team_id, [product_id]).get(product_id, 0),
        )

    def snooze(self, team_id: str, product_id: int, period: str, *, actor: str | None) -> datetime:
        """Quiet the product's alert for a day or a week; if still low then, it alerts again."""
        if period not in SNOOZES:
            raise ValidationFailed({"period": "Snooze for 1d or 1w."})
        until = self._clock.now() + SNOOZES[period]
        with self._uow_factory() as uow:
            if uow.products.get(team_id, product_id) is None:
                raise NotFound("That product does not exist in this workspace.")
            uow.stock.snooze(team_id, product_id, until)
            uow.commit()
        return until

    def sweep(self, *, limit: int = 500, only_team: str | None = None) -> int:
        """Queue alerts a movement missed (no channel then, a new rule) and ended snoozes."""
        now = self._clock.now()
        queued = 0
        with self._uow_factory() as uow:
            for product in uow.stock.unalerted_low(limit=limit, only_team=only_team):
                team = product.team_id  # only workspaces with a stock channel are listed
                crossing = uow.stock.mark_low(team, product.id, now=now)
                if crossing is not None:
                    queued += queue_alert(uow, team, product.id, f"{crossing}", now=now)
            for product in uow.stock.snooze_ended(now=now, limit=limit, only_team=only_team):
                team = product.team_id
                assert product.alert_snoozed_until is not None
                tag = f"{product.low_crossings}:snooze:{product.alert_snoozed_until.isoformat()}"
                uow.stock.snooze(team, product.id, None)
                queued += queue_alert(uow, team, product.id, tag, now=now)
            uow.commit()
        return queued

    # -- helpers ---------------------------------------------------------------------

    def _single(
        self,
        team_id: str,
        sku: str,
        qty: int,
        kind: MovementKind,
        reason: str | None,
        actor: str | None,
    ) -> MoveResult:
        with self._uow_factory() as uow:
            product = CatalogService.sku_in(uow, team_id, sku)
            result = move(
                uow, team_id, product.id, qty, kind, now=self._clock.now(), actor=actor,
                reason=reason,
            )  # fmt: skip
            uow.commit()
            return result

    @staticmethod
    def level_in(uow: UnitOfWork, product: Product, *, today: date) -> Level:
        """The product's level inside the caller's unit of work (the alert sender's)."""
        since = today - timedelta(days=reorder.HISTORY_DAYS - 1)
        daily = uow.stock.daily_units_many(
            product.team_id, since=since, until=today, product_ids=[product.id]
        ).get(product.id, {})
        on_order = uow.stock.on_order(product.team_id, [product.id]).get(product.id, 0)
        return _level_from(product, daily, on_order, today)


def _level_from(product: Product, daily: dict[date, int], on_order: int, today: date) -> Level:
    """A product's level, 30-day sales and suggestions from its daily sales and what's on order."""
    velocity = reorder.velocity(list(daily.values()), reorder.HISTORY_DAYS)
    window = today - timedelta(days=SALES_WINDOW_DAYS - 1)
    sold_30d = sum(units for day, units in daily.items() if window <= day <= today)
    lead = product.lead_time_days or reorder.DEFAULT_LEAD_TIME_DAYS
    suggestion = reorder.suggest(
        velocity, on_hand=product.on_hand, on_order=on_order, lead_time_days=lead
    )
    with_rule = reorder.suggest(
        velocity,
        on_hand=product.on_hand,
        on_order=on_order,
        lead_time_days=lead,
        reorder_point=product.reorder_point,
        reorder_qty=product.reorder_qty,
    )
    return Level(
        product=product,
        on_order=on_order,
        sold_30d=sold_30d,
        suggestion=suggestion,
        with_rule=with_rule,
    )


def _has_channel(uow: UnitOfWork, team_id: str) -> bool:
    workspace = uow.workspaces.get(team_id)
    return bool(workspace and workspace.stock_channel_id)


def _quantity(text: str | int, *, negative: bool) -> int:
    try:
        return parse_quantity(text, allow_negative=negative)
    except BadAmount as exc:
        raise ValidationFailed({"qty": str(exc)}) from None
