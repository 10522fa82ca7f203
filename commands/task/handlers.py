"""Listeners for /task, the task menu and buttons, and the two task modals."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.webhook import WebhookClient

from commands.format import escape, mention, truncate
from commands.home.publish import refresh as refresh_home
from commands.reply import ReplyRejected, answer, reply_privately
from commands.task import grammar
from commands.task.views import (
    ModalContext,
    Place,
    PlaceKind,
    ReassignContext,
    TaskBlock,
    added_message,
    assignment_message,
    list_message,
    one_message,
    read_reassign_modal,
    read_task_modal,
    reassign_modal,
    reminder_message,
    task_line,
    task_modal,
    when_label,
)
from commands.usage import usage_blocks, usage_fallback
from domain.customers import Customer
from domain.errors import NotFound, ValidationFailed
from domain.ids import Kind, format_id, parse_id
from domain.tasks import Task, TaskDraft, TaskStatus
from domain.when import WhenError, describe, parse_when
from domain.workspaces import Role, User, Workspace

log = logging.getLogger(__name__)

# TaskDraft's field names -> the New task form's blocks, for inline errors.
FIELD_BLOCKS = {"title": TaskBlock.TITLE, "assignee_id": TaskBlock.ASSIGNEE}


def private(respond: Respond, **message: Any) -> None:
    """An ephemeral answer through the response URL (said explicitly; it is Slack's default)."""
    answer(respond, response_type="ephemeral", **message)


# --- /task ----------------------------------------------------------------------------------------


def task_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """/task [mine|@user|overdue|today] | add … | done T-7 | help."""
    try:
        intent = grammar.parse(command.get("text") or "", now=services.clock.now(), tz=workspace.tz)
    except grammar.UsageError as exc:
        ack(
            text=usage_fallback(grammar.SPEC, str(exc)), blocks=usage_blocks(grammar.SPEC, str(exc))
        )
        return
    if isinstance(intent, grammar.Help):
        ack(text=usage_fallback(grammar.SPEC), blocks=usage_blocks(grammar.SPEC))
        return
    ack()
    user_id = command["user_id"]
    if isinstance(intent, grammar.NewForm):
        context = ModalContext.opened_from(command)
        view = task_modal(context, tz=workspace.tz, assignee_id=user_id)
        client.views_open(trigger_id=command["trigger_id"], view=view)
    elif isinstance(intent, grammar.Add):
        add_task(intent, user_id, respond, client, services, workspace)
    elif isinstance(intent, grammar.Done):
        task = services.tasks.get_by_number(workspace.team_id, intent.number)
        complete_by_id(task, user_id, user, respond, services, workspace, client)
    else:
        assignee = intent.assignee_id or user_id
        text, blocks = render_list(services, workspace, intent.scope, assignee, user_id)
        private(respond, text=text, blocks=blocks)


def add_task(
    intent: grammar.Add,
    user_id: str,
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """Save a task typed on one line; echo exactly what was understood."""
    team = workspace.team_id
    customer = None
    if intent.customer_number is not None:
        try:
            customer = services.customers.get_by_number(team, intent.customer_number)
        except NotFound:
            shown = format_id(Kind.CUSTOMER, intent.customer_number)
            private(
                respond, text=f"There is no customer {shown} in this workspace. Nothing was added."
            )
            return
    try:
        draft = TaskDraft.from_input(
            title=intent.title,
            assignee_id=intent.assignee_id or user_id,
            customer_id=customer.id if customer else None,
            deal_number=intent.deal_number,
            due_at=intent.due.at if intent.due else None,
            due_has_time=intent.due.has_time if intent.due else False,
        )
    except ValidationFailed as exc:
        private(respond, text=f"{escape(exc.message)} Nothing was added.")
        return
    task = services.tasks.add(team, draft, actor=user_id)
    now = services.clock.now()
    text, blocks = added_message(task, customer, tz=workspace.tz, now=now)
    private(respond, text=text, blocks=blocks)
    tell_assignee(
        client, task, customer, by=user_id, services=services, workspace=workspace, respond=respond
    )
    refresh_home(client, services, workspace, user_id, task.assignee_id)


def tell_assignee(
    client: WebClient,
    task: Task,
    customer: Customer | None,
    *,
    by: str,
    services: Any,
    workspace: Workspace,
    respond: Respond | None = None,
) -> None:
    """DM the assignee about a task someone else gave them."""
    if task.assignee_id == by:
        return
    text, blocks = assignment_message(
        task, customer, tz=workspace.tz, now=services.clock.now(), by=by
    )
    try:
        client.chat_postMessage(
            channel=task.assignee_id, text=text, blocks=[b.to_dict() for b in blocks]
        )
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.info("could not DM %s about %s: %s", task.assignee_id, task.public_id, error)
        if respond is not None:
            private(
                respond,
                text=f"I couldn't send {mention(task.assignee_id)} a DM about "
                f"{task.public_id} (Slack said `{error}`); please tell them.",
            )


def render_list(
    services: Any,
    workspace: Workspace,
    scope: Any,
    assignee_id: str,
    viewer_id: str,
    note: str | None = None,
) -> tuple[str, list[Block]]:
    team = workspace.team_id
    tasks, total = services.tasks.open_list(
        team, assignee_id=assignee_id, scope=scope, tz=workspace.tz
    )
    return list_message(
        tasks,
        total,
        customers_of(services, team, tasks),
        scope=scope,
        assignee_id=assignee_id,
        viewer_id=viewer_id,
        tz=workspace.tz,
        now=services.clock.now(),
        note=note,
    )


def complete_by_id(
    task: Task,
    user_id: str,
    user: User | None,
    respond: Respond,
    services: Any,
    workspace: Workspace,
    client: WebClient,
) -> None:
    """/task done T-7."""
    if (refusal := refuse(task, user_id, user)) is not None:
        private(respond, text=refusal)
        return
    if task.status is TaskStatus.DONE:
        private(respond, text=already_done(task, services, workspace))
        return
    task = services.tasks.complete(workspace.team_id, task.id, actor=user_id)
    customer = customer_of(services, workspace.team_id, task)
    note = f"Done: {task.public_id} *{escape(truncate(task.title, 200))}*."
    text, blocks = one_message(task, customer, tz=workspace.tz, now=services.clock.now(), note=note)
    private(respond, text=text, blocks=blocks)
    refresh_home(client, services, workspace, user_id, task.assignee_id)


# --- the task menu and buttons --------------------------------------------------------------


def task_menu(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """An option picked from a task line's overflow menu."""
    ack()
    task_id, choice = grammar.read_choice(action["selected_option"]["value"])
    act(task_id, choice, action, body, client, services, workspace, user)


def task_done(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """A Done button (value: task id)."""
    ack()
    act(int(action["value"]), "done", action, body, client, services, workspace, user)


def task_snooze(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """A snooze button (value: "<task id>:<1h|tomorrow|nextweek>")."""
    ack()
    task_id, choice = grammar.read_choice(action["value"])
    act(task_id, choice, action, body, client, services, workspace, user)


def task_reassign(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """A Reassign button (value: task id): opens the small form."""
    ack()
    act(int(action["value"]), "reassign", action, body, client, services, workspace, user)


def act(
    task_id: int,
    choice: str,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Done, snooze or reassign one task, if this person may; then redraw where it was."""
    team, tz, user_id = workspace.team_id, workspace.tz, body["user"]["id"]
    origin = Origin.of_action(action, body)
    task = services.tasks.get(team, task_id)
    if (refusal := refuse(task, user_id, user)) is not None:
        origin.tell(client, user_id, refusal)
        return
    if task.status is TaskStatus.DONE:
        origin.tell(client, user_id, already_done(task, services, workspace))
        return
    if choice == "reassign":
        context = ReassignContext(
            task.id, origin.block_id, origin.response_url, origin.channel_id, origin.message_ts
        )
        client.views_open(trigger_id=body["trigger_id"], view=reassign_modal(task, context))
        return
    now = services.clock.now()
    if choice == "done":
        task = services.tasks.complete(team, task.id, actor=user_id)
        note = f":white_check_mark: {task.public_id} is done."
    else:
        until = grammar.snooze_until(choice, now=now, tz=tz)
        task = services.tasks.snooze(team, task.id, until, actor=user_id)
        note = f":zzz: {task.public_id} snoozed until {describe(until, now=now, tz=tz)}."
    redraw(origin, task, note, client, services, workspace, user_id)
    refresh_home(client, services, workspace, user_id, task.assignee_id)


# --- modals -------------------------------------------------------------------------------------


def open_task_form(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """An Add task button (value: customer id, or empty): the New task form."""
    ack()
    customer = None
    if action.get("value"):
        customer = services.customers.get(workspace.team_id, int(action["value"]))
    context = ModalContext.opened_from(body, customer.id if customer else None)
    view = task_modal(context, tz=workspace.tz, assignee_id=body["user"]["id"], customer=customer)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def save_task(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """New task form submitted: inline errors, or save and answer like /task add."""
    context = ModalContext.load(view.get("private_metadata", ""))
    user_id, team = body["user"]["id"], workspace.team_id
    typed = read_task_modal(view["state"]["values"])
    errors: dict[str, str] = {}
    due = None
    if typed["due"] and typed["due"].strip():
        try:
            due = parse_when(typed["due"], now=services.clock.now(), tz=workspace.tz)
        except WhenError as exc:
            errors[TaskBlock.DUE] = truncate(exc.message, 150)
    customer_id = context.customer_id
    customer = None
    if customer_id is None and typed["customer"] and typed["customer"].strip():
        number = parse_id(typed["customer"], Kind.CUSTOMER)
        if number is None:
            errors[TaskBlock.CUSTOMER] = "Give the customer's id, like C-12."
        else:
            try:
                customer = services.customers.get_by_number(team, number)
                customer_id = customer.id
            except NotFound:
                errors[TaskBlock.CUSTOMER] = (
                    f"There is no customer {format_id(Kind.CUSTOMER, number)}."
                )
    try:
        draft = TaskDraft.from_input(
            title=typed["title"],
            assignee_id=typed["assignee_id"],
            customer_id=customer_id,
            due_at=due.at if due else None,
            due_has_time=due.has_time if due else False,
        )
    except ValidationFailed as exc:
        errors.update({FIELD_BLOCKS[field]: msg for field, msg in exc.errors.items()})
    if errors:
        ack(response_action="errors", errors=errors)
        return
    try:
        key = f"task_save:{context.token}" if context.token else None
        task = services.tasks.add(team, draft, actor=user_id, idempotency_key=key)
    except NotFound as exc:  # the customer it was opened for is gone
        ack(response_action="errors", errors={TaskBlock.TITLE: exc.message})
        return
    ack()
    if customer is None and task.customer_id is not None:
        customer = customer_of(services, team, task)
    text, blocks = added_message(task, customer, tz=workspace.tz, now=services.clock.now())
    reply_privately(
        client,
        user_id=user_id,
        text=text,
        blocks=blocks,
        response_url=context.response_url,
        channel_id=context.channel_id,
    )
    tell_assignee(client, task, customer, by=user_id, services=services, workspace=workspace)
    refresh_home(client, services, workspace, user_id, task.assignee_id)


def save_reassign(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Reassign form submitted: give the task to the chosen person and DM them."""
    context = ReassignContext.load(view.get("private_metadata", ""))
    user_id, team = body["user"]["id"], workspace.team_id
    assignee = read_reassign_modal(view["state"]["values"])
    task = services.tasks.get(team, context.task_id)
    problem = None
    if not assignee:
        problem = "Choose who does it."
    elif (refusal := refuse(task, user_id, user)) is not None:
        problem = refusal
    elif task.status is TaskStatus.DONE:
        problem = f"{task.public_id} is already done."
    elif assignee == task.assignee_id:
        problem = "That's who has it now; pick someone else."
    if problem:
        ack(response_action="errors", errors={TaskBlock.ASSIGNEE: truncate(problem, 150)})
        return
    ack()
    assert assignee is not None
    previous = task.assignee_id
    task = services.tasks.reassign(team, task.id, assignee, actor=user_id)
    origin = Origin(
        context.block_id, context.response_url, context.channel_id, context.message_ts, None, None
    )
    note = f":arrow_right: {task.public_id} is now {mention(assignee)}'s."
    redraw(origin, task, note, client, services, workspace, user_id)
    customer = customer_of(services, team, task)
    tell_assignee(client, task, customer, by=user_id, services=services, workspace=workspace)
    refresh_home(client, services, workspace, user_id, previous, task.assignee_id)


# --- where an action came from, and redrawing it ------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """The message a task button was on: how to reach it again, and what it held."""

    block_id: str | None
    response_url: str | None
    channel_id: str | None
    message_ts: str | None
    message_text: str | None
    message_blocks: list[dict[str, Any]] | None  # sent with actions on non-ephemeral messages

    @classmethod
    def of_action(cls, action: dict[str, Any], body: dict[str, Any]) -> Origin:
        container = body.get("container") or {}
        message = body.get("message") or {}
        return cls(
            block_id=action.get("block_id"),
            response_url=body.get("response_url"),
            channel_id=container.get("channel_id") or (body.get("channel") or {}).get("id"),
            message_ts=container.get("message_ts") or message.get("ts"),
            message_text=message.get("text"),
            message_blocks=message.get("blocks") or None,
        )

    def replace(self, client: WebClient, text: str, blocks: Iterable[Block | dict]) -> bool:
        """Put this message right: through the response URL, else chat.update (a bot DM)."""
        payload = [b.to_dict() if isinstance(b, Block) else b for b in blocks]
        if self.response_url:
            result = WebhookClient(self.response_url).send(
                text=text, blocks=payload, replace_original=True
            )
            if result.status_code == 200:
                return True
            log.info("response_url answered %s; trying chat.update", result.status_code)
        if self.channel_id and self.message_ts and self.channel_id.startswith("D"):
            client.chat_update(
                channel=self.channel_id, ts=self.message_ts, text=text, blocks=payload
            )
            return True
        return False

    def tell(
        self, client: WebClient, user_id: str, text: str, blocks: list[Block] | None = None
    ) -> None:
        """A private note next to the message (not replacing it)."""
        reply_privately(
            client,
            user_id=user_id,
            text=text,
            blocks=blocks or [],
            response_url=self.response_url,
            channel_id=self.channel_id,
        )


def redraw(
    origin: Origin,
    task: Task,
    note: str,
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user_id: str,
) -> None:
    """Show the task's new state where the button was; failing that, tell the person."""
    tz, now, team = workspace.tz, services.clock.now(), workspace.team_id
    place = Place.read(origin.block_id) or Place(task.id)
    customer = customer_of(services, team, task)
    replaced = False
    if place.kind is PlaceKind.LIST and place.assignee_id:
        text, blocks = render_list(
            services, workspace, place.scope, place.assignee_id, user_id, note
        )
        replaced = origin.replace(client, text, blocks)
    elif place.kind is PlaceKind.REMINDER:
        text, blocks = reminder_message(task, customer, tz=tz, now=now, late=place.late)
        replaced = origin.replace(client, text, blocks)
    elif origin.message_blocks and origin.block_id:
        line = task_line(task, place, tz=tz, now=now, customer=customer).to_dict()
        swapped = [
            line if b.get("block_id") == origin.block_id else b for b in origin.message_blocks
        ]
        replaced = origin.replace(client, origin.message_text or note, swapped)
    elif place.kind is PlaceKind.ONE:
        text, blocks = one_message(task, customer, tz=tz, now=now, note=note)
        replaced = origin.replace(client, text, blocks)
    if not replaced:
        text, blocks = one_message(task, customer, tz=tz, now=now, note=note)
        try:
            origin.tell(client, user_id, text, blocks)
        except ReplyRejected:
            log.info("could not tell %s about %s", user_id, task.public_id)


# --- rules and lookups --------------------------------------------------------------------------


def refuse(task: Task, user_id: str, user: User | None) -> str | None:
    """Why this person may not change the task, or None when they may."""
    if user_id in (task.assignee_id, task.created_by):
        return None
    if user is not None and user.role in (Role.ADMIN, Role.MANAGER):
        return None
    return (
        f"Only {mention(task.assignee_id)} (assigned), {mention(task.created_by)} (who added it) "
        f"or an admin or manager can change {task.public_id}."
    )


def already_done(task: Task, services: Any, workspace: Workspace) -> str:
    by = f" by {mention(task.done_by)}" if task.done_by else ""
    when = ""
    if task.done_at:
        when = f", {when_label(task.done_at, tz=workspace.tz, now=services.clock.now())}"
    return f"{task.public_id} is already done{by}{when}."


def customer_of(services: Any, team: str, task: Task) -> Customer | None:
    if task.customer_id is None:
        return None
    try:
        return services.customers.get(team, task.customer_id)
    except NotFound:
        return None


def customers_of(services: Any, team: str, tasks: Iterable[Task]) -> dict[int, Customer]:
    found = {}
    for customer_id in {t.customer_id for t in tasks if t.customer_id is not None}:
        try:
            found[customer_id] = services.customers.get(team, customer_id)
        except NotFound:
            continue
    return found
