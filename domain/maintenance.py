"""Housekeeping that keeps tables from growing without bound."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import Clock
from domain.ports import UnitOfWorkFactory

# A modal can be resubmitted while it is open; a day is far longer than any form stays open.
IDEMPOTENCY_KEY_TTL = timedelta(days=1)


def purge_idempotency_keys(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Forget request keys older than the TTL; returns how many went."""
    with uow_factory() as uow:
        removed = uow.idempotency.purge(clock.now() - IDEMPOTENCY_KEY_TTL)
        uow.commit()
        return removed
