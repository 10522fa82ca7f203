"""Products: what is sold, at what price, and how to find one by SKU or name."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from domain.audit import Action, diff, snapshot
from domain.errors import NotFound, ValidationFailed
from domain.money import BadAmount, parse_amount
from domain.text import clean, fold

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWork, UnitOfWorkFactory

SKU_MAX = 64
KEY_MAX = 600  # storage.orm.KEY_MAX
NAME_MAX = 300
CATEGORY_MAX = 100
SEARCH_LIMIT = 10
FIELDS = ("sku", "name", "category", "subcategory", "list_price", "unit_cost", "active")
RULE_FIELDS = ("reorder_point", "reorder_qty", "lead_time_days")
OVERSOLD_BELOW = -1  # a product with no rule alerts once it is oversold (stock below zero)

_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-]*$")


def sku_key(sku: str) -> str:
    """SKUs match whatever case they are typed in."""
    return sku.strip().upper()


def name_key(name: str) -> str:
    """The folded name products are searched and matched by; folding can lengthen text
    (NFKD expands some characters many times), so it is cut to what storage keeps."""
    return fold(name)[:KEY_MAX]


def looks_like_sku(text: str) -> bool:
    return bool(_SKU.match(text.strip())) and len(text.strip()) <= SKU_MAX


class Product(BaseModel):
    """A product as stored, with its stock level, reorder rule and alert state."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    team_id: str
    sku: str
    name: str
    category: str | None = None
    subcategory: str | None = None
    list_price: Decimal
    unit_cost: Decimal | None = None
    active: bool = True
    on_hand: int = 0
    reorder_point: int | None = None
    reorder_qty: int | None = None
    lead_time_days: int | None = None
    low_since: datetime | None = None
    low_crossings: int = 0
    alert_snoozed_until: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def has_rule(self) -> bool:
        return self.reorder_point is not None

    @property
    def is_low(self) -> bool:
        """At or under its reorder point (a product without a rule is never low)."""
        return self.reorder_point is not None and self.on_hand <= self.reorder_point

    @property
    def alert_threshold(self) -> int:
        """Alert at or under this level: the reorder point, or below zero (oversold) without one."""
        return self.reorder_point if self.reorder_point is not None else OVERSOLD_BELOW

    @property
    def needs_alert(self) -> bool:
        return self.on_hand <= self.alert_threshold

    @property
    def label(self) -> str:
        return f"{self.sku} · {self.name}"


class ProductDraft(BaseModel):
    """A product's details, validated, ready to save."""

    model_config = ConfigDict(frozen=True)

    sku: str
    name: str
    category: str | None = None
    subcategory: str | None = None
    list_price: Decimal
    unit_cost: Decimal | None = None
    active: bool = True

    @property
    def sku_key(self) -> str:
        return sku_key(self.sku)

    @property
    def name_key(self) -> str:
        return name_key(self.name)

    @classmethod
    def from_input(
        cls,
        *,
        sku: str | None,
        name: str | None,
        list_price: str | Decimal | None,
        unit_cost: str | Decimal | None = None,
        category: str | None = None,
        subcategory: str | None = None,
        active: bool = True,
    ) -> ProductDraft:
        """Validate what a person typed; ValidationFailed says what is wrong with each field."""
        errors: dict[str, str] = {}
        sku = (sku or "").strip()
        if not sku or not looks_like_sku(sku):
            errors["sku"] = (
                f"Give a SKU of letters, digits and - _ . / (up to {SKU_MAX} characters)."
            )
        name = clean(name) or ""
        if not name or len(name) > NAME_MAX:
            errors["name"] = f"Give the product's name (up to {NAME_MAX} characters)."
        price = cost = None
        try:
            price = parse_amount(list_price if list_price is not None else "")
        except BadAmount as exc:
            errors["list_price"] = f"List price: {exc}."
        if unit_cost is not None and str(unit_cost).strip():
            try:
                cost = parse_amount(unit_cost)
            except BadAmount as exc:
                errors["unit_cost"] = f"Unit cost: {exc}."
        for key, value in (("category", category), ("subcategory", subcategory)):
            if value and len(value.strip()) > CATEGORY_MAX:
                errors[key] = f"Keep the {key} under {CATEGORY_MAX} characters."
        if errors:
            raise ValidationFailed(errors)
        assert price is not None
        return cls(
            sku=sku,
            name=name,
            category=clean(category),
            subcategory=clean(subcategory),
            list_price=price,
            unit_cost=cost,
            active=active,
        )


