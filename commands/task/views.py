"""Block Kit for tasks: task lines, lists, the reminder and summary DMs, and the two modals.

Every task line carries its place in its block_id (`task:<id>:<kind>[:…]`), so when a
button on it is pressed the handler knows how to redraw the message it sits in: a list is
listed again, a reminder redrawn, a line among others (a customer card, a summary) swapped
in place.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from commands.format import escape, mention, truncate
from commands.ids import ActionId, CallbackId
from commands.modal_context import ModalContext
from commands.task.grammar import SNOOZE_LABELS
from domain.customers import Customer
from domain.ids import Kind, format_id
from domain.tasks import TITLE_MAX, Task, TaskScope, TaskStatus
from domain.when import EXAMPLES, describe

LIST_MAX = 20  # task lines in one message at most
LINE_TITLE_MAX = 200  # characters of a title shown on a task line
TEXT_TITLE_MAX = 100  # … and in a notification's fallback text
SECTION_MAX = 3000
METADATA_MAX = 3000
# Slack refuses messages past ~13k serialized characters (msg_blocks_too_long): a line with
# its menu is ~600, so a long list stops early and says how many more there are.
MESSAGE_BUDGET = 12_000

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MENU_LABELS = {"done": "Done", **SNOOZE_LABELS, "reassign": "Reassign…"}


class TaskBlock(StrEnum):
    """Input blocks of the task modals (belong in commands.ids.BlockId)."""

    TITLE = "task_title"
    ASSIGNEE = "task_assignee"
    DUE = "task_due"
    CUSTOMER = "task_customer"


class PlaceKind(StrEnum):
    LINE = "line"  # one line among others (a customer card, the overdue summary)
    ONE = "one"  # a message about this task alone (the add reply, an assignment DM)
    LIST = "list"  # a /task list: list it again
    REMINDER = "remind"  # the reminder DM: redraw it


@dataclass(frozen=True)
class Place:
    """Where a task line sits, kept in its block_id so an action can redraw that message."""

    task_id: int
    kind: PlaceKind = PlaceKind.LINE
    scope: TaskScope = TaskScope.OPEN  # LIST: which list
    assignee_id: str | None = None  # LIST: whose
    late: bool = False  # REMINDER: sent late

    @property
    def block_id(self) -> str:
        parts = ["task", str(self.task_id), self.kind.value]
        if self.kind is PlaceKind.LIST:
            parts += [self.scope.value, self.assignee_id or ""]
        elif self.kind is PlaceKind.REMINDER:
            parts.append("late" if self.late else "")
        return ":".join(parts)

    @classmethod
    def read(cls, block_id: str | None) -> Place | None:
        parts = (block_id or "").split(":")
        if len(parts) < 3 or parts[0] != "task" or not parts[1].isdigit():
            return None
        task_id = int(parts[1])
        if parts[2] == PlaceKind.LIST and len(parts) == 5 and parts[3] in set(TaskScope):
            return cls(task_id, PlaceKind.LIST, TaskScope(parts[3]), parts[4] or None)
        if parts[2] == PlaceKind.REMINDER:
            return cls(task_id, PlaceKind.REMINDER, late=parts[3:4] == ["late"])
        if parts[2] in (PlaceKind.LINE, PlaceKind.ONE):
            return cls(task_id, PlaceKind(parts[2]))
        return None


# --- one task -----------------------------------------------------------------------------------


def task_section(
    task: Task, *, tz: ZoneInfo, now: datetime, customer: Customer | None = None
) -> SectionBlock:
    """One task line with its overflow menu (Done / Snooze… / Reassign…) while it is open."""
    return task_line(task, Place(task.id), tz=tz, now=now, customer=customer)


def task_line(
    task: Task,
    place: Place,
    *,
    tz: ZoneInfo,
    now: datetime,
    customer: Customer | None = None,
    show_assignee: bool = True,
) -> SectionBlock:
    """A task line at a given place (the block_id says where, for redrawing)."""
    return SectionBlock(
        block_id=place.block_id,
        text=MarkdownTextObject(
            text=truncate(
                line_text(task, tz=tz, now=now, customer=customer, show_assignee=show_assignee),
                SECTION_MAX,
            )
        ),
        accessory=task_menu(task) if task.status is TaskStatus.OPEN else None,
    )


def line_text(
    task: Task,
    *,
    tz: ZoneInfo,
    now: datetime,
    customer: Customer | None,
    show_assignee: bool = True,
) -> str:
    """`*T-7* Call back Acme` over `due tomorrow 15:00 · C-12 Acme · for @bob`."""
    title = escape(truncate(task.title, LINE_TITLE_MAX))
    if task.status is TaskStatus.DONE:
        when = f", {when_label(task.done_at, tz=tz, now=now)}" if task.done_at else ""
        return (
            f":white_check_mark: ~{task.public_id} {title}~\nDone by {mention(task.done_by)}{when}"
        )
    details = [due_label(task, tz=tz, now=now), *_links(task, customer)]
    if show_assignee:  # lists and summaries are one person's: their heading says whose
        details.append(f"for {mention(task.assignee_id)}")
    return f"*{task.public_id}* {title}\n" + " · ".join(details)


def task_menu(task: Task) -> OverflowMenuElement:
    """Done / Snooze 1 h / Tomorrow 9:00 / Next week / Reassign…; values "<task id>:<choice>"."""
    return OverflowMenuElement(
        action_id=ActionId.TASK_MENU,
        options=[
            # emoji=None keeps the flag out of the JSON: lists run close to Slack's size limit
            Option(text=PlainTextObject(text=label, emoji=None), value=f"{task.id}:{choice}")
            for choice, label in _MENU_LABELS.items()
        ],
    )


def due_label(task: Task, *, tz: ZoneInfo, now: datetime) -> str:
    """`due tomorrow 15:00`, `due Fri 6 Mar`, `:red_circle: *overdue*, was due …`."""
    if task.due_at is None:
        return "no due date"
    shown = when_label(task.due_at, tz=tz, now=now, has_time=task.due_has_time)
    if task.is_overdue(now):
        return f":red_circle: *overdue*, was due {shown}"
    return f"due {shown}"


def when_label(at: datetime, *, tz: ZoneInfo, now: datetime, has_time: bool = True) -> str:
    """A short local date for lines: today / tomorrow / yesterday, else `Fri 6 Mar`."""
    local = at.astimezone(tz)
    today = now.astimezone(tz).date()
    day = {0: "today", 1: "tomorrow", -1: "yesterday"}.get((local.date() - today).days)
    if day is None:
        day = f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"
        if local.year != today.year:
            day += f" {local.year}"
    return f"{day} {local:%H:%M}" if has_time else day


def due_exactly(task: Task, *, tz: ZoneInfo, now: datetime) -> str:
    """The due time with nothing left to guess: `due Fri 6 Mar 2026, 15:00 (Europe/Berlin)`."""
    if task.due_at is None:
        return "no due date"
    return f"due {describe(task.due_at, now=now, tz=tz)}"


def added_message(
    task: Task, customer: Customer | None, *, tz: ZoneInfo, now: datetime
) -> tuple[str, list[Block]]:
    """The reply to /task add and the form: exactly what was saved, with the task's menu."""
    text = (
        f"Added {task.public_id} *{escape(task.title)}* for {mention(task.assignee_id)}, "
        f"{due_exactly(task, tz=tz, now=now)}"
    )
    if customer is not None:
        text += f", customer {customer.public_id} {escape(customer.name)}"
    if task.deal_number is not None:
        text += f" (deal {format_id(Kind.DEAL, task.deal_number)})"
    block = SectionBlock(
        block_id=Place(task.id, PlaceKind.ONE).block_id,
        text=MarkdownTextObject(text=truncate(text, SECTION_MAX)),
        accessory=task_menu(task),
    )
    return text, [block]


