"""Block Kit for customers: the card, the search list and the add/edit modal."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from commands.format import escape, truncate
from commands.ids import ActionId, BlockId, CallbackId
from commands.modal_context import ModalContext
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
    "address": BlockId.CUSTOMER_ADDRESS,
    "city": BlockId.CUSTOMER_CITY,
    "region": BlockId.CUSTOMER_REGION,
    "country": BlockId.CUSTOMER_COUNTRY,
    "industry": BlockId.CUSTOMER_INDUSTRY,
    "notes": BlockId.CUSTOMER_NOTES,
}
CONTACT_FIELD_BLOCKS = {
    "contact_name": BlockId.CONTACT_NAME,
    "contact_title": BlockId.CONTACT_TITLE,
    "contact_email": BlockId.CONTACT_EMAIL,
    "contact_phone": BlockId.CONTACT_PHONE,
}


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


def text_input(
    block_id: str,
    label: str,
    initial: str | None,
    *,
    optional: bool = True,
    hint: str | None = None,
    placeholder: str | None = None,
    max_length: int = 200,
    multiline: bool = False,
) -> InputBlock:
    """A labelled text field whose value arrives under ActionId.INPUT."""
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
            multiline=multiline,
        ),
    )


def customer_modal(
    context: ModalContext,
    *,
    customer: Customer | None = None,
    name: str | None = None,
    owner_id: str | None = None,
) -> View:
    """The add/edit form; prefilled from the customer when editing."""
    c = customer
    owner = c.owner_id if c else owner_id
    return View(
        type="modal",
        callback_id=CallbackId.CUSTOMER_SAVE,
        title=PlainTextObject(text="Edit customer" if c else "New customer"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=context.dump(),
        blocks=[
            text_input(
                BlockId.CUSTOMER_NAME,
                "Name",
                c.name if c else name,
                optional=False,
                placeholder="Acme Corporation",
            ),
            text_input(BlockId.CUSTOMER_COMPANY, "Company", c.company if c else None),
            text_input(
                BlockId.CUSTOMER_EMAIL,
                "Email",
                c.email if c else None,
                placeholder="buyer@example.com",
                max_length=254,
            ),
            text_input(
                BlockId.CUSTOMER_PHONE,
                "Phone",
                c.phone if c else None,
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
                ", ".join(c.tags) if c else None,
                hint="Comma-separated, for example: vip, retail, east",
                max_length=1000,
            ),
            text_input(
                BlockId.CUSTOMER_INDUSTRY, "Industry", c.industry if c else None, max_length=100
            ),
            text_input(
                BlockId.CUSTOMER_ADDRESS, "Street address", c.address if c else None, max_length=500
            ),
            text_input(BlockId.CUSTOMER_CITY, "City", c.city if c else None, max_length=100),
            text_input(
                BlockId.CUSTOMER_REGION, "Region or state", c.region if c else None, max_length=100
            ),
            text_input(
                BlockId.CUSTOMER_COUNTRY, "Country", c.country if c else None, max_length=100
            ),
            text_input(
                BlockId.CUSTOMER_NOTES,
                "Notes",
                c.notes if c else None,
                max_length=3000,
                multiline=True,
            ),
        ],
    )


def contact_modal(context: ModalContext, customer: Customer) -> View:
    """Add a person at the customer."""
    return View(
        type="modal",
        callback_id=CallbackId.CONTACT_SAVE,
        title=PlainTextObject(text="New contact"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=context.dump(),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"A person at *{escape(truncate(customer.name, 200))}* "
                    f"{customer.public_id}"
                )
            ),
            text_input(BlockId.CONTACT_NAME, "Name", None, optional=False, placeholder="Jane Doe"),
            text_input(BlockId.CONTACT_TITLE, "Title", None, placeholder="Head of Purchasing"),
            text_input(BlockId.CONTACT_EMAIL, "Email", None, max_length=254),
            text_input(BlockId.CONTACT_PHONE, "Phone", None, max_length=40),
        ],
    )


def _value(values: dict[str, dict[str, dict[str, Any]]], block_id: str) -> dict[str, Any]:
    return values.get(block_id, {}).get(ActionId.INPUT, {})


def read_modal(values: dict[str, dict[str, dict[str, Any]]]) -> dict[str, str | None]:
    """Pull the submitted values out of view.state.values, keyed by domain field."""
    read = {field: _value(values, block).get("value") for field, block in FIELD_BLOCKS.items()}
    read["owner_id"] = _value(values, BlockId.CUSTOMER_OWNER).get("selected_user")
    return read


def read_contact_modal(values: dict[str, dict[str, dict[str, Any]]]) -> dict[str, str | None]:
    return {
        field.removeprefix("contact_"): _value(values, block).get("value")
        for field, block in CONTACT_FIELD_BLOCKS.items()
    }