class ProductSearch(BaseModel):
    matches: list[Product]
    total: int
    query: str


class CatalogService:
    """Create, change and find products within one workspace."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def create(self, team_id: str, draft: ProductDraft, *, actor: str | None) -> Product:
        """Save a new product; its SKU must be new in the workspace."""
        with self._uow_factory() as uow:
            existing = uow.products.get_by_sku(team_id, draft.sku_key)
            if existing is not None:
                raise ValidationFailed({"sku": f"{existing.sku} exists already ({existing.name})."})
            now = self._clock.now()
            product = uow.products.add(team_id, draft, now=now)
            uow.audit.record(
                team_id,
                actor,
                Action.CREATE,
                "product",
                product.id,
                snapshot(product, FIELDS),
                now=now,
            )
            uow.commit()
            return product

    def update(
        self, team_id: str, product_id: int, draft: ProductDraft, *, actor: str | None
    ) -> Product:
        """Replace a product's details with the draft."""
        with self._uow_factory() as uow:
            before = self._get(uow, team_id, product_id)
            clash = uow.products.get_by_sku(team_id, draft.sku_key)
            if clash is not None and clash.id != product_id:
                raise ValidationFailed({"sku": f"{clash.sku} is taken by {clash.name}."})
            now = self._clock.now()
            values = draft.model_dump() | {"sku_key": draft.sku_key, "name_key": draft.name_key}
            product = uow.products.update(team_id, product_id, values, now=now)
            if changes := diff(before, product, FIELDS):
                uow.audit.record(
                    team_id, actor, Action.UPDATE, "product", product_id, changes, now=now
                )
            uow.commit()
            return product

    def get(self, team_id: str, product_id: int) -> Product:
        with self._uow_factory() as uow:
            return self._get(uow, team_id, product_id)

    def by_sku(self, team_id: str, sku: str) -> Product:
        """The product with exactly this SKU (any case); NotFound names the SKU."""
        with self._uow_factory() as uow:
            return self.sku_in(uow, team_id, sku)

    def find(self, team_id: str, text: str, *, limit: int = SEARCH_LIMIT) -> ProductSearch:
        """An exact SKU first; otherwise products whose SKU or name contains the text."""
        query = text.strip()
        with self._uow_factory() as uow:
            if looks_like_sku(query) and (
                exact := uow.products.get_by_sku(team_id, sku_key(query))
            ):
                return ProductSearch(matches=[exact], total=1, query=query)
            matches, total = uow.products.search(team_id, fold(query), sku_key(query), limit=limit)
            return ProductSearch(matches=matches, total=total, query=query)

    @staticmethod
    def sku_in(uow: UnitOfWork, team_id: str, sku: str) -> Product:
        product = uow.products.get_by_sku(team_id, sku_key(sku)) if sku.strip() else None
        if product is None:
            shown = sku.strip()[:SKU_MAX] or "(none)"
            raise NotFound(f"There is no product with SKU {shown}. Try `/stock {shown[:20]}`.")
        return product

    @staticmethod
    def _get(uow: UnitOfWork, team_id: str, product_id: int) -> Product:
        product = uow.products.get(team_id, product_id)
        if product is None:
            raise NotFound("That product does not exist in this workspace.")
        return product
