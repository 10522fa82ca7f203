"""Block Kit for stock: the product card, lists, history, the rule form and the alert.

Pure functions of domain objects. Numbers people act on (level, point, sales, cover, what
to order) are always shown with their unit; a negative level carries a :red_circle: and the
word "oversold", since mrkdwn has no colours.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from commands.fit import MESSAGE_BUDGET, fit
from commands.format import escape, local_date, mention, truncate
from commands.ids import ActionId, CallbackId
from domain import reorder
from domain.catalog import Product, ProductSearch
from domain.inventory import Level, LowList, Movement, MovementKind, MoveResult
from domain.when import describe

SECTION_MAX = 3000
FIELD_MAX = 2000
METADATA_MAX = 3000
CARD_MOVEMENTS = 5
HISTORY_PAGE = 10
LOW_PAGE = 10  # products per /stock low message at most
MAX_BLOCKS = 50
NAME_SHOWN = 120  # characters of a product's name on list lines
REASON_SHOWN = 200  # … and of a movement's reason


class StockBlock(StrEnum):
    """Block ids of stock messages and the rule form (belong in commands.ids.BlockId)."""

    RULE_POINT = "stock_rule_point"
    RULE_QTY = "stock_rule_qty"
    RULE_LEAD = "stock_rule_lead"
    CARD_ACTIONS = "stock_card_actions"  # the card's buttons: actions here redraw the card
    ALERT_ACTIONS = "stock_alert"  # "stock_alert:<product id>": the channel alert's buttons
    LOW_ITEM = "stock_low"  # "stock_low:<product id>": one product's buttons in /stock low
    MORE = "stock_more"


class StockAction(StrEnum):
    """Action ids only this family uses (belong in commands.ids.ActionId)."""

    LOW_MORE = "stock_low_more"  # value: the offset of the next page of /stock low


# The domain's rule field names → the rule form's blocks, for inline errors.
RULE_BLOCKS = {
    "point": StockBlock.RULE_POINT,
    "qty": StockBlock.RULE_QTY,
    "lead": StockBlock.RULE_LEAD,
}
SNOOZE_LABELS = {"1d": "Snooze 1 day", "1w": "Snooze 1 week"}
_MOVE_LABELS = {
    MovementKind.SALE: "sold",
    MovementKind.RECEIPT: "received",
    MovementKind.ADJUSTMENT: "adjusted",
    MovementKind.RETURN: "returned",
}
_MOVE_ICONS = {
    MovementKind.SALE: ":shopping_trolley:",
    MovementKind.RECEIPT: ":inbox_tray:",
    MovementKind.ADJUSTMENT: ":pencil2:",
    MovementKind.RETURN: ":leftwards_arrow_with_hook:",
}


# --- numbers as shown ---------------------------------------------------------------------------


def units(n: int) -> str:
    return f"{n:,} unit" if abs(n) == 1 else f"{n:,} units"


def signed(n: int) -> str:
    return f"+{n:,}" if n > 0 else f"{n:,}"


def level_text(on_hand: int) -> str:
    """`*12*`, or `:red_circle: *-3* oversold`."""
    if on_hand < 0:
        return f":red_circle: *{on_hand:,}* oversold"
    return f"*{on_hand:,}*"


def cover_text(days: Decimal | None) -> str:
    if days is None:
        return "— (no recent sales)"
    return f"{days} days"


def suggested_rule(level: Level) -> tuple[int, int, int]:
    """(point, qty, lead) that Apply suggestion would set."""
    s = level.suggestion
    return s.reorder_point, max(s.rule_qty, 1), s.lead_time_days


def rule_differs(level: Level) -> bool:
    """No rule yet, or one other than the suggestion: Apply suggestion has something to do."""
    p = level.product
    if not p.has_rule:
        return True
    lead = p.lead_time_days or reorder.DEFAULT_LEAD_TIME_DAYS
    return (p.reorder_point, p.reorder_qty, lead) != suggested_rule(level)


def rule_text(product: Product) -> str:
    """`point 10 · qty 40 · lead 7 days`."""
    if product.lead_time_days is None:
        lead = f"{reorder.DEFAULT_LEAD_TIME_DAYS} days (default)"
    else:
        lead = f"{product.lead_time_days} days"
    qty = f"{product.reorder_qty:,}" if product.reorder_qty is not None else "—"
    return f"point {product.reorder_point:,} · qty {qty} · lead {lead}"


def suggestion_text(level: Level) -> str:
    point, qty, lead = suggested_rule(level)
    return f"point {point:,}, qty {qty:,}, lead {lead} days"


def order_explanation(level: Level) -> str:
    """Why `level.order_now` is what it is: from sales history, or from the rule."""
    if level.suggestion.mean_per_day > 0 or not level.product.has_rule:
        return level.suggestion.explanation
    return level.with_rule.explanation


def order_now_text(level: Level) -> str:
    """`*32 units*`, or why there is nothing to order."""
    if level.order_now > 0:
        return f"*{units(level.order_now)}*"
    if level.on_order > 0:
        return "none: enough is on order"
    return "none"


def product_title(product: Product, limit: int = NAME_SHOWN) -> str:
    """`*CH-100* Office chair` (escaped)."""
    return f"*{escape(product.sku)}* {escape(truncate(product.name, limit))}"


# --- the card -----------------------------------------------------------------------------------


def card_text(product: Product) -> str:
    """The notification line (Slack reads it as mrkdwn too, so it is escaped)."""
    state = " (oversold)" if product.on_hand < 0 else ""
    return (
        f"{escape(product.sku)} {escape(truncate(product.name, 100))}: "
        f"{units(product.on_hand)} on hand{state}"
    )


def card_blocks(
    level: Level,
    movements: Sequence[Movement],
    total_movements: int,
    *,
    tz: ZoneInfo,
    note: str | None = None,
) -> list[Block]:
    """A product's stock card: level, rule or suggestion, sales, cover, recent movements."""
    product = level.product
    blocks: list[Block] = []
    if note:
        blocks.append(_section(note))
    blocks += [
        HeaderBlock(text=truncate(product.name, 150)),
        _section(_card_heading(product)),
        SectionBlock(fields=_card_fields(level)),
        ContextBlock(elements=[MarkdownTextObject(text=truncate(_card_reason(level), 2000))]),
        DividerBlock(),
        _section(_recent(movements, total_movements, tz)),
        ActionsBlock(block_id=StockBlock.CARD_ACTIONS, elements=_card_buttons(level)),
    ]
    return fit(blocks)


