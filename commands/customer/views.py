"""Block Kit for customers: the card, the search list and the add/edit modal."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from commands.format import escape, local_date, mention, truncate
from commands.ids import ActionId, BlockId, CallbackId
from domain.customers import Customer, SearchResult

FIELD_MAX = 2000
METADATA_MAX = 3000

# The domain names fields; the modal names blocks. This is the bridge for inline errors.
FIELD_BLOCKS = {
    "name": BlockId.CUSTOMER_NAME,
    "company": BlockId.CUSTOMER_COMPANY,
    "email": BlockId.CUSTOMER_EMAIL,
    "phone": BlockId.CUSTOMER_PHONE,
    "owner_id": BlockId.CUSTOMER_OWNER,
    "tags": BlockId.CUSTOMER_TAGS,
}


def card_blocks(customer: Customer, tz: ZoneInfo) -> list[Block]:
    """The customer card: who they are, how to reach them, who owns them."""
    fields = [
        _field("Company", escape(customer.company)),
        _field("Owner", mention(customer.owner_id)),
        _field("Email", _email(customer.email)),
        _field("Phone", escape(customer.phone)),
        _field("Tags", escape(", ".join(customer.tags))),
        _field("Created", local_date(customer.created_at, tz)),
    ]
    blocks: list[Block] = [
        HeaderBlock(text=truncate(customer.name, 150)),
        SectionBlock(fields=fields),
    ]
    if customer.contacts:
        lines = [_contact_line(c.name, c.title, c.email, c.phone) for c in customer.contacts[:10]]
        more = len(customer.contacts) - 10
        if more > 0:
            lines.append(f"…and {more} more")
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=truncate("*Contacts*\n" + "\n".join(lines), 3000))
            )
        )
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
        ActionsBlock(
            block_id=BlockId.CUSTOMER_ACTIONS,
            elements=[
                ButtonElement(text="Edit", action_id=ActionId.CUSTOMER_EDIT, value=str(customer.id))
            ],
        ),
    ]
    return blocks


def card_text(customer: Customer) -> str:
    """The notification line; Slack parses it as mrkdwn too, so it is escaped."""
    company = f" ({escape(customer.company)})" if customer.company else ""
    return f"{customer.public_id} {escape(customer.name)}{company}"


def search_blocks(result: SearchResult) -> list[Block]:
    """Several matches: a short list, each with a button to open its card."""
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"{result.total} customers match *{escape(truncate(result.query, 100))}*:"
            )
        )
    ]
    for customer in result.matches:
        details = " · ".join(escape(part) for part in (customer.company, customer.email) if part)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{escape(truncate(customer.name, 200))}* {customer.public_id}"
                    + (f"\n{details}" if details else "")
                ),
                accessory=ButtonElement(
                    text="Open", action_id=ActionId.CUSTOMER_OPEN, value=str(customer.id)
                ),
            )
        )
    if result.total > len(result.matches):
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"Showing {len(result.matches)} of {result.total}; "
                        "type more of the name to narrow it down."
                    )
                ]
            )
        )
    return blocks


def no_match_blocks(query: str) -> list[Block]:
    """Nothing found: say so and offer to add it."""
    return [
        SectionBlock(
            text=MarkdownTextObject(text=f"No customer matches *{escape(truncate(query, 100))}*."),
            accessory=ButtonElement(
                text="Add customer",
                action_id=ActionId.CUSTOMER_ADD,
                value=truncate(query, 200),
                style="primary",
            ),
        )
    ]


@dataclass(frozen=True)
class ModalContext:
    """What the modal carries in private_metadata to finish the job after submit."""

    customer_id: int | None
    token: str  # one per opened form: a second submit of the same form writes nothing new
    response_url: str | None = None
    channel_id: str | None = None

    def dump(self) -> str:
        data = {
            "id": self.customer_id,
            "k": self.token,
            "r": self.response_url,
            "c": self.channel_id,
        }
        text = json.dumps(data, separators=(",", ":"))
        if len(text) > METADATA_MAX:
            # Slack caps private_metadata; without the URL the reply goes to the channel or DM.
            text = json.dumps({**data, "r": None}, separators=(",", ":"))
        return text

    def with_customer(self, customer_id: int) -> ModalContext:
        return replace(self, customer_id=customer_id)

    @classmethod
    def load(cls, text: str) -> ModalContext:
        data: dict[str, Any] = json.loads(text or "{}")
        return cls(
            customer_id=data.get("id"),
            token=data.get("k") or "",
            response_url=data.get("r"),
            channel_id=data.get("c"),
        )


def customer_modal(
    context: ModalContext,
    *,
    customer: Customer | None = None,
    name: str | None = None,
    owner_id: str | None = None,
) -> View:
    """The add/edit form; prefilled from the customer when editing."""

    def text_input(
        block_id: BlockId,
        label: str,
        initial: str | None,
        *,
        optional: bool = True,
        hint: str | None = None,
        placeholder: str | None = None,
        max_length: int = 200,
    ) -> InputBlock:
        return InputBlock(
            block_id=block_id,
            label=label,
            optional=optional,
            hint=hint,
            element=PlainTextInputElement(
                action_id=ActionId.INPUT,
                initial_value=initial or None,
                placeholder=placeholder,
                max_length=max_length,
            ),
        )

    owner = customer.owner_id if customer else owner_id
    return View(
        type="modal",
        callback_id=CallbackId.CUSTOMER_SAVE,
        title=PlainTextObject(text="Edit customer" if customer else "New customer"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=context.dump(),
        blocks=[
            text_input(
                BlockId.CUSTOMER_NAME,
                "Name",
                customer.name if customer else name,
                optional=False,
                placeholder="Acme Corporation",
            ),
            text_input(BlockId.CUSTOMER_COMPANY, "Company", customer.company if customer else None),
            text_input(
                BlockId.CUSTOMER_EMAIL,
                "Email",
                customer.email if customer else None,
                placeholder="buyer@example.com",
                max_length=254,
            ),
            text_input(
                BlockId.CUSTOMER_PHONE,
                "Phone",
                customer.phone if customer else None,
                placeholder="+1 555 010 0199",
                max_length=40,
            ),
            InputBlock(
                block_id=BlockId.CUSTOMER_OWNER,
                label="Owner",
                optional=True,
                element=UserSelectElement(
                    action_id=ActionId.INPUT,
                    initial_user=owner,
                    placeholder="Who looks after this customer",
                ),
            ),
            text_input(
                BlockId.CUSTOMER_TAGS,
                "Tags",
                ", ".join(customer.tags) if customer else None,
                hint="Comma-separated, for example: vip, retail, east",
                max_length=1000,
            ),
        ],
    )


def read_modal(values: dict[str, dict[str, dict[str, Any]]]) -> dict[str, str | None]:
    """Pull the submitted values out of view.state.values, keyed by domain field."""

    def value(block_id: BlockId) -> dict[str, Any]:
        return values.get(block_id, {}).get(ActionId.INPUT, {})

    return {
        "name": value(BlockId.CUSTOMER_NAME).get("value"),
        "company": value(BlockId.CUSTOMER_COMPANY).get("value"),
        "email": value(BlockId.CUSTOMER_EMAIL).get("value"),
        "phone": value(BlockId.CUSTOMER_PHONE).get("value"),
        "owner_id": value(BlockId.CUSTOMER_OWNER).get("selected_user"),
        "tags": value(BlockId.CUSTOMER_TAGS).get("value"),
    }


def _field(label: str, shown: str) -> MarkdownTextObject:
    """A labelled card field, kept within Slack's 2,000 characters after escaping."""
    return MarkdownTextObject(text=truncate(f"*{label}*\n{shown or '—'}", FIELD_MAX))


def _email(email: str | None) -> str:
    if not email:
        return "—"
    safe = escape(email)
    return f"<mailto:{safe}|{safe}>"


def _contact_line(name: str, title: str | None, email: str | None, phone: str | None) -> str:
    head = f"• *{escape(name)}*" + (f", {escape(title)}" if title else "")
    reach = " · ".join(escape(x) for x in (email, phone) if x)
    return head + (f" — {reach}" if reach else "")
