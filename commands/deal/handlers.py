"""Listeners for /deal, the deal card's buttons and the deal modals.

Each acks first, then reads or writes through the pipeline and answers privately. A
button redraws the card it sits on through the response URL (or chat.update in a DM),
so the card always shows what the deal is now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from commands.deal import grammar
from commands.deal.ids import DealBlock
from commands.deal.views import (
    DealContext,
    card_blocks,
    card_text,
    deal_modal,
    error_blocks,
    history_blocks,
    list_blocks,
    lost_modal,
    no_match_blocks,
    note_modal,
    read_deal_modal,
    read_text,
    read_user,
    task_modal,
    won_note,
)
from commands.format import escape, truncate
from commands.home.publish import refresh as refresh_home
from commands.reply import answer, reply_privately
from commands.task.handlers import Origin, tell_assignee
from commands.usage import usage_blocks, usage_fallback
from domain.customers import Customer
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.pipeline import Deal, DealDraft, Outcome, can_change, refusal
from domain.tasks import TaskDraft
from domain.when import WhenError, parse_when
from domain.workspaces import User, Workspace

log = logging.getLogger(__name__)

SPEC = grammar.SPEC
MINE_MAX = 20
HINT = "`/deal new` starts a deal · `/deal <text>` finds one · `/deal help` shows every form"
# The task form's fields (TaskDraft's names) → its blocks, for inline errors.
TASK_BLOCKS = {"title": DealBlock.TASK_TITLE, "assignee_id": DealBlock.TASK_ASSIGNEE}


def problem_text(exc: DomainError) -> str:
    """A domain error as one sentence or two; validation errors without their field names."""
    if isinstance(exc, ValidationFailed):
        return " ".join(exc.errors.values())
    return exc.message


def render_card(
    services: Any, workspace: Workspace, deal_id: int, note: str | None = None
) -> tuple[str, list[Block]]:
    """The card's fallback text and blocks, read fresh."""
    card = services.pipeline.card(workspace.team_id, deal_id)
    blocks = card_blocks(
        card, tz=workspace.tz, now=services.clock.now(), currency=workspace.currency, note=note
    )
    text = card_text(card.deal, workspace.currency)
    return (f"{note} {text}" if note else text), blocks


def actor_of(user: User | None) -> User:
    if user is None:  # the middleware knows everyone who sends a request
        raise DomainError("I couldn't tell who you are; please try again.")
    return user


# --- /deal ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """One /deal request after its ack: who asked, where to answer, and the services."""

    command: dict[str, Any]
    respond: Respond
    client: WebClient
    services: Any
    workspace: Workspace
    user: User | None

    @property
    def team(self) -> str:
        return self.workspace.team_id

    @property
    def user_id(self) -> str:
        return str(self.command["user_id"])

    def reply(self, text: str, blocks: list[Block] | None = None) -> None:
        if blocks is None:
            blocks = [SectionBlock(text=MarkdownTextObject(text=truncate(text, 3000)))]
        answer(self.respond, response_type="ephemeral", text=text, blocks=blocks)

    def card(self, deal_id: int, note: str | None = None) -> None:
        self.reply(*render_card(self.services, self.workspace, deal_id, note))

    def deal(self, number: int) -> Deal:
        return self.services.pipeline.get_by_number(self.team, number)  # type: ignore[no-any-return]

    def refresh_home(self, deal: Deal) -> None:
        refresh_home(self.client, self.services, self.workspace, self.user_id, deal.owner_id)


def deal_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """/deal [D-42|text] | new | move D-42 <stage> | won D-42 | lost D-42 <reason> | help."""
    try:
        intent = grammar.parse(command.get("text") or "")
    except grammar.UsageError as exc:
        ack(text=usage_fallback(SPEC, exc.message), blocks=usage_blocks(SPEC, exc.message))
        return
    if isinstance(intent, grammar.Help):
        ack(text=usage_fallback(SPEC), blocks=usage_blocks(SPEC))
        return
    ack()
    asked = Asked(command, respond, client, services, workspace, user)
    try:
        ROUTES[type(intent)](intent, asked)
    except DomainError as exc:
        written = isinstance(intent, grammar.Move | grammar.Won | grammar.Lost | grammar.Note)
        problem = problem_text(exc)
        if written and not isinstance(exc, NotFound):
            problem += " Nothing was changed."
        asked.reply(f":warning: {escape(problem)}")


