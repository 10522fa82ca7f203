"""Short typed ids shown to people: C-12 (customer), D-42 (deal), T-7 (task), O-3 (order)."""

from __future__ import annotations

import re
from enum import StrEnum


class Kind(StrEnum):
    CUSTOMER = "C"
    DEAL = "D"
    TASK = "T"
    ORDER = "O"


_PUBLIC_ID = re.compile(r"^\s*([A-Za-z])-?(\d{1,9})\s*$")


def format_id(kind: Kind, number: int) -> str:
    return f"{kind.value}-{number}"


def parse_id(text: str, kind: Kind) -> int | None:
    """The number in 'C-12' / 'c12' when it is an id of this kind, else None."""
    match = _PUBLIC_ID.match(text)
    if not match or match.group(1).upper() != kind.value:
        return None
    return int(match.group(2))
