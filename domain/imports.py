"""Importing customers, products and orders from files: column mapping, row validation, pricing.

Pure rules, no I/O: storage.importers reads the files and writes the rows. Every cell arrives as
the text the file holds (never a float); each value is parsed exactly here, and a row that fails
gives one RowError per bad cell, naming the file's line and column.
"""

from __future__ import annotations

import codecs
import re
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from domain.customers import FIELDS as CUSTOMER_FIELDS
from domain.customers import CustomerDraft
from domain.errors import DomainError, ValidationFailed
from domain.text import clean

FOUR_DP = Decimal("0.0001")
MAX_AMOUNT = Decimal(10) ** 12  # NUMERIC(18,4) holds 14 integer digits; leave room for sums
MAX_QUANTITY = 1_000_000_000
MAX_COUNT = 1_000_000_000  # stock levels, reorder points, lead times
SKU_MAX = 64
EXTERNAL_ID_MAX = 100
PRODUCT_NAME_MAX = 300
LABEL_MAX = 100  # category, subcategory, city, state, region
REP_MAX = 32
# Decimal arithmetic follows the thread's context; pin ours so a caller's cannot change results.
_CONTEXT = Context(prec=34, rounding=ROUND_HALF_UP)


class ImportKind(StrEnum):
    CUSTOMERS = "customers"
    PRODUCTS = "products"
    ORDERS = "orders"


class PriceBasis(StrEnum):
    """Which money column of an orders file is authoritative."""

    UNIT_PRICE = "unit_price"  # line_total = quantity × unit_price × (1 − discount)
    LINE_TOTAL = "line_total"  # line_total kept exactly; unit_price derived from it
    BOTH = "both"  # both kept exactly as given (a file exported by Salesbot)


class ImportFileError(DomainError):
    """The file as a whole cannot be imported (unreadable, a required column missing, ...)."""


class RowError(BaseModel):
    """One problem with one cell (or a whole row when column is empty) of the file."""

    model_config = ConfigDict(frozen=True)

    line: int  # the file's line (the header is line 1); for XLSX the sheet's row
    column: str  # the file's column name, as in its header
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        shown = f" “{self.value[:60]}”" if self.value else ""
        return f"{where}:{shown} {self.reason}"


# -- the mapping file ----------------------------------------------------------------------------

# Our fields for each kind of file, in the order the docs list them.
FIELDS: dict[ImportKind, tuple[str, ...]] = {
    ImportKind.CUSTOMERS: ("external_id", *CUSTOMER_FIELDS),
    ImportKind.PRODUCTS: (
        "sku",
        "name",
        "category",
        "subcategory",
        "list_price",
        "unit_cost",
        "on_hand",
        "reorder_point",
        "reorder_qty",
        "lead_time_days",
        "active",
    ),
    ImportKind.ORDERS: (
        "order_id",
        "order_date",
        "line_key",
        "customer_id",
        "customer_name",
        "customer_tags",
        "customer_city",
        "customer_region",
        "customer_country",
        "sku",
        "product_name",
        "category",
        "subcategory",
        "quantity",
        "unit_price",
        "line_total",
        "discount",
        "unit_cost",
        "profit",
        "city",
        "state",
        "region",
        "rep",
    ),
}

# Other header names that mean one of our fields when no mapping says otherwise
# (after normalising: lower case, runs of spaces, dashes and underscores as one "_").
ALIASES: dict[ImportKind, dict[str, str]] = {
    ImportKind.CUSTOMERS: {
        "customer_id": "external_id",
        "customer_name": "name",
        "customer": "name",
    },
    ImportKind.PRODUCTS: {
        "product_id": "sku",
        "product_name": "name",
        "product": "name",
        "price": "list_price",
        "cost": "unit_cost",
        "sub_category": "subcategory",
    },
    ImportKind.ORDERS: {
        "product_id": "sku",
        "product": "product_name",
        "customer": "customer_name",
        "row_id": "line_key",
        "price": "unit_price",
        "sub_category": "subcategory",
        "rep_id": "rep",
    },
}

