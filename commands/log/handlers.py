"""Listeners for /log, its form, its buttons and the "Log to customer" message shortcut."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from commands.format import escape, truncate, unescape
from commands.ids import ActionId
from commands.log import grammar
from commands.log.views import (
    FIELD_BLOCKS,
    LogBlock,
    LogForm,
    ModalContext,
    Pick,
    log_modal,
    pick_blocks,
    prefill,
    read_modal,
    saved_blocks,
    saved_text,
)
from commands.reply import answer, reply_privately
from commands.usage import usage_blocks, usage_fallback
from domain.customers import Customer
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.interactions import Interaction, InteractionDraft, InteractionKind
from domain.tasks import Task, TaskDraft
from domain.text import clean
from domain.when import WhenError, parse_when
from domain.workspaces import Workspace

log = logging.getLogger(__name__)

FUTURE_GRACE = timedelta(hours=1)  # clocks differ; an entry an hour ahead is a mistake
CARD_KINDS = {
    ActionId.LOG_CALL: InteractionKind.CALL,
    ActionId.LOG_EMAIL: InteractionKind.EMAIL,
    ActionId.LOG_NOTE: InteractionKind.NOTE,
}


# -- /log -----------------------------------------------------------------------------------


def log_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """/log [kind] [customer] [summary]: save at once when all three are there, else the form."""
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
    target = _target(intent, services, workspace.team_id)
    if target.problem:
        _usage(respond, target.problem)
    elif intent.kind and target.summary and target.customer:
        _quick_save(respond, services, workspace, command["user_id"], intent.kind, target)
    elif intent.kind and target.summary and target.ambiguous:
        _ask_which(respond, services, intent.kind, target)
    else:
        origin = ModalContext.opened_from(command)
        form = prefill(intent.kind, target.customer, target.summary)
        view = log_modal(origin, form, now=services.clock.now(), tz=workspace.tz)
        client.views_open(trigger_id=command["trigger_id"], view=view)


@dataclass(frozen=True)
class _Target:
    """Who the entry is for, as far as the command text says, and what is left of it."""

    customer: Customer | None = None
    summary: str = ""
    ambiguous: grammar.Ambiguous | None = None
    problem: str | None = None


def _target(intent: grammar.Log, services: Any, team_id: str) -> _Target:
    if intent.number is not None:
        try:
            customer = services.customers.get_by_number(team_id, intent.number)
        except NotFound as exc:
            return _Target(problem=exc.message)
        return _Target(customer=customer, summary=intent.rest)
    if not intent.rest:
        return _Target()
    found = grammar.resolve(
        intent.rest,
        lambda typed: services.customers.find(team_id, typed, limit=grammar.RESOLVE_LIMIT),
    )
    if isinstance(found, grammar.Resolved):
        return _Target(customer=found.customer, summary=found.summary)
    if isinstance(found, grammar.Ambiguous):
        return _Target(summary=found.summary, ambiguous=found)
    if intent.kind is None:
        return _Target(
            problem=f"“{truncate(found.name, 50)}” is not call, email, meeting or note, "
            "and no customer's name starts with it."
        )
    return _Target(problem=f"No customer matches “{truncate(found.name, 100)}”.")


def _usage(respond: Respond, problem: str) -> None:
    answer(
        respond,
        response_type="ephemeral",
        text=usage_fallback(grammar.SPEC, problem),
        blocks=usage_blocks(grammar.SPEC, problem),
    )


def _quick_save(
    respond: Respond,
    services: Any,
    workspace: Workspace,
    user_id: str,
    kind: InteractionKind,
    target: _Target,
) -> None:
    assert target.customer is not None
    try:
        draft = InteractionDraft.from_input(
            customer_id=target.customer.id,
            kind=kind,
            occurred_at=services.clock.now(),
            summary=target.summary,
        )
    except ValidationFailed as exc:
        _usage(respond, " ".join(exc.errors.values()))
        return
    interaction, _ = services.interactions.log(workspace.team_id, draft, actor=user_id)
    _confirm(respond, services, workspace, interaction, target.customer, None)


def _ask_which(respond: Respond, services: Any, kind: InteractionKind, target: _Target) -> None:
    """An ambiguous name: one button per match, each logging the entry for that customer."""
    found = target.ambiguous
    assert found is not None
    now = int(services.clock.now().timestamp())
    pending = Pick(0, kind, now, secrets.token_urlsafe(8), target.summary)
    blocks = pick_blocks(found.name, found.matches, pending, more=found.more)
    if blocks is None:
        _usage(
            respond,
            f"Several customers match “{truncate(found.name, 100)}”, and the entry is too long "
            f"to carry on a button: name the customer by id (/log {kind} C-12 …) "
            f"or use the form (/log {kind}).",
        )
        return
    answer(
        respond,
        response_type="ephemeral",
        text=f"Several customers match {escape(truncate(found.name, 100))}: which one?",
        blocks=blocks,
    )


def log_for_picked(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond, services: Any,
    workspace: Workspace,
) -> None:  # fmt: skip
    """A button under "several customers match": log the pending entry for that one."""
    ack()
    try:
        pick = Pick.decode(action.get("value") or "")
    except (KeyError, ValueError):
        raise DomainError("That button no longer works; type the /log command again.") from None
    draft = InteractionDraft.from_input(
        customer_id=pick.customer_id,
        kind=pick.kind,
        occurred_at=datetime.fromtimestamp(pick.at, UTC),
        summary=pick.summary,
    )
    interaction, _ = services.interactions.log(
        workspace.team_id,
        draft,
        actor=body["user"]["id"],
        idempotency_key=f"log_pick:{pick.token}",
    )
    customer = services.customers.get(workspace.team_id, interaction.customer_id)
    _confirm(respond, services, workspace, interaction, customer, None, replace_original=True)


def _confirm(
    respond: Respond,
    services: Any,
    workspace: Workspace,
    interaction: Interaction,
    customer: Customer,
    task: Task | None,
    *,
    replace_original: bool = False,
) -> None:
    blocks = saved_blocks(interaction, customer, task, now=services.clock.now(), tz=workspace.tz)
    answer(
        respond,
        response_type="ephemeral",
        text=saved_text(interaction, customer, task),
        blocks=blocks,
        replace_original=replace_original,
    )


# -- opening the form from elsewhere ----------------------------------------------------------


def open_from_card(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, services: Any,
    workspace: Workspace,
) -> None:  # fmt: skip
    """Log call / Log email / Add note on a customer card: the form for that customer."""
    ack()
    value = action.get("value") or ""
    if not value.isdigit():
        raise NotFound("That customer does not exist in this workspace.")
    customer = services.customers.get(workspace.team_id, int(value))
    origin = ModalContext.opened_from(body)
    form = prefill(CARD_KINDS[ActionId(action["action_id"])], customer)
    _open(client, body, log_modal(origin, form, now=services.clock.now(), tz=workspace.tz))


def log_message(
    ack: Ack, shortcut: dict[str, Any], client: WebClient, services: Any, workspace: Workspace
) -> None:
    """Message shortcut "Log to customer": the form with the message's text and link."""
    ack()
    message = shortcut.get("message") or {}
    channel_id = (shortcut.get("channel") or {}).get("id")
    link = _permalink(client, channel_id, message.get("ts") or shortcut.get("message_ts"))
    origin = ModalContext.opened_from(shortcut, message_link=link)
    form = prefill(InteractionKind.NOTE, summary=unescape(message.get("text") or ""))
    view = log_modal(origin, form, now=services.clock.now(), tz=workspace.tz)
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)


