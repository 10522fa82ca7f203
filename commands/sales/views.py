"""Block Kit for /sales record: the order form with its lines, and the answer after saving.

Each line of the form has a stable key (kept in private_metadata) that ends the block ids
of its inputs. Adding or removing a line redraws the form with views.update; because the
other lines keep their block ids, Slack keeps what was typed in them, and the new view
carries the same values as initial values too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any, TypeGuard

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    ExternalDataSelectElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from commands.customer.options import customer_option
from commands.fit import fit
from commands.format import escape, truncate
from commands.ids import ActionId, CallbackId
from commands.modal_context import METADATA_MAX, ModalContext
from domain.customers import Customer
from domain.money import format_discount, format_money
from domain.orders import MAX_LINES, NOTE_MAX, LineInput, RecordedLine, RecordedOrder

MODAL_BLOCKS_MAX = 100  # Slack's limit for a modal
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
QUANTITY_LENGTH_MAX = 12
PRICE_LENGTH_MAX = 24
DISCOUNT_LENGTH_MAX = 12
ERROR_MAX = 300  # an inline error is a line or two under its field
SECTION_MAX = 3000
NAME_SHOWN_MAX = 80  # of a product's name in the answer, so 20 lines fit in a message


class SaleBlock(StrEnum):
    """Block ids of the order form; a line's blocks are `<prefix>_<line key>` (`line_block`)."""

    CUSTOMER = "sale_customer"
    DATE = "sale_date"
    NOTE = "sale_note"
    LINES = "sale_lines"  # actions under the lines: Add line (and Remove buttons, when shared)
    PRODUCT = "sale_product"
    QUANTITY = "sale_quantity"
    PRICE = "sale_price"
    DISCOUNT = "sale_discount"
    LINE_ACTIONS = "sale_line"  # a line's own Remove button


LINE_FIELDS = (SaleBlock.PRODUCT, SaleBlock.QUANTITY, SaleBlock.PRICE, SaleBlock.DISCOUNT)
# The domain's error keys (customer, date, note, lines, line<n>.<field>) → the form's blocks.
_FIELD_BLOCKS = {
    "product": SaleBlock.PRODUCT,
    "quantity": SaleBlock.QUANTITY,
    "price": SaleBlock.PRICE,
    "discount": SaleBlock.DISCOUNT,
}
_ORDER_BLOCKS = {"customer": SaleBlock.CUSTOMER, "date": SaleBlock.DATE, "note": SaleBlock.NOTE}
_LINE_ERROR = re.compile(r"^line(\d+)\.(\w+)$")
_REMOVE_ACTION = re.compile(rf"^{ActionId.SALE_LINE_REMOVE}:(\d+)$")


def line_block(prefix: SaleBlock, key: int) -> str:
    """The block id of one line's input: 'sale_quantity_3'."""
    return f"{prefix}_{key}"


def remove_action_id(key: int) -> str:
    """Remove buttons may share a block, where action ids must differ: 'sale_line_remove:3'."""
    return f"{ActionId.SALE_LINE_REMOVE}:{key}"


# -- what the form carries -------------------------------------------------------------------


@dataclass(frozen=True)
class SaleMeta:
    """private_metadata of the order form: where it was opened from, and its lines' keys."""

    context: ModalContext
    keys: tuple[int, ...] = (1,)  # the lines, in order; each key names its blocks
    next_key: int = 2  # never reused, so a removed line's typing never comes back

    @classmethod
    def new(cls, context: ModalContext) -> SaleMeta:
        return cls(context)

    def with_line(self) -> SaleMeta:
        if len(self.keys) >= MAX_LINES:
            return self
        return replace(self, keys=(*self.keys, self.next_key), next_key=self.next_key + 1)

    def without(self, key: int) -> SaleMeta:
        if key not in self.keys or len(self.keys) <= 1:
            return self
        return replace(self, keys=tuple(k for k in self.keys if k != key))

    def dump(self) -> str:
        text = self._dump(self.context)
        if len(text) > METADATA_MAX:
            # Without the URL the answer goes to the channel or a DM instead.
            text = self._dump(replace(self.context, response_url=None, message_link=None))
        return text

    def _dump(self, context: ModalContext) -> str:
        data = {"m": json.loads(context.dump()), "l": list(self.keys), "n": self.next_key}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def load(cls, text: str) -> SaleMeta:
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        context, listed, next_key = data.get("m"), data.get("l"), data.get("n")
        if not isinstance(context, dict):
            context = {}
        if not isinstance(listed, list):
            listed = []
        keys = tuple(dict.fromkeys(k for k in listed if _is_key(k)))[:MAX_LINES] or (1,)
        if not _is_key(next_key) or next_key <= max(keys):
            next_key = max(keys) + 1
        return cls(ModalContext.load(json.dumps(context)), keys, next_key)


