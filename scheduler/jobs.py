"""Scheduled jobs: module-level functions calling the same services the commands use."""

from __future__ import annotations

import logging

from domain import maintenance, reminders
from domain.clock import Clock
from domain.delivery import Post, SendReport, send_due
from domain.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)


def purge_idempotency_keys(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Drop request keys that no resubmitted modal can need any more."""
    removed = maintenance.purge_idempotency_keys(uow_factory, clock)
    if removed:
        log.info("purged %d idempotency keys", removed)
    return removed


def enqueue_reminders(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Queue a DM for every open task whose reminder time has come."""
    queued = reminders.enqueue_due_reminders(uow_factory, clock)
    if queued:
        log.info("queued %d task reminder(s)", queued)
    return queued


def enqueue_overdue_summaries(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Queue each workspace's morning summaries of overdue tasks, once per local day."""
    queued = reminders.enqueue_overdue_summaries(uow_factory, clock)
    if queued:
        log.info("queued %d overdue summary DM(s)", queued)
    return queued


def send_deliveries(
    uow_factory: UnitOfWorkFactory, clock: Clock, post: Post, worker_id: str
) -> SendReport:
    """Post what is due from the delivery outbox, retrying failures with backoff."""
    report = send_due(uow_factory, clock, post, worker_id=worker_id)
    if report.claimed:
        log.info("deliveries: %s", report)
    return report
