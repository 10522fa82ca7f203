"""Saved reports and their schedules: a name for a dashboard or report, posted into a
channel daily, weekly or monthly at a time in the workspace's timezone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWorkFactory

SCHEDULED_POST = "scheduled_post"  # the delivery kind of a scheduled report


class ScheduleRepository(Protocol):
    """storage/repositories/schedules.py"""


class ScheduleService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