def _card_heading(product: Product) -> str:
    parts = [f"*{escape(product.sku)}*"]
    if product.category:
        category = escape(product.category)
        if product.subcategory:
            category += f" › {escape(product.subcategory)}"
        parts.append(category)
    if not product.active:
        parts.append("_inactive_")
    return " · ".join(parts)


def _card_fields(level: Level) -> list[MarkdownTextObject]:
    product = level.product
    if product.has_rule:
        rule = rule_text(product)
    else:
        rule = f"no rule — suggested: {suggestion_text(level)}"
    fields = [
        _field("On hand", level_text(product.on_hand)),
        _field("On order", units(level.on_order)),
        _field("Reorder rule", rule),
        _field("Sold (30 days)", units(level.sold_30d)),
        _field("Days of cover", cover_text(level.suggestion.days_of_cover)),
    ]
    if product.is_low:
        fields.append(_field("Order now", order_now_text(level)))
    return fields


def _card_reason(level: Level) -> str:
    if not level.product.has_rule:
        return f"Suggested rule: {suggestion_text(level)}. {level.suggestion.explanation}"
    text = level.with_rule.explanation
    if rule_differs(level):
        text += f" Suggested: {suggestion_text(level)}."
    return text


def _recent(movements: Sequence[Movement], total: int, tz: ZoneInfo) -> str:
    if not movements:
        return "*Recent movements*\nNone yet: `/stock receive <SKU> <qty>` records stock in."
    lines = [movement_line(m, tz, limit=120) for m in movements[:CARD_MOVEMENTS]]
    more = f"\n…and {total - len(lines):,} earlier" if total > len(lines) else ""
    return "*Recent movements*\n" + "\n".join(lines) + more


def _card_buttons(level: Level) -> list[ButtonElement]:
    product_id = str(level.product.id)
    buttons = [
        ButtonElement(text="History", action_id=ActionId.STOCK_HISTORY, value=f"{product_id}:0"),
        ButtonElement(text="Edit rule", action_id=ActionId.STOCK_RULE_EDIT, value=product_id),
    ]
    if rule_differs(level):
        buttons.append(
            ButtonElement(
                text="Apply suggestion",
                action_id=ActionId.STOCK_APPLY_SUGGESTION,
                value=product_id,
                style="primary",
            )
        )
    return buttons


