"""Block Kit for the communication log: the log modal, the confirmation and the picker."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    DateTimePickerElement,
    ExternalDataSelectElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from commands.customer.options import customer_option
from commands.format import escape, truncate
from commands.ids import ActionId, CallbackId
from commands.modal_context import ModalContext
from domain.customers import Customer
from domain.interactions import (
    DURATION_MAX,
    OUTCOME_MAX,
    SUMMARY_MAX,
    Direction,
    Interaction,
    InteractionKind,
)
from domain.tasks import TITLE_MAX, Task
from domain.when import describe

METADATA_MAX = 3000
LINK_MAX = 1000
DUE_MAX = 100
MESSAGE_CHARS_MAX = 12_000  # Slack refuses message blocks near ~13k serialized characters
PICKS_MAX = 10
BUTTON_VALUE_MAX = 2000


class LogBlock(StrEnum):
    """Block ids of the log modal and the customer picker (candidates for commands/ids.py)."""

    KIND = "log_kind"
    CUSTOMER = "log_customer"
    WHEN = "log_when"
    DURATION = "log_duration"
    DIRECTION = "log_direction"
    SUMMARY = "log_summary"
    OUTCOME = "log_outcome"
    TASK = "log_task"
    DUE = "log_due"
    PICK = "log_pick"


# The domain names fields; the modal names blocks. This is the bridge for inline errors.
FIELD_BLOCKS = {
    "customer_id": LogBlock.CUSTOMER,
    "kind": LogBlock.KIND,
    "occurred_at": LogBlock.WHEN,
    "duration_minutes": LogBlock.DURATION,
    "direction": LogBlock.DIRECTION,
    "summary": LogBlock.SUMMARY,
    "outcome": LogBlock.OUTCOME,
    "message_link": LogBlock.SUMMARY,
    "title": LogBlock.TASK,  # the follow-up task
    "assignee_id": LogBlock.TASK,
}

_KIND_LABELS = {
    InteractionKind.CALL: "Call",
    InteractionKind.EMAIL: "Email",
    InteractionKind.MEETING: "Meeting",
    InteractionKind.NOTE: "Note",
}
_TITLES = {
    InteractionKind.CALL: "Log a call",
    InteractionKind.EMAIL: "Log an email",
    InteractionKind.MEETING: "Log a meeting",
    InteractionKind.NOTE: "Add a note",
}
_TIMED = (InteractionKind.CALL, InteractionKind.MEETING)


def a_kind(kind: InteractionKind) -> str:
    """'a call', 'an email'."""
    return ("an " if kind is InteractionKind.EMAIL else "a ") + kind.value


# -- what the modal carries -----------------------------------------------------------------


@dataclass(frozen=True)
class LogForm:
    """The form's values as Slack sends them (or as they are prefilled)."""

    kind: str | None = None
    customer: Option | None = None
    when: int | None = None  # epoch seconds
    duration: str | None = None
    direction: str | None = None
    summary: str | None = None
    outcome: str | None = None
    task: str | None = None
    due: str | None = None

    @property
    def kind_value(self) -> InteractionKind | None:
        try:
            return InteractionKind(self.kind) if self.kind else None
        except ValueError:
            return None

    @property
    def customer_id(self) -> int | None:
        value = self.customer.value if self.customer else None
        return int(value) if value and value.isdigit() else None


def prefill(
    kind: InteractionKind | None = None,
    customer: Customer | None = None,
    summary: str | None = None,
) -> LogForm:
    """A new form's values: what was typed, the rest left to the person."""
    return LogForm(
        kind=kind.value if kind else None,
        customer=customer_option(customer) if customer else None,
        summary=truncate(summary.strip(), SUMMARY_MAX) if summary and summary.strip() else None,
    )


# -- the modal ------------------------------------------------------------------------------


