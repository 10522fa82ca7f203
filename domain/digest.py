"""The daily digest: yesterday against the same weekday a week before, the month to date
against last month's same days, deals won and lost, tasks due today, low stock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWorkFactory

DAILY_DIGEST = "daily_digest"  # the delivery kind


class DigestRepository(Protocol):
    """storage/repositories/digests.py"""


class DigestService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
