"""What people type after /sales, parsed into one of a few intents.

    /sales record        open the order form
    /sales help          the usage

Anything else (the dashboard, reports, forecasts and exports come later) is answered with
the usage of what exists, so a person always sees what they can type now.
"""

from __future__ import annotations

from dataclasses import dataclass

from commands.format import truncate, unescape
from commands.usage import CommandSpec

SPEC = CommandSpec(
    name="/sales",
    summary="record orders",
    usage_hint="record | help",
    forms=(
        ("record", "open the order form: customer, date, products, quantities, prices"),
        ("help", "show this help"),
    ),
)

_HELP = frozenset({"help", "?", "-h", "--help"})
SHOWN_MAX = 40  # of a word we did not understand, quoted back


class UsageError(ValueError):
    """What was typed is not a /sales command; the text says why."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Record:
    pass


Intent = Help | Record


def parse(text: str) -> Intent:
    """Turn the command text into an intent; raises UsageError with the reason."""
    words = unescape(text).split()
    if not words:
        raise UsageError("Say what to do: `/sales record` records an order.")
    first = words[0].lower()
    if first in _HELP and len(words) == 1:
        return Help()
    if first == "record":
        if len(words) > 1:
            rest = truncate(" ".join(words[1:]), SHOWN_MAX)
            raise UsageError(
                f"`/sales record` takes nothing after it (got “{rest}”): "
                "the form asks for the customer and the lines."
            )
        return Record()
    shown = truncate(" ".join(words), SHOWN_MAX)
    raise UsageError(f"/sales does not know “{shown}”. Here is what it does:")
