"""Import rules without a database: exact parsing of cells, pricing, column matching."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic_core import PydanticCustomError

from domain.imports import (
    FIELDS,
    ImportFileError,
    ImportKind,
    ImportMapping,
    OrderLineRecord,
    PriceBasis,
    line_total_of,
    local_midnight_utc,
    parse_date,
    parse_decimal,
    parse_discount,
    parse_whole,
    price_basis,
    resolve_columns,
    unit_cost_of,
    unit_price_of,
    validate_row,
)

ORDER_HEADER = ["Order ID", "Order Date", "Customer", "SKU", "Quantity", "Unit Price", "Discount"]


def reason(call: object) -> str:
    with pytest.raises(PydanticCustomError) as caught:
        call()  # type: ignore[operator]
    return caught.value.message()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("261.96", Decimal("261.9600")),
        ("  0.1 ", Decimal("0.1000")),
        ("1,234.5", Decimal("1234.5000")),
        ("$12.50", Decimal("12.5000")),
        ("12.34560", Decimal("12.3456")),  # trailing zeros are not places of value
        (".5", Decimal("0.5000")),
        ("7", Decimal("7.0000")),
    ],
)
def test_amounts_parse_exactly_from_text(text: str, expected: Decimal) -> None:
    value = parse_decimal(text)
    assert value == expected and str(value) == str(expected)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("12.34567", "more than 4 decimal places"),
        ("-5", "must not be negative"),
        ("NaN", "not a number"),
        ("inf", "not a number"),
        ("1e5", "not a number"),
        ("12,34", "not a number"),
        ("ten", "not a number"),
        ("1000000000000", "too large"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(text: str, why: str) -> None:
    assert why in reason(lambda: parse_decimal(text))


def test_profit_may_be_negative() -> None:
    assert parse_decimal("-3.8160", negative=True) == Decimal("-3.816")


@pytest.mark.parametrize(("text", "expected"), [("3", 3), ("12.0", 12), ("1,000", 1000)])
def test_quantities_are_whole_numbers(text: str, expected: int) -> None:
    assert parse_whole(text, minimum=1) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [("ten", "not a whole number"), ("2.5", "not a whole number"), ("0", "at least 1")],
)
def test_bad_quantities_are_refused(text: str, why: str) -> None:
    assert why in reason(lambda: parse_whole(text, minimum=1))
    assert "at least 1" in reason(lambda: parse_whole("-1", minimum=1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.15", "0.1500"), ("15%", "0.1500"), ("0", "0.0000"), ("100%", "1.0000"), ("1", "1.0000")],
)
def test_discounts_are_fractions_or_percentages(text: str, expected: str) -> None:
    assert str(parse_discount(text)) == expected


@pytest.mark.parametrize("text", ["15", "-0.1", "101%", "0.12345"])
def test_discounts_outside_zero_to_one_are_refused(text: str) -> None:
    assert reason(lambda: parse_discount(text))


def test_dates_in_the_mappings_format_or_iso() -> None:
    assert parse_date("11/8/2018", "%m/%d/%Y") == date(2018, 11, 8)
    assert parse_date("2018-11-08", "%m/%d/%Y") == date(2018, 11, 8)
    assert parse_date("2018-11-08 00:00:00") == date(2018, 11, 8)  # from a spreadsheet cell
    assert "not a date" in reason(lambda: parse_date("13/45/2019", "%m/%d/%Y"))
    assert "YYYY-MM-DD" in reason(lambda: parse_date("8 Nov 2018"))


def test_pricing_rounds_half_up_to_four_places() -> None:
    assert line_total_of(3, Decimal("10.005"), Decimal("0.15")) == Decimal("25.5128")  # 25.51275
    assert unit_price_of(Decimal("16.448"), 2, Decimal("0.2")) == Decimal("10.2800")
    assert unit_price_of(Decimal("10"), 3, Decimal("0")) == Decimal("3.3333")
    assert unit_price_of(Decimal("0"), 3, Decimal("1")) is None  # 100% off: no price implied
    assert unit_cost_of(Decimal("261.96"), Decimal("41.9136"), 2) == Decimal("110.0232")


def test_midnight_in_the_workspace_timezone_is_stored_in_utc() -> None:
    assert local_midnight_utc(date(2018, 11, 8), "America/New_York") == datetime(
        2018, 11, 8, 5, tzinfo=UTC
    )
    assert local_midnight_utc(date(2018, 7, 8), "America/New_York") == datetime(
        2018, 7, 8, 4, tzinfo=UTC
    )


def test_columns_named_like_ours_map_without_a_mapping() -> None:
    columns = resolve_columns(ImportKind.ORDERS, [*ORDER_HEADER, "Notes"])
    assert columns.columns["order_id"] == "Order ID"
    assert columns.columns["customer_name"] == "Customer"  # an alias
    assert columns.columns["unit_price"] == "Unit Price"
    assert columns.ignored == ["Notes"]
    assert price_basis(None, columns) is PriceBasis.UNIT_PRICE


def test_a_mapping_wins_and_missing_columns_are_named() -> None:
    mapping = ImportMapping(columns={"line_total": "Sales", "sku": "Product ID"})
    header = ["Order ID", "Order Date", "Customer ID", "Product ID", "Quantity", "Sales"]
    columns = resolve_columns(ImportKind.ORDERS, header, mapping)
    assert columns.columns["sku"] == "Product ID"
    assert price_basis(mapping, columns) is PriceBasis.LINE_TOTAL
    with pytest.raises(ImportFileError, match="unit_price or line_total"):
        resolve_columns(ImportKind.ORDERS, header[:-1])
    with pytest.raises(ImportFileError, match="“Revenue”, which the file does not have"):
        resolve_columns(ImportKind.ORDERS, header, ImportMapping(columns={"line_total": "Revenue"}))
    with pytest.raises(ImportFileError, match="not a field of orders"):
        resolve_columns(ImportKind.ORDERS, header, ImportMapping(columns={"colour": "Sales"}))
    with pytest.raises(ImportFileError, match="for orders files, not customers"):
        resolve_columns(ImportKind.CUSTOMERS, header, ImportMapping(kind=ImportKind.ORDERS))


def _order_row(**cells: str) -> dict[str, str]:
    base = {
        "line_key": "#1",  # the importer's position of the row in its order
        "order_id": "A-1",
        "order_date": "2024-03-01",
        "customer_name": "Acme",
        "sku": "SKU-1",
        "quantity": "2",
        "unit_price": "10",
        "discount": "",
    }
    base.update(cells)
    return {field: base.get(field, "") for field in FIELDS[ImportKind.ORDERS]}


def test_a_bad_row_gives_one_error_per_bad_cell_naming_the_files_column() -> None:
    columns = resolve_columns(ImportKind.ORDERS, ORDER_HEADER)
    values = _order_row(quantity="ten", unit_price="-5", order_date="yesterday")
    record, errors = validate_row(ImportKind.ORDERS, values, line=7, columns=columns)
    assert record is None
    assert {(e.line, e.column, e.value) for e in errors} == {
        (7, "Quantity", "ten"),
        (7, "Unit Price", "-5"),
        (7, "Order Date", "yesterday"),
    }
    _, errors = validate_row(
        ImportKind.ORDERS, _order_row(customer_name=""), line=8, columns=columns
    )
    assert [(e.column, e.reason) for e in errors] == [
        ("Customer", "no customer: this row names none")
    ]


def test_a_good_row_is_priced() -> None:
    columns = resolve_columns(ImportKind.ORDERS, ORDER_HEADER)
    record, errors = validate_row(
        ImportKind.ORDERS, _order_row(discount="15%", unit_price="10.005", quantity="3"),
        line=2, columns=columns,
    )  # fmt: skip
    assert errors == [] and isinstance(record, OrderLineRecord)
    assert (record.unit_price, record.discount, record.line_total) == (
        Decimal("10.0050"),
        Decimal("0.1500"),
        Decimal("25.5128"),
    )
