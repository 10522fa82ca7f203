"""Scheduled reports: the tick that queues each due schedule's post (once per run time),
and the message rendered when it goes out."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.delivery import Attempt, Delivery
    from domain.ports import UnitOfWork, UnitOfWorkFactory
    from scheduler.sender import Message, Render


def enqueue_due(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Queue one delivery per schedule whose next run has come; advance it. Returns how many."""
    return 0


def make_renderer(uow_factory: UnitOfWorkFactory) -> Render:
    def render(uow: UnitOfWork, delivery: Delivery, attempt: Attempt) -> Message:
        raise NotImplementedError

    return render
