"""Money, quantities and discounts: what people type, parsed exactly; shown rounded half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.money import (
    MONEY_MAX,
    QUANTITY_MAX,
    BadAmount,
    format_discount,
    format_money,
    line_total,
    parse_amount,
    parse_discount,
    parse_quantity,
    unit_price_from_total,
)

FOUR_PLACES = st.decimals(
    min_value=0, max_value=MONEY_MAX, places=4, allow_nan=False, allow_infinity=False
)

# --- amounts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12.50", "12.5000"),
        ("1,234.50", "1234.5000"),
        ("12,345,678.1234", "12345678.1234"),
        ("$12", "12.0000"),
        ("€1.5", "1.5000"),
        ("£ 3", "3.0000"),
        ("  7 ", "7.0000"),
        ("+5", "5.0000"),
        ("0", "0.0000"),
        ("0.0001", "0.0001"),
        ("0.00010", "0.0001"),  # a trailing zero is not a fifth place
        ("12.3456", "12.3456"),
        ("1e3", "1000.0000"),  # scientific notation, as spreadsheets export it
        ("99999999999999", "99999999999999.0000"),  # the largest NUMERIC(18,4) takes whole
    ],
)
def test_amounts_people_type_are_read_exactly(text: str, amount: str) -> None:
    parsed = parse_amount(text)
    assert str(parsed) == amount  # the value and always exactly four places


@pytest.mark.parametrize(
    "text",
    [
        "12.34567",  # a fifth place would be lost
        "1e-5",
        "-5",
        "-1,234",
        "ten",
        "",
        "   ",
        "$",
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-inf",
        "15%",
        "150%",
        "1,23",  # commas only group thousands
        "1,2345",
        "1.5.5",
        "0x10",
        "100000000000000",  # 15 digits: more than NUMERIC(18,4) holds
    ],
)
def test_amounts_that_are_not_amounts_are_refused(text: str) -> None:
    with pytest.raises(BadAmount):
        parse_amount(text)


@pytest.mark.parametrize(
    "text", ["1e30", "9" * 25, "1" + "0" * 30, "1e999999999", "-1e30", "9" * 40 + ".5"]
)
def test_amounts_beyond_decimal_precision_are_refused_as_bad_amounts(text: str) -> None:
    # Quantizing 25 or more whole digits to 4 places exceeds the 28-digit decimal context;
    # that must come back as BadAmount ("too large"), not decimal.InvalidOperation.
    with pytest.raises(BadAmount, match="too large"):
        parse_amount(text, allow_negative=True)


def test_negative_amounts_only_where_allowed() -> None:
    assert parse_amount("-5", allow_negative=True) == Decimal("-5")
    assert str(parse_amount("-1,234.5", allow_negative=True)) == "-1234.5000"
    with pytest.raises(BadAmount, match="too large"):
        parse_amount("-100000000000000", allow_negative=True)


def test_negative_zero_is_plain_zero() -> None:
    # "-0" is no negative amount, but it should not keep its sign either: str() of it
    # ("-0.0000") lands in audit snapshots and messages.
    assert str(parse_amount("-0")) == "0.0000"
    assert str(parse_amount("-0.00")) == "0.0000"
    assert str(parse_discount("-0")) == "0.0000"


def test_numbers_are_taken_as_they_are() -> None:
    assert str(parse_amount(Decimal("1.5"))) == "1.5000"
    assert str(parse_amount(3)) == "3.0000"
    with pytest.raises(BadAmount):
        parse_amount(Decimal("NaN"))
    with pytest.raises(BadAmount):
        parse_amount(Decimal("0.00001"))
    with pytest.raises(BadAmount):
        parse_amount(True)  # type: ignore[arg-type]  # a bool is no amount


@given(FOUR_PLACES)
def test_any_four_place_amount_reads_back_from_its_text(amount: Decimal) -> None:
    assert parse_amount(str(amount)) == amount
    assert parse_amount(f"{amount:,}") == amount  # grouped thousands
    assert parse_amount(f"${amount:,}") == amount


# --- quantities -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "units"),
    [("3", 3), ("+5", 5), (" 4 ", 4), ("1,000", 1000), ("1000000", 1_000_000), (7, 7)],
)
def test_quantities_are_whole_units(text: str | int, units: int) -> None:
    assert parse_quantity(text) == units


@pytest.mark.parametrize(
    "text", ["0", "-2", "1.5", "1e3", "ten", "", "  ", "1000001", "NaN", "3 units", "½"]
)
def test_quantities_that_are_not_whole_positive_units_are_refused(text: str) -> None:
    with pytest.raises(BadAmount):
        parse_quantity(text)


@pytest.mark.parametrize("text", ["1,5", "12,34", "1,0,0", ",5"])
def test_quantity_commas_must_group_thousands(text: str) -> None:
    # "1,5" is one and a half where the comma is the decimal mark; it must not become 15.
    with pytest.raises(BadAmount):
        parse_quantity(text)


def test_negative_quantities_only_where_allowed() -> None:
    assert parse_quantity("-2", allow_negative=True) == -2
    assert parse_quantity(-QUANTITY_MAX, allow_negative=True) == -QUANTITY_MAX
    for text in ("0", "-0", str(-QUANTITY_MAX - 1)):
        with pytest.raises(BadAmount):
            parse_quantity(text, allow_negative=True)


# --- discounts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fraction"),
    [
        ("15%", "0.1500"),
        (" 15 % ", "0.1500"),
        ("12.5%", "0.1250"),
        ("0.15", "0.1500"),
        ("0.155", "0.1550"),
        ("0.15%", "0.0015"),
        ("100%", "1.0000"),
        ("1", "1.0000"),
        ("0", "0.0000"),
        ("0%", "0.0000"),
        ("", "0.0000"),
        ("   ", "0.0000"),
        (None, "0.0000"),
        (Decimal("0.25"), "0.2500"),
    ],
)
def test_discounts_are_fractions_from_0_to_1(text: str | None, fraction: str) -> None:
    assert str(parse_discount(text)) == fraction


@pytest.mark.parametrize(
    "text",
    [
        "150%",
        "-5%",
        "1.5",
        "15",  # 15 is not 15%: written as a fraction it is over 1
        "abc",
        "%",
        "NaN",
        "NaN%",
        "Infinity",
        "0.12345",  # a fifth place as a fraction
        "12.345%",
        "1,5",
    ],
)
def test_discounts_outside_0_to_100_percent_are_refused(text: str) -> None:
    with pytest.raises(BadAmount):
        parse_discount(text)


def test_discounts_show_as_percentages() -> None:
    shown = [format_discount(Decimal(d)) for d in ("0.1500", "0.1250", "1.0000", "0", "0.0001")]
    assert shown == ["15%", "12.5%", "100%", "0%", "0.01%"]


# --- line totals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "total"),
    [
        (3, "19.99", "0.15", "50.9745"),
        (7, "0.0001", "0", "0.0007"),
        (3, "99999999.9999", "0", "299999999.9997"),
        (5, "12.5", "1", "0.0000"),
        (1, "0.0005", "0.5", "0.0003"),  # 0.00025: half up, not half even
        (1, "0.0003", "0.5", "0.0002"),  # 0.00015
        (3, "0.3333", "0.3333", "0.6666"),  # 0.66663333
    ],
)
def test_line_totals_are_exact_to_four_places(
    quantity: int, price: str, discount: str, total: str
) -> None:
    assert str(line_total(quantity, Decimal(price), Decimal(discount))) == total


@given(
    quantity=st.integers(1, QUANTITY_MAX),
    price=st.decimals(min_value=0, max_value=10**8, places=4),
    discount=st.decimals(min_value=0, max_value=1, places=4),
)
def test_line_total_is_the_exact_product_rounded_half_up(
    quantity: int, price: Decimal, discount: Decimal
) -> None:
    exact = Fraction(quantity) * Fraction(price) * (1 - Fraction(discount))
    ten_thousandths = exact * 10_000
    rounded = int(ten_thousandths) + (ten_thousandths - int(ten_thousandths) >= Fraction(1, 2))
    assert line_total(quantity, price, discount) == Decimal(rounded).scaleb(-4)


def test_unit_price_comes_back_from_a_total() -> None:
    assert unit_price_from_total(Decimal("50.9745"), 3, Decimal("0.15")) == Decimal("19.99")
    assert unit_price_from_total(Decimal("0.0007"), 7, Decimal(0)) == Decimal("0.0001")
    assert unit_price_from_total(Decimal(0), 5, Decimal(1)) is None  # a free line hides it


# --- showing money ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0.005", "$0.01"),
        ("0.0049", "$0.00"),
        ("2.675", "$2.68"),  # a float would make this 2.67
        ("2.665", "$2.67"),  # half up, not half even
        ("1234.5678", "$1,234.57"),
        ("1234567.891", "$1,234,567.89"),
        ("99999999999999.9999", "$100,000,000,000,000.00"),
        ("0", "$0.00"),
        ("-0.005", "-$0.01"),
        ("-2.675", "-$2.68"),
        ("-1234.5", "-$1,234.50"),
        ("-0.004", "$0.00"),  # rounds to zero: no "-$0.00"
    ],
)
def test_money_is_shown_rounded_half_up_to_cents(amount: str, shown: str) -> None:
    assert format_money(Decimal(amount)) == shown


def test_money_is_shown_in_the_workspace_currency() -> None:
    assert format_money(Decimal("1234.5"), "EUR") == "€1,234.50"
    assert format_money(Decimal("1234.5"), "gbp") == "£1,234.50"
    assert format_money(Decimal("-3"), "CAD") == "-CA$3.00"
    assert format_money(Decimal("1234.5"), "CHF") == "1,234.50 CHF"
    assert format_money(Decimal("-1.005"), "chf") == "-1.01 CHF"


@given(FOUR_PLACES)
def test_shown_money_is_within_half_a_cent(amount: Decimal) -> None:
    shown = format_money(amount)
    back = Decimal(shown.removeprefix("$").replace(",", ""))
    assert abs(back - amount) <= Decimal("0.005")
    assert back == amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
