"""The stock ledger, on-hand levels, expected receipts and low-stock alert state."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from domain.catalog import OVERSOLD_BELOW, Product
from domain.errors import NotFound
from domain.inventory import Movement, SalesStats
from storage.orm import (
    ExpectedReceiptRow,
    OrderLineRow,
    ProductRow,
    StockMovementRow,
    WorkspaceRow,
)

OPEN = "open"
RECEIVED = "received"


class SqlStockRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def move(
        self,
        team_id: str,
        product_id: int,
        quantity: int,
        kind: str,
        *,
        reason: str | None,
        order_id: int | None,
        actor: str | None,
        at: datetime,
    ) -> tuple[Movement, int | None]:
        """Add to the level and write the movement with the balance it left.

        The level changes in one UPDATE … RETURNING, which holds the product's row lock
        (PostgreSQL) or the database's write lock (SQLite) until the transaction ends,
        so concurrent movements queue up and each sees the balance the one before left.
        """
        bump = (
            update(ProductRow)
            .where(ProductRow.team_id == team_id, ProductRow.id == product_id)
            .values(on_hand=ProductRow.on_hand + quantity)
            .returning(ProductRow.on_hand, ProductRow.reorder_point)
            .execution_options(synchronize_session=False)
        )
        found = self._session.execute(bump).one_or_none()
        if found is None:
            raise NotFound("That product does not exist in this workspace.")
        balance, reorder_point = found
        self._forget(product_id)
        row = StockMovementRow(
            team_id=team_id,
            product_id=product_id,
            kind=kind,
            quantity=quantity,
            balance_after=balance,
            reason=reason,
            order_id=order_id,
            actor=actor,
            at=at,
        )
        self._session.add(row)
        self._session.flush()
        return Movement.model_validate(row), reorder_point

    def mark_low(self, team_id: str, product_id: int, *, now: datetime) -> int | None:
        """Flag the product as alerted for this crossing; its crossing number, or None if
        it was flagged already (by this crossing's earlier movement or another worker)."""
        stmt = (
            update(ProductRow)
            .where(
                ProductRow.team_id == team_id,
                ProductRow.id == product_id,
                ProductRow.low_since.is_(None),
            )
            .values(low_since=now, low_crossings=ProductRow.low_crossings + 1)
            .returning(ProductRow.low_crossings)
            .execution_options(synchronize_session=False)
        )
        crossing = self._session.execute(stmt).scalar_one_or_none()
        self._forget(product_id)
        return crossing

    def rearm(self, team_id: str, product_id: int) -> bool:
        stmt = (
            update(ProductRow)
            .where(
                ProductRow.team_id == team_id,
                ProductRow.id == product_id,
                ProductRow.low_since.is_not(None),
            )
            .values(low_since=None, alert_snoozed_until=None)
            .execution_options(synchronize_session=False)
        )
        changed = self._session.execute(stmt).rowcount > 0  # type: ignore[attr-defined]
        self._forget(product_id)
        return changed

    def snooze(self, team_id: str, product_id: int, until: datetime | None) -> None:
        self._session.execute(
            update(ProductRow)
            .where(ProductRow.team_id == team_id, ProductRow.id == product_id)
            .values(alert_snoozed_until=until)
            .execution_options(synchronize_session=False)
        )
        self._forget(product_id)

    def unalerted_low(self, *, limit: int, only_team: str | None = None) -> list[Product]:
        # Only workspaces with a stock channel: the others' low products would fill every
        # batch and starve the rest (they are alerted once a channel is set).
        stmt = (
            select(ProductRow)
            .join(WorkspaceRow, WorkspaceRow.team_id == ProductRow.team_id)
            .where(
                WorkspaceRow.stock_channel_id.is_not(None),
                or_(
                    and_(
                        ProductRow.reorder_point.is_not(None),
                        ProductRow.on_hand <= ProductRow.reorder_point,
                    ),
                    and_(ProductRow.reorder_point.is_(None), ProductRow.on_hand <= OVERSOLD_BELOW),
                ),
                ProductRow.low_since.is_(None),
            )
        )
        if only_team is not None:
            stmt = stmt.where(ProductRow.team_id == only_team)
        rows = self._session.scalars(stmt.order_by(ProductRow.id).limit(limit))
        return [Product.model_validate(row) for row in rows]

    def snooze_ended(
        self, *, now: datetime, limit: int, only_team: str | None = None
    ) -> list[Product]:
        stmt = select(ProductRow).where(
            ProductRow.low_since.is_not(None), ProductRow.alert_snoozed_until <= now
        )
        if only_team is not None:
            stmt = stmt.where(ProductRow.team_id == only_team)
        rows = self._session.scalars(stmt.order_by(ProductRow.id).limit(limit))
        return [Product.model_validate(row) for row in rows]

    def history(
        self, team_id: str, product_id: int, *, limit: int, offset: int
    ) -> tuple[list[Movement], int]:
        where = and_(StockMovementRow.team_id == team_id, StockMovementRow.product_id == product_id)
        total = self._session.scalar(
            select(func.count()).select_from(StockMovementRow).where(where)
        )
        rows = self._session.scalars(
            select(StockMovementRow)
            .where(where)
            .order_by(StockMovementRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [Movement.model_validate(row) for row in rows], total or 0

    def for_order(self, team_id: str, order_id: int) -> list[Movement]:
        rows = self._session.scalars(
            select(StockMovementRow)
            .where(StockMovementRow.team_id == team_id, StockMovementRow.order_id == order_id)
            .order_by(StockMovementRow.id)
        )
        return [Movement.model_validate(row) for row in rows]

    def daily_units_many(
        self,
        team_id: str,
        *,
        since: date,
        until: date,
        product_ids: list[int] | None,
    ) -> dict[int, dict[date, int]]:
        """Units sold per product per day (days with sales only); every selling product when
        product_ids is None."""
        if product_ids is not None and not product_ids:
            return {}
        stmt = (
            select(
                OrderLineRow.product_id, OrderLineRow.order_date, func.sum(OrderLineRow.quantity)
            )
            .where(
                OrderLineRow.team_id == team_id,
                OrderLineRow.order_date >= since,
                OrderLineRow.order_date <= until,
            )
            .group_by(OrderLineRow.product_id, OrderLineRow.order_date)
        )
        if product_ids is not None:
            stmt = stmt.where(OrderLineRow.product_id.in_(set(product_ids)))
        found: dict[int, dict[date, int]] = {}
        for product_id, day, units in self._session.execute(stmt):
            found.setdefault(product_id, {})[day] = int(units)
        return found

    def on_order(self, team_id: str, product_ids: list[int] | None) -> dict[int, int]:
        """Units ordered and not yet received, per product (every product when None)."""
        if product_ids is not None and not product_ids:
            return {}
        stmt = (
            select(
                ExpectedReceiptRow.product_id,
                func.sum(ExpectedReceiptRow.quantity - ExpectedReceiptRow.received),
            )
            .where(ExpectedReceiptRow.team_id == team_id, ExpectedReceiptRow.status == OPEN)
            .group_by(ExpectedReceiptRow.product_id)
        )
        if product_ids is not None:
            stmt = stmt.where(ExpectedReceiptRow.product_id.in_(set(product_ids)))
        return {product_id: int(units) for product_id, units in self._session.execute(stmt)}

    def unruled_sales(self, team_id: str, *, since: date, until: date) -> list[SalesStats]:
        """For every product with no rule that sold in the window: its level, lead time and
        the sum and sum of squares of its daily units (all the statistics need)."""
        daily = (
            select(
                OrderLineRow.product_id.label("product_id"),
                func.sum(OrderLineRow.quantity).label("units"),
            )
            .where(
                OrderLineRow.team_id == team_id,
                OrderLineRow.order_date >= since,
                OrderLineRow.order_date <= until,
            )
            .group_by(OrderLineRow.product_id, OrderLineRow.order_date)
            .subquery()
        )
        stmt = (
            select(
                ProductRow.id,
                ProductRow.on_hand,
                ProductRow.lead_time_days,
                func.sum(daily.c.units),
                func.sum(daily.c.units * daily.c.units),
            )
            .join(daily, daily.c.product_id == ProductRow.id)
            .where(ProductRow.team_id == team_id, ProductRow.reorder_point.is_(None))
            .group_by(ProductRow.id, ProductRow.on_hand, ProductRow.lead_time_days)
        )
        return [
            SalesStats(
                product_id=product_id,
                on_hand=on_hand,
                lead_time_days=lead,
                units=int(units),
                squares=int(squares),
            )
            for product_id, on_hand, lead, units, squares in self._session.execute(stmt)
        ]

    def add_expected(
        self,
        team_id: str,
        product_id: int,
        quantity: int,
        *,
        expected_on: date | None,
        actor: str | None,
        now: datetime,
    ) -> None:
        self._session.execute(
            insert(ExpectedReceiptRow).values(
                team_id=team_id,
                product_id=product_id,
                quantity=quantity,
                received=0,
                expected_on=expected_on,
                status=OPEN,
                created_by=actor,
                created_at=now,
            )
        )

    def receive_expected(self, team_id: str, product_id: int, quantity: int) -> None:
        """Count a receipt against the oldest open expected receipts first."""
        left = quantity
        rows = self._session.scalars(
            select(ExpectedReceiptRow)
            .where(
                ExpectedReceiptRow.team_id == team_id,
                ExpectedReceiptRow.product_id == product_id,
                ExpectedReceiptRow.status == OPEN,
            )
            .order_by(ExpectedReceiptRow.id)
            .with_for_update()
        ).all()
        for row in rows:
            if left <= 0:
                break
            taken = min(left, row.quantity - row.received)
            row.received += taken
            left -= taken
            if row.received >= row.quantity:
                row.status = RECEIVED
        self._session.flush()

    def _forget(self, product_id: int) -> None:
        # The UPDATEs above bypass the session; a row loaded earlier would show stale values.
        loaded = self._session.identity_map.get(identity_key(ProductRow, product_id))
        if loaded is not None:
            self._session.expire(loaded)


def rearm_above_threshold(session: Session, team_id: str, product_ids: list[int]) -> None:
    """Re-arm the low-stock alert of those products now above their alert threshold."""
    for start in range(0, len(product_ids), 500):
        session.execute(
            update(ProductRow)
            .where(
                ProductRow.team_id == team_id,
                ProductRow.id.in_(product_ids[start : start + 500]),
                ProductRow.low_since.is_not(None),
                ProductRow.on_hand > func.coalesce(ProductRow.reorder_point, OVERSOLD_BELOW),
            )
            .values(low_since=None, alert_snoozed_until=None)
            .execution_options(synchronize_session=False)
        )
