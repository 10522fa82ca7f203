"""Block Kit for deals: the card, lists, and the deal, lost, note and task modals."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    ExternalDataSelectElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from commands.customer.options import customer_option
from commands.deal.ids import DealAction, DealBlock, DealCallback
from commands.fit import fit
from commands.format import escape, local_date, mention, truncate
from commands.ids import ActionId
from commands.modal_context import METADATA_MAX
from domain.customers import Customer
from domain.money import format_money
from domain.pipeline import (
    NEXT_STEP_MAX,
    NOTE_MAX,
    REASON_MAX,
    TITLE_MAX,
    Deal,
    DealCard,
    DealNote,
    Outcome,
    Stage,
    StageChange,
)
from domain.tasks import TITLE_MAX as TASK_TITLE_MAX
from domain.when import EXAMPLES

SECTION_MAX = 3000
FIELD_MAX = 2000
CARD_NOTES = 5
CARD_HISTORY = 5
LIST_MAX = 20  # deals listed in one message
NOTE_SHOWN = 400  # characters of a note on the card
AMOUNT_LENGTH_MAX = 24
ERROR_MAX = 300

# The domain names fields; the modal names blocks. This is the bridge for inline errors.
FIELD_BLOCKS = {
    "title": DealBlock.TITLE,
    "customer": DealBlock.CUSTOMER,
    "amount": DealBlock.AMOUNT,
    "expected_close": DealBlock.CLOSE,
    "stage": DealBlock.STAGE,
    "owner": DealBlock.OWNER,
    "next_step": DealBlock.NEXT_STEP,
}


# --- what a modal carries -----------------------------------------------------------------------


@dataclass(frozen=True)
class DealContext:
    """private_metadata of the deal modals: which deal, and where to answer after submit."""

    deal_id: int | None
    token: str  # one per opened form: a second submit of the same form writes nothing new
    response_url: str | None = None
    channel_id: str | None = None

    @classmethod
    def opened_from(cls, payload: dict[str, Any], deal_id: int | None = None) -> DealContext:
        channel = payload.get("channel")
        channel_id = channel.get("id") if isinstance(channel, dict) else payload.get("channel_id")
        return cls(deal_id, secrets.token_urlsafe(12), payload.get("response_url"), channel_id)

    def dump(self) -> str:
        data = {"d": self.deal_id, "k": self.token, "r": self.response_url, "c": self.channel_id}
        text = json.dumps(data, separators=(",", ":"))
        if len(text) > METADATA_MAX:
            # Without the URL the answer goes to the channel or a DM instead.
            text = json.dumps({**data, "r": None}, separators=(",", ":"))
        return text

    @classmethod
    def load(cls, text: str) -> DealContext:
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        deal_id = data.get("d")
        return cls(
            deal_id if isinstance(deal_id, int) else None,
            str(data.get("k") or ""),
            data.get("r"),
            data.get("c"),
        )


# --- the card -----------------------------------------------------------------------------------


def card_text(deal: Deal, currency: str) -> str:
    """The notification line; Slack parses it as mrkdwn too, so it is escaped."""
    return (
        f"{deal.public_id} {escape(truncate(deal.title, 150))}: "
        f"{format_money(deal.amount, currency)}"
    )


def card_blocks(
    card: DealCard, *, tz: ZoneInfo, now: datetime, currency: str, note: str | None = None
) -> list[Block]:
    """The whole card: facts, notes, open tasks, recent history, and its buttons."""
    deal = card.deal
    blocks: list[Block] = [HeaderBlock(text=truncate(f"{deal.public_id} {deal.title}", 150))]
    if note:
        blocks.append(_section(note))
    blocks.append(SectionBlock(fields=_fields(card, tz=tz, now=now, currency=currency)))
    if deal.status == Outcome.LOST and deal.lost_reason:
        blocks.append(_section(f"*Lost because* {escape(deal.lost_reason)}"))
    blocks.append(_section(_notes(card.notes, tz)))
    blocks += _tasks(card, tz=tz, now=now)
    blocks.append(_section(_history(card.history, tz)))
    made_by = f" by {mention(deal.created_by)}" if deal.created_by else ""
    blocks.append(
        _context(f"{deal.public_id} · created{made_by} on {local_date(deal.created_at, tz)}")
    )
    blocks.append(ActionsBlock(block_id=f"{DealBlock.ACTIONS}:{deal.id}", elements=_buttons(card)))
    return fit(blocks)


def progress(stages: Sequence[Stage], stage: Stage | None) -> str:
    """`▰▰▰▱ Proposal (3 of 4, 50%)` while open; won and lost say so."""
    if stage is None:
        return "—"
    if stage.outcome == Outcome.WON:
        return f":trophy: {escape(stage.name)}"
    if stage.outcome == Outcome.LOST:
        return f":x: {escape(stage.name)}"
    steps = [s for s in stages if s.active and s.outcome == Outcome.OPEN]
    place = next((n for n, s in enumerate(steps, 1) if s.id == stage.id), 0)
    bar = "▰" * place + "▱" * (len(steps) - place)
    percent = f"{stage.probability * 100:.0f}%"
    where = f"{place} of {len(steps)}, {percent}" if place else percent
    return f"{bar} {escape(stage.name)} ({where})"


def close_text(deal: Deal, today: date) -> str:
    if deal.expected_close is None:
        return "not set"
    shown = day_text(deal.expected_close)
    if deal.is_overdue(today):
        days = (today - deal.expected_close).days
        return f":warning: {shown}, *past* by {days} day{'s' * (days != 1)}"
    return shown


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _fields(
    card: DealCard, *, tz: ZoneInfo, now: datetime, currency: str
) -> list[MarkdownTextObject]:
    deal = card.deal
    today = now.astimezone(tz).date()
    return [
        _field("Customer", customer_text(card.customer)),
        _field("Amount", format_money(deal.amount, currency)),
        _field("Stage", progress(card.stages, card.stage)),
        _field("Owner", mention(deal.owner_id)),
        _field("Expected close", close_text(deal, today)),
        _field("Next step", escape(deal.next_step) or "none yet"),
        _field("Age", age_text(deal, now=now, tz=tz)),
        _field("Last activity", local_date(deal.last_activity_at, tz)),
    ]


def age_text(deal: Deal, *, now: datetime, tz: ZoneInfo) -> str:
    """How old the deal is and how long in its stage; a closed deal stops its clocks."""
    age = _days(deal.age(now).days)
    if deal.closed_at is not None and not deal.is_open:
        return f"{age} to close · closed {local_date(deal.closed_at, tz)}"
    return f"{age} · {_days(deal.days_in_stage(now))} in this stage"


def customer_text(customer: Customer | None) -> str:
    if customer is None:
        return "—"
    return f"{customer.public_id} {escape(truncate(customer.name, 200))}"


def _notes(notes: list[DealNote], tz: ZoneInfo) -> str:
    if not notes:
        return "*Notes*\nNone yet: add one for the team with *Add note*."
    lines = [
        f"• {local_date(n.created_at, tz)} {mention(n.author)}: "
        f"{escape(truncate(' '.join(n.text.split()), NOTE_SHOWN))}"
        for n in reversed(notes[-CARD_NOTES:])
    ]
    # The count leads: a long card is shortened from the end of its longest section.
    count = f"newest {CARD_NOTES} of {len(notes)}" if len(notes) > CARD_NOTES else len(notes)
    return f"*Notes* ({count})\n" + "\n".join(lines)


def _tasks(card: DealCard, *, tz: ZoneInfo, now: datetime) -> list[Block]:
    if not card.open_tasks:
        return [_section("*Open tasks*\nNone: give someone one with *Add task*.")]
    from commands.task.views import task_section  # the task family owns its line format

    blocks: list[Block] = [
        DividerBlock(),
        _section(f"*Open tasks* ({card.open_task_total})"),
    ]
    blocks += [task_section(t, tz=tz, now=now, customer=card.customer) for t in card.open_tasks]
    more = card.open_task_total - len(card.open_tasks)
    if more > 0:
        blocks.append(_context(f"…and {more} more: `/task` lists them"))
    blocks.append(DividerBlock())
    return blocks


def _history(history: list[StageChange], tz: ZoneInfo) -> str:
    lines = [change_line(c, tz) for c in reversed(history[-CARD_HISTORY:])]
    head = "*Stage history*"
    if len(history) > CARD_HISTORY:
        head += f" (newest {CARD_HISTORY} of {len(history)}: *History* shows all)"
    return head + "\n" + ("\n".join(lines) or "—")


def change_line(change: StageChange, tz: ZoneInfo) -> str:
    """`2 Mar 2026 · Prospecting → Proposal · @bob` (the first: `created in Prospecting`)."""
    to = escape(change.to_stage_name)
    moved = (
        f"{escape(change.from_stage_name)} → {to}" if change.from_stage_name else f"created in {to}"
    )
    by = f" · {mention(change.actor)}" if change.actor else ""
    return f"{local_date(change.at, tz)} · {moved}{by}"


def _buttons(card: DealCard) -> list[Any]:
    deal = card.deal
    value = str(deal.id)
    others = [s for s in card.stages if s.active and s.id != deal.stage_id]
    elements: list[Any] = []
    if others:
        elements.append(
            StaticSelectElement(
                action_id=DealAction.MOVE,
                placeholder="Move stage",
                options=[
                    Option(text=truncate(s.name, 75), value=f"{deal.id}:{s.id}") for s in others
                ],
            )
        )
    if deal.is_open:
        elements += [
            ButtonElement(text="Won", action_id=DealAction.WON, value=value, style="primary"),
            ButtonElement(text="Lost", action_id=DealAction.LOST, value=value, style="danger"),
        ]
    if deal.status == Outcome.WON:
        elements.append(record_order_button(deal))
    elements += [
        ButtonElement(text="Add note", action_id=DealAction.NOTE, value=value),
        ButtonElement(text="Add task", action_id=DealAction.TASK, value=value),
        ButtonElement(text="Edit", action_id=DealAction.EDIT, value=value),
    ]
    if len(card.history) > CARD_HISTORY:
        elements.append(ButtonElement(text="History", action_id=DealAction.HISTORY, value=value))
    return elements


def record_order_button(deal: Deal) -> ButtonElement:
    """Opens /sales record with the deal's customer already picked."""
    return ButtonElement(
        text="Record the order",
        action_id=ActionId.SALE_RECORD,
        value=f"customer:{deal.customer_id}",
        style="primary",
    )


