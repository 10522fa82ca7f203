"""Orders and their lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, insert, select, type_coerce
from sqlalchemy.orm import Session

from domain.orders import NewOrder, Order, OrderLine
from storage import rollups
from storage.orm import Fixed4, OrderLineRow, OrderRow
from storage.repositories.sequences import next_value


class SqlOrderRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, team_id: str, draft: NewOrder, *, actor: str | None, now: datetime) -> Order:
        row = OrderRow(
            team_id=team_id,
            number=next_value(self._session, team_id, "order"),
            customer_id=draft.customer_id,
            rep_id=draft.rep_id,
            ordered_at=draft.ordered_at,
            order_date=draft.order_date,
            total=draft.total,
            line_count=len(draft.lines),
            city=draft.city,
            state=draft.state,
            region=draft.region,
            source="slack",
            note=draft.note,
            created_by=actor,
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        self._session.execute(
            insert(OrderLineRow),
            [
                {
                    "team_id": team_id,
                    "order_id": row.id,
                    "line_key": str(n),
                    "product_id": line.product.id,
                    "order_date": draft.order_date,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "discount": line.discount,
                    "line_total": line.total,
                    "unit_cost": line.product.unit_cost,
                }
                for n, line in enumerate(draft.lines, 1)
            ],
        )
        rollups.add_order(
            self._session,
            team_id,
            [
                rollups.SoldLine(
                    day=draft.order_date,
                    customer_id=draft.customer_id,
                    rep_id=draft.rep_id,
                    region=draft.region,
                    product_id=line.product.id,
                    category=line.product.category,
                    quantity=line.quantity,
                    line_total=line.total,
                    unit_cost=line.product.unit_cost,
                )
                for line in draft.lines
            ],
        )
        order = self.get(team_id, row.id)
        assert order is not None
        return order

    def get(self, team_id: str, order_id: int) -> Order | None:
        return self._one(
            select(OrderRow).where(OrderRow.team_id == team_id, OrderRow.id == order_id)
        )

    def get_by_number(self, team_id: str, number: int) -> Order | None:
        return self._one(
            select(OrderRow).where(OrderRow.team_id == team_id, OrderRow.number == number)
        )

    def for_customer(self, team_id: str, customer_id: int, *, limit: int) -> list[Order]:
        rows = self._session.scalars(
            select(OrderRow)
            .where(OrderRow.team_id == team_id, OrderRow.customer_id == customer_id)
            .order_by(OrderRow.order_date.desc(), OrderRow.id.desc())
            .limit(limit)
        ).all()
        return [Order.model_validate(row) for row in rows]

    def totals_for_customer(
        self, team_id: str, customer_id: int
    ) -> tuple[int, Decimal, date | None]:
        count, revenue, last = self._session.execute(
            select(
                func.count(OrderRow.id),
                type_coerce(func.coalesce(func.sum(OrderRow.total), 0), Fixed4),
                func.max(OrderRow.order_date),
            ).where(OrderRow.team_id == team_id, OrderRow.customer_id == customer_id)
        ).one()
        return int(count), revenue if revenue is not None else Decimal(0), last

    def _one(self, stmt) -> Order | None:  # type: ignore[no-untyped-def]
        row = self._session.scalar(stmt)
        if row is None:
            return None
        lines = self._session.scalars(
            select(OrderLineRow).where(OrderLineRow.order_id == row.id).order_by(OrderLineRow.id)
        ).all()
        order = Order.model_validate(row)
        return order.model_copy(update={"lines": [OrderLine.model_validate(ln) for ln in lines]})
