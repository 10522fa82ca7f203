"""Tables of the daily digest: which channels get it, at what local time."""

from __future__ import annotations

from storage.orm import Base  # noqa: F401