def won_note(deal: Deal, currency: str) -> str:
    return (
        f":tada: {deal.public_id} is won: {format_money(deal.amount, currency)}. "
        "Record the order now? *Record the order* opens the order form for its customer."
    )


def history_blocks(deal: Deal, history: list[StageChange], *, tz: ZoneInfo) -> list[Block]:
    """Every stage change of a deal, newest first."""
    lines = [change_line(c, tz) for c in reversed(history)]
    head = f"*{deal.public_id} {escape(truncate(deal.title, 200))}*: stage history"
    blocks: list[Block] = [_section(head)]
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > SECTION_MAX - 10:
            blocks.append(_section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
        if len(blocks) >= 45:
            break
    if chunk:
        blocks.append(_section("\n".join(chunk)))
    return fit(blocks)


# --- lists --------------------------------------------------------------------------------------


def deal_line(deal: Deal, stage_names: dict[int, str], *, currency: str, today: date) -> str:
    """`*D-42* Acme renewal` over `$12,000.50 · Proposal · closes 30 Apr 2026`."""
    facts = [format_money(deal.amount, currency), escape(stage_names.get(deal.stage_id, "?"))]
    if deal.expected_close is not None:
        closes = f"closes {day_text(deal.expected_close)}"
        if deal.is_overdue(today):
            closes = f":warning: {closes} (past)"
        facts.append(closes)
    title = escape(truncate(deal.title, 200))
    return f"*{deal.public_id}* {title}\n" + " · ".join(facts)


def list_blocks(
    head: str,
    deals: Sequence[Deal],
    stages: Sequence[Stage],
    *,
    currency: str,
    today: date,
    hint: str | None = None,
) -> list[Block]:
    """A heading, one line per deal with an Open button, then a hint."""
    names = {s.id: s.name for s in stages}
    blocks: list[Block] = [_section(head)]
    for deal in deals[:LIST_MAX]:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=truncate(deal_line(deal, names, currency=currency, today=today), 3000)
                ),
                accessory=ButtonElement(text="Open", action_id=DealAction.OPEN, value=str(deal.id)),
            )
        )
    if len(deals) > LIST_MAX:
        blocks.append(_context(f"…and {len(deals) - LIST_MAX} more."))
    if hint:
        blocks.append(_context(hint))
    return fit(blocks)