def movement_line(movement: Movement, tz: ZoneInfo, *, limit: int = REASON_SHOWN) -> str:
    """`:inbox_tray: 2 Mar 2026 · received +24 → 30 · from Acme · <@U1>`."""
    balance = f"{movement.balance_after:,}"
    if movement.balance_after < 0:
        balance = f":red_circle: {balance} (oversold)"
    parts = [
        f"{_MOVE_ICONS[movement.kind]} {local_date(movement.at, tz)}",
        f"{_MOVE_LABELS[movement.kind]} {signed(movement.quantity)} → {balance}",
    ]
    if movement.reason:
        parts.append(escape(truncate(movement.reason, limit)))
    if movement.actor:
        parts.append(mention(movement.actor))
    return " · ".join(parts)


# --- search -------------------------------------------------------------------------------------


def search_blocks(result: ProductSearch) -> list[Block]:
    """Several products match: a line each with an Open button."""
    shown = escape(truncate(result.query, 100))
    blocks: list[Block] = [_section(f"{result.total:,} products match *{shown}*:")]
    for product in result.matches:
        low = " · :warning: at or under its point" if product.is_low else ""
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"{product_title(product)}\n{level_text(product.on_hand)} on hand{low}"
                ),
                accessory=ButtonElement(
                    text="Open", action_id=ActionId.STOCK_OPEN, value=str(product.id)
                ),
            )
        )
    if result.total > len(result.matches):
        blocks.append(
            _context(
                f"Showing {len(result.matches)} of {result.total:,}; "
                "type more of the name, or the SKU, to narrow it down."
            )
        )
    return fit(blocks)


def no_match_text(query: str, *, not_a_subcommand: str | None = None) -> str:
    shown = escape(truncate(query, 100))
    text = (
        f"No product matches *{shown}*. Search by SKU (`/stock CH-100`) or by part of the "
        "name (`/stock chair`); `/stock low` lists what needs reordering."
    )
    if not_a_subcommand:
        text += (
            f"\n`{escape(truncate(not_a_subcommand, 40))}` isn't a /stock subcommand either: "
            "`/stock help` lists them."
        )
    return text


# --- history ------------------------------------------------------------------------------------


def history_blocks(
    product: Product, movements: Sequence[Movement], total: int, *, offset: int, tz: ZoneInfo
) -> list[Block]:
    """One page of a product's movements, newest first, with Show more for the next."""
    if not movements:
        return [_section(f"{product_title(product, 200)}: no movements yet.")]
    upto = offset + len(movements)
    blocks: list[Block] = [
        _section(f"{product_title(product, 200)}: movements {offset + 1}–{upto} of {total:,}")
    ]
    blocks += [_section(movement_line(m, tz)) for m in movements]
    if upto < total:
        blocks.append(
            ActionsBlock(
                block_id=StockBlock.MORE,
                elements=[
                    ButtonElement(
                        text="Show more",
                        action_id=ActionId.STOCK_HISTORY,
                        value=f"{product.id}:{upto}",
                    )
                ],
            )
        )
    return fit(blocks)


def history_text(product: Product, total: int) -> str:
    return f"Stock movements of {escape(product.sku)} ({total:,})"


# --- /stock low ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LowPage:
    blocks: list[Block]
    text: str
    shown: int


def low_blocks(page: LowList, *, offset: int = 0) -> LowPage:
    """Low products worst first, then rule-less ones due by their sales; a page that fits."""
    entries = [(True, lv) for lv in page.low] + [(False, lv) for lv in page.unruled]
    known = page.low_total + len(page.unruled)
    text = (
        f"{page.low_total:,} products at or under their reorder point"
        if page.low_total != 1
        else "1 product at or under its reorder point"
    )
    if not entries:
        none = ":white_check_mark: Nothing is at or under its reorder point."
        return LowPage([_section(none + " `/stock reorder <SKU>` sets a rule.")], none, 0)
    blocks: list[Block] = []
    if offset == 0:
        blocks.append(HeaderBlock(text="Low stock"))
        blocks.append(_section(_low_summary(page)))
    shown = 0
    heading_done = False
    for ruled, level in entries[offset : offset + LOW_PAGE]:
        item: list[Block] = []
        if not ruled and not heading_done:
            item.append(_section("*No rule yet*, but their sales say they are due for one:"))
        item += low_item(level, ruled=ruled)
        if len(blocks) + len(item) > MAX_BLOCKS - 2 or _size([*blocks, *item]) > MESSAGE_BUDGET:
            break
        heading_done = heading_done or not ruled
        blocks += item
        shown += 1
    upto = offset + shown
    if upto < max(len(entries), known) and shown:
        blocks.append(_more_low(upto, max(len(entries), known)))
    return LowPage(fit(blocks), text, shown)


