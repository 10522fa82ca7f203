"""Listeners for /customer, its buttons and its modals: ack, parse, call, render."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from commands.customer import grammar
from commands.customer.card import Profile, card_blocks, card_text, history_blocks
from commands.customer.views import (
    CONTACT_FIELD_BLOCKS,
    FIELD_BLOCKS,
    ModalContext,
    contact_modal,
    customer_modal,
    no_match_blocks,
    read_contact_modal,
    read_modal,
    search_blocks,
)
from commands.format import escape, truncate
from commands.ids import BlockId
from commands.reply import answer, reply_privately
from commands.usage import usage_blocks, usage_fallback
from domain.customers import Customer, CustomerDraft
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.workspaces import Workspace


def render_card(services: Any, workspace: Workspace, customer: Customer) -> tuple[str, list[Block]]:
    """The card's fallback text and blocks, with the customer's history and open tasks."""
    team = workspace.team_id
    history = services.interactions.history(team, customer.id, limit=5)
    tasks, task_total = services.tasks.for_customer(team, customer.id, limit=5)
    profile = Profile(
        customer=customer,
        interactions=history,
        open_tasks=tasks,
        open_task_total=task_total,
        last_contact_at=history.items[0].occurred_at if history.items else None,
        purchases=services.orders.purchases(team, customer.id),
        currency=workspace.currency,
    )
    blocks = card_blocks(profile, tz=workspace.tz, now=services.clock.now())
    return card_text(customer), blocks


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
        problem = str(exc)
        ack(text=usage_fallback(grammar.SPEC, problem), blocks=usage_blocks(grammar.SPEC, problem))
        return
    if isinstance(intent, grammar.Help):
        ack(text=usage_fallback(grammar.SPEC), blocks=usage_blocks(grammar.SPEC))
        return
    ack()
    origin = ModalContext.opened_from(command)
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
        text, blocks = render_card(services, workspace, result.matches[0])
        answer(respond, text=text, blocks=blocks)
    elif result.total == 0:
        answer(respond, text=f"No customer matches {shown}.", blocks=no_match_blocks(query))
    else:
        answer(
            respond, text=f"{result.total} customers match {shown}.", blocks=search_blocks(result)
        )


def open_card(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    services: Any,
    workspace: Workspace,
) -> None:
    """The Open button: a search list (ephemeral) becomes the card; a reminder DM stays."""
    ack()
    customer = services.customers.get(workspace.team_id, int(action["value"]))
    text, blocks = render_card(services, workspace, customer)
    in_place = bool((body.get("container") or {}).get("is_ephemeral"))
    answer(respond, text=text, blocks=blocks, replace_original=in_place)


def show_more_history(
    ack: Ack, action: dict[str, Any], respond: Respond, services: Any, workspace: Workspace
) -> None:
    """Show more: the next page of a customer's interactions, as a new message."""
    ack()
    customer_id, _, offset = action["value"].partition(":")
    customer = services.customers.get(workspace.team_id, int(customer_id))
    page = services.interactions.history(
        workspace.team_id, customer.id, offset=int(offset or 0), limit=10
    )
    answer(
        respond,
        text=f"Interactions with {card_text(customer)}",
        blocks=history_blocks(customer, page, tz=workspace.tz),
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
    view = customer_modal(ModalContext.opened_from(body, customer.id), customer=customer)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def open_add_form(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient
) -> None:
    """The Add button under "no match": the form with the searched name filled in."""
    ack()
    view = customer_modal(
        ModalContext.opened_from(body), name=action.get("value"), owner_id=body["user"]["id"]
    )
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
    text, blocks = render_card(services, workspace, customer)
    reply_privately(
        client,
        user_id=user_id,
        text=("Saved " if origin.customer_id else "Added ") + text,
        blocks=blocks,
        response_url=origin.response_url,
        channel_id=origin.channel_id,
        replace_original=origin.customer_id is not None,
    )


def open_contact_form(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """Add contact on a card."""
    ack()
    customer = services.customers.get(workspace.team_id, int(action["value"]))
    client.views_open(
        trigger_id=body["trigger_id"],
        view=contact_modal(ModalContext.opened_from(body, customer.id), customer),
    )


def save_contact(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """Contact form submit: validate inline, save, answer with the updated card."""
    origin = ModalContext.load(view.get("private_metadata", ""))
    user_id = body["user"]["id"]
    assert origin.customer_id is not None
    try:
        customer = services.customers.add_contact(
            workspace.team_id,
            origin.customer_id,
            actor=user_id,
            **read_contact_modal(view["state"]["values"]),
        )
    except ValidationFailed as exc:
        errors = {CONTACT_FIELD_BLOCKS[f]: msg for f, msg in exc.errors.items()}
        ack(response_action="errors", errors=errors)
        return
    except NotFound as exc:
        ack(response_action="errors", errors={BlockId.CONTACT_NAME: exc.message})
        return
    ack()
    text, blocks = render_card(services, workspace, customer)
    reply_privately(
        client,
        user_id=user_id,
        text="Contact added to " + text,
        blocks=blocks,
        response_url=origin.response_url,
        channel_id=origin.channel_id,
        replace_original=True,
    )


def remove_contact(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    respond: Respond,
    services: Any,
    workspace: Workspace,
) -> None:
    """Remove contact (overflow on a contact line): update the card in place."""
    ack()
    customer_id, _, contact_id = action["selected_option"]["value"].partition(":")
    customer = services.customers.remove_contact(
        workspace.team_id, int(customer_id), int(contact_id), actor=body["user"]["id"]
    )
    text, blocks = render_card(services, workspace, customer)
    answer(respond, text=text, blocks=blocks, replace_original=True)
