"""The scheduler's wiring: fixed ids, UTC, one instance per job, jobs on the injected clock."""

from __future__ import annotations

from datetime import UTC, timedelta

from bot.services import Services
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from scheduler.runner import JOB_IDS, build_scheduler


def test_jobs_are_registered_with_fixed_ids_and_safe_defaults(services: Services) -> None:
    scheduler = build_scheduler(services.uow_factory, services.clock)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == set(JOB_IDS)
        for job in jobs.values():
            assert job.coalesce is True
            assert job.max_instances == 1
        assert str(scheduler.timezone) == str(UTC)
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
    scheduler = build_scheduler(services.uow_factory, services.clock)
    job = next(j for j in scheduler.get_jobs() if j.id == "maintenance.purge_idempotency_keys")
    assert job.func(*job.args) == 1  # what the scheduler would call, as it would call it