_REQUIRED: dict[ImportKind, tuple[tuple[str, ...], ...]] = {
    # each inner tuple: at least one of these fields needs a column
    ImportKind.CUSTOMERS: (("name",),),
    ImportKind.PRODUCTS: (("sku",),),
    ImportKind.ORDERS: (
        ("order_id",),
        ("order_date",),
        ("sku",),
        ("quantity",),
        ("customer_id", "customer_name"),
        ("unit_price", "line_total"),
    ),
}


class ImportMapping(BaseModel):
    """What a mapping file (YAML) says: our field → the file's column, and options."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ImportKind | None = None  # when set, the mapping refuses other kinds of import
    team: str | None = None  # the workspace to import into when --team is not given
    columns: dict[str, str] = Field(default_factory=dict)
    date_format: str | None = None  # strptime format, e.g. "%m/%d/%Y"; ISO dates always work
    price_basis: PriceBasis | None = None  # default: whichever of unit_price/line_total is mapped
    # Orders: one product id with several names becomes several products (SKU, SKU-2, ...).
    split_product_names: bool = True
    sheet: str | int | None = None  # XLSX: the sheet's name or 0-based position
    delimiter: str = ","  # CSV: the cell separator (";" in many European exports)
    encoding: str = "utf-8"  # CSV: e.g. cp1252 for Excel's plain "CSV" on Windows

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str) -> str:
        if len(value) != 1 or value in '"\r\n':
            raise ValueError("use one character, like , or ;")
        return value

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(
                f"{value} is not an encoding Python knows (try utf-8 or cp1252)"
            ) from None
        return value

    @field_validator("date_format")
    @classmethod
    def _date_format(cls, value: str | None) -> str | None:
        if value is not None and "%" not in value:
            raise ValueError("use strptime directives, like %m/%d/%Y")
        return value

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: dict[str, str]) -> dict[str, str]:
        for field, column in value.items():
            if not isinstance(column, str) or not column.strip():
                raise ValueError(f"{field}: give the file's column name")
        return value


def normalise_header(name: str) -> str:
    """'Sub-Category' -> 'sub_category', 'Order  ID' -> 'order_id'."""
    return re.sub(r"[\s_\-]+", "_", name.strip().lower()).strip("_")


class ColumnMap(BaseModel):
    """Which column of this file feeds each of our fields, and what is left over."""

    model_config = ConfigDict(frozen=True)

    kind: ImportKind
    columns: dict[str, str]  # field -> file column
    ignored: list[str]  # the file's columns no field reads

    def column(self, field: str) -> str:
        return self.columns.get(field, field)

    def has(self, field: str) -> bool:
        return field in self.columns

    def values(self, row: dict[str, str]) -> dict[str, str]:
        """The row's text for each mapped field."""
        return {field: row.get(column, "") for field, column in self.columns.items()}


def resolve_columns(
    kind: ImportKind, header: list[str], mapping: ImportMapping | None = None
) -> ColumnMap:
    """Match the file's header to our fields; raises ImportFileError saying what is missing."""
    mapping = mapping or ImportMapping()
    if mapping.kind is not None and mapping.kind != kind:
        raise ImportFileError(f"the mapping is for {mapping.kind} files, not {kind}.")
    fields = FIELDS[kind]
    by_exact = {name: name for name in header}
    by_normal: dict[str, str] = {}
    for name in header:
        by_normal.setdefault(normalise_header(name), name)
    columns: dict[str, str] = {}
    for field, wanted in mapping.columns.items():
        if field not in fields:
            raise ImportFileError(
                f"the mapping names “{field}”, which is not a field of {kind} imports; "
                f"the fields are: {', '.join(fields)}."
            )
        found = by_exact.get(wanted) or by_normal.get(normalise_header(wanted))
        if found is None:
            raise ImportFileError(
                f"the mapping reads {field} from column “{wanted}”, which the file does not have; "
                f"its columns are: {', '.join(header)}."
            )
        columns[field] = found
    used = set(columns.values())
    aliases = ALIASES[kind]
    for normal, name in by_normal.items():
        if name in used:
            continue
        target = normal if normal in fields else aliases.get(normal)
        if target and target not in columns and target not in mapping.columns:
            columns[target] = name
            used.add(name)
    for choices in _REQUIRED[kind]:
        if not any(choice in columns for choice in choices):
            wanted_text = " or ".join(choices)
            raise ImportFileError(
                f"no column for {wanted_text}: name a column {choices[0]}, or map one with "
                f"--mapping (columns: {{{choices[0]}: <your column>}})."
            )
    ignored = [name for name in header if name not in used]
    return ColumnMap(kind=kind, columns=columns, ignored=ignored)