def assignment_message(
    task: Task, customer: Customer | None, *, tz: ZoneInfo, now: datetime, by: str
) -> tuple[str, list[Block]]:
    """The DM to someone a task was given to, with the task line and its menu."""
    text = (
        f"{mention(by)} assigned you {task.public_id} "
        f"{escape(truncate(task.title, TEXT_TITLE_MAX))}, {due_exactly(task, tz=tz, now=now)}"
    )
    return text, [
        SectionBlock(text=MarkdownTextObject(text=f"{mention(by)} assigned you a task:")),
        task_line(task, Place(task.id, PlaceKind.ONE), tz=tz, now=now, customer=customer),
    ]


def one_message(
    task: Task, customer: Customer | None, *, tz: ZoneInfo, now: datetime, note: str
) -> tuple[str, list[Block]]:
    """A message about one task after something happened to it: what happened, then the line."""
    return note, [
        ContextBlock(elements=[MarkdownTextObject(text=truncate(note, SECTION_MAX))]),
        task_line(task, Place(task.id, PlaceKind.ONE), tz=tz, now=now, customer=customer),
    ]


# --- lists --------------------------------------------------------------------------------------

_HEADINGS = {
    TaskScope.OPEN: "open tasks",
    TaskScope.OVERDUE: "overdue tasks",
    TaskScope.TODAY: "tasks due today or overdue",
}
_NONE = {
    TaskScope.OPEN: "No open tasks",
    TaskScope.OVERDUE: "No overdue tasks",
    TaskScope.TODAY: "Nothing due today",
}


