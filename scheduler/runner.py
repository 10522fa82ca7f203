"""APScheduler set-up: UTC, in-memory store, fixed job ids, one instance of each job.

What is due lives in the application's tables; these jobs are short ticks that
look there, so a restart or a second replica loses and doubles nothing.
"""

from __future__ import annotations

from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from domain.clock import Clock
from domain.ports import UnitOfWorkFactory
from scheduler import jobs

JOB_IDS = ("maintenance.purge_idempotency_keys",)


def build_scheduler(uow_factory: UnitOfWorkFactory, clock: Clock) -> BackgroundScheduler:
    """A scheduler with every job registered but not yet started."""
    scheduler = BackgroundScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    scheduler.add_job(
        jobs.purge_idempotency_keys,
        IntervalTrigger(hours=1, timezone=UTC),
        id="maintenance.purge_idempotency_keys",
        args=[uow_factory, clock],
        replace_existing=True,
    )
    return scheduler
