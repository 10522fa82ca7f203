"""Money and quantities: exact decimals kept to 4 places, rounded to cents only when shown."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PLACES = 4
QUANTUM = Decimal(1).scaleb(-PLACES)  # 0.0001
CENT = Decimal("0.01")
MONEY_MAX = Decimal("99999999999999")  # NUMERIC(18,4) holds 14 digits before the point
QUANTITY_MAX = 1_000_000
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}

_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")
_GROUPED_INT = re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+$")


class BadAmount(ValueError):
    """The text is not an amount this field accepts; the message says why."""


def parse_amount(text: str | Decimal | int, *, allow_negative: bool = False) -> Decimal:
    """An exact amount from what a person typed or a file held: '1,234.50', '$12', '0.0001'."""
    if isinstance(text, Decimal | int) and not isinstance(text, bool):
        value = Decimal(text)
    else:
        raw = str(text).strip().replace(" ", "")
        for symbol in ("$", "€", "£", "¥"):
            raw = raw.replace(symbol, "")
        if _GROUPED.match(raw.lstrip("+-")):
            raw = raw.replace(",", "")
        if not raw:
            raise BadAmount("an amount is needed, like 12.50")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise BadAmount(f"“{text}” is not an amount; write it like 12.50") from None
    if not value.is_finite():
        raise BadAmount(f"“{text}” is not an amount; write it like 12.50")
    if value < 0 and not allow_negative:
        raise BadAmount(f"{text} is negative; amounts here are 0 or more")
    if value.copy_abs() > MONEY_MAX:  # copy_abs: abs() would overflow on 1e999999999
        raise BadAmount(f"{text} is too large (the most is {MONEY_MAX:,})")
    if value != value.quantize(QUANTUM, rounding=ROUND_HALF_UP):
        raise BadAmount(f"{text} has more than {PLACES} decimal places")
    return _plain(value.quantize(QUANTUM))


def parse_quantity(text: str | int, *, allow_negative: bool = False) -> int:
    """A whole number of units: '3' or '+5' (and '-2' where negatives mean something)."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        raw = str(text).strip()
        if _GROUPED_INT.match(raw):
            raw = raw.replace(",", "")
        if not re.fullmatch(r"[+-]?[0-9]+", raw):
            raise BadAmount(f"“{text}” is not a whole number of units, like 3")
        value = int(raw)
    if value == 0:
        raise BadAmount("the quantity cannot be 0")
    if value < 0 and not allow_negative:
        raise BadAmount(f"{text} is negative; the quantity must be 1 or more")
    if abs(value) > QUANTITY_MAX:
        raise BadAmount(f"{text} units is more than {QUANTITY_MAX:,}")
    return value


def parse_discount(text: str | Decimal | int | None) -> Decimal:
    """A discount as a fraction: '0.15', '15%' or empty (none); between 0 and 1."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return Decimal(0).quantize(QUANTUM)
    raw = str(text).strip()
    percent = raw.endswith("%")
    try:
        value = Decimal(raw.rstrip("%").strip())
    except InvalidOperation:
        raise BadAmount(f"“{text}” is not a discount; write 0.15 or 15%") from None
    if not value.is_finite():
        raise BadAmount(f"“{text}” is not a discount; write 0.15 or 15%")
    if percent:
        value = value / 100
    if not 0 <= value <= 1:
        raise BadAmount(f"a discount of {text} is not between 0 and 100%")
    if value != value.quantize(QUANTUM, rounding=ROUND_HALF_UP):
        raise BadAmount(f"{text} has more than {PLACES} decimal places as a fraction")
    return _plain(value.quantize(QUANTUM))


def _plain(value: Decimal) -> Decimal:
    """-0.0000 reads oddly in messages and the audit log: zero has no sign here."""
    return value.copy_abs() if value.is_zero() else value


def fits(amount: Decimal) -> bool:
    """Whether the amount can be stored (NUMERIC(18,4))."""
    return amount.copy_abs() <= MONEY_MAX


def line_total(quantity: int, unit_price: Decimal, discount: Decimal) -> Decimal:
    """quantity × unit price × (1 − discount), kept to 4 places."""
    return (Decimal(quantity) * unit_price * (1 - discount)).quantize(QUANTUM, ROUND_HALF_UP)


def unit_price_from_total(total: Decimal, quantity: int, discount: Decimal) -> Decimal | None:
    """The unit price behind a given line total; None when a 100% discount hides it."""
    if discount >= 1:
        return None
    return (total / (Decimal(quantity) * (1 - discount))).quantize(QUANTUM, ROUND_HALF_UP)


def format_money(amount: Decimal, currency: str = "USD") -> str:
    """'$1,234.57': rounded half up to cents for display only."""
    cents = amount.quantize(CENT, ROUND_HALF_UP)
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    body = f"{abs(cents):,.2f}"
    sign = "-" if cents < 0 else ""
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency.upper()}"


def format_discount(discount: Decimal) -> str:
    """'15%' / '12.5%'."""
    percent = (discount * 100).normalize()
    return f"{percent:f}%"