def list_message(
    tasks: Sequence[Task],
    total: int,
    customers: dict[int, Customer],
    *,
    scope: TaskScope,
    assignee_id: str,
    viewer_id: str,
    tz: ZoneInfo,
    now: datetime,
    note: str | None = None,
) -> tuple[str, list[Block]]:
    """A /task list: a heading, up to LIST_MAX lines, and how many more there are."""
    head: list[Block] = []
    if note:
        head.append(ContextBlock(elements=[MarkdownTextObject(text=truncate(note, SECTION_MAX))]))
    yours = assignee_id == viewer_id
    if not tasks:
        whose = "" if yours else f" for {mention(assignee_id)}"
        hint = " Add one with `/task add …`" if scope is TaskScope.OPEN else ""
        text = f"{_NONE[scope]}{whose}. :sparkles:{hint}"
        return text, [*head, _section(text)]
    heading = ("Your " if yours else f"{mention(assignee_id)}'s ") + _HEADINGS[scope]
    head.append(_section(f"*{heading}* ({total})"))
    lines = [
        task_line(
            task,
            Place(task.id, PlaceKind.LIST, scope, assignee_id),
            tz=tz,
            now=now,
            customer=customers.get(task.customer_id) if task.customer_id else None,
            show_assignee=False,
        )
        for task in tasks
    ]
    blocks = _fit(
        head,
        lines,
        total,
        lambda more: f"…and {more} more. `/task today` or `/task overdue` narrow it down.",
    )
    return f"{heading} ({total})", blocks


# --- DMs the scheduler sends --------------------------------------------------------------------


def reminder_message(
    task: Task, customer: Customer | None, *, tz: ZoneInfo, now: datetime, late: bool
) -> tuple[str, list[Block]]:
    """The DM at due time: the task, its customer, when it is due, and what to do about it."""
    title = escape(task.title)
    facts = []
    if task.due_at is not None:
        facts.append(f"*Due* {describe(task.due_at, now=now, tz=tz)}")
    if late and task.status is TaskStatus.OPEN and task.due_at is not None:
        facts.append(
            f":hourglass_flowing_sand: Late: was due {describe(task.due_at, now=now, tz=tz)} "
            "(Salesbot was offline)"
        )
    links = _links(task, customer)
    if links:
        facts.append("*For* " + " · ".join(links))
    facts.append(f"*Assigned to* {mention(task.assignee_id)} · added by {mention(task.created_by)}")
    if task.status is TaskStatus.DONE:
        head = f":white_check_mark: ~*{task.public_id}* {title}~ is done"
        if task.done_by:
            head += f" (by {mention(task.done_by)})"
    else:
        head = f":alarm_clock: Reminder: *{task.public_id}* {title}"
    blocks: list[Block] = [
        _section(head),
        _section("\n".join(facts)),
    ]
    buttons = _reminder_buttons(task, customer)
    if buttons:
        place = Place(task.id, PlaceKind.REMINDER, late=late)
        blocks.append(ActionsBlock(block_id=place.block_id, elements=buttons))
    text = f"Reminder: {task.public_id} {escape(truncate(task.title, TEXT_TITLE_MAX))}"
    if task.due_at is not None:
        text += f", {due_exactly(task, tz=tz, now=now)}"
    if late:
        text += " (late: Salesbot was offline)"
    if customer is not None:
        text += f", customer {customer.public_id} {escape(truncate(customer.name, 80))}"
    return text, blocks