def no_match_blocks(query: str) -> list[Block]:
    """Nothing found: say so and offer a new deal."""
    shown = escape(truncate(query, 100))
    return [
        SectionBlock(
            text=MarkdownTextObject(text=f"No deal matches *{shown}*. Start one with `/deal new`."),
            accessory=ButtonElement(
                text="New deal",
                action_id=DealAction.NEW,
                value=truncate(query, 200),
                style="primary",
            ),
        )
    ]


# --- modals -------------------------------------------------------------------------------------


def deal_modal(
    context: DealContext,
    stages: Sequence[Stage],
    *,
    deal: Deal | None = None,
    customer: Customer | None = None,
    owner_id: str | None = None,
    title: str | None = None,
) -> View:
    """The new-deal form, or (given a deal) the edit form without the stage: moves are
    made on the card so each one lands in the history."""
    blocks: list[Block] = [
        _text_input(
            DealBlock.TITLE,
            "Title",
            deal.title if deal else title,
            optional=False,
            max_length=TITLE_MAX,
            placeholder="Acme renewal 2026",
        ),
        InputBlock(
            block_id=DealBlock.CUSTOMER,
            label="Customer",
            element=ExternalDataSelectElement(
                action_id=ActionId.CUSTOMER_SELECT,
                placeholder="Type a name, company or C-12",
                min_query_length=1,
                initial_option=customer_option(customer) if customer else None,
            ),
        ),
        _text_input(
            DealBlock.AMOUNT,
            "Amount",
            _amount_text(deal) if deal else None,
            optional=False,
            max_length=AMOUNT_LENGTH_MAX,
            placeholder="12000",
        ),
        InputBlock(
            block_id=DealBlock.CLOSE,
            label="Expected close",
            optional=True,
            element=DatePickerElement(
                action_id=ActionId.INPUT,
                initial_date=deal.expected_close.isoformat()
                if deal and deal.expected_close
                else None,
            ),
        ),
    ]
    if deal is None:
        open_stages = [s for s in stages if s.active and s.outcome == Outcome.OPEN]
        options = [Option(text=truncate(s.name, 75), value=s.key[:150]) for s in open_stages]
        blocks.append(
            InputBlock(
                block_id=DealBlock.STAGE,
                label="Stage",
                optional=True,
                hint="Empty: the first stage.",
                element=StaticSelectElement(
                    action_id=ActionId.INPUT,
                    placeholder="Pick a stage",
                    options=options,
                    initial_option=options[0] if options else None,
                ),
            )
        )
    blocks += [
        InputBlock(
            block_id=DealBlock.OWNER,
            label="Owner",
            element=UserSelectElement(
                action_id=ActionId.INPUT,
                initial_user=deal.owner_id if deal else owner_id,
                placeholder="Who works the deal",
            ),
        ),
        _text_input(
            DealBlock.NEXT_STEP,
            "Next step",
            deal.next_step if deal else None,
            max_length=NEXT_STEP_MAX,
            placeholder="Send the proposal by Friday",
            multiline=True,
        ),
    ]
    return View(
        type="modal",
        callback_id=DealCallback.SAVE,
        title=f"Edit {deal.public_id}" if deal else "New deal",
        submit="Save",
        close="Cancel",
        private_metadata=context.dump(),
        blocks=blocks,
    )