def price_basis(mapping: ImportMapping | None, columns: ColumnMap) -> PriceBasis:
    if mapping is not None and mapping.price_basis is not None:
        needed = {PriceBasis.BOTH: ("unit_price", "line_total")}.get(
            mapping.price_basis, (mapping.price_basis.value,)
        )
        for field in needed:
            if not columns.has(field):
                raise ImportFileError(
                    f"price_basis is {mapping.price_basis} but no column is {field}."
                )
        return mapping.price_basis
    if columns.has("unit_price") and columns.has("line_total"):
        return PriceBasis.BOTH
    return PriceBasis.UNIT_PRICE if columns.has("unit_price") else PriceBasis.LINE_TOTAL


# -- exact parsing of one cell -------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_CURRENCY = "$€£¥"


def _fail(reason: str) -> PydanticCustomError:
    return PydanticCustomError("import", reason)


def parse_decimal(text: str, *, negative: bool = False, places: int = 4) -> Decimal:
    """'1,234.5' -> Decimal('1234.5'), exactly; refuses floats' notations, NaN and > `places` dp."""
    raw = text.strip()
    if raw[:1] in _CURRENCY:
        raw = raw[1:].strip()
    elif raw[:2] in ("-$", "-€", "-£", "-¥"):
        raw = "-" + raw[2:].strip()
    if _GROUPED.match(raw):
        raw = raw.replace(",", "")
    if not _NUMBER.match(raw):
        raise _fail("not a number: write digits with a dot for decimals, like 1234.50")
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern already refuses these
        raise _fail("not a number") from None
    if value < 0 and not negative:
        raise _fail("must not be negative")
    if value != value.quantize(Decimal(1).scaleb(-places), context=_CONTEXT):
        raise _fail(f"has more than {places} decimal places")
    if abs(value) >= MAX_AMOUNT:
        raise _fail(f"is too large (at most {MAX_AMOUNT:,} - 1)")
    return value.quantize(Decimal(1).scaleb(-places), context=_CONTEXT) if places == 4 else value


def parse_whole(text: str, *, minimum: int, maximum: int = MAX_COUNT) -> int:
    """'12' -> 12; '12.0' too (spreadsheets write that); 'ten', '2.5' and out-of-range refused."""
    raw = text.strip().replace(",", "") if _GROUPED.match(text.strip()) else text.strip()
    if not _NUMBER.match(raw):
        raise _fail("not a whole number")
    value = Decimal(raw)
    if value != value.to_integral_value():
        raise _fail("not a whole number")
    number = int(value)
    if number < minimum:
        raise _fail(f"must be at least {minimum}")
    if number > maximum:
        raise _fail(f"must be at most {maximum:,}")
    return number


def parse_discount(text: str) -> Decimal:
    """'0.15' or '15%' -> Decimal('0.1500'); must lie between 0 and 1 (0% and 100%)."""
    raw = text.strip()
    if raw.endswith("%"):
        value = parse_decimal(raw[:-1], negative=True, places=2) / 100
    else:
        value = parse_decimal(raw, negative=True)
    if value < 0 or value > 1:
        raise _fail("must be between 0 and 1 (or a percentage like 15%)")
    return value.quantize(FOUR_DP, context=_CONTEXT)


_ISO_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")


def parse_date(text: str, date_format: str | None = None) -> date:
    """A date in the mapping's format, or ISO (2026-03-01; spreadsheets add ' 00:00:00')."""
    return _parse_date(text.strip(), date_format)


