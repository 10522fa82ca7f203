"""Product rules without a database: what a draft accepts, SKU keys, when a product is low."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.catalog import (
    CATEGORY_MAX,
    NAME_MAX,
    SKU_MAX,
    Product,
    ProductDraft,
    looks_like_sku,
    sku_key,
)
from domain.errors import ValidationFailed

NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


def draft(**fields: Any) -> ProductDraft:
    given: dict[str, Any] = {"sku": "WID-1", "name": "Widget", "list_price": "2.50"}
    return ProductDraft.from_input(**(given | fields))


def refused(**fields: Any) -> set[str]:
    """The fields a draft with these values is refused for."""
    with pytest.raises(ValidationFailed) as failed:
        draft(**fields)
    return set(failed.value.errors)


def test_a_valid_draft_is_cleaned() -> None:
    made = draft(
        sku="  ab-1/2_x.Y ",
        name="  Café Widget ",
        list_price="$1,234.50",
        unit_cost="",
        category="  Tools ",
        subcategory="   ",
    )
    assert (made.sku, made.name, made.category, made.subcategory) == (
        "ab-1/2_x.Y",
        "Café Widget",
        "Tools",
        None,
    )
    assert str(made.list_price) == "1234.5000"
    assert made.unit_cost is None
    assert made.sku_key == "AB-1/2_X.Y"
    assert made.name_key == "cafe widget"


def test_cost_and_a_zero_price_are_accepted() -> None:
    made = draft(list_price="0", unit_cost="1.2345")
    assert (made.list_price, made.unit_cost) == (Decimal(0), Decimal("1.2345"))


@pytest.mark.parametrize(
    "sku",
    [
        "",
        "   ",
        None,
        "AB C",
        "AB#1",
        "AB,1",
        "-AB",
        ".AB",
        "/AB",
        "ÄB-1",
        "A\tB",
        "WID-1;DROP",
        "W" * (SKU_MAX + 1),
    ],
)
def test_bad_skus_are_refused(sku: str | None) -> None:
    assert refused(sku=sku) == {"sku"}


@pytest.mark.parametrize("sku", ["A", "9", "W" * SKU_MAX, "a.b/c_d-e", "  X-1  "])
def test_skus_of_letters_digits_and_separators_are_accepted(sku: str) -> None:
    assert draft(sku=sku).sku == sku.strip()


@pytest.mark.parametrize("name", [None, "", "   ", "x" * (NAME_MAX + 1)])
def test_names_must_be_given_and_not_too_long(name: str | None) -> None:
    assert refused(name=name) == {"name"}


def test_a_name_of_the_longest_length_is_accepted_after_trimming() -> None:
    assert draft(name=" " + "x" * NAME_MAX + " ").name == "x" * NAME_MAX


@pytest.mark.parametrize(
    "price", [None, "", "abc", "-1", "12.34567", "NaN", "15%", "1,23", "100000000000000"]
)
def test_bad_list_prices_are_refused(price: str | None) -> None:
    assert refused(list_price=price) == {"list_price"}


@pytest.mark.parametrize("price", ["1e30", "9" * 30])
def test_absurdly_large_list_prices_are_refused_as_field_errors(price: str) -> None:
    # Not decimal.InvalidOperation escaping ProductDraft: the modal needs a field error.
    assert refused(list_price=price) == {"list_price"}


@pytest.mark.parametrize("cost", ["abc", "-1", "0.00001"])
def test_bad_unit_costs_are_refused(cost: str) -> None:
    assert refused(unit_cost=cost) == {"unit_cost"}


def test_long_categories_are_refused() -> None:
    long = "c" * (CATEGORY_MAX + 1)
    assert refused(category=long, subcategory=long) == {"category", "subcategory"}
    assert draft(category="c" * CATEGORY_MAX).category == "c" * CATEGORY_MAX


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(ValidationFailed) as failed:
        ProductDraft.from_input(sku="A B", name="", list_price="abc", unit_cost="-3")
    assert set(failed.value.errors) == {"sku", "name", "list_price", "unit_cost"}
    assert "List price" in failed.value.errors["list_price"]


def test_skus_match_in_any_case() -> None:
    assert sku_key(" wid-1 ") == "WID-1"
    assert looks_like_sku("wid-1")
    assert not looks_like_sku("blue widget")
    assert not looks_like_sku("W" * (SKU_MAX + 1))


def product(on_hand: int, point: int | None) -> Product:
    return Product(
        id=1,
        team_id="T1",
        sku="WID-1",
        name="Widget",
        list_price=Decimal("2.5"),
        on_hand=on_hand,
        reorder_point=point,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize(
    ("on_hand", "point", "low"),
    [(6, 5, False), (5, 5, True), (4, 5, True), (-3, 0, True), (0, None, False), (-9, None, False)],
)
def test_a_product_is_low_at_or_under_its_point(on_hand: int, point: int | None, low: bool) -> None:
    assert product(on_hand, point).is_low is low
    assert product(on_hand, point).has_rule is (point is not None)
