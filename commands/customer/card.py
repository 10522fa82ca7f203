"""The customer card: who they are, how to reach them, and what happened lately."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    SectionBlock,
)

from commands.fit import fit
from commands.format import escape, local_date, mention, truncate
from commands.ids import ActionId, BlockId
from domain.customers import Contact, Customer
from domain.interactions import Interaction, InteractionKind, InteractionPage
from domain.money import format_money
from domain.orders import Purchases
from domain.tasks import Task

FIELD_MAX = 2000
SECTION_MAX = 3000
CARD_INTERACTIONS = 5
HISTORY_PAGE = 10
CARD_CONTACTS = 8
CARD_TASKS = 5

KIND_ICONS = {
    InteractionKind.CALL: ":telephone_receiver:",
    InteractionKind.EMAIL: ":email:",
    InteractionKind.MEETING: ":handshake:",
    InteractionKind.NOTE: ":memo:",
}


@dataclass(frozen=True)
class Profile:
    """Everything the card shows, gathered from the services."""

    customer: Customer
    interactions: InteractionPage
    open_tasks: list[Task]
    open_task_total: int
    last_contact_at: datetime | None
    purchases: Purchases | None = None
    currency: str = "USD"


def card_text(customer: Customer) -> str:
    """The notification line; Slack parses it as mrkdwn too, so it is escaped."""
    company = f" ({escape(customer.company)})" if customer.company else ""
    return f"{customer.public_id} {escape(customer.name)}{company}"


def card_blocks(profile: Profile, *, tz: ZoneInfo, now: datetime) -> list[Block]:
    """The whole card; at most ~35 blocks, every text within Block Kit's limits."""
    customer = profile.customer
    blocks: list[Block] = [
        HeaderBlock(text=truncate(customer.name, 150)),
        SectionBlock(fields=_fields(profile, tz)),
    ]
    if customer.notes:
        blocks.append(_section(f"*Notes*\n{escape(customer.notes)}"))
    blocks += _contacts(customer)
    blocks.append(_section(_orders(profile, tz)))
    blocks += _activity(profile, tz)
    blocks += _tasks(profile, tz, now)
    added_by = f" by {mention(customer.created_by)}" if customer.created_by else ""
    blocks += [
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{customer.public_id} · added{added_by} on "
                    f"{local_date(customer.created_at, tz)}"
                )
            ]
        ),
        ActionsBlock(block_id=BlockId.CUSTOMER_ACTIONS, elements=_buttons(customer)),
    ]
    return fit(blocks)


def history_blocks(customer: Customer, page: InteractionPage, *, tz: ZoneInfo) -> list[Block]:
    """One page of a customer's interactions, newest first, with a button for the next."""
    shown_to = page.offset + len(page.items)
    blocks: list[Block] = [
        _section(
            f"*{escape(truncate(customer.name, 200))}* {customer.public_id}: interactions "
            f"{page.offset + 1}–{shown_to} of {page.total}"
        )
    ]
    blocks += [_section(_interaction_line(i, tz, limit=1200)) for i in page.items]
    if shown_to < page.total:
        blocks.append(ActionsBlock(elements=[_more_button(customer.id, shown_to)]))
    return fit(blocks)


def _fields(profile: Profile, tz: ZoneInfo) -> list[MarkdownTextObject]:
    customer = profile.customer
    place = ", ".join(
        p for p in (customer.address, customer.city, customer.region, customer.country) if p
    )
    last = local_date(profile.last_contact_at, tz) if profile.last_contact_at else "never"
    return [
        _field("Company", escape(customer.company)),
        _field("Owner", mention(customer.owner_id)),
        _field("Email", _email(customer.email)),
        _field("Phone", escape(customer.phone)),
        _field("Industry", escape(customer.industry)),
        _field("Tags", escape(", ".join(customer.tags))),
        _field("Address", escape(place)),
        _field("Last contact", last),
        _field("Lifetime revenue", _lifetime(profile)),
        _field("Created", local_date(customer.created_at, tz)),
    ]


def _lifetime(profile: Profile) -> str:
    bought = profile.purchases
    if bought is None or bought.orders == 0:
        return "no orders yet"
    plural = "s" if bought.orders != 1 else ""
    return f"{format_money(bought.revenue, profile.currency)} ({bought.orders:,} order{plural})"


def _orders(profile: Profile, tz: ZoneInfo) -> str:
    bought = profile.purchases
    if bought is None or bought.orders == 0:
        return "*Orders*\nNo orders yet. Record one with `/sales record`."
    lines = [
        f"{order.public_id} · {order.order_date.strftime('%-d %b %Y')} · "
        f"{format_money(order.total, profile.currency)} · {order.line_count} "
        f"line{'s' if order.line_count != 1 else ''}"
        for order in bought.recent
    ]
    more = bought.orders - len(bought.recent)
    if more > 0:
        lines.append(f"_and {more:,} earlier_")
    return "*Orders*\n" + "\n".join(lines)


