"""Tables of saved reports and their schedules (helper-owned: saved & scheduled reports)."""

from __future__ import annotations

from storage.orm import Base  # noqa: F401
