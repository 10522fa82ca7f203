"""Listeners for /sales: the order form, its Add line / Remove buttons, and saving it."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from commands.home.publish import refresh as refresh_home
from commands.modal_context import ModalContext
from commands.reply import reply_privately
from commands.sales import dashboard, grammar, report, schedules
from commands.sales.views import (
    SaleForm,
    SaleMeta,
    error_blocks,
    read_form,
    recorded_blocks,
    recorded_text,
    removed_key,
    sale_modal,
)
from commands.usage import usage_blocks, usage_fallback
from domain.customers import Customer
from domain.errors import NotFound, ValidationFailed
from domain.workspaces import Workspace

log = logging.getLogger(__name__)


def sales_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """/sales: the dashboard, a report, saved reports, the order form, or the usage."""
    try:
        intent = grammar.parse(command.get("text") or "")
    except grammar.UsageError as exc:
        problem = str(exc)
        ack(text=usage_fallback(grammar.SPEC, problem), blocks=usage_blocks(grammar.SPEC, problem))
        return
    if isinstance(intent, grammar.Help):
        ack(text=usage_fallback(grammar.SPEC), blocks=usage_blocks(grammar.SPEC))
        return
    args = (ack, command, respond, client, services, workspace)
    if isinstance(intent, grammar.Dashboard):
        dashboard.handle(*args, intent.words)
        return
    if isinstance(intent, grammar.Report):
        report.handle(*args, intent.words)
        return
    if isinstance(intent, grammar.Schedules):
        schedules.handle(*args, (intent.verb, *intent.words))
        return
    ack()
    # The trigger_id lives 3 s: open the form before anything slow.
    view = _new_form(ModalContext.opened_from(command), services, workspace)
    client.views_open(trigger_id=command["trigger_id"], view=view)


def open_from_button(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """A "Record an order" button (App Home, cards): the same form; pushed inside a modal.

    A value "customer:<id>" (a won deal's card) opens it with that customer picked."""
    ack()
    customer = _customer_in(str(action.get("value") or ""), services, workspace)
    view = _new_form(ModalContext.opened_from(body), services, workspace, customer=customer)
    if (body.get("view") or {}).get("type") == "modal":
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def _new_form(
    origin: ModalContext, services: Any, workspace: Workspace, *, customer: Customer | None = None
) -> View:
    today = services.clock.now().astimezone(workspace.tz).date()
    return sale_modal(SaleMeta.new(origin), SaleForm(), today=today, initial_customer=customer)


def _customer_in(value: str, services: Any, workspace: Workspace) -> Customer | None:
    """The customer a button names; a missing one just leaves the form's picker empty."""
    kind, _, number = value.partition(":")
    if kind != "customer" or not number.isdigit():
        return None
    try:
        return services.customers.get(workspace.team_id, int(number))  # type: ignore[no-any-return]
    except NotFound:
        return None


# -- Add line / Remove ------------------------------------------------------------------------


def add_line(
    ack: Ack, body: dict[str, Any], client: WebClient, services: Any, workspace: Workspace
) -> None:
    """Add line: the same form with one more (empty) line, everything typed kept."""
    ack()
    meta = SaleMeta.load(body["view"].get("private_metadata", ""))
    _redraw(client, body, services, workspace, meta, meta.with_line())


def remove_line(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """Remove line n: the same form without it; the other lines keep what was typed."""
    ack()
    meta = SaleMeta.load(body["view"].get("private_metadata", ""))
    key = removed_key(str(action.get("action_id", "")), action.get("value"))
    if key is None:
        return
    _redraw(client, body, services, workspace, meta, meta.without(key))


def _redraw(
    client: WebClient,
    body: dict[str, Any],
    services: Any,
    workspace: Workspace,
    before: SaleMeta,
    after: SaleMeta,
) -> None:
    if after == before:
        return  # at the most lines, or the line is gone already: nothing to change
    view = body["view"]
    form = read_form((view.get("state") or {}).get("values") or {}, before.keys)
    today = services.clock.now().astimezone(workspace.tz).date()
    try:
        client.views_update(
            view_id=view["id"], hash=view.get("hash"), view=sale_modal(after, form, today=today)
        )
    except SlackApiError as exc:
        # A second press raced the first: the form already changed, and this press was
        # made on the old one. Dropping it is what the person sees anyway.
        if exc.response.get("error") != "hash_conflict":
            raise
        log.info("order form changed meanwhile; a line button press was dropped")


# -- saving ---------------------------------------------------------------------------------


def save_sale(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """Submit: check and write in one transaction (inline errors write nothing), then answer."""
    meta = SaleMeta.load(view.get("private_metadata", ""))
    form = read_form((view.get("state") or {}).get("values") or {}, meta.keys)
    if problems := form.problems():
        ack(response_action="errors", errors=problems)
        return
    user_id = body["user"]["id"]
    try:
        recorded = services.orders.record(
            workspace.team_id,
            customer_id=form.customer_id,
            order_date=form.day,
            lines=form.line_inputs(),
            tz=workspace.tz,
            actor=user_id,
            note=form.note,
            idempotency_key=_submission_key(view, meta),
        )
    except ValidationFailed as exc:
        ack(response_action="errors", errors=error_blocks(exc.errors, meta.keys))
        return
    ack()
    customer = services.customers.get(workspace.team_id, recorded.order.customer_id)
    reply_privately(
        client,
        user_id=user_id,
        text=recorded_text(recorded, customer, currency=workspace.currency),
        blocks=recorded_blocks(
            recorded,
            customer,
            currency=workspace.currency,
            stock_channel_id=workspace.stock_channel_id,
        ),
        response_url=meta.context.response_url,
        channel_id=meta.context.channel_id,
    )
    # The rep's month figures and the leaderboard moved.
    refresh_home(client, services, workspace, user_id)


def _submission_key(view: dict[str, Any], meta: SaleMeta) -> str:
    """The same view submitted twice (double click, Slack's retry) has the same id and hash."""
    if view.get("id"):
        return f"sale_save:{view['id']}:{view.get('hash') or ''}"
    return f"sale_save:{meta.context.token}"
