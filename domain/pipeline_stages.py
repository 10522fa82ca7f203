"""Editing a workspace's pipeline stages without making any deal invalid."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWorkFactory


class StageRepository(Protocol):
    """Changes to pipeline stages (storage/repositories/pipeline_stages)."""


class StageEditor:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