def _is_key(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


@dataclass(frozen=True)
class LineForm:
    """One line as typed: the picked product's option and three texts."""

    key: int
    product: Option | None = None
    quantity: str | None = None
    price: str | None = None
    discount: str | None = None

    @property
    def product_id(self) -> int | None:
        value = self.product.value if self.product else None
        return int(value) if value and value.isdigit() else None

    def as_input(self) -> LineInput:
        return LineInput(
            product_id=self.product_id,
            quantity=self.quantity or "",
            unit_price=self.price,
            discount=self.discount,
        )


@dataclass(frozen=True)
class SaleForm:
    """The form's values as Slack sends them in view.state.values."""

    customer: Option | None = None
    order_date: str | None = None  # 'YYYY-MM-DD', as the datepicker sends it
    note: str | None = None
    lines: tuple[LineForm, ...] = ()

    @property
    def customer_id(self) -> int | None:
        value = self.customer.value if self.customer else None
        return int(value) if value and value.isdigit() else None

    @property
    def day(self) -> date | None:
        """The chosen date; None when none was chosen or it cannot be read."""
        try:
            return date.fromisoformat(self.order_date) if self.order_date else None
        except ValueError:
            return None

    def problems(self) -> dict[str, str]:
        """What is wrong before the order is even checked: inline errors by block id."""
        if self.order_date and self.day is None:
            return {SaleBlock.DATE: "Pick the order's date from the calendar."}
        return {}

    def line_inputs(self) -> list[LineInput]:
        return [line.as_input() for line in self.lines]

    def with_lines(self, keys: tuple[int, ...]) -> SaleForm:
        """The same form for these line keys: typed lines kept, new keys empty."""
        by_key = {line.key: line for line in self.lines}
        return replace(self, lines=tuple(by_key.get(k, LineForm(k)) for k in keys))


def read_form(values: dict[str, dict[str, dict[str, Any]]], keys: tuple[int, ...]) -> SaleForm:
    """Pull the form's values out of view.state.values, the lines in the order of `keys`."""

    def state(block_id: str, action_id: str = ActionId.INPUT) -> dict[str, Any]:
        entry = (values.get(block_id) or {}).get(action_id)
        return entry if isinstance(entry, dict) else {}

    def text(block_id: str) -> str | None:
        value = state(block_id).get("value")
        return value if isinstance(value, str) else None

    lines = tuple(
        LineForm(
            key=key,
            product=_picked(state(line_block(SaleBlock.PRODUCT, key), ActionId.PRODUCT_SELECT)),
            quantity=text(line_block(SaleBlock.QUANTITY, key)),
            price=text(line_block(SaleBlock.PRICE, key)),
            discount=text(line_block(SaleBlock.DISCOUNT, key)),
        )
        for key in keys
    )
    chosen_date = state(SaleBlock.DATE).get("selected_date")
    return SaleForm(
        customer=_picked(state(SaleBlock.CUSTOMER, ActionId.CUSTOMER_SELECT)),
        order_date=chosen_date if isinstance(chosen_date, str) else None,
        note=text(SaleBlock.NOTE),
        lines=lines,
    )


def _picked(entry: dict[str, Any]) -> Option | None:
    """An external_select's selected option, kept to Slack's option limits."""
    picked = entry.get("selected_option")
    if not isinstance(picked, dict) or not picked.get("value"):
        return None
    value = str(picked["value"])[:OPTION_VALUE_MAX]
    label = (picked.get("text") or {}).get("text") or value
    return Option(text=truncate(str(label), OPTION_TEXT_MAX), value=value)


def error_blocks(errors: dict[str, str], keys: tuple[int, ...]) -> dict[str, str]:
    """The domain's errors keyed by the form's block ids (line<n> is the n-th line shown)."""
    first_product = line_block(SaleBlock.PRODUCT, keys[0])
    by_block: dict[str, str] = {}
    for field, message in errors.items():
        block: str = first_product  # "lines", and anything unforeseen, go to the first line
        if field in _ORDER_BLOCKS:
            block = _ORDER_BLOCKS[field]
        elif match := _LINE_ERROR.match(field):
            n, name = int(match.group(1)), match.group(2)
            if 1 <= n <= len(keys) and name in _FIELD_BLOCKS:
                block = line_block(_FIELD_BLOCKS[name], keys[n - 1])
        shown = f"{by_block[block]} {message}" if block in by_block else message
        by_block[block] = truncate(shown, ERROR_MAX)
    return by_block


def removed_key(action_id: str, value: str | None) -> int | None:
    """Which line a Remove button removes: its value, else the key in its action id."""
    if value and value.isdigit():
        return int(value)
    match = _REMOVE_ACTION.match(action_id)
    return int(match.group(1)) if match else None


# -- the modal ----------------------------------------------------------------------------------


def sale_modal(
    meta: SaleMeta, form: SaleForm, *, today: date, initial_customer: Customer | None = None
) -> View:
    """The order form: customer, date, the lines, Add line, a note.

    A line's Remove button sits under it while the form fits Slack's 100 blocks; with the
    most lines, the Remove buttons share the block of the Add line button instead.
    `initial_customer` is picked already when the form has no customer of its own."""
    form = form.with_lines(meta.keys)
    if initial_customer is not None and form.customer is None:
        form = replace(form, customer=customer_option(initial_customer))
    blocks = _modal_blocks(form, today=today, removes_apart=True)
    if len(blocks) > MODAL_BLOCKS_MAX:
        blocks = _modal_blocks(form, today=today, removes_apart=False)
    return View(
        type="modal",
        callback_id=CallbackId.SALE_SAVE,
        title=PlainTextObject(text="Record an order"),
        submit=PlainTextObject(text="Record"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=meta.dump(),
        blocks=blocks,
    )


def _modal_blocks(form: SaleForm, *, today: date, removes_apart: bool) -> list[Block]:
    day = form.order_date if form.day is not None else None
    blocks: list[Block] = [
        InputBlock(
            block_id=SaleBlock.CUSTOMER,
            label="Customer",
            element=ExternalDataSelectElement(
                action_id=ActionId.CUSTOMER_SELECT,
                placeholder="Type a name, company or C-12",
                min_query_length=1,
                initial_option=form.customer,
            ),
        ),
        InputBlock(
            block_id=SaleBlock.DATE,
            label="Date",
            element=DatePickerElement(
                action_id=ActionId.INPUT, initial_date=day or today.isoformat()
            ),
        ),
    ]
    several = len(form.lines) > 1
    shared: list[ButtonElement] = []
    for n, line in enumerate(form.lines, 1):
        blocks += _line_blocks(n, line, several=several)
        if several:
            button = _remove_button(n, line.key)
            if removes_apart:
                blocks.append(
                    ActionsBlock(
                        block_id=line_block(SaleBlock.LINE_ACTIONS, line.key), elements=[button]
                    )
                )
            else:
                shared.append(button)
    buttons: list[ButtonElement] = []
    if len(form.lines) < MAX_LINES:
        buttons.append(
            ButtonElement(text="Add line", action_id=ActionId.SALE_LINE_ADD, value="add")
        )
    if buttons or shared:
        blocks.append(ActionsBlock(block_id=SaleBlock.LINES, elements=[*buttons, *shared]))
    blocks.append(
        InputBlock(
            block_id=SaleBlock.NOTE,
            label="Note",
            optional=True,
            element=PlainTextInputElement(
                action_id=ActionId.INPUT,
                multiline=True,
                max_length=NOTE_MAX,
                initial_value=form.note or None,
                placeholder="PO number, delivery terms, anything worth keeping",
            ),
        )
    )
    return blocks


def _line_blocks(n: int, line: LineForm, *, several: bool) -> list[Block]:
    return [
        InputBlock(
            block_id=line_block(SaleBlock.PRODUCT, line.key),
            label=f"Line {n}: product" if several else "Product",
            element=ExternalDataSelectElement(
                action_id=ActionId.PRODUCT_SELECT,
                placeholder="Type a SKU or a product name",
                min_query_length=1,
                initial_option=line.product,
            ),
        ),
        _text_input(
            line_block(SaleBlock.QUANTITY, line.key), "Quantity", line.quantity,
            optional=False, max_length=QUANTITY_LENGTH_MAX, placeholder="Units, like 3",
        ),
        _text_input(
            line_block(SaleBlock.PRICE, line.key), "Unit price", line.price,
            max_length=PRICE_LENGTH_MAX, placeholder="list price",
        ),
        _text_input(
            line_block(SaleBlock.DISCOUNT, line.key), "Discount", line.discount,
            max_length=DISCOUNT_LENGTH_MAX, placeholder="15% or 0.15",
        ),
    ]  # fmt: skip


def _text_input(
    block_id: str,
    label: str,
    initial: str | None,
    *,
    optional: bool = True,
    max_length: int,
    placeholder: str,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        element=PlainTextInputElement(
            action_id=ActionId.INPUT,
            # Slack refuses an initial value longer than the field's max_length.
            initial_value=truncate(initial, max_length) if initial else None,
            max_length=max_length,
            placeholder=placeholder,
        ),
    )


def _remove_button(n: int, key: int) -> ButtonElement:
    return ButtonElement(text=f"Remove line {n}", action_id=remove_action_id(key), value=str(key))


# -- after saving -------------------------------------------------------------------------------


def product_label(line: RecordedLine) -> str:
    """'`CH-1` Office chair', escaped, the name shortened."""
    name = truncate(" ".join(line.product.name.split()), NAME_SHOWN_MAX)
    return f"`{escape(line.product.sku)}` {escape(name)}"


def line_text(line: RecordedLine, currency: str) -> str:
    """'3 × `CH-1` Office chair @ $120.00 − 15% = *$306.00*' (cents for display only)."""
    stored = line.line
    price = format_money(stored.unit_price, currency)
    text = f"{stored.quantity:,} × {product_label(line)} @ {price}"
    if stored.discount:
        text += f" − {format_discount(stored.discount)}"
    return f"{text} = *{format_money(stored.line_total, currency)}*"


def recorded_text(recorded: RecordedOrder, customer: Customer, *, currency: str) -> str:
    """The notification line: 'Recorded O-12 for C-3 Acme Corp: 2 lines, $1,234.56.'."""
    order = recorded.order
    count = len(recorded.lines)
    name = escape(truncate(customer.name, 100))
    text = (
        f"Recorded {order.public_id} for {customer.public_id} {name}: "
        f"{count} line{'s' if count != 1 else ''}, {format_money(order.total, currency)}."
    )
    if oversold := recorded.oversold:
        skus = ", ".join(escape(line.product.sku) for line in oversold[:5])
        text += f" Oversold: {skus}{'…' if len(oversold) > 5 else ''}."
    return text


def recorded_blocks(
    recorded: RecordedOrder,
    customer: Customer,
    *,
    currency: str,
    stock_channel_id: str | None = None,
) -> list[Block]:
    """The order as saved: number, customer, date, each line, the total; stock warnings."""
    order = recorded.order
    head = (
        f":white_check_mark: Recorded *{order.public_id}* for "
        f"*{customer.public_id} {escape(truncate(customer.name, 200))}* · "
        f"{order.order_date.strftime('%a %-d %b %Y')}"
    )
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=head))]
    blocks += _sections([line_text(line, currency) for line in recorded.lines])
    count = len(recorded.lines)
    total = f"*Total: {format_money(order.total, currency)}* · {count} line{'s' * (count != 1)}"
    blocks.append(SectionBlock(text=MarkdownTextObject(text=total)))
    warnings = [_oversold_text(line) for line in recorded.oversold]
    warnings += [
        _alert_text(line, stock_channel_id) for line in recorded.lines if line.stock.alert_queued
    ]
    blocks += _sections(warnings)
    details = []
    if order.note:
        details.append(f"Note: {escape(truncate(order.note, 500))}")
    details.append(f"Recorded by <@{order.created_by}>" if order.created_by else "Recorded")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" · ".join(details))]))
    return fit(blocks)


def _oversold_text(line: RecordedLine) -> str:
    stock = line.stock
    return (
        f":red_circle: {product_label(line)} is oversold: stock is now *{stock.after:,}* "
        f"(was {stock.before:,} before this order). Receive stock or check the count."
    )


def _alert_text(line: RecordedLine, channel_id: str | None) -> str:
    stock = line.stock
    where = f"to <#{channel_id}>" if channel_id else "to the stock channel"
    point = f" (reorder point {stock.reorder_point:,})" if stock.reorder_point is not None else ""
    return (
        f":bell: {product_label(line)} is down to {stock.after:,}{point}: "
        f"a low-stock alert is on its way {where}."
    )


def _sections(lines: list[str]) -> list[Block]:
    """Lines of mrkdwn in as few sections as fit Slack's 3,000 characters each."""
    sections: list[Block] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        line = truncate(line, SECTION_MAX)
        if chunk and size + 1 + len(line) > SECTION_MAX:
            sections.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        sections.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
    return sections
