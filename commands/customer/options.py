"""The customer picker: options for every external_select with ActionId.CUSTOMER_SELECT."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk.models.blocks import Option

from commands.format import truncate
from domain.customers import Customer
from domain.workspaces import Workspace

OPTIONS_MAX = 20  # Slack shows up to 100; a short list keeps typing-as-you-search quick
OPTION_TEXT_MAX = 75
QUERY_MAX = 200


def customer_option(customer: Customer) -> Option:
    """ "Acme Corp (C-12)", the name shortened so the id always shows; value: the row id."""
    suffix = f" ({customer.public_id})"
    name = truncate(" ".join(customer.name.split()), OPTION_TEXT_MAX - len(suffix))
    return Option(text=name + suffix, value=str(customer.id))


def customer_options(
    ack: Ack, payload: dict[str, Any], services: Any, workspace: Workspace
) -> None:
    """Customers whose id, name, company or email match what was typed (one search)."""
    query = " ".join((payload.get("value") or "").split())[:QUERY_MAX]
    if not query:
        ack(options=[])
        return
    result = services.customers.find(workspace.team_id, query, limit=OPTIONS_MAX)
    ack(options=[customer_option(c) for c in result.matches])