def mine(intent: grammar.Mine, asked: Asked) -> None:
    """My open deals, biggest first."""
    deals = asked.services.pipeline.open_deals(
        asked.team, owner=asked.user_id, biggest_first=True, limit=MINE_MAX + 1
    )
    if not deals:
        asked.reply(f"You have no open deals. {HINT}.")
        return
    shown = f"{MINE_MAX}+" if len(deals) > MINE_MAX else str(len(deals))
    head = f"*Your open deals* ({shown}), biggest first:"
    asked.reply(
        f"Your open deals ({shown})",
        list_blocks(
            head,
            deals,
            asked.services.pipeline.stages(asked.team),
            currency=asked.workspace.currency,
            today=today(asked.services, asked.workspace),
            hint=HINT,
        ),
    )


def new(intent: grammar.New, asked: Asked) -> None:
    """The new-deal form; the trigger_id lives 3 s, so nothing else comes first."""
    view = deal_modal(
        DealContext.opened_from(asked.command),
        asked.services.pipeline.stages(asked.team),
        owner_id=asked.user_id,
        title=intent.title,
    )
    asked.client.views_open(trigger_id=asked.command["trigger_id"], view=view)


def show(intent: grammar.Show, asked: Asked) -> None:
    """One match → its card; several → a list to pick from; none → say so and offer /deal new."""
    found = asked.services.pipeline.find(asked.team, intent.query)
    if len(found) == 1:
        asked.card(found[0].id)
    elif not found:
        shown = escape(truncate(intent.query, 100))
        asked.reply(
            f"No deal matches {shown}. Start one with `/deal new`.", no_match_blocks(intent.query)
        )
    else:
        shown = escape(truncate(intent.query, 100))
        head = f"{len(found)} deals match *{shown}*:"
        asked.reply(
            f"{len(found)} deals match {shown}.",
            list_blocks(
                head,
                found,
                asked.services.pipeline.stages(asked.team),
                currency=asked.workspace.currency,
                today=today(asked.services, asked.workspace),
                hint="Type more of the title to narrow it down.",
            ),
        )


def move(intent: grammar.Move, asked: Asked) -> None:
    deal = asked.deal(intent.number)
    before = stage_name(asked.services, asked.team, deal.stage_id)
    try:
        moved = asked.services.pipeline.move(
            asked.team, deal.id, intent.stage, actor=actor_of(asked.user)
        )
    except ValidationFailed as exc:
        if "reason" not in exc.errors:
            raise
        raise DomainError(
            f"Say why {deal.public_id} was lost: `/deal lost {deal.public_id} <reason>`."
        ) from None
    asked.card(moved.id, moved_note(asked.services, asked.workspace, deal, moved, before))
    asked.refresh_home(moved)


def won(intent: grammar.Won, asked: Asked) -> None:
    deal = asked.deal(intent.number)
    moved = asked.services.pipeline.win(asked.team, deal.id, actor=actor_of(asked.user))
    asked.card(moved.id, won_note(moved, asked.workspace.currency))
    asked.refresh_home(moved)


def lost(intent: grammar.Lost, asked: Asked) -> None:
    deal = asked.deal(intent.number)
    moved = asked.services.pipeline.lose(
        asked.team, deal.id, intent.reason, actor=actor_of(asked.user)
    )
    asked.card(moved.id, lost_note(moved))
    asked.refresh_home(moved)


def note(intent: grammar.Note, asked: Asked) -> None:
    deal = asked.deal(intent.number)
    asked.services.pipeline.add_note(asked.team, deal.id, intent.text, actor=asked.user_id)
    asked.card(deal.id, f":memo: Note added to {deal.public_id}.")


def edit(intent: grammar.Edit, asked: Asked) -> None:
    deal = asked.deal(intent.number)
    if not can_change(deal, actor_of(asked.user)):
        raise DomainError(refusal(deal))
    asked.client.views_open(
        trigger_id=asked.command["trigger_id"],
        view=edit_form(DealContext.opened_from(asked.command, deal.id), deal, asked.services),
    )