def _low_summary(page: LowList) -> str:
    low = (
        f"*{page.low_total:,}* product{'s are' if page.low_total != 1 else ' is'} "
        "at or under the reorder point, worst first."
    )
    if page.unruled:
        low += f" {len(page.unruled):,} more have no rule yet but are due by their sales."
    return low


def low_item(level: Level, *, ruled: bool) -> list[Block]:
    """One product on /stock low: where it stands, what to order and why; its buttons."""
    product = level.product
    facts = [
        f"{level_text(product.on_hand)} on hand",
        f"point {product.reorder_point:,}" if ruled else "no rule",
        f"sold {level.sold_30d:,} in 30 days",
        f"cover {cover_text(level.suggestion.days_of_cover)}",
    ]
    if level.on_order:
        facts.append(f"{units(level.on_order)} on order")
    if ruled:
        advice = f"Order now: {order_now_text(level)}. {order_explanation(level)}"
    else:
        advice = f"Suggested rule: {suggestion_text(level)}. {level.suggestion.explanation}"
    text = f"{product_title(product)}\n{' · '.join(facts)}\n{advice}"
    buttons: list[ButtonElement] = []
    if rule_differs(level):
        buttons.append(
            ButtonElement(
                text="Apply suggestion",
                action_id=ActionId.STOCK_APPLY_SUGGESTION,
                value=str(product.id),
            )
        )
    if ruled and level.order_now > 0:
        buttons.append(reordered_button(product.id, level.order_now))
    buttons.append(ButtonElement(text="Open", action_id=ActionId.STOCK_OPEN, value=str(product.id)))
    return [
        _section(text),
        ActionsBlock(block_id=f"{StockBlock.LOW_ITEM}:{product.id}", elements=buttons),
    ]


def _more_low(offset: int, total: int) -> ActionsBlock:
    return ActionsBlock(
        block_id=StockBlock.MORE,
        elements=[
            ButtonElement(
                text=f"Show more ({total - offset:,} left)",
                action_id=StockAction.LOW_MORE,
                value=str(offset),
            )
        ],
    )


def reordered_button(product_id: int, qty: int) -> ButtonElement:
    return ButtonElement(
        text=f"Mark reordered ({qty:,})",
        action_id=ActionId.STOCK_REORDERED,
        value=f"{product_id}:{qty}",
        style="primary",
    )


def read_reordered(value: str) -> tuple[int, int]:
    """A Mark reordered button's value, "<product id>:<qty>"."""
    product_id, _, qty = value.partition(":")
    if not product_id.isdigit() or not qty.isdigit():
        raise ValueError(f"not a Mark reordered value: {value!r}")
    return int(product_id), int(qty)


def read_snooze(value: str) -> tuple[int, str]:
    """A snooze button's value, "<product id>:<1d|1w>"."""
    product_id, _, period = value.partition(":")
    if not product_id.isdigit() or period not in SNOOZE_LABELS:
        raise ValueError(f"not a snooze value: {value!r}")
    return int(product_id), period


def read_history(value: str) -> tuple[int, int]:
    """A History / Show more value, "<product id>:<offset>"."""
    product_id, _, offset = value.partition(":")
    return int(product_id), int(offset or 0)


# --- what a write did ---------------------------------------------------------------------------

_DONE = {"receive": "Received", "adjust": "Adjusted", "return": "Returned"}


def move_note(kind: str, result: MoveResult, product: Product, channel: str | None) -> str:
    """What changed (before → after), an oversold warning, and whether an alert went out."""
    qty = result.movement.quantity
    amount = signed(qty) if kind == "adjust" else f"{qty:,}"
    lines = [
        f":white_check_mark: {_DONE[kind]} {amount} × {product_title(product)}: "
        f"{result.before:,} → *{result.after:,}* on hand."
    ]
    if result.movement.reason:
        lines[0] += f" _{escape(truncate(result.movement.reason, REASON_SHOWN))}_"
    if result.went_negative:
        lines.append(
            f":red_circle: Stock is negative: {result.after:,} (oversold). Count it, then "
            "`/stock adjust` if the figure is wrong."
        )
    lines += alert_lines(result.reorder_point, result.after, result.alert_queued, channel)
    return "\n".join(lines)