def _permalink(client: WebClient, channel_id: str | None, ts: str | None) -> str | None:
    if not channel_id or not ts:
        return None
    try:
        link = client.chat_getPermalink(channel=channel_id, message_ts=ts).get("permalink")
    except SlackApiError as exc:
        # The entry is still worth logging without its link.
        log.info("chat.getPermalink failed (%s)", exc.response.get("error"))
        return None
    return link if isinstance(link, str) else None


def _open(client: WebClient, body: dict[str, Any], view: View) -> None:
    """Open the form; from inside a modal, push it on top instead."""
    if (body.get("view") or {}).get("type") == "modal":
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def change_kind(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, services: Any,
    workspace: Workspace,
) -> None:  # fmt: skip
    """The Type select changed: redraw the form with that kind's fields, keeping the rest."""
    ack()
    view = body["view"]
    form = read_modal(view.get("state", {}).get("values", {}))
    chosen = (action.get("selected_option") or {}).get("value")
    form = replace(form, kind=chosen)
    origin = ModalContext.load(view.get("private_metadata", ""))
    redrawn = log_modal(origin, form, now=services.clock.now(), tz=workspace.tz)
    try:
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=redrawn)
    except SlackApiError as exc:
        if exc.response.get("error") != "hash_conflict":  # a newer redraw won: fine
            raise


