"""What people type after /customer, parsed into one of a few intents."""

from __future__ import annotations

from dataclasses import dataclass

from commands.format import unescape
from commands.usage import CommandSpec
from domain.customers import NAME_MAX
from domain.ids import Kind, parse_id

SPEC = CommandSpec(
    name="/customer",
    summary="find a customer and see their card, or add one",
    usage_hint="<name|company|email|C-12> | add [name] | edit C-12 | help",
    forms=(
        ("<name, company or email>", "find customers and show a card"),
        ("C-12", "show customer C-12"),
        ("add [name]", "open the new-customer form"),
        ("edit C-12", "open the edit form for C-12"),
        ("help", "show this help"),
    ),
)

QUERY_MAX = 200


class UsageError(ValueError):
    """What was typed does not fit the command's grammar; the text says why."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Add:
    name: str | None


@dataclass(frozen=True)
class Edit:
    number: int


@dataclass(frozen=True)
class Find:
    query: str


Intent = Help | Add | Edit | Find


def parse(text: str) -> Intent:
    """Turn the command text into an intent; raises UsageError with the reason."""
    text = " ".join(unescape(text).split())
    if not text or text.lower() in ("help", "?", "-h", "--help"):
        return Help()
    word, _, rest = text.partition(" ")
    if word.lower() == "add":
        if len(rest) > NAME_MAX:
            raise UsageError(f"That name is {len(rest)} characters; keep it under {NAME_MAX}.")
        return Add(name=rest or None)
    if word.lower() == "edit":
        number = parse_id(rest, Kind.CUSTOMER) if rest else None
        if number is None:
            raise UsageError("Say which customer to edit by id, like `/customer edit C-12`.")
        return Edit(number=number)
    if len(text) > QUERY_MAX:
        raise UsageError(f"That search is {len(text)} characters; keep it under {QUERY_MAX}.")
    return Find(query=text)
