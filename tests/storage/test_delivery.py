"""The delivery outbox on a real database: unique keys, claims with leases, retries, outcomes."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.services import Services
from domain.clock import FrozenClock
from domain.delivery import (
    HISTORY_MARGIN,
    MAX_ATTEMPTS,
    Attempt,
    Delivery,
    DeliveryStatus,
    PostOutcome,
    enqueue,
    retry_delay,
    send_due,
)
from tests.conftest import START

TEAM = "T0OUT"
USER = "U0BOB"
LEASE = timedelta(minutes=2)


@pytest.fixture
def outbox(services: Services) -> Services:
    services.workspaces.ensure(TEAM, USER)
    return services


def add(services: Services, key: str, *, due_at: datetime = START, now: datetime = START) -> bool:
    with services.uow_factory() as uow:
        added = enqueue(
            uow,
            team_id=TEAM,
            key=key,
            kind="test",
            recipient=USER,
            payload={"n": key},
            due_at=due_at,
            now=now,
        )
        uow.commit()
    return added


def get(services: Services, key: str) -> Delivery:
    with services.uow_factory() as uow:
        found = uow.deliveries.get_by_key(TEAM, key)
    assert found is not None
    return found


def claim(services: Services, worker: str, *, limit: int = 50) -> list[Delivery]:
    now = services.clock.now()
    with services.uow_factory() as uow:
        claimed = uow.deliveries.claim_due(
            now=now, worker_id=worker, lease_until=now + LEASE, limit=limit
        )
        uow.commit()
    return claimed


class Recorder:
    """A post function that answers from a script and remembers what it was given."""

    def __init__(self, *answers: PostOutcome) -> None:
        self.answers = list(answers)
        self.attempts: list[Attempt] = []

    def __call__(self, attempt: Attempt) -> PostOutcome:
        self.attempts.append(attempt)
        if self.answers:
            return self.answers.pop(0)
        return PostOutcome.sent("D0BOB", f"{len(self.attempts)}.0")


def test_the_same_key_enqueued_twice_is_one_delivery(outbox: Services) -> None:
    assert add(outbox, "k1") is True
    assert add(outbox, "k1") is False
    with outbox.uow_factory() as uow:
        rows = uow.deliveries.find(TEAM)
    assert [(d.key, d.status, d.attempts, d.next_attempt_at) for d in rows] == [
        ("k1", DeliveryStatus.PENDING, 0, START)
    ]


def test_nothing_is_claimed_before_it_is_due(outbox: Services, clock: FrozenClock) -> None:
    add(outbox, "later", due_at=START + timedelta(minutes=10))
    assert claim(outbox, "w1") == []
    clock.advance(timedelta(minutes=10))
    assert [d.key for d in claim(outbox, "w1")] == ["later"]


def test_the_claim_is_committed_before_posting(outbox: Services, clock: FrozenClock) -> None:
    add(outbox, "k1")
    seen: dict[str, Any] = {}

    def post(attempt: Attempt) -> PostOutcome:
        # Another session sees the claim, and another worker cannot take it.
        seen["row"] = get(outbox, "k1")
        seen["other"] = claim(outbox, "w2")
        return PostOutcome.sent("D0BOB", "1.0")

    report = send_due(outbox.uow_factory, clock, post, worker_id="w1", lease=LEASE)
    assert (report.claimed, report.sent) == (1, 1)
    row = seen["row"]
    assert (row.status, row.claimed_by, row.attempts) == (DeliveryStatus.SENDING, "w1", 1)
    assert row.claimed_until == START + LEASE
    assert seen["other"] == []
    sent = get(outbox, "k1")
    assert (sent.status, sent.sent_at, sent.channel_id, sent.message_ts) == (
        DeliveryStatus.SENT,
        START,
        "D0BOB",
        "1.0",
    )
    assert claim(outbox, "w3") == []  # sent stays sent


def test_an_expired_lease_makes_a_claim_claimable_again(
    outbox: Services, clock: FrozenClock
) -> None:
    add(outbox, "k1")
    (first,) = claim(outbox, "crashed")
    clock.advance(LEASE - timedelta(seconds=1))
    assert claim(outbox, "w2") == []  # still held
    clock.advance(timedelta(seconds=1))
    (again,) = claim(outbox, "w2")
    assert (again.id, again.claimed_by, again.attempts) == (first.id, "w2", 2)

    with outbox.uow_factory() as uow:
        # Only the current claimer can settle it; the old worker's late word is ignored.
        for worker, settled in (("crashed", False), ("w2", True)):
            assert settled == uow.deliveries.mark_sent(
                TEAM, first.id, worker_id=worker, now=clock.now(), channel_id="D0B", message_ts="1"
            )
        uow.commit()
    assert get(outbox, "k1").status is DeliveryStatus.SENT


def test_retry_delay_doubles_from_30_seconds_up_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]
    assert retry_delay(20) == timedelta(hours=1)
    jittered = retry_delay(3, "task-reminder:1:2026-03-02T15:30:00+00:00")
    assert jittered == retry_delay(3, "task-reminder:1:2026-03-02T15:30:00+00:00")  # stable
    assert timedelta(seconds=120) <= jittered <= timedelta(seconds=132)


def test_failures_back_off_and_fail_for_good_after_eight_attempts(
    outbox: Services, clock: FrozenClock
) -> None:
    add(outbox, "flaky")
    post = Recorder(*[PostOutcome.retry("internal_error")] * MAX_ATTEMPTS)
    for attempt in range(1, MAX_ATTEMPTS):
        report = send_due(outbox.uow_factory, clock, post, worker_id="w1")
        assert report.retried == 1
        row = get(outbox, "flaky")
        assert (row.status, row.attempts, row.last_error) == (
            DeliveryStatus.PENDING,
            attempt,
            "internal_error",
        )
        assert row.claimed_by is None and row.claimed_until is None
        assert row.next_attempt_at == clock.now() + retry_delay(attempt, "flaky")
        clock.set(row.next_attempt_at - timedelta(seconds=1))
        assert send_due(outbox.uow_factory, clock, post, worker_id="w1").claimed == 0
        clock.set(row.next_attempt_at)
    report = send_due(outbox.uow_factory, clock, post, worker_id="w1")
    assert report.failed == 1
    row = get(outbox, "flaky")
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    clock.advance(timedelta(days=1))
    assert send_due(outbox.uow_factory, clock, post, worker_id="w1").claimed == 0
    assert len(post.attempts) == MAX_ATTEMPTS


def test_a_permanent_failure_fails_at_once(outbox: Services, clock: FrozenClock) -> None:
    add(outbox, "gone")
    report = send_due(
        outbox.uow_factory, clock, Recorder(PostOutcome.failed("user_not_found")), worker_id="w"
    )
    assert report.failed == 1
    row = get(outbox, "gone")
    assert (row.status, row.attempts, row.last_error) == (
        DeliveryStatus.FAILED,
        1,
        "user_not_found",
    )


def test_a_skip_cancels_the_delivery(outbox: Services, clock: FrozenClock) -> None:
    add(outbox, "moot")
    post = Recorder(PostOutcome.skip("T-1 was done meanwhile"))
    assert send_due(outbox.uow_factory, clock, post, worker_id="w").cancelled == 1
    row = get(outbox, "moot")
    assert (row.status, row.last_error) == (DeliveryStatus.CANCELLED, "T-1 was done meanwhile")
    clock.advance(timedelta(days=1))
    assert send_due(outbox.uow_factory, clock, post, worker_id="w").claimed == 0


def test_a_post_that_raises_is_retried_and_the_batch_goes_on(
    outbox: Services, clock: FrozenClock
) -> None:
    add(outbox, "a", due_at=START - timedelta(seconds=2))
    add(outbox, "b", due_at=START - timedelta(seconds=1))

    def post(attempt: Attempt) -> PostOutcome:
        if attempt.delivery.key == "a":
            raise RuntimeError("bug in a renderer")
        return PostOutcome.sent("D0BOB", "2.0")

    report = send_due(outbox.uow_factory, clock, post, worker_id="w")
    assert (report.retried, report.sent) == (1, 1)
    row = get(outbox, "a")
    assert row.status is DeliveryStatus.PENDING
    assert row.last_error == "RuntimeError: bug in a renderer"


def test_hold_stores_the_channel_and_renews_the_lease_only_for_the_claimer(
    outbox: Services, clock: FrozenClock
) -> None:
    add(outbox, "k1")
    held: list[bool] = []

    def post(attempt: Attempt) -> PostOutcome:
        clock.advance(timedelta(seconds=30))
        held.append(attempt.hold("D0BOB"))
        row = get(outbox, "k1")
        assert row.channel_id == "D0BOB"
        assert row.claimed_until == clock.now() + LEASE
        # The lease runs out and another worker takes over: this one must not post.
        clock.advance(LEASE)
        assert [d.key for d in claim(outbox, "w2")] == ["k1"]
        held.append(attempt.hold("D0BOB"))
        return PostOutcome.abandoned() if not held[-1] else PostOutcome.sent("D0BOB", "1")

    report = send_due(outbox.uow_factory, clock, post, worker_id="w1", lease=LEASE)
    assert held == [True, False]
    assert report.abandoned == 1 and report.sent == 0
    row = get(outbox, "k1")
    assert (row.status, row.claimed_by) == (DeliveryStatus.SENDING, "w2")


def test_a_retry_after_the_conversation_was_opened_is_told_to_check_history(
    outbox: Services, clock: FrozenClock
) -> None:
    add(outbox, "k1", due_at=START - timedelta(hours=3))
    clock.advance(timedelta(minutes=1))

    def opens_then_fails(attempt: Attempt) -> PostOutcome:
        assert attempt.hold("D0BOB")
        return PostOutcome.retry("timeout")

    first = Recorder()
    send_due(outbox.uow_factory, clock, lambda a: (first(a), opens_then_fails(a))[1], worker_id="w")
    assert first.attempts[0].check_history_since is None  # nothing can have been posted yet
    assert first.attempts[0].late  # due three hours ago

    clock.set(get(outbox, "k1").next_attempt_at)
    second = Recorder()
    send_due(outbox.uow_factory, clock, second, worker_id="w")
    (attempt,) = second.attempts
    # The delivery was written at START, after it fell due: no attempt began before that.
    assert attempt.check_history_since == START - HISTORY_MARGIN
    assert get(outbox, "k1").status is DeliveryStatus.SENT


def test_late_means_more_than_five_minutes_after_due(outbox: Services) -> None:
    add(outbox, "k1")
    row = get(outbox, "k1")
    assert not row.late(START + timedelta(minutes=5))
    assert row.late(START + timedelta(minutes=5, seconds=1))


def test_concurrent_workers_claim_disjoint_batches(outbox: Services) -> None:
    for n in range(40):
        add(outbox, f"k{n:02d}")
    taken: dict[str, list[str]] = {"a": [], "b": []}
    barrier = threading.Barrier(2)

    def work(worker: str) -> None:
        barrier.wait()
        while batch := claim(outbox, worker, limit=3):
            taken[worker] += [d.key for d in batch]

    threads = [threading.Thread(target=work, args=(w,)) for w in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    everything = taken["a"] + taken["b"]
    assert sorted(everything) == [f"k{n:02d}" for n in range(40)]  # each exactly once