def log_modal(context: ModalContext, form: LogForm, *, now: datetime, tz: ZoneInfo) -> View:
    """The log form. Duration shows for calls and meetings, direction for emails; both show
    until the kind is chosen (choosing it redraws the form)."""
    kind = form.kind_value
    blocks: list[Block] = []
    if context.message_link:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(text=f"Logging <{context.message_link}|a Slack message>")
                ]
            )
        )
    blocks += [
        InputBlock(
            block_id=LogBlock.KIND,
            label="Type",
            dispatch_action=True,  # redraw with the fields this kind has
            element=StaticSelectElement(
                action_id=ActionId.INPUT,
                placeholder="Call, email, meeting or note",
                options=[Option(text=label, value=k.value) for k, label in _KIND_LABELS.items()],
                initial_option=Option(text=_KIND_LABELS[kind], value=kind.value) if kind else None,
            ),
        ),
        InputBlock(
            block_id=LogBlock.CUSTOMER,
            label="Customer",
            element=ExternalDataSelectElement(
                action_id=ActionId.CUSTOMER_SELECT,
                placeholder="Type a name, company or C-12",
                min_query_length=1,
                initial_option=form.customer,
            ),
        ),
        InputBlock(
            block_id=LogBlock.WHEN,
            label="When",
            hint=f"Saved entries are shown in the workspace's timezone, {tz.key}.",
            element=DateTimePickerElement(
                action_id=ActionId.INPUT,
                initial_date_time=form.when
                or int(now.replace(second=0, microsecond=0).timestamp()),
            ),
        ),
    ]
    if kind is None or kind in _TIMED:
        blocks.append(
            InputBlock(
                block_id=LogBlock.DURATION,
                label="Duration (minutes)" if kind else "Duration (minutes, calls and meetings)",
                optional=True,
                element=NumberInputElement(
                    action_id=ActionId.INPUT,
                    is_decimal_allowed=False,
                    min_value="1",
                    max_value=str(DURATION_MAX),
                    initial_value=form.duration or None,
                    placeholder="30",
                ),
            )
        )
    if kind is None or kind is InteractionKind.EMAIL:
        directions = [Option(text=d.value.capitalize(), value=d.value) for d in Direction]
        chosen = next((o for o in directions if o.value == form.direction), None)
        blocks.append(
            InputBlock(
                block_id=LogBlock.DIRECTION,
                label="Direction" if kind else "Direction (emails)",
                optional=True,
                element=RadioButtonsElement(
                    action_id=ActionId.INPUT, options=directions, initial_option=chosen
                ),
            )
        )
    blocks += [
        _text(LogBlock.SUMMARY, "Summary", form.summary, optional=False, multiline=True,
              max_length=SUMMARY_MAX, placeholder="What was discussed, what was agreed"),
        _text(LogBlock.OUTCOME, "Outcome", form.outcome, max_length=OUTCOME_MAX,
              placeholder="Agreed to a demo next week"),
        _text(LogBlock.TASK, "Follow-up task", form.task, max_length=TITLE_MAX,
              placeholder="Send the quote", hint="Creates a task assigned to you."),
        _text(LogBlock.DUE, "Follow-up due", form.due, max_length=DUE_MAX,
              placeholder="tomorrow 9am, fri, in 3 days",
              hint=f"Read in the workspace's timezone, {tz.key}."),
    ]  # fmt: skip
    return View(
        type="modal",
        callback_id=CallbackId.LOG_SAVE,
        title=PlainTextObject(text=_TITLES[kind] if kind else "Log to customer"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=context.dump(),
        blocks=blocks,
    )


def _text(
    block_id: LogBlock,
    label: str,
    initial: str | None,
    *,
    optional: bool = True,
    multiline: bool = False,
    max_length: int,
    placeholder: str | None = None,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=ActionId.INPUT,
            initial_value=initial or None,
            multiline=multiline,
            max_length=max_length,
            placeholder=placeholder,
        ),
    )


def read_modal(values: dict[str, dict[str, dict[str, Any]]]) -> LogForm:
    """Pull the submitted values out of view.state.values."""

    def state(block_id: LogBlock, action_id: str = ActionId.INPUT) -> dict[str, Any]:
        return values.get(block_id, {}).get(action_id) or {}

    def chosen(block_id: LogBlock, action_id: str = ActionId.INPUT) -> dict[str, Any]:
        return state(block_id, action_id).get("selected_option") or {}

    picked = chosen(LogBlock.CUSTOMER, ActionId.CUSTOMER_SELECT)
    customer = None
    if picked.get("value"):
        text = (picked.get("text") or {}).get("text") or str(picked["value"])
        customer = Option(text=truncate(text, 75), value=str(picked["value"])[:150])
    when = state(LogBlock.WHEN).get("selected_date_time")
    return LogForm(
        kind=chosen(LogBlock.KIND).get("value"),
        customer=customer,
        when=int(when) if when is not None else None,
        duration=state(LogBlock.DURATION).get("value"),
        direction=chosen(LogBlock.DIRECTION).get("value"),
        summary=state(LogBlock.SUMMARY).get("value"),
        outcome=state(LogBlock.OUTCOME).get("value"),
        task=state(LogBlock.TASK).get("value"),
        due=state(LogBlock.DUE).get("value"),
    )


# -- after saving ---------------------------------------------------------------------------


def saved_text(interaction: Interaction, customer: Customer, task: Task | None) -> str:
    """The notification line: 'Logged a call with C-12 Acme Corp: Discussed renewal…'."""
    preposition = "on" if interaction.kind is InteractionKind.NOTE else "with"
    head = f"Logged {a_kind(interaction.kind)} {preposition} {customer.public_id}"
    name, summary = truncate(customer.name, 100), truncate(interaction.summary, 300)
    text = f"{head} {escape(name)}: {escape(summary)}"
    if task is not None:
        text += f" Follow-up {task.public_id}: {escape(truncate(task.title, 100))}."
    return text