@lru_cache(maxsize=4096)  # files repeat dates a lot, and strptime is slow
def _parse_date(raw: str, date_format: str | None) -> date:
    if date_format:
        try:
            return datetime.strptime(raw, date_format).date()
        except ValueError:
            pass
    match = _ISO_MIDNIGHT.match(raw)
    if match:
        try:
            return date.fromisoformat(match.group(1))
        except ValueError:
            pass
    expected = f"{date_format} or YYYY-MM-DD" if date_format else "YYYY-MM-DD"
    raise _fail(f"not a date: expected {expected}")


def parse_flag(text: str) -> bool:
    raw = text.strip().lower()
    if raw in ("1", "true", "yes", "y", "active"):
        return True
    if raw in ("0", "false", "no", "n", "inactive"):
        return False
    raise _fail("not yes or no")


def _text(value: str | None, limit: int) -> str | None:
    cleaned = clean(value)
    if cleaned is not None and len(cleaned) > limit:
        raise _fail(f"is longer than {limit} characters")
    return cleaned


# -- pricing -------------------------------------------------------------------------------------


def quantize4(value: Decimal) -> Decimal:
    """Round to 4 places, half up (the rule for every derived amount)."""
    return value.quantize(FOUR_DP, context=_CONTEXT)


def line_total_of(quantity: int, unit_price: Decimal, discount: Decimal) -> Decimal:
    """quantity × unit_price × (1 − discount), to 4 places half up."""
    with localcontext(_CONTEXT):
        return quantize4(quantity * unit_price * (1 - discount))


def unit_price_of(line_total: Decimal, quantity: int, discount: Decimal) -> Decimal | None:
    """The unit price a stated line total implies; None when the discount is 100%."""
    if discount >= 1:
        return None
    with localcontext(_CONTEXT):
        return quantize4(line_total / (quantity * (1 - discount)))


def unit_cost_of(line_total: Decimal, profit: Decimal, quantity: int) -> Decimal:
    """Cost per unit from a line's sales and profit: (line_total − profit) / quantity."""
    with localcontext(_CONTEXT):
        return quantize4((line_total - profit) / quantity)