def _reminder_buttons(task: Task, customer: Customer | None) -> list[ButtonElement]:
    buttons: list[ButtonElement] = []
    if task.status is TaskStatus.OPEN:
        buttons.append(
            ButtonElement(
                text="Done", action_id=ActionId.TASK_DONE, value=str(task.id), style="primary"
            )
        )
        # Action ids must differ within a block: the choice rides in both id and value.
        buttons += [
            ButtonElement(
                text=label,
                action_id=snooze_action_id(choice),
                value=f"{task.id}:{choice}",
            )
            for choice, label in SNOOZE_LABELS.items()
        ]
    if customer is not None:
        buttons.append(
            ButtonElement(
                text="Open customer", action_id=ActionId.CUSTOMER_OPEN, value=str(customer.id)
            )
        )
    return buttons


def snooze_action_id(choice: str) -> str:
    """`task_snooze:1h`: several snooze buttons can share a block (handlers match the prefix)."""
    return f"{ActionId.TASK_SNOOZE}:{choice}"


def overdue_summary_message(
    tasks: list[Task], customers: dict[int, Customer], *, tz: ZoneInfo, now: datetime
) -> tuple[str, list[Block]]:
    """The morning DM: one person's overdue tasks, a line each, then how many more."""
    count = len(tasks)
    noun = "task" if count == 1 else "tasks"
    head = [_section(f":red_circle: *You have {count} overdue {noun}*")]
    lines = [
        task_line(
            task,
            Place(task.id),
            tz=tz,
            now=now,
            customer=customers.get(task.customer_id) if task.customer_id else None,
            show_assignee=False,
        )
        for task in tasks
    ]
    blocks = _fit(head, lines, count, lambda more: f"…and {more} more — `/task overdue`")
    listed = "; ".join(f"{t.public_id} {escape(truncate(t.title, 60))}" for t in tasks[:3]) + (
        "; …" if count > 3 else ""
    )
    return f"You have {count} overdue {noun}: {listed}", blocks


# --- modals -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReassignContext:
    """The task being reassigned, and the message its button was on (to redraw it)."""

    task_id: int
    block_id: str | None = None
    response_url: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None

    def dump(self) -> str:
        data = {
            "t": self.task_id,
            "b": self.block_id,
            "r": self.response_url,
            "ch": self.channel_id,
            "ts": self.message_ts,
        }
        text = json.dumps(data, separators=(",", ":"))
        if len(text) > METADATA_MAX:
            text = json.dumps({**data, "r": None}, separators=(",", ":"))
        return text

    @classmethod
    def load(cls, text: str) -> ReassignContext:
        data: dict[str, Any] = json.loads(text or "{}")
        return cls(int(data["t"]), data.get("b"), data.get("r"), data.get("ch"), data.get("ts"))