def alert_lines(point: int | None, level: int, queued: bool, channel: str | None) -> list[str]:
    """Whether a low-stock alert went out, or why not."""
    if point is None or level > point:
        return []
    if queued:
        where = f"<#{channel}>" if channel else "the stock channel"
        return [
            f":rotating_light: At or under its reorder point ({point:,}): an alert went to {where}."
        ]
    if not channel:
        return [
            f":warning: At or under its reorder point ({point:,}), but no stock channel is set, "
            "so no alert went out: `/salesbot settings stock-channel #channel`."
        ]
    return [f":warning: At or under its reorder point ({point:,}); its alert went out already."]


def rule_note(before: Product, after: Product, channel: str | None) -> str:
    """What the rule is now, what it was, and whether the new point raised an alert."""
    changes = []
    for label, old, new in (
        ("point", before.reorder_point, after.reorder_point),
        ("qty", before.reorder_qty, after.reorder_qty),
        ("lead", before.lead_time_days, after.lead_time_days),
    ):
        shown = "none" if new is None else f"{new:,}"
        was = "none" if old is None else f"{old:,}"
        changes.append(f"{label} {shown}" + (f" (was {was})" if old != new else ""))
    lines = [f":white_check_mark: Rule for {product_title(after)}: " + ", ".join(changes) + "."]
    if after.reorder_point is None:
        lines.append(":warning: No reorder point, so no alerts: add `point:<n>`.")
    alerted = after.low_since is not None and before.low_since is None and bool(channel)
    lines += alert_lines(after.reorder_point, after.on_hand, alerted, channel)
    return "\n".join(lines)


# --- the rule form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleContext:
    """The product a rule form is for, and where to answer after it is saved."""

    product_id: int
    response_url: str | None = None
    channel_id: str | None = None
    on_card: bool = False  # opened from a card: the answer replaces it

    @classmethod
    def opened_from(
        cls, payload: dict[str, Any], product_id: int, *, on_card: bool = False
    ) -> RuleContext:
        channel = payload.get("channel")
        channel_id = channel.get("id") if isinstance(channel, dict) else payload.get("channel_id")
        return cls(product_id, payload.get("response_url"), channel_id, on_card)

    def dump(self) -> str:
        data = {"p": self.product_id, "r": self.response_url, "c": self.channel_id}
        data["o"] = int(self.on_card)
        text = json.dumps(data, separators=(",", ":"))
        if len(text) > METADATA_MAX:
            text = json.dumps({**data, "r": None, "o": 0}, separators=(",", ":"))
        return text

    @classmethod
    def load(cls, text: str) -> RuleContext:
        data: dict[str, Any] = json.loads(text or "{}")
        return cls(int(data["p"]), data.get("r"), data.get("c"), bool(data.get("o")))


def rule_modal(level: Level, context: RuleContext) -> View:
    """The reorder rule form: prefilled with the rule, or else the suggestion, and why."""
    product = level.product
    point, qty, lead = suggested_rule(level)
    if product.has_rule:
        point = product.reorder_point or 0
        qty = product.reorder_qty or qty
        lead = product.lead_time_days or lead
    standing = (
        f"{product_title(product, 200)}\n{level_text(product.on_hand)} on hand · "
        f"{units(level.on_order)} on order · sold {level.sold_30d:,} in 30 days"
    )
    why = f"*Suggested:* {suggestion_text(level)}. {level.suggestion.explanation}"
    return View(
        type="modal",
        callback_id=CallbackId.STOCK_RULE_SAVE,
        title="Reorder rule",
        submit="Save rule",
        close="Cancel",
        private_metadata=context.dump(),
        blocks=[
            _section(standing),
            ContextBlock(elements=[MarkdownTextObject(text=truncate(why, 2000))]),
            _number_input(
                StockBlock.RULE_POINT,
                "Reorder point (units)",
                point,
                "Alert when stock is at or under this many units.",
            ),
            _number_input(
                StockBlock.RULE_QTY, "Order quantity (units)", qty, "How many to order each time."
            ),
            _number_input(
                StockBlock.RULE_LEAD,
                "Lead time (days)",
                lead,
                f"From ordering to arrival; empty means {reorder.DEFAULT_LEAD_TIME_DAYS} days.",
                optional=True,
            ),
        ],
    )