def _contacts(customer: Customer) -> list[Block]:
    blocks: list[Block] = []
    for contact in customer.contacts[:CARD_CONTACTS]:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=truncate(_contact_line(contact), SECTION_MAX)),
                accessory=OverflowMenuElement(
                    action_id=ActionId.CONTACT_REMOVE,
                    options=[Option(text="Remove contact", value=f"{customer.id}:{contact.id}")],
                ),
            )
        )
    more = len(customer.contacts) - CARD_CONTACTS
    if more > 0:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"…and {more} more contacts")])
        )
    if blocks:
        blocks.insert(0, _section("*Contacts*"))
    return blocks


def _activity(profile: Profile, tz: ZoneInfo) -> list[Block]:
    page = profile.interactions
    if not page.items:
        return [_section("*Recent activity*\nNothing logged yet.")]
    lines = [_interaction_line(i, tz, limit=500) for i in page.items[:CARD_INTERACTIONS]]
    blocks: list[Block] = [
        _section("*Recent activity*\n" + "\n".join(lines)),
    ]
    if page.total > len(lines):
        blocks.append(ActionsBlock(elements=[_more_button(profile.customer.id, len(lines))]))
    return blocks


def _tasks(profile: Profile, tz: ZoneInfo, now: datetime) -> list[Block]:
    if not profile.open_tasks:
        return [_section("*Open tasks*\nNone.")]
    from commands.task.views import task_section  # the task family owns its line format

    blocks: list[Block] = [DividerBlock(), _section(f"*Open tasks* ({profile.open_task_total})")]
    blocks += [
        task_section(t, tz=tz, now=now, customer=profile.customer)
        for t in profile.open_tasks[:CARD_TASKS]
    ]
    more = profile.open_task_total - min(len(profile.open_tasks), CARD_TASKS)
    if more > 0:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=f"…and {more} more: `/task` lists them")]
            )
        )
    return blocks


def _buttons(customer: Customer) -> list[ButtonElement]:
    value = str(customer.id)
    return [
        ButtonElement(text="Log call", action_id=ActionId.LOG_CALL, value=value),
        ButtonElement(text="Log email", action_id=ActionId.LOG_EMAIL, value=value),
        ButtonElement(text="Add note", action_id=ActionId.LOG_NOTE, value=value),
        ButtonElement(text="Add task", action_id=ActionId.TASK_ADD, value=value),
        ButtonElement(text="Add contact", action_id=ActionId.CONTACT_ADD, value=value),
        ButtonElement(text="Edit", action_id=ActionId.CUSTOMER_EDIT, value=value),
    ]


def _more_button(customer_id: int, offset: int) -> ButtonElement:
    return ButtonElement(
        text="Show more", action_id=ActionId.CUSTOMER_HISTORY_MORE, value=f"{customer_id}:{offset}"
    )


def _interaction_line(item: Interaction, tz: ZoneInfo, *, limit: int) -> str:
    details = []
    if item.duration_minutes:
        details.append(f"{item.duration_minutes} min")
    if item.direction:
        details.append(item.direction.value)
    extra = f" ({', '.join(details)})" if details else ""
    head = (
        f"{KIND_ICONS[item.kind]} {local_date(item.occurred_at, tz)} · "
        f"{item.kind.value}{extra} by {mention(item.logged_by)}"
    )
    body = escape(truncate(item.summary, limit))
    outcome = f"\n    _Outcome:_ {escape(truncate(item.outcome, 200))}" if item.outcome else ""
    link = f" <{item.message_link}|message>" if item.message_link else ""
    return f"{head}{link}\n    {body}{outcome}"


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_MAX)))


def _field(label: str, shown: str) -> MarkdownTextObject:
    """A labelled card field, kept within Slack's 2,000 characters after escaping."""
    return MarkdownTextObject(text=truncate(f"*{label}*\n{shown or '—'}", FIELD_MAX))


def _email(email: str | None) -> str:
    if not email:
        return "—"
    safe = escape(email)
    return f"<mailto:{safe}|{safe}>"


def _contact_line(contact: Contact) -> str:
    head = f"• *{escape(contact.name)}*" + (f", {escape(contact.title)}" if contact.title else "")
    reach = " · ".join(escape(x) for x in (contact.email, contact.phone) if x)
    return head + (f" — {reach}" if reach else "")
