"""APScheduler set-up: UTC, in-memory store, fixed job ids, one instance of each job.

What is due lives in the application's tables; these jobs are short ticks that
look there, so a restart or a second replica loses and doubles nothing.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from domain.clock import Clock
from domain.delivery import Post
from domain.ports import UnitOfWorkFactory
from scheduler import digests, jobs, scheduled_posts, stock_alerts

PURGE_IDEMPOTENCY_KEYS = "maintenance.purge_idempotency_keys"
ENQUEUE_REMINDERS = "crm.enqueue_reminders"
ENQUEUE_OVERDUE_SUMMARIES = "crm.enqueue_overdue_summaries"
SEND_DELIVERIES = "deliveries.send"
SWEEP_LOW_STOCK = "stock.sweep_low_stock"
ENQUEUE_SCHEDULED_POSTS = "reports.enqueue_scheduled_posts"
ENQUEUE_DIGESTS = "reports.enqueue_digests"
JOB_IDS = (
    PURGE_IDEMPOTENCY_KEYS,
    ENQUEUE_REMINDERS,
    ENQUEUE_OVERDUE_SUMMARIES,
    SWEEP_LOW_STOCK,
    ENQUEUE_SCHEDULED_POSTS,
    ENQUEUE_DIGESTS,
    SEND_DELIVERIES,
)
TICK_SECONDS = 15
SUMMARY_TICK_SECONDS = 60
FIRST_SEND_DELAY = timedelta(seconds=2)


def worker_id() -> str:
    """Names this process's claims: unique per process, readable by an operator."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def build_scheduler(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    post: Post,
    *,
    worker: str | None = None,
) -> BackgroundScheduler:
    """A scheduler with every job registered but not yet started.

    The delivery jobs also run as soon as it starts, so what fell due while the bot
    was down goes out at once (marked late).
    """
    scheduler = BackgroundScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    scheduler.add_job(
        jobs.purge_idempotency_keys,
        IntervalTrigger(hours=1, timezone=UTC),
        id=PURGE_IDEMPOTENCY_KEYS,
        args=[uow_factory, clock],
        replace_existing=True,
    )
    at_start = datetime.now(UTC)  # APScheduler runs on the wall clock, jobs on `clock`

    def tick(func: Callable[..., object], job_id: str, every: int, *args: object) -> None:
        # Sending starts a moment after the enqueue ticks, so their catch-up goes out at once.
        first_run = at_start + FIRST_SEND_DELAY if job_id == SEND_DELIVERIES else at_start
        scheduler.add_job(
            func,
            IntervalTrigger(seconds=every, timezone=UTC),
            id=job_id,
            args=[uow_factory, clock, *args],
            next_run_time=first_run,
            replace_existing=True,
        )

    tick(jobs.enqueue_reminders, ENQUEUE_REMINDERS, TICK_SECONDS)
    tick(jobs.enqueue_overdue_summaries, ENQUEUE_OVERDUE_SUMMARIES, SUMMARY_TICK_SECONDS)
    tick(stock_alerts.sweep_low_stock, SWEEP_LOW_STOCK, SUMMARY_TICK_SECONDS)
    tick(scheduled_posts.enqueue_due, ENQUEUE_SCHEDULED_POSTS, TICK_SECONDS)
    tick(digests.enqueue_due, ENQUEUE_DIGESTS, TICK_SECONDS)
    tick(jobs.send_deliveries, SEND_DELIVERIES, TICK_SECONDS, post, worker or worker_id())
    return scheduler