ROUTES: dict[type, Callable[[Any, Asked], None]] = {
    grammar.Mine: mine,
    grammar.New: new,
    grammar.Show: show,
    grammar.Move: move,
    grammar.Won: won,
    grammar.Lost: lost,
    grammar.Note: note,
    grammar.Edit: edit,
}


# --- the card's buttons ---------------------------------------------------------------------------


def open_card(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, services: Any,
    workspace: Workspace,
) -> None:  # fmt: skip
    """Open (on a list): the card, as a new private message."""
    ack()
    origin = Origin.of_action(action, body)
    text, blocks = render_card(services, workspace, int(action["value"]))
    origin.tell(client, body["user"]["id"], text, blocks)


def move_stage(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Move stage (the card's select): move, then redraw the card in place."""
    ack()
    deal_id, _, stage_id = action["selected_option"]["value"].partition(":")
    team = workspace.team_id
    deal = services.pipeline.get(team, int(deal_id))
    stage = next((s for s in services.pipeline.stages(team) if str(s.id) == stage_id), None)
    if stage is None:
        raise DomainError("That stage is gone from the pipeline; open the deal again.")
    if stage.outcome == Outcome.LOST and stage.id != deal.stage_id:
        # Losing needs its reason: the same form as the Lost button.
        if not refused(deal, user, action, body, client):
            view = lost_modal(deal, DealContext.opened_from(body, deal.id))
            client.views_open(trigger_id=body["trigger_id"], view=view)
        return
    before = stage_name(services, team, deal.stage_id)

    def change() -> str:
        moved = services.pipeline.move(team, deal.id, stage.key, actor=actor_of(user))
        return moved_note(services, workspace, deal, moved, before)

    act_on_card(deal.id, change, action, body, client, services, workspace)


def mark_won(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Won: close the deal and offer to record the order."""
    ack()
    deal_id = int(action["value"])

    def change() -> str:
        moved = services.pipeline.win(workspace.team_id, deal_id, actor=actor_of(user))
        return won_note(moved, workspace.currency)

    act_on_card(deal_id, change, action, body, client, services, workspace)


def act_on_card(
    deal_id: int,
    change: Callable[[], str],
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
) -> None:
    """Make a change from a card and redraw it; a refusal is said next to it, card untouched."""
    origin = Origin.of_action(action, body)
    user_id = body["user"]["id"]
    try:
        note = change()
    except DomainError as exc:
        extra = "" if isinstance(exc, NotFound) else " Nothing was changed."
        origin.tell(client, user_id, f":warning: {escape(problem_text(exc))}{extra}")
        return
    text, blocks = render_card(services, workspace, deal_id, note)
    if not origin.replace(client, text, blocks):
        origin.tell(client, user_id, text, blocks)
    owner = services.pipeline.get(workspace.team_id, deal_id).owner_id
    refresh_home(client, services, workspace, user_id, owner)


def open_lost_form(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Lost: ask why, in a modal (only of those who may close the deal)."""
    ack()
    deal = services.pipeline.get(workspace.team_id, int(action["value"]))
    if refused(deal, user, action, body, client):
        return
    view = lost_modal(deal, DealContext.opened_from(body, deal.id))
    client.views_open(trigger_id=body["trigger_id"], view=view)


def open_note_form(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, services: Any,
    workspace: Workspace,
) -> None:  # fmt: skip
    """Add note: anyone in the workspace may."""
    ack()
    deal = services.pipeline.get(workspace.team_id, int(action["value"]))
    client.views_open(
        trigger_id=body["trigger_id"], view=note_modal(deal, DealContext.opened_from(body, deal.id))
    )


def open_task_form(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, services: Any,
    workspace: Workspace,
) -> None:  # fmt: skip
    """Add task: anyone may give a teammate a task on the deal."""
    ack()
    deal = services.pipeline.get(workspace.team_id, int(action["value"]))
    view = task_modal(
        deal,
        DealContext.opened_from(body, deal.id),
        tz=workspace.tz,
        assignee_id=body["user"]["id"],
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def open_edit_form(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Edit: the deal's form, prefilled (only for those who may change the deal)."""
    ack()
    deal = services.pipeline.get(workspace.team_id, int(action["value"]))
    if refused(deal, user, action, body, client):
        return
    view = edit_form(DealContext.opened_from(body, deal.id), deal, services)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def open_new_form(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, services: Any,
    workspace: Workspace,
) -> None:  # fmt: skip
    """New deal (under "no match"): the form with the searched words as its title."""
    ack()
    view = deal_modal(
        DealContext.opened_from(body),
        services.pipeline.stages(workspace.team_id),
        owner_id=body["user"]["id"],
        title=action.get("value") or None,
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def show_history(
    ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient, services: Any,
    workspace: Workspace,
) -> None:  # fmt: skip
    """History: every stage change, as a new private message."""
    ack()
    team = workspace.team_id
    deal = services.pipeline.get(team, int(action["value"]))
    history = services.pipeline.history(team, deal.id)
    blocks = history_blocks(deal, history, tz=workspace.tz)
    Origin.of_action(action, body).tell(
        client, body["user"]["id"], f"Stage history of {deal.public_id}", blocks
    )


# --- modal submissions ----------------------------------------------------------------------------


def save_deal(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """New or edited deal: inline errors and nothing saved, or save once and show the card."""
    context = DealContext.load(view.get("private_metadata", ""))
    team, user_id = workspace.team_id, body["user"]["id"]
    typed = read_deal_modal(view["state"]["values"])
    try:
        draft = DealDraft.from_input(**typed, today=today(services, workspace))
        if context.deal_id is not None:
            deal = services.pipeline.edit(team, context.deal_id, draft, actor=actor_of(user))
        else:
            key = f"deal_save:{context.token}" if context.token else None
            deal = services.pipeline.create(team, draft, actor=user_id, idempotency_key=key)
    except ValidationFailed as exc:
        ack(response_action="errors", errors=error_blocks(exc.errors))
        return
    except DomainError as exc:  # refused, or the deal is gone
        ack(response_action="errors", errors={DealBlock.TITLE: truncate(exc.message, 300)})
        return
    ack()
    edited = context.deal_id is not None
    note = f":white_check_mark: {'Saved' if edited else 'Added'} {deal.public_id}."
    answer_card(client, user_id, context, services, workspace, deal.id, note, replace=edited)
    refresh_home(client, services, workspace, user_id, deal.owner_id)


def save_lost(
    ack: Ack,
    view: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Lost, with its reason: close the deal and redraw its card."""
    context = DealContext.load(view.get("private_metadata", ""))
    assert context.deal_id is not None
    reason = read_text(view["state"]["values"], DealBlock.REASON)
    try:
        deal = services.pipeline.lose(
            workspace.team_id, context.deal_id, reason, actor=actor_of(user)
        )
    except DomainError as exc:
        ack(response_action="errors", errors={DealBlock.REASON: truncate(problem_text(exc), 300)})
        return
    ack()
    answer_card(client, body["user"]["id"], context, services, workspace, deal.id, lost_note(deal))
    refresh_home(client, services, workspace, body["user"]["id"], deal.owner_id)


def save_note(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, services: Any,
    workspace: Workspace,
) -> None:  # fmt: skip
    """A note: saved once however often the form is submitted; the card shows it."""
    context = DealContext.load(view.get("private_metadata", ""))
    assert context.deal_id is not None
    user_id = body["user"]["id"]
    try:
        services.pipeline.add_note(
            workspace.team_id,
            context.deal_id,
            read_text(view["state"]["values"], DealBlock.NOTE),
            actor=user_id,
            idempotency_key=f"deal_note:{context.token}" if context.token else None,
        )
    except DomainError as exc:
        ack(response_action="errors", errors={DealBlock.NOTE: truncate(problem_text(exc), 300)})
        return
    ack()
    note = ":memo: Note added; everyone sees it on the card."
    answer_card(client, user_id, context, services, workspace, context.deal_id, note)


def save_task(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, services: Any,
    workspace: Workspace,
) -> None:  # fmt: skip
    """A task on the deal: saved once, shown on the card, and the assignee gets a DM."""
    context = DealContext.load(view.get("private_metadata", ""))
    assert context.deal_id is not None
    team, user_id = workspace.team_id, body["user"]["id"]
    values = view["state"]["values"]
    errors: dict[str, str] = {}
    due = None
    typed_due = (read_text(values, DealBlock.TASK_DUE) or "").strip()
    if typed_due:
        try:
            due = parse_when(typed_due, now=services.clock.now(), tz=workspace.tz)
        except WhenError as exc:
            errors[DealBlock.TASK_DUE] = truncate(exc.message, 150)
    try:
        draft = TaskDraft.from_input(
            title=read_text(values, DealBlock.TASK_TITLE),
            assignee_id=read_user(values, DealBlock.TASK_ASSIGNEE),
            due_at=due.at if due else None,
            due_has_time=due.has_time if due else False,
        )
    except ValidationFailed as exc:
        errors.update({TASK_BLOCKS.get(f, DealBlock.TASK_TITLE): m for f, m in exc.errors.items()})
    if errors:
        ack(response_action="errors", errors=errors)
        return
    try:
        key = f"deal_task:{context.token}" if context.token else None
        task = services.pipeline.add_task(
            team, context.deal_id, draft, actor=user_id, idempotency_key=key
        )
    except DomainError as exc:
        ack(response_action="errors", errors={DealBlock.TASK_TITLE: truncate(exc.message, 150)})
        return
    ack()
    note = f":white_check_mark: Added {task.public_id} for <@{task.assignee_id}>."
    answer_card(client, user_id, context, services, workspace, context.deal_id, note)
    customer = customer_of(services, team, task.customer_id)
    tell_assignee(client, task, customer, by=user_id, services=services, workspace=workspace)
    refresh_home(client, services, workspace, user_id, task.assignee_id)


# --- helpers --------------------------------------------------------------------------------------


def answer_card(
    client: WebClient,
    user_id: str,
    context: DealContext,
    services: Any,
    workspace: Workspace,
    deal_id: int,
    note: str,
    *,
    replace: bool = True,
) -> None:
    """After a modal: the card where the form was opened from (replacing it if it was one)."""
    text, blocks = render_card(services, workspace, deal_id, note)
    reply_privately(
        client,
        user_id=user_id,
        text=text,
        blocks=blocks,
        response_url=context.response_url,
        channel_id=context.channel_id,
        replace_original=replace,
    )


def refused(
    deal: Deal, user: User | None, action: dict[str, Any], body: dict[str, Any], client: WebClient
) -> bool:
    """Tell someone who may not change the deal so, next to the card; True if they may not."""
    if user is not None and can_change(deal, user):
        return False
    text = f":no_entry: {refusal(deal)} It belongs to <@{deal.owner_id}>."
    Origin.of_action(action, body).tell(client, body["user"]["id"], text)
    return True


def edit_form(context: DealContext, deal: Deal, services: Any) -> Any:
    customer = customer_of(services, deal.team_id, deal.customer_id)
    stages = services.pipeline.stages(deal.team_id)
    return deal_modal(context, stages, deal=deal, customer=customer)


def customer_of(services: Any, team: str, customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    try:
        return services.customers.get(team, customer_id)  # type: ignore[no-any-return]
    except NotFound:
        return None


def stage_name(services: Any, team: str, stage_id: int) -> str:
    stages = services.pipeline.stages(team, include_inactive=True)
    return next((s.name for s in stages if s.id == stage_id), "?")


def moved_note(services: Any, workspace: Workspace, before: Deal, after: Deal, was: str) -> str:
    if after.stage_id == before.stage_id:
        return f"{after.public_id} is already in {escape(was)}; nothing changed."
    if after.status == Outcome.WON:
        return won_note(after, workspace.currency)
    if after.status == Outcome.LOST:
        return lost_note(after)
    now = stage_name(services, workspace.team_id, after.stage_id)
    return f":arrow_right: Moved {after.public_id} from {escape(was)} to *{escape(now)}*."


def lost_note(deal: Deal) -> str:
    reason = escape(truncate(deal.lost_reason or "", 300))
    return f":x: {deal.public_id} is lost: {reason}"


def today(services: Any, workspace: Workspace) -> Any:
    return services.clock.now().astimezone(workspace.tz).date()
