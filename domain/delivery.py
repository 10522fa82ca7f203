"""Durable, exactly-once delivery of messages: an outbox in the database.

Whatever wants to send something later (a reminder, a summary, an alert) enqueues a
delivery with a unique key inside its own transaction; a sender tick claims due
deliveries with a lease, commits the claim, posts outside any transaction and records
the outcome. The unique key stops two schedulers producing two deliveries; the lease
hands a crashed worker's claim to another; the post function checks whether a
previous attempt already reached Slack before posting again.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=5)  # posted later than this after due_at says it is late
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
JITTER = 0.1  # up to 10% more, the same for a given key so runs are repeatable
DEFAULT_LEASE = timedelta(minutes=2)
# The earliest a previous attempt can have posted, less this, is where a sender starts
# looking for it in the conversation's history (clocks of hosts and Slack differ a little).
HISTORY_MARGIN = timedelta(minutes=1)


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for next_attempt_at
    SENDING = "sending"  # claimed by a worker until claimed_until
    SENT = "sent"
    FAILED = "failed"  # gave up: a permanent error, or MAX_ATTEMPTS used
    CANCELLED = "cancelled"  # nothing to say any more (the task was done meanwhile)


class Delivery(BaseModel):
    """One message to send once, as stored."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    team_id: str
    key: str
    kind: str
    recipient: str  # a user id (a DM) or a channel id
    payload: dict[str, Any] = Field(default_factory=dict)
    due_at: datetime
    status: DeliveryStatus
    attempts: int = 0
    next_attempt_at: datetime
    claimed_by: str | None = None
    claimed_until: datetime | None = None
    sent_at: datetime | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    last_error: str | None = None
    created_at: datetime

    def late(self, now: datetime) -> bool:
        """Going out more than LATE_AFTER after it was due (the bot was down, or retrying)."""
        return now - self.due_at > LATE_AFTER

    @property
    def first_eligible_at(self) -> datetime:
        """No attempt can have started before this: it was neither due nor written yet."""
        return max(self.due_at, self.created_at)


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # a transient failure: try again after a backoff
    FAILED = "failed"  # a permanent failure: retrying cannot help
    SKIP = "skip"  # nothing to send any more → cancelled
    ABANDONED = "abandoned"  # another worker took the delivery over: leave it alone


class PostOutcome(BaseModel):
    """What a post function reports for one attempt."""

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    channel_id: str | None = None
    message_ts: str | None = None
    detail: str | None = None  # the error, or why it was skipped

    @classmethod
    def sent(cls, channel_id: str, message_ts: str | None) -> PostOutcome:
        return cls(outcome=Outcome.SENT, channel_id=channel_id, message_ts=message_ts)

    @classmethod
    def retry(cls, error: str) -> PostOutcome:
        return cls(outcome=Outcome.RETRY, detail=error)

    @classmethod
    def failed(cls, error: str) -> PostOutcome:
        return cls(outcome=Outcome.FAILED, detail=error)

    @classmethod
    def skip(cls, reason: str) -> PostOutcome:
        return cls(outcome=Outcome.SKIP, detail=reason)

    @classmethod
    def abandoned(cls) -> PostOutcome:
        return cls(outcome=Outcome.ABANDONED, detail="another worker holds the delivery")


@dataclass(frozen=True)
class Attempt:
    """One try at posting a claimed delivery, as a post function sees it."""

    delivery: Delivery
    now: datetime
    # A previous attempt opened the conversation, so it may have posted before it died
    # or failed: look for the message in the history (from this instant) before posting.
    check_history_since: datetime | None
    _hold: Callable[[str], bool] = field(repr=False)

    @property
    def late(self) -> bool:
        return self.delivery.late(self.now)

    def hold(self, channel_id: str) -> bool:
        """Record the conversation on the delivery and renew the lease, just before posting.

        False when another worker has taken the delivery over: then do not post.
        """
        return self._hold(channel_id)


Post = Callable[[Attempt], PostOutcome]