def read_rule_modal(values: dict[str, dict[str, dict[str, Any]]]) -> dict[str, str | None]:
    """The rule form's fields as typed: point, qty and lead."""
    return {
        name: values.get(block, {}).get(ActionId.INPUT, {}).get("value")
        for name, block in RULE_BLOCKS.items()
    }


def _number_input(
    block_id: str, label: str, initial: int, hint: str, *, optional: bool = False
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=ActionId.INPUT, initial_value=str(initial), max_length=12
        ),
    )


# --- the low-stock alert ------------------------------------------------------------------------


def alert_message(
    level: Level, *, tz: ZoneInfo, now: datetime, late: bool = False, note: str | None = None
) -> tuple[str, list[Block]]:
    """The channel alert: where the product stands, what to order, and buttons to act."""
    product = level.product
    point = product.reorder_point
    headline = "Low stock" if point is not None else "Oversold"
    where = (
        "is at or under its reorder point."
        if point is not None
        else "is oversold: more was sold than was in stock, and it has no reorder rule."
    )
    blocks: list[Block] = [
        HeaderBlock(text=truncate(f"{headline}: {product.sku} · {product.name}", 150)),
        _section(f"{product_title(product, 200)} {where}"),
        SectionBlock(
            fields=[
                _field("On hand", level_text(product.on_hand)),
                _field("Reorder point", units(point) if point is not None else "no rule"),
                _field("Sold (30 days)", units(level.sold_30d)),
                _field("Days of cover", cover_text(level.suggestion.days_of_cover)),
                _field("On order", units(level.on_order)),
                _field("Suggested order", order_now_text(level)),
            ]
        ),
        _context(order_explanation(level)),
    ]
    if late:
        blocks.append(_context(":hourglass_flowing_sand: Sent late: Salesbot was offline."))
    if note:
        blocks.append(_section(note))
    blocks.append(
        ActionsBlock(
            block_id=f"{StockBlock.ALERT_ACTIONS}:{product.id}", elements=_alert_buttons(level)
        )
    )
    rule = f"reorder point {point:,}" if point is not None else "no reorder rule"
    text = (
        f"{headline}: {escape(product.sku)} {escape(truncate(product.name, 100))}: "
        f"{product.on_hand:,} on hand, {rule}. "
        f"Suggested order: {units(level.order_now)}."
    )
    return text, fit(blocks)


def _alert_buttons(level: Level) -> list[ButtonElement]:
    product_id = level.product.id
    buttons = []
    if level.order_now > 0:
        buttons.append(reordered_button(product_id, level.order_now))
    buttons += [
        # Action ids differ within a block: the period rides in both id and value.
        ButtonElement(
            text=label, action_id=snooze_action_id(period), value=f"{product_id}:{period}"
        )
        for period, label in SNOOZE_LABELS.items()
    ]
    buttons.append(
        ButtonElement(text="Edit rule", action_id=ActionId.STOCK_RULE_EDIT, value=str(product_id))
    )
    return buttons


def snooze_action_id(period: str) -> str:
    """`stock_snooze:1d`: the snooze buttons share the alert's block (handlers match a prefix)."""
    return f"{ActionId.STOCK_SNOOZE}:{period}"


def is_alert_block(block_id: str | None) -> bool:
    return (block_id or "").startswith(f"{StockBlock.ALERT_ACTIONS}:")


def reordered_note(
    product: Product, qty: int, on_order: int, *, by: str, now: datetime, tz: ZoneInfo
) -> str:
    lead = product.lead_time_days or reorder.DEFAULT_LEAD_TIME_DAYS
    expected = local_date(now + timedelta(days=lead), tz)
    return (
        f":package: {mention(by)} marked {escape(product.sku)} reordered: {units(qty)}, "
        f"expected around {expected}. On order now: {units(on_order)}."
    )


def snoozed_note(product: Product, until: datetime, *, by: str, now: datetime, tz: ZoneInfo) -> str:
    return (
        f":zzz: {mention(by)} snoozed this alert until {describe(until, now=now, tz=tz)}. "
        f"If {escape(product.sku)} is still at or under its point then, it alerts again."
    )


# --- helpers ------------------------------------------------------------------------------------


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_MAX)))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(text, 2000))])


def _field(label: str, shown: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=truncate(f"*{label}*\n{shown}", FIELD_MAX))


def _size(blocks: Sequence[Block]) -> int:
    return len(json.dumps([b.to_dict() for b in blocks], ensure_ascii=False))
