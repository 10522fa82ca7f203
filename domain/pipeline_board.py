"""The pipeline board and the forecast's inputs: open deals summed per stage, stale deals,
and closed deals' stage histories, read from storage and shaped for /pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWorkFactory


class PipelineReportRepository(Protocol):
    """Aggregations over deals and their stage changes (storage/repositories/pipeline_reports)."""


class PipelineBoardService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
