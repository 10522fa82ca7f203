"""The App Home tab's contents for one person: their tasks and deals, this month's
numbers against last month, the team's leaderboard, low stock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWorkFactory


class HomeRepository(Protocol):
    """storage/repositories/home.py: queries only the Home tab needs."""


class HomeService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
