"""Text normalisation shared by search and uniqueness rules."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case- and accent-insensitive key: 'Café  Ünïon' -> 'cafe union'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def clean(text: str | None) -> str | None:
    """Trim surrounding whitespace; empty becomes None."""
    if text is None:
        return None
    text = text.strip()
    return text or None