@dataclass
class SendReport:
    """How one sender tick went."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    abandoned: int = 0


def retry_delay(attempts: int, key: str = "") -> timedelta:
    """Backoff after `attempts` tries: 30 s doubling, capped at an hour, plus stable jitter."""
    base = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)
    fraction = (zlib.crc32(key.encode()) % 1000) / 1000 if key else 0.0
    return base * (1 + JITTER * fraction)


def enqueue(
    uow: UnitOfWork,
    *,
    team_id: str,
    key: str,
    kind: str,
    recipient: str,
    payload: dict[str, Any],
    due_at: datetime,
    now: datetime,
) -> bool:
    """Write a delivery inside the caller's transaction; False if that key exists already."""
    return uow.deliveries.add(
        team_id,
        key=key,
        kind=kind,
        recipient=recipient,
        payload=payload,
        due_at=due_at,
        now=now,
    )


def send_due(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    post: Post,
    *,
    worker_id: str,
    limit: int = 50,
    lease: timedelta = DEFAULT_LEASE,
    only_team: str | None = None,
) -> SendReport:
    """Claim due deliveries (committed before anything is posted), post each, record how it went."""
    now = clock.now()
    with uow_factory() as uow:
        claimed = uow.deliveries.claim_due(
            now=now,
            worker_id=worker_id,
            lease_until=now + lease,
            limit=limit,
            only_team=only_team,
        )
        uow.commit()
    report = SendReport(claimed=len(claimed))
    for delivery in claimed:
        outcome = _attempt(uow_factory, clock, post, delivery, worker_id, lease)
        _record(uow_factory, clock, delivery, outcome, worker_id, report)
    return report


def _attempt(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    post: Post,
    delivery: Delivery,
    worker_id: str,
    lease: timedelta,
) -> PostOutcome:
    def hold(channel_id: str) -> bool:
        renewed_until = clock.now() + lease
        with uow_factory() as uow:
            held = uow.deliveries.hold(
                delivery.team_id,
                delivery.id,
                worker_id=worker_id,
                channel_id=channel_id,
                lease_until=renewed_until,
            )
            uow.commit()
        return held

    since = None
    if delivery.attempts > 1 and delivery.channel_id is not None:
        since = delivery.first_eligible_at - HISTORY_MARGIN
    attempt = Attempt(delivery=delivery, now=clock.now(), check_history_since=since, _hold=hold)
    try:
        return post(attempt)
    except Exception as exc:
        # One broken delivery must not strand the rest of the batch under a lease; counting
        # it as an attempt lets it fail for good after MAX_ATTEMPTS instead of looping.
        log.exception("posting delivery %s (%s) raised", delivery.id, delivery.key)
        return PostOutcome.retry(f"{type(exc).__name__}: {exc}")


def _record(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    delivery: Delivery,
    result: PostOutcome,
    worker_id: str,
    report: SendReport,
) -> None:
    now = clock.now()
    team_id, delivery_id = delivery.team_id, delivery.id
    if result.outcome is Outcome.ABANDONED:
        report.abandoned += 1
        log.warning("delivery %s was taken over by another worker", delivery.key)
        return
    with uow_factory() as uow:
        repo = uow.deliveries
        if result.outcome is Outcome.SENT:
            assert result.channel_id is not None
            done = repo.mark_sent(
                team_id,
                delivery_id,
                worker_id=worker_id,
                now=now,
                channel_id=result.channel_id,
                message_ts=result.message_ts,
            )
            report.sent += int(done)
        elif result.outcome is Outcome.SKIP:
            done = repo.mark_cancelled(
                team_id, delivery_id, worker_id=worker_id, reason=result.detail or ""
            )
            report.cancelled += int(done)
        elif result.outcome is Outcome.FAILED or delivery.attempts >= MAX_ATTEMPTS:
            done = repo.mark_failed(
                team_id, delivery_id, worker_id=worker_id, error=result.detail or ""
            )
            report.failed += int(done)
            if done:
                log.error(
                    "delivery %s failed for good after %d attempt(s): %s",
                    delivery.key,
                    delivery.attempts,
                    result.detail,
                )
        else:
            done = repo.mark_retry(
                team_id,
                delivery_id,
                worker_id=worker_id,
                next_attempt_at=now + retry_delay(delivery.attempts, delivery.key),
                error=result.detail or "",
            )
            report.retried += int(done)
            if done:
                log.warning(
                    "delivery %s attempt %d failed, will retry: %s",
                    delivery.key,
                    delivery.attempts,
                    result.detail,
                )
        uow.commit()
    if not done:
        # Our lease ran out and another worker claimed it; what it does stands.
        report.abandoned += 1
        log.warning("delivery %s: lost the claim before recording %s", delivery.key, result)
