"""The product picker: options for every external_select with ActionId.PRODUCT_SELECT."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk.models.blocks import Option

from commands.format import truncate
from domain.catalog import Product
from domain.money import format_money
from domain.workspaces import Workspace

OPTIONS_MAX = 20  # Slack shows up to 100; a short list keeps typing-as-you-search quick
OPTION_TEXT_MAX = 75
QUERY_MAX = 100  # longer than any SKU (64), and enough of a name to find it


def product_option(product: Product, currency: str = "USD") -> Option:
    """'CH-1 · Office chair · $120.00': the name shortened so the price always shows;
    value: the row id."""
    price = f" · {format_money(product.list_price, currency)}"
    head = f"{product.sku} · {' '.join(product.name.split())}"
    return Option(text=truncate(head, OPTION_TEXT_MAX - len(price)) + price, value=str(product.id))


def product_options(ack: Ack, payload: dict[str, Any], services: Any, workspace: Workspace) -> None:
    """This workspace's products whose SKU starts with, or name contains, what was typed."""
    query = " ".join((payload.get("value") or "").split())[:QUERY_MAX]
    if not query:
        ack(options=[])
        return
    result = services.catalog.find(workspace.team_id, query, limit=OPTIONS_MAX)
    # Discontinued (inactive) products are not for sale, so the order form does not offer them.
    sellable = [p for p in result.matches if p.active]
    ack(options=[product_option(p, workspace.currency) for p in sellable])