def saved_blocks(
    interaction: Interaction, customer: Customer, task: Task | None, *, now: datetime, tz: ZoneInfo
) -> list[Block]:
    """What was saved, as it will show on the customer's history; and the task, if any."""
    preposition = "on" if interaction.kind is InteractionKind.NOTE else "with"
    head = (
        f":white_check_mark: Logged {a_kind(interaction.kind)} {preposition} "
        f"*{customer.public_id} {escape(truncate(customer.name, 200))}*"
    )
    details = [describe(interaction.occurred_at.astimezone(UTC), now=now, tz=tz)]
    if interaction.duration_minutes:
        details.append(f"{interaction.duration_minutes} min")
    if interaction.direction:
        details.append(interaction.direction.value)
    if interaction.message_link:
        details.append(f"<{interaction.message_link}|from a Slack message>")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=head)),
        SectionBlock(text=MarkdownTextObject(text=truncate(escape(interaction.summary), 3000))),
    ]
    if interaction.outcome:
        outcome = f"*Outcome:* {escape(interaction.outcome)}"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate(outcome, 3000))))
    context = " · ".join(details) + f" · logged by <@{interaction.logged_by}>"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=truncate(context, 3000))]))
    if task is not None:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=task_line(task, now=now, tz=tz))))
    return blocks


def task_line(task: Task, *, now: datetime, tz: ZoneInfo) -> str:
    """':alarm_clock: Follow-up T-3 Send the quote — due tomorrow, Tue 3 Mar 2026, 09:00 (…)'."""
    due = (
        f"due {describe(task.due_at.astimezone(UTC), now=now, tz=tz)}"
        if task.due_at
        else "no due date"
    )
    title = escape(truncate(task.title, 1000))
    who = f"<@{task.assignee_id}>"
    return f":alarm_clock: Follow-up *{task.public_id}* {title} — {due}, assigned to {who}"


# -- which customer? ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    """A quick /log waiting for its customer: carried whole in the button's value."""

    customer_id: int
    kind: InteractionKind
    at: int  # epoch seconds: when the command was typed
    token: str  # pressing twice logs once
    summary: str

    def encode(self) -> str:
        return f"{self.customer_id}|{self.kind.value[0]}|{self.at}|{self.token}|{self.summary}"

    @classmethod
    def decode(cls, value: str) -> Pick:
        customer_id, kind, at, token, summary = value.split("|", 4)
        kinds = {k.value[0]: k for k in InteractionKind}
        return cls(int(customer_id), kinds[kind], int(at), token, summary)


def pick_blocks(
    typed: str, matches: list[Customer], pending: Pick, *, more: bool
) -> list[Block] | None:
    """Several customers match: one button each, that logs the entry for that customer.

    None when not even one choice fits Slack's limits (a long summary): the caller then
    points to the form or the id."""
    longest = max(len(replace(pending, customer_id=c.id).encode()) for c in matches)
    if longest > BUTTON_VALUE_MAX:
        return None
    shown = min(len(matches), PICKS_MAX)
    while shown >= 1:
        blocks = _pick_blocks(typed, matches[:shown], pending, more or shown < len(matches))
        if _fits(blocks):
            return blocks
        shown -= 1
    return None


def _pick_blocks(typed: str, matches: list[Customer], pending: Pick, more: bool) -> list[Block]:
    count = f"{len(matches)}+" if more else str(len(matches))
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"{count} customers match *{escape(truncate(typed, 100))}*. "
                f"Which one gets {a_kind(pending.kind)}?"
            )
        )
    ]
    for customer in matches:
        value = Pick(customer.id, pending.kind, pending.at, pending.token, pending.summary).encode()
        details = " · ".join(escape(p) for p in (customer.company, customer.email) if p)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{escape(truncate(customer.name, 200))}* {customer.public_id}"
                    + (f"\n{details}" if details else "")
                ),
                accessory=ButtonElement(
                    text=truncate(f"Log for {customer.public_id}", 75),
                    action_id=ActionId.LOG_PICK_CUSTOMER,
                    value=value,
                ),
            )
        )
    note = f"> {escape(truncate(pending.summary, 200))}"
    if more:
        note += f"\nNot listed? Type more of the name, or the id: `/log {pending.kind} C-12 …`."
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    return blocks


def _fits(blocks: list[Block]) -> bool:
    dicts = [b.to_dict() for b in blocks]
    size = len(json.dumps(dicts, separators=(",", ":"), ensure_ascii=False))
    return size <= MESSAGE_CHARS_MAX
