"""Listeners for /customer, its buttons and its modal: ack, parse, call, render."""

from __future__ import annotations

import secrets
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from commands.customer import grammar
from commands.customer.views import (
    FIELD_BLOCKS,
    ModalContext,
    card_blocks,
    card_text,
    customer_modal,
    no_match_blocks,
    read_modal,
    search_blocks,
)
from commands.format import escape, truncate
from commands.ids import BlockId
from commands.reply import answer, reply_privately
from commands.usage import usage_blocks, usage_fallback
from domain.customers import CustomerDraft
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.workspaces import Workspace


def customer_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """/customer <text|C-12> | add [name] | edit C-12 | help."""
    try:
        intent = grammar.parse(command.get("text") or "")
    except grammar.UsageError as exc:
        ack(
            text=usage_fallback(grammar.SPEC, str(exc)), blocks=usage_blocks(grammar.SPEC, str(exc))
        )
        return
    if isinstance(intent, grammar.Help):
        ack(text=usage_fallback(grammar.SPEC), blocks=usage_blocks(grammar.SPEC))
        return
    ack()
    origin = ModalContext(
        None, secrets.token_urlsafe(12), command.get("response_url"), command.get("channel_id")
    )
    if isinstance(intent, grammar.Add):
        view = customer_modal(origin, name=intent.name, owner_id=command["user_id"])
        client.views_open(trigger_id=command["trigger_id"], view=view)
    elif isinstance(intent, grammar.Edit):
        customer = services.customers.get_by_number(workspace.team_id, intent.number)
        view = customer_modal(origin.with_customer(customer.id), customer=customer)
        client.views_open(trigger_id=command["trigger_id"], view=view)
    else:
        show_search(respond, services, workspace, intent.query)


def show_search(respond: Respond, services: Any, workspace: Workspace, query: str) -> None:
    """One match → its card; several → a list to pick from; none → offer to add."""
    result = services.customers.find(workspace.team_id, query)
    shown = escape(truncate(query, 100))
    if result.total == 1:
        customer = result.matches[0]
        answer(respond, text=card_text(customer), blocks=card_blocks(customer, workspace.tz))
    elif result.total == 0:
        answer(respond, text=f"No customer matches {shown}.", blocks=no_match_blocks(query))
    else:
        answer(
            respond, text=f"{result.total} customers match {shown}.", blocks=search_blocks(result)
        )


def open_card(
    ack: Ack, action: dict[str, Any], respond: Respond, services: Any, workspace: Workspace
) -> None:
    """The Open button in a search list: replace the list with the card."""
    ack()
    customer = services.customers.get(workspace.team_id, int(action["value"]))
    answer(
        respond,
        text=card_text(customer),
        blocks=card_blocks(customer, workspace.tz),
        replace_original=True,
    )


def open_edit_form(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """The Edit button on a card: the same form, prefilled."""
    ack()
    customer = services.customers.get(workspace.team_id, int(action["value"]))
    origin = ModalContext(
        customer.id,
        secrets.token_urlsafe(12),
        body.get("response_url"),
        (body.get("channel") or {}).get("id"),
    )
    client.views_open(trigger_id=body["trigger_id"], view=customer_modal(origin, customer=customer))


def open_add_form(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient
) -> None:
    """The Add button under "no match": the form with the searched name filled in."""
    ack()
    origin = ModalContext(
        None,
        secrets.token_urlsafe(12),
        body.get("response_url"),
        (body.get("channel") or {}).get("id"),
    )
    view = customer_modal(origin, name=action.get("value"), owner_id=body["user"]["id"])
    client.views_open(trigger_id=body["trigger_id"], view=view)


def save_customer(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """Modal submit: validate inline, save once, answer with the card."""
    origin = ModalContext.load(view.get("private_metadata", ""))
    user_id = body["user"]["id"]
    try:
        draft = CustomerDraft.from_input(**read_modal(view["state"]["values"]))
        if origin.customer_id is not None:
            customer = services.customers.update(
                workspace.team_id, origin.customer_id, draft, actor=user_id
            )
        else:
            customer = services.customers.create(
                workspace.team_id,
                draft,
                actor=user_id,
                idempotency_key=f"customer_save:{origin.token}" if origin.token else None,
            )
    except ValidationFailed as exc:
        errors = {FIELD_BLOCKS[field]: msg for field, msg in exc.errors.items()}
        ack(response_action="errors", errors=errors)
        return
    except (NotFound, Conflict) as exc:
        ack(response_action="errors", errors={BlockId.CUSTOMER_NAME: exc.message})
        return
    ack()
    reply_privately(
        client,
        user_id=user_id,
        text=("Saved " if origin.customer_id else "Added ") + card_text(customer),
        blocks=card_blocks(customer, workspace.tz),
        response_url=origin.response_url,
        channel_id=origin.channel_id,
        replace_original=origin.customer_id is not None,
    )