def local_midnight_utc(day: date, timezone: str) -> datetime:
    """The first instant of `day` in the workspace's timezone, in UTC."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


# -- rows ----------------------------------------------------------------------------------------


REQUIRED_REASON = "is empty; this column is required"


def _required(value: Any) -> str:
    text = clean(value if isinstance(value, str) else None)
    if text is None:
        raise _fail(REQUIRED_REASON)
    return text


def _optional_decimal(value: Any, *, negative: bool = False) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    return parse_decimal(value, negative=negative) if str(value).strip() else None


def _optional_whole(value: Any, minimum: int) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return parse_whole(value, minimum=minimum) if str(value).strip() else None


class ImportRecord(BaseModel):
    """A validated row. Cells arrive as text, every field present; empty text is 'not given'.

    Cell by cell problems are pydantic errors (all of a row's are reported together); rules
    across cells run after and raise ValidationFailed keyed by field.
    """

    model_config = ConfigDict(extra="ignore")


class CustomerRecord(ImportRecord):
    """A row of a customers file; fields left empty are not changed on an existing customer."""

    external_id: str | None = None
    name: str
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    owner_id: str | None = None
    tags: str | None = None
    address: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    industry: str | None = None
    notes: str | None = None
    draft: CustomerDraft | None = None  # the checked customer, filled after validation

    @field_validator("external_id", mode="before")
    @classmethod
    def _external_id(cls, value: Any) -> Any:
        return _text(value, EXTERNAL_ID_MAX)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return _required(value)

    @field_validator(
        "company",
        "email",
        "phone",
        "owner_id",
        "tags",
        "address",
        "city",
        "region",
        "country",
        "industry",
        "notes",
        mode="before",
    )
    @classmethod
    def _optional(cls, value: Any) -> Any:
        return clean(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _draft(self) -> CustomerRecord:
        self.draft = CustomerDraft.from_input(
            name=self.name,
            company=self.company,
            email=self.email,
            phone=self.phone,
            owner_id=self.owner_id,
            tags=self.tags,
            address=self.address,
            city=self.city,
            region=self.region,
            country=self.country,
            industry=self.industry,
            notes=self.notes,
        )
        return self

    @property
    def customer(self) -> CustomerDraft:
        assert self.draft is not None
        return self.draft


def sku_key(sku: str) -> str:
    """SKUs match in any case: the key is the trimmed, upper-cased SKU."""
    return sku.strip().upper()


def _sku_text(value: Any) -> str:
    text = _required(value)
    if len(text) > SKU_MAX:
        raise _fail(f"is longer than {SKU_MAX} characters")
    return text


class ProductRecord(ImportRecord):
    """A row of a products file; fields left empty are not changed on an existing product."""

    sku: str
    name: str | None = None
    category: str | None = None
    subcategory: str | None = None
    list_price: Decimal | None = None
    unit_cost: Decimal | None = None
    on_hand: int | None = None
    reorder_point: int | None = None
    reorder_qty: int | None = None
    lead_time_days: int | None = None
    active: bool | None = None

    @property
    def sku_key(self) -> str:
        return sku_key(self.sku)

    @field_validator("sku", mode="before")
    @classmethod
    def _sku(cls, value: Any) -> Any:
        return _sku_text(value)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return _text(value, PRODUCT_NAME_MAX)

    @field_validator("category", "subcategory", mode="before")
    @classmethod
    def _label(cls, value: Any) -> Any:
        return _text(value, LABEL_MAX)

    @field_validator("list_price", "unit_cost", mode="before")
    @classmethod
    def _money(cls, value: Any) -> Any:
        return _optional_decimal(value)

    @field_validator("on_hand", "reorder_point", "lead_time_days", mode="before")
    @classmethod
    def _count(cls, value: Any) -> Any:
        return _optional_whole(value, 0)

    @field_validator("reorder_qty", mode="before")
    @classmethod
    def _reorder_qty(cls, value: Any) -> Any:
        return _optional_whole(value, 1)

    @field_validator("active", mode="before")
    @classmethod
    def _active(cls, value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return value
        return parse_flag(value) if str(value).strip() else None


class OrderLineRecord(ImportRecord):
    """A row of an orders file: one line of one order, with its customer and product.

    After validation line_total is always set, and unit_price too unless the discount is 100%
    on a stated line total (the importer then uses the product's list price).
    """

    order_id: str
    order_date: date
    line_key: str
    customer_id: str | None = None
    customer_name: str | None = None
    customer_tags: str | None = None
    customer_city: str | None = None
    customer_region: str | None = None
    customer_country: str | None = None
    sku: str
    product_name: str | None = None
    category: str | None = None
    subcategory: str | None = None
    quantity: int
    discount: Decimal = Decimal("0.0000")
    unit_price: Decimal | None = None
    line_total: Decimal | None = None
    unit_cost: Decimal | None = None  # given, or derived from profit
    profit: Decimal | None = None
    city: str | None = None
    state: str | None = None
    region: str | None = None
    rep: str | None = None
    customer: CustomerDraft | None = None  # when the row names the customer; filled after

    @property
    def sku_key(self) -> str:
        return sku_key(self.sku)

    @property
    def total(self) -> Decimal:
        assert self.line_total is not None
        return self.line_total

    @field_validator("order_id", mode="before")
    @classmethod
    def _order_id(cls, value: Any) -> Any:
        text = _required(value)
        if len(text) > EXTERNAL_ID_MAX:
            raise _fail(f"is longer than {EXTERNAL_ID_MAX} characters")
        return text

    @field_validator("line_key", mode="before")
    @classmethod
    def _line_key(cls, value: Any) -> Any:
        # The importer fills in a position when no column is mapped, so empty means a mapped
        # column left empty: without a key, a re-run could not tell this line from others.
        text = _required(value)
        if len(text) > EXTERNAL_ID_MAX:
            raise _fail(f"is longer than {EXTERNAL_ID_MAX} characters")
        return text

    @field_validator("customer_id", mode="before")
    @classmethod
    def _key(cls, value: Any) -> Any:
        return _text(value, EXTERNAL_ID_MAX)

    @field_validator("order_date", mode="before")
    @classmethod
    def _order_date(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, date):
            return value
        return parse_date(_required(value), (info.context or {}).get("date_format"))

    @field_validator("sku", mode="before")
    @classmethod
    def _sku(cls, value: Any) -> Any:
        return _sku_text(value)

    @field_validator("product_name", mode="before")
    @classmethod
    def _product_name(cls, value: Any) -> Any:
        return _text(value, PRODUCT_NAME_MAX)

    @field_validator(
        "category", "subcategory", "city", "state", "region", "customer_country", mode="before"
    )
    @classmethod
    def _label(cls, value: Any) -> Any:
        return _text(value, LABEL_MAX)

    @field_validator(
        "customer_name", "customer_tags", "customer_city", "customer_region", mode="before"
    )
    @classmethod
    def _customer_text(cls, value: Any) -> Any:
        return clean(value) if isinstance(value, str) else value

    @field_validator("rep", mode="before")
    @classmethod
    def _rep(cls, value: Any) -> Any:
        return _text(value, REP_MAX)

    @field_validator("quantity", mode="before")
    @classmethod
    def _quantity(cls, value: Any) -> Any:
        if isinstance(value, int):
            return value
        return parse_whole(_required(value), minimum=1, maximum=MAX_QUANTITY)

    @field_validator("discount", mode="before")
    @classmethod
    def _discount(cls, value: Any) -> Any:
        if isinstance(value, Decimal):
            return value
        return parse_discount(value) if str(value or "").strip() else Decimal("0.0000")

    @field_validator("unit_price", "line_total", "unit_cost", mode="before")
    @classmethod
    def _money(cls, value: Any) -> Any:
        return _optional_decimal(value)

    @field_validator("profit", mode="before")
    @classmethod
    def _profit(cls, value: Any) -> Any:
        return _optional_decimal(value, negative=True)

    @model_validator(mode="after")
    def _across_cells(self, info: ValidationInfo) -> OrderLineRecord:
        errors: dict[str, str] = {}
        self._check_customer(errors)
        basis = (info.context or {}).get("price_basis", PriceBasis.UNIT_PRICE)
        self._price(PriceBasis(basis), errors)
        if errors:
            raise ValidationFailed(errors)
        return self

    def _check_customer(self, errors: dict[str, str]) -> None:
        if self.customer_id is None and self.customer_name is None:
            errors["customer_name"] = "no customer: this row names none"
            return
        if self.customer_name is None:
            return
        try:
            self.customer = _customer_draft(
                self.customer_name,
                self.customer_tags,
                self.customer_city,
                self.customer_region,
                self.customer_country,
            )
        except ValidationFailed as exc:
            for field, reason in exc.errors.items():
                errors["customer_name" if field == "name" else f"customer_{field}"] = reason

    def _price(self, basis: PriceBasis, errors: dict[str, str]) -> None:
        """Set unit_price, line_total and unit_cost per the basis, or add errors."""
        unit_price, line_total = self.unit_price, self.line_total
        if basis is PriceBasis.UNIT_PRICE or (basis is PriceBasis.BOTH and line_total is None):
            if unit_price is None:
                errors["unit_price"] = REQUIRED_REASON
                return
            line_total = line_total_of(self.quantity, unit_price, self.discount)
        elif line_total is None:
            errors["line_total"] = REQUIRED_REASON
            return
        elif basis is PriceBasis.LINE_TOTAL or unit_price is None:
            unit_price = unit_price_of(line_total, self.quantity, self.discount)
        assert line_total is not None
        if line_total >= MAX_AMOUNT:
            errors["quantity"] = "makes the line total too large"
            return
        if self.unit_cost is None and self.profit is not None:
            if self.profit > line_total:
                errors["profit"] = "is more than the line total: the cost would be negative"
                return
            self.unit_cost = unit_cost_of(line_total, self.profit, self.quantity)
        self.unit_price, self.line_total = unit_price, line_total


@lru_cache(maxsize=4096)  # a customer's rows repeat the same cells; drafts are not changed
def _customer_draft(
    name: str, tags: str | None, city: str | None, region: str | None, country: str | None
) -> CustomerDraft:
    return CustomerDraft.from_input(name=name, tags=tags, city=city, region=region, country=country)


RECORDS: dict[ImportKind, type[ImportRecord]] = {
    ImportKind.CUSTOMERS: CustomerRecord,
    ImportKind.PRODUCTS: ProductRecord,
    ImportKind.ORDERS: OrderLineRecord,
}


def validate_row(
    kind: ImportKind,
    values: dict[str, str],
    *,
    line: int,
    columns: ColumnMap,
    date_format: str | None = None,
    basis: PriceBasis = PriceBasis.UNIT_PRICE,
) -> tuple[ImportRecord | None, list[RowError]]:
    """A validated record for the row's values (field -> text), or its errors (one per cell)."""
    model = RECORDS[kind]
    context = {"date_format": date_format, "price_basis": basis}
    try:
        return model.model_validate(values, context=context), []
    except ValidationFailed as exc:
        problems = list(exc.errors.items())
    except ValidationError as exc:
        problems = [(str(e["loc"][0]) if e["loc"] else "", e["msg"]) for e in exc.errors()]
    return None, [row_error(line, columns, values, field, reason) for field, reason in problems]


# A rule about one of two alternative fields is reported on whichever the file has.
_STANDS_IN = {
    "customer_name": "customer_id",
    "unit_price": "line_total",
    "line_total": "unit_price",
}


def row_error(
    line: int, columns: ColumnMap, values: dict[str, str], field: str, reason: str
) -> RowError:
    """A RowError naming the file's column for one of our fields."""
    if field not in columns.columns:
        field = _STANDS_IN.get(field, field)
    column = columns.columns.get(field, "")
    return RowError(line=line, column=column, value=values.get(field, ""), reason=reason)


# -- results -------------------------------------------------------------------------------------


class Counts(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    @property
    def touched(self) -> bool:
        return bool(self.created or self.updated or self.unchanged or self.rejected)

    def __str__(self) -> str:
        return (
            f"{self.created:,} created, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged, {self.rejected:,} rejected"
        )


class ProductSplit(BaseModel):
    """One product id of the file that carries several names: each became its own product."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    skus: list[str]

    def __str__(self) -> str:
        return f"{self.product_id}: {len(self.skus)} names → {', '.join(self.skus)}"


class ImportSummary(BaseModel):
    """What one import run did."""

    kind: ImportKind
    team_id: str
    file: str
    run: int = 0  # the workspace's import run number (its audit entry's id)
    rows: int = 0  # data rows read (blank lines not counted)
    customers: Counts = Field(default_factory=Counts)
    products: Counts = Field(default_factory=Counts)
    orders: Counts = Field(default_factory=Counts)
    lines: Counts = Field(default_factory=Counts)
    stock_movements: int = 0  # opening balances written by a products import
    errors: list[RowError] = Field(default_factory=list)
    splits: list[ProductSplit] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    elapsed_seconds: float = 0.0

    @property
    def rejected_rows(self) -> int:
        return len({e.line for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors

    def render(self) -> list[str]:
        """The summary as lines of text, for a terminal or a Slack message."""
        lines = [
            f"{self.kind} from {self.file} into {self.team_id}: {self.rows:,} rows read, "
            f"{self.rows - self.rejected_rows:,} imported, {self.rejected_rows:,} rejected "
            f"({self.elapsed_seconds:.1f} s)"
        ]
        for name in ("customers", "products", "orders", "lines"):
            counts: Counts = getattr(self, name)
            if counts.touched:
                lines.append(f"  {name + ':':<10} {counts}")
        if self.stock_movements:
            lines.append(f"  opening stock: {self.stock_movements:,} adjustments")
        if self.splits:
            lines.append(
                f"  {len(self.splits)} product ids carry several names; each name is its own "
                "product:"
            )
            lines.extend(f"    {split}" for split in self.splits)
        lines.extend(f"  note: {note}" for note in self.notes)
        return lines
