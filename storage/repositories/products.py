"""Products: details, SKU lookup and search."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from domain.catalog import Product, ProductDraft
from domain.errors import Conflict
from storage import rollups
from storage.orm import ProductRow
from storage.repositories.customers import _like_pattern


class SqlProductRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, team_id: str, draft: ProductDraft, *, now: datetime) -> Product:
        row = ProductRow(
            team_id=team_id,
            sku_key=draft.sku_key,
            name_key=draft.name_key,
            on_hand=0,
            low_crossings=0,
            created_at=now,
            updated_at=now,
            **draft.model_dump(),
        )
        self._session.add(row)
        self._session.flush()
        return Product.model_validate(row)

    def update(
        self, team_id: str, product_id: int, values: dict[str, Any], *, now: datetime
    ) -> Product:
        row = self._row(team_id, product_id)
        if row is None:
            raise Conflict("That product was deleted meanwhile.")
        recategorised = "category" in values and values["category"] != row.category
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
        self._session.flush()
        if recategorised:
            rollups.mark_products_dirty(self._session, team_id, [product_id])
        return Product.model_validate(row)

    def get(self, team_id: str, product_id: int) -> Product | None:
        row = self._row(team_id, product_id)
        return Product.model_validate(row) if row else None

    def get_many(self, team_id: str, product_ids: list[int]) -> list[Product]:
        if not product_ids:
            return []
        rows = self._session.scalars(
            select(ProductRow)
            .where(ProductRow.team_id == team_id, ProductRow.id.in_(set(product_ids)))
            .order_by(ProductRow.sku_key)
        )
        return [Product.model_validate(row) for row in rows]

    def get_by_sku(self, team_id: str, sku_key: str) -> Product | None:
        row = self._session.scalar(
            select(ProductRow).where(ProductRow.team_id == team_id, ProductRow.sku_key == sku_key)
        )
        return Product.model_validate(row) if row else None

    def search(
        self, team_id: str, folded: str, sku_key: str, *, limit: int
    ) -> tuple[list[Product], int]:
        """SKU prefix or name substring; SKU matches first, then by name."""
        sku_prefix = _like_pattern(sku_key)[1:]
        condition = or_(
            ProductRow.sku_key.like(sku_prefix, escape="\\"),
            ProductRow.name_key.like(_like_pattern(folded), escape="\\"),
        )
        base = select(ProductRow).where(ProductRow.team_id == team_id, condition)
        total = self._session.scalar(select(func.count()).select_from(base.subquery())) or 0
        sku_first = case((ProductRow.sku_key.like(sku_prefix, escape="\\"), 0), else_=1)
        rows = self._session.scalars(
            base.order_by(sku_first, ProductRow.active.desc(), ProductRow.name_key).limit(limit)
        )
        return [Product.model_validate(row) for row in rows], total

    def low(self, team_id: str, *, limit: int) -> tuple[list[Product], int]:
        """At or under the reorder point, furthest under it first."""
        base = select(ProductRow).where(
            ProductRow.team_id == team_id,
            ProductRow.reorder_point.is_not(None),
            ProductRow.on_hand <= ProductRow.reorder_point,
        )
        total = self._session.scalar(select(func.count()).select_from(base.subquery())) or 0
        shortfall = ProductRow.on_hand - ProductRow.reorder_point
        rows = self._session.scalars(base.order_by(shortfall, ProductRow.sku_key).limit(limit))
        return [Product.model_validate(row) for row in rows], total

    def _row(self, team_id: str, product_id: int) -> ProductRow | None:
        return self._session.scalar(
            select(ProductRow).where(ProductRow.team_id == team_id, ProductRow.id == product_id)
        )