def task_modal(
    context: ModalContext,
    *,
    tz: ZoneInfo,
    assignee_id: str | None,
    customer: Customer | None = None,
    title: str | None = None,
) -> View:
    """The New task form; a customer it was opened for is shown, not asked."""
    blocks: list[Block] = []
    if customer is not None:
        blocks.append(
            _section(f"*Customer* {customer.public_id} {escape(truncate(customer.name, 200))}")
        )
    blocks += [
        InputBlock(
            block_id=TaskBlock.TITLE,
            label="Task",
            element=PlainTextInputElement(
                action_id=ActionId.INPUT,
                initial_value=title or None,
                placeholder="Call back about the renewal quote",
                max_length=TITLE_MAX,
            ),
        ),
        InputBlock(
            block_id=TaskBlock.ASSIGNEE,
            label="Assignee",
            element=UserSelectElement(
                action_id=ActionId.INPUT, initial_user=assignee_id, placeholder="Who does it"
            ),
        ),
        InputBlock(
            block_id=TaskBlock.DUE,
            label="Due",
            optional=True,
            hint=f"In {tz.key} time. For example: {EXAMPLES}",
            element=PlainTextInputElement(
                action_id=ActionId.INPUT, placeholder="tomorrow 9am", max_length=100
            ),
        ),
    ]
    if customer is None:
        blocks.append(
            InputBlock(
                block_id=TaskBlock.CUSTOMER,
                label="Customer",
                optional=True,
                hint="The customer's id, like C-12 (/customer finds it)",
                element=PlainTextInputElement(
                    action_id=ActionId.INPUT, placeholder="C-12", max_length=20
                ),
            )
        )
    return View(
        type="modal",
        callback_id=CallbackId.TASK_SAVE,
        title="New task",
        submit="Add task",
        close="Cancel",
        private_metadata=context.dump(),
        blocks=blocks,
    )


def read_task_modal(values: dict[str, dict[str, dict[str, Any]]]) -> dict[str, str | None]:
    """The New task form's values: title, assignee_id, due and customer as typed."""

    def value(block_id: TaskBlock) -> dict[str, Any]:
        return values.get(block_id, {}).get(ActionId.INPUT, {})

    return {
        "title": value(TaskBlock.TITLE).get("value"),
        "assignee_id": value(TaskBlock.ASSIGNEE).get("selected_user"),
        "due": value(TaskBlock.DUE).get("value"),
        "customer": value(TaskBlock.CUSTOMER).get("value"),
    }


def reassign_modal(task: Task, context: ReassignContext) -> View:
    """A small form: who should do this task instead."""
    return View(
        type="modal",
        callback_id=CallbackId.TASK_REASSIGN_SAVE,
        title=f"Reassign {task.public_id}",
        submit="Reassign",
        close="Cancel",
        private_metadata=context.dump(),
        blocks=[
            _section(f"*{task.public_id}* {escape(truncate(task.title, LINE_TITLE_MAX))}"),
            InputBlock(
                block_id=TaskBlock.ASSIGNEE,
                label="New assignee",
                element=UserSelectElement(
                    action_id=ActionId.INPUT, initial_user=task.assignee_id, placeholder="Who"
                ),
            ),
        ],
    )


def read_reassign_modal(values: dict[str, dict[str, dict[str, Any]]]) -> str | None:
    return values.get(TaskBlock.ASSIGNEE, {}).get(ActionId.INPUT, {}).get("selected_user")


# --- helpers ------------------------------------------------------------------------------------


def _links(task: Task, customer: Customer | None) -> list[str]:
    links = []
    if customer is not None:
        links.append(f"{customer.public_id} {escape(truncate(customer.name, 80))}")
    if task.deal_number is not None:
        links.append(format_id(Kind.DEAL, task.deal_number))
    return links


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_MAX)))


def _fit(
    head: list[Block], lines: list[SectionBlock], total: int, more: Callable[[int], str]
) -> list[Block]:
    """Head, then as many lines as fit LIST_MAX and the size budget, then "…and N more"."""
    blocks = list(head)
    size = _size(blocks) + 400  # room for the "more" line
    shown = 0
    for line in lines[:LIST_MAX]:
        cost = _size([line]) + 1
        if size + cost > MESSAGE_BUDGET:
            break
        blocks.append(line)
        size += cost
        shown += 1
    if total > shown:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more(total - shown))]))
    return blocks


def _size(blocks: Sequence[Block]) -> int:
    return len(json.dumps([b.to_dict() for b in blocks], ensure_ascii=False))
