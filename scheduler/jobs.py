"""Scheduled jobs: module-level functions calling the same services the commands use."""

from __future__ import annotations

import logging

from domain import maintenance
from domain.clock import Clock
from domain.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)


def purge_idempotency_keys(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Drop request keys that no resubmitted modal can need any more."""
    removed = maintenance.purge_idempotency_keys(uow_factory, clock)
    if removed:
        log.info("purged %d idempotency keys", removed)
    return removed
