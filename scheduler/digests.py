"""The daily digest: the tick that queues each channel's digest once per local day, and the
message rendered when it goes out."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.delivery import Attempt, Delivery
    from domain.ports import UnitOfWork, UnitOfWorkFactory
    from scheduler.sender import Message, Render


def enqueue_due(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Queue each channel's digest whose local time has come today. Returns how many."""
    return 0


def make_renderer(uow_factory: UnitOfWorkFactory) -> Render:
    def render(uow: UnitOfWork, delivery: Delivery, attempt: Attempt) -> Message:
        raise NotImplementedError

    return render
