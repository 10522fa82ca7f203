"""The scheduler's wiring: fixed ids, UTC, one instance per job, jobs on the injected clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from bot.services import Services
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.delivery import Attempt, PostOutcome
from domain.tasks import TaskDraft
from scheduler.runner import (
    ENQUEUE_OVERDUE_SUMMARIES,
    ENQUEUE_REMINDERS,
    JOB_IDS,
    SEND_DELIVERIES,
    build_scheduler,
)


def never_posts(attempt: Attempt) -> PostOutcome:
    raise AssertionError("nothing should be posted")


def test_jobs_are_registered_with_fixed_ids_and_safe_defaults(services: Services) -> None:
    scheduler = build_scheduler(services.uow_factory, services.clock, never_posts)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == set(JOB_IDS)
        for job in jobs.values():
            assert job.coalesce is True
            assert job.max_instances == 1
        assert str(scheduler.timezone) == str(UTC)
        # What fell due while the bot was down goes out at start, not a tick later.
        soon = datetime.now(UTC) + timedelta(seconds=5)
        for job_id in (ENQUEUE_REMINDERS, ENQUEUE_OVERDUE_SUMMARIES, SEND_DELIVERIES):
            assert jobs[job_id].next_run_time <= soon
        worker = jobs[SEND_DELIVERIES].args[-1]
        assert f":{os.getpid()}:" in worker and len(worker) <= 64
    finally:
        scheduler.shutdown(wait=False)
    assert not scheduler.running


def test_a_job_run_by_the_scheduler_uses_the_injected_clock(
    services: Services, clock: FrozenClock
) -> None:
    services.workspaces.ensure("T0ONE", "U1")
    services.customers.create(
        "T0ONE", CustomerDraft.from_input(name="Acme"), actor="U1", idempotency_key="k"
    )
    clock.advance(timedelta(days=2))
    scheduler = build_scheduler(services.uow_factory, services.clock, never_posts)
    job = next(j for j in scheduler.get_jobs() if j.id == "maintenance.purge_idempotency_keys")
    assert job.func(*job.args) == 1  # what the scheduler would call, as it would call it


def test_the_delivery_jobs_run_as_the_scheduler_calls_them(
    services: Services, clock: FrozenClock
) -> None:
    services.workspaces.ensure("T0ONE", "U1")
    draft = TaskDraft.from_input(title="Call", assignee_id="U1", due_at=clock.now())
    services.tasks.add("T0ONE", draft, actor="U1")
    posted: list[Attempt] = []

    def post(attempt: Attempt) -> PostOutcome:
        posted.append(attempt)
        return PostOutcome.sent("DU1", "1.0")

    scheduler = build_scheduler(services.uow_factory, services.clock, post, worker="w")
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert jobs[ENQUEUE_REMINDERS].func(*jobs[ENQUEUE_REMINDERS].args) == 1
    report = jobs[SEND_DELIVERIES].func(*jobs[SEND_DELIVERIES].args)
    assert report.sent == 1
    assert [a.delivery.recipient for a in posted] == ["U1"]