def read_deal_modal(values: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """The deal form's values, keyed as DealDraft.from_input takes them."""

    def state(block_id: str, action_id: str = ActionId.INPUT) -> dict[str, Any]:
        entry = (values.get(block_id) or {}).get(action_id)
        return entry if isinstance(entry, dict) else {}

    picked = state(DealBlock.CUSTOMER, ActionId.CUSTOMER_SELECT).get("selected_option") or {}
    customer = str(picked.get("value") or "")
    stage = (state(DealBlock.STAGE).get("selected_option") or {}).get("value")
    return {
        "title": state(DealBlock.TITLE).get("value"),
        "customer_id": int(customer) if customer.isdigit() else None,
        "amount": state(DealBlock.AMOUNT).get("value"),
        "expected_close": state(DealBlock.CLOSE).get("selected_date"),
        "stage_key": stage,
        "owner_id": state(DealBlock.OWNER).get("selected_user"),
        "next_step": state(DealBlock.NEXT_STEP).get("value"),
    }


def error_blocks(errors: dict[str, str]) -> dict[str, str]:
    """The domain's errors keyed by the form's blocks (the title takes anything unforeseen)."""
    by_block: dict[str, str] = {}
    for field, message in errors.items():
        block = FIELD_BLOCKS.get(field, DealBlock.TITLE)
        shown = f"{by_block[block]} {message}" if block in by_block else message
        by_block[block] = truncate(shown, ERROR_MAX)
    return by_block


def lost_modal(deal: Deal, context: DealContext) -> View:
    return View(
        type="modal",
        callback_id=DealCallback.LOST,
        title=f"Lost {deal.public_id}"[:24],
        submit="Mark lost",
        close="Cancel",
        private_metadata=context.dump(),
        blocks=[
            _section(f"*{deal.public_id}* {escape(truncate(deal.title, 200))}"),
            _text_input(
                DealBlock.REASON,
                "Why was it lost?",
                None,
                optional=False,
                max_length=REASON_MAX,
                placeholder="Went with a cheaper supplier",
                multiline=True,
            ),
        ],
    )


def note_modal(deal: Deal, context: DealContext) -> View:
    return View(
        type="modal",
        callback_id=DealCallback.NOTE,
        title="Add a note",
        submit="Add note",
        close="Cancel",
        private_metadata=context.dump(),
        blocks=[
            _section(
                f"*{deal.public_id}* {escape(truncate(deal.title, 200))}\n"
                "Everyone in the workspace sees notes on the card."
            ),
            _text_input(
                DealBlock.NOTE,
                "Note",
                None,
                optional=False,
                max_length=NOTE_MAX,
                multiline=True,
            ),
        ],
    )


def task_modal(deal: Deal, context: DealContext, *, tz: ZoneInfo, assignee_id: str) -> View:
    """A task for the deal: what, who (they get a DM) and by when."""
    return View(
        type="modal",
        callback_id=DealCallback.TASK,
        title="Task for a deal",
        submit="Add task",
        close="Cancel",
        private_metadata=context.dump(),
        blocks=[
            _section(f"*{deal.public_id}* {escape(truncate(deal.title, 200))}"),
            _text_input(
                DealBlock.TASK_TITLE,
                "Task",
                None,
                optional=False,
                max_length=TASK_TITLE_MAX,
                placeholder="Send the revised quote",
            ),
            InputBlock(
                block_id=DealBlock.TASK_ASSIGNEE,
                label="Assignee",
                hint="Someone else gets a DM about it.",
                element=UserSelectElement(
                    action_id=ActionId.INPUT, initial_user=assignee_id, placeholder="Who does it"
                ),
            ),
            _text_input(
                DealBlock.TASK_DUE,
                "Due",
                None,
                max_length=100,
                placeholder="tomorrow 9am",
                hint=f"In {tz.key} time. For example: {EXAMPLES}",
            ),
        ],
    )


def read_text(values: dict[str, dict[str, dict[str, Any]]], block_id: str) -> str | None:
    entry = (values.get(block_id) or {}).get(ActionId.INPUT) or {}
    value = entry.get("value") if isinstance(entry, dict) else None
    return value if isinstance(value, str) else None


def read_user(values: dict[str, dict[str, dict[str, Any]]], block_id: str) -> str | None:
    entry = (values.get(block_id) or {}).get(ActionId.INPUT) or {}
    value = entry.get("selected_user") if isinstance(entry, dict) else None
    return value if isinstance(value, str) else None


# --- helpers ------------------------------------------------------------------------------------


def _amount_text(deal: Deal) -> str:
    amount = deal.amount.normalize()
    return f"{amount:f}"


def _days(n: int) -> str:
    return f"{n} day{'s' * (n != 1)}"


def _text_input(
    block_id: str,
    label: str,
    initial: str | None,
    *,
    optional: bool = True,
    max_length: int,
    placeholder: str | None = None,
    multiline: bool = False,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=ActionId.INPUT,
            # Slack refuses an initial value longer than the field's max_length.
            initial_value=truncate(initial, max_length) if initial else None,
            max_length=max_length,
            placeholder=placeholder,
            multiline=multiline,
        ),
    )


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_MAX)))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(text, 2000))])


def _field(label: str, shown: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=truncate(f"*{label}*\n{shown or '—'}", FIELD_MAX))