# -- saving the form ----------------------------------------------------------------------------


def save_log(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, services: Any,
    workspace: Workspace,
) -> None:  # fmt: skip
    """Form submit: validate inline, save once (with the follow-up), confirm privately."""
    origin = ModalContext.load(view.get("private_metadata", ""))
    user_id = body["user"]["id"]
    form = read_modal(view["state"]["values"])
    now = services.clock.now()
    checked = _check(form, origin, user_id=user_id, now=now, tz=workspace.tz)
    if isinstance(checked, dict):
        ack(response_action="errors", errors=checked)
        return
    draft, follow_up = checked
    key = f"log_save:{origin.token}" if origin.token else None
    try:
        interaction, task = services.interactions.log(
            workspace.team_id, draft, actor=user_id, follow_up=follow_up, idempotency_key=key
        )
    except NotFound as exc:
        ack(response_action="errors", errors={LogBlock.CUSTOMER: exc.message})
        return
    ack()
    customer = services.customers.get(workspace.team_id, interaction.customer_id)
    reply_privately(
        client,
        user_id=user_id,
        text=saved_text(interaction, customer, task),
        blocks=saved_blocks(interaction, customer, task, now=now, tz=workspace.tz),
        response_url=origin.response_url,
        channel_id=origin.channel_id,
    )


def _check(
    form: LogForm, origin: ModalContext, *, user_id: str, now: datetime, tz: ZoneInfo
) -> dict[str, str] | tuple[InteractionDraft, TaskDraft | None]:
    """The entry and its follow-up, or inline errors keyed by block id."""
    errors: dict[str, str] = {}
    occurred_at = datetime.fromtimestamp(form.when, UTC) if form.when is not None else now
    if occurred_at > now + FUTURE_GRACE:
        errors[LogBlock.WHEN] = "That is in the future; log what has already happened."
    draft = None
    try:
        draft = InteractionDraft.from_input(
            customer_id=form.customer_id,
            kind=form.kind,
            occurred_at=occurred_at,
            summary=form.summary,
            duration_minutes=form.duration,
            direction=form.direction,
            outcome=form.outcome,
            message_link=origin.message_link,
        )
    except ValidationFailed as exc:
        for field, message in exc.errors.items():
            errors.setdefault(FIELD_BLOCKS[field], message)
    follow_up = _follow_up(form, errors, user_id=user_id, now=now, tz=tz)
    if errors or draft is None:
        return errors
    return draft, follow_up


def _follow_up(
    form: LogForm, errors: dict[str, str], *, user_id: str, now: datetime, tz: ZoneInfo
) -> TaskDraft | None:
    """The optional follow-up task, assigned to whoever logs the entry; errors go in `errors`."""
    title, due_text = clean(form.task), clean(form.due)
    if not title and not due_text:
        return None
    due = None
    if due_text:
        try:
            due = parse_when(due_text, now=now, tz=tz)
        except WhenError as exc:
            errors[LogBlock.DUE] = exc.message
    if not title:
        errors[LogBlock.TASK] = "Say what the follow-up is, or clear its due date."
        return None
    try:
        return TaskDraft.from_input(
            title=title,
            assignee_id=user_id,
            customer_id=form.customer_id,
            due_at=due.at if due else None,
            due_has_time=due.has_time if due else False,
        )
    except ValidationFailed as exc:
        errors[LogBlock.TASK] = " ".join(exc.errors.values())
        return None
