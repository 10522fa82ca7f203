"""Errors the domain raises; the command layer turns them into messages."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; the message is safe to show to the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing asked for does not exist in this workspace."""


class ValidationFailed(DomainError):
    """Input failed validation; `errors` maps field names to short messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in errors.items()))
        self.errors = errors


class Conflict(DomainError):
    """A write collided with existing data (a unique key, a concurrent change)."""
