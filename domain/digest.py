"""The daily digest: yesterday against the same weekday a week before, the month to date
against last month's same days, deals won and lost, tasks due today, low stock.

Each configured channel has a local time and the UTC instant of its next digest
(`next_run_at`). A tick takes the channels whose instant has come, moves each one on to
its next day with a compare-and-set in the same transaction that queues the delivery
(keyed `digest:<channel>:<local date>`), so two schedulers or a restart queue a day once.

Rules, where there was room for taste:

- A digest run on local date D covers D − 1 ("yesterday"); tasks are those due on D.
- A channel set up (or given a new time) after today's time has passed gets its first
  digest the next day: a digest appearing hours off its time surprises more than a missing one.
- After downtime only today's digest goes out (late, and saying so); the days missed
  are not posted afterwards: yesterday's numbers are in today's digest anyway. Yesterday's
  still goes out within CATCH_UP of its time, so a late tick across midnight loses nothing.
- When the workspace's timezone changes, each channel starts again in the new one as if set
  up at that moment (the next tick sees that its instant was worked out in another zone).
- The month to date runs from the 1st to yesterday, so on the 1st it is the whole of
  last month; it is compared with the same days a month earlier, clamped (March 1–31
  against February 1–28 or 29).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict

from domain.catalog import Product
from domain.delivery import enqueue
from domain.errors import DomainError
from domain.ids import Kind, format_id
from domain.metrics import Period, Totals, growth
from domain.tasks import Task
from domain.workspaces import MANAGING_ROLES, User, parse_clock_time

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

DAILY_DIGEST = "daily_digest"  # the delivery kind
TREND_DAYS = 30
LOW_STOCK_SHOWN = 10
TASKS_SHOWN = 40  # a digest is a glance; the rest are counted
DEALS_SHOWN = 10  # per outcome
MAX_BATCHES = 20  # per tick; whatever is left waits for the next one
# How late yesterday's digest may still go out when today's time has not come yet.
CATCH_UP = timedelta(hours=2)


class DigestChannel(BaseModel):
    """A channel that gets the digest every day at a local time."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    team_id: str
    channel_id: str
    local_time: str  # "08:00"
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime
    next_run_at: datetime
    timezone: str | None = None  # the workspace's timezone next_run_at was worked out in
    # Why the channel's latest digest could not be posted (Slack's error), if it failed.
    last_error: str | None = None


class DueDigest(BaseModel):
    """A channel whose next digest instant has come, with its workspace's timezone."""

    model_config = ConfigDict(frozen=True)

    team_id: str
    channel_id: str
    local_time: str
    next_run_at: datetime
    timezone: str = "UTC"  # the workspace's, now
    planned_in: str | None = None  # the workspace's timezone when next_run_at was set


class ClosedDeal(BaseModel):
    """A deal won or lost within the digest's day."""

    model_config = ConfigDict(frozen=True)

    number: int
    title: str
    amount: Decimal
    owner_id: str
    won: bool
    lost_reason: str | None = None
    customer: str | None = None

    @property
    def public_id(self) -> str:
        return format_id(Kind.DEAL, self.number)


class DigestRepository(Protocol):
    """storage/repositories/digests.py"""

    def get(self, team_id: str, channel_id: str) -> DigestChannel | None: ...
    def channels(self, team_id: str) -> list[DigestChannel]: ...
    def put(
        self,
        team_id: str,
        channel_id: str,
        *,
        local_time: str,
        actor: str,
        now: datetime,
        next_run_at: datetime,
        timezone: str,
    ) -> DigestChannel: ...
    def remove(self, team_id: str, channel_id: str) -> bool: ...
    def due(self, *, now: datetime, limit: int, only_team: str | None) -> list[DueDigest]: ...
    def advance(
        self,
        team_id: str,
        channel_id: str,
        *,
        expected: datetime,
        next_run_at: datetime,
        timezone: str,
    ) -> bool: ...
    def has_deals(self, team_id: str) -> bool: ...
    def closed_deals(
        self, team_id: str, *, since: datetime, until: datetime
    ) -> list[ClosedDeal]: ...
    def tasks_due(
        self, team_id: str, *, since: datetime, until: datetime, limit: int
    ) -> tuple[list[Task], int]: ...


# -- when ---------------------------------------------------------------------------------------


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown timezone %r; digests use UTC", name)
        return ZoneInfo("UTC")


def instant(day: date, local_time: str, tz: ZoneInfo) -> datetime:
    """The UTC instant of `local_time` on `day` (through ZoneInfo, so a time skipped or
    doubled by a DST change still lands once)."""
    hours, minutes = local_time.split(":")
    return datetime.combine(day, time(int(hours), int(minutes)), tzinfo=tz).astimezone(UTC)


def first_run(now: datetime, local_time: str, tz: ZoneInfo) -> datetime:
    """Today's instant if it is still ahead, else tomorrow's."""
    today = now.astimezone(tz).date()
    at = instant(today, local_time, tz)
    return at if at >= now else instant(today + timedelta(days=1), local_time, tz)


def plan(due: DueDigest, now: datetime) -> tuple[date | None, datetime]:
    """For a channel whose instant has come: the local date to post for (None: nothing, a
    day missed while down), and the instant after it."""
    tz = zone(due.timezone)
    if due.planned_in is not None and due.planned_in != due.timezone:
        # The workspace moved to another timezone since this instant was set: start again
        # in the new one as a channel set up now would, rather than post hours off its time.
        return None, first_run(now, due.local_time, tz)
    today = now.astimezone(tz).date()
    at_today = instant(today, due.local_time, tz)
    # The latest of its times that has come: today's, or yesterday's when today's is ahead.
    day = today if now >= at_today else today - timedelta(days=1)
    at = at_today if day == today else instant(day, due.local_time, tz)
    after = instant(day + timedelta(days=1), due.local_time, tz)
    if day == today or now - at <= CATCH_UP:
        # Today's; or yesterday's still within the catch-up window (a tick late across
        # midnight, or a short restart, must not lose a 23:50 digest).
        return day, after
    # A day missed while the bot was down: skip it and wait for today's time.
    return None, after


def digest_key(channel_id: str, day: date) -> str:
    return f"digest:{channel_id}:{day.isoformat()}"


def enqueue_due_digests(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    limit: int = 100,
    only_team: str | None = None,
) -> int:
    """Queue each channel's digest whose time has come today; how many were new."""
    now = clock.now()
    queued = 0
    for _ in range(MAX_BATCHES):
        with uow_factory() as uow:
            due = uow.digests.due(now=now, limit=limit, only_team=only_team)
        for channel in due:
            day, after = plan(channel, now)
            with uow_factory() as uow:
                if not uow.digests.advance(
                    channel.team_id,
                    channel.channel_id,
                    expected=channel.next_run_at,
                    next_run_at=after,
                    timezone=channel.timezone,
                ):
                    continue  # another scheduler moved it on first
                if day is not None:
                    queued += enqueue(
                        uow,
                        team_id=channel.team_id,
                        key=digest_key(channel.channel_id, day),
                        kind=DAILY_DIGEST,
                        recipient=channel.channel_id,
                        payload={"date": day.isoformat()},
                        due_at=instant(day, channel.local_time, zone(channel.timezone)),
                        now=now,
                    )
                uow.commit()
        if len(due) < limit:
            break
    return queued


# -- what it says -------------------------------------------------------------------------------


class Comparison(BaseModel):
    """A period's totals beside another's."""

    model_config = ConfigDict(frozen=True)

    period: Period
    current: Totals
    against: Period
    previous: Totals

    @property
    def revenue_change(self) -> Decimal | None:
        return growth(self.current.revenue, self.previous.revenue)

    @property
    def orders_change(self) -> Decimal | None:
        return growth(self.current.orders, self.previous.orders)

    @property
    def aov_change(self) -> Decimal | None:
        return growth(self.current.aov, self.previous.aov)


class TrendDay(BaseModel):
    model_config = ConfigDict(frozen=True)

    day: date
    revenue: Decimal
    previous: Decimal  # the same position in the 30 days before


class Deals(BaseModel):
    """Deals closed on the digest's day; counts and sums cover all, lists the first few."""

    model_config = ConfigDict(frozen=True)

    won: list[ClosedDeal]
    lost: list[ClosedDeal]
    won_count: int = 0
    won_amount: Decimal = Decimal(0)
    lost_count: int = 0
    lost_amount: Decimal = Decimal(0)


class Digest(BaseModel):
    """Everything one day's digest says, for local date `day` (covering `day` − 1)."""

    model_config = ConfigDict(frozen=True)

    team_id: str
    day: date
    currency: str = "USD"
    yesterday: Comparison
    month: Comparison
    deals: Deals | None  # None: the workspace has no deals at all
    tasks: list[Task]
    tasks_total: int
    low: list[Product]
    low_total: int
    trend: list[TrendDay]

    @property
    def covers(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def month_complete(self) -> bool:
        """On the 1st the month to date is the whole of last month."""
        return self.day.day == 1

    @property
    def trend_has_sales(self) -> bool:
        return any(t.revenue or t.previous for t in self.trend)


def build_digest(uow: UnitOfWork, team_id: str, day: date, *, tz: ZoneInfo) -> Digest:
    """Read one day's digest from the database (rollups must be fresh)."""
    workspace = uow.workspaces.get(team_id)
    sums = uow.sales_reports
    yesterday = day - timedelta(days=1)
    one_day = Period(start=yesterday, end=yesterday)
    week_before = Period(start=yesterday - timedelta(days=7), end=yesterday - timedelta(days=7))
    month = Period(start=yesterday.replace(day=1), end=yesterday)
    last_month = month.month_before()
    window = Period(start=yesterday - timedelta(days=TREND_DAYS - 1), end=yesterday)
    before = window.previous()
    current_days = sums.by_day(team_id, window)
    previous_days = sums.by_day(team_id, before)
    trend = [
        TrendDay(
            day=window.start + timedelta(days=i),
            revenue=current_days.get(window.start + timedelta(days=i), Totals()).revenue,
            previous=previous_days.get(before.start + timedelta(days=i), Totals()).revenue,
        )
        for i in range(TREND_DAYS)
    ]
    since = instant(yesterday, "00:00", tz)
    until = instant(day, "00:00", tz)
    deals = None
    if uow.digests.has_deals(team_id):
        # One day's closed deals are few enough to read whole; the message lists the first.
        closed = uow.digests.closed_deals(team_id, since=since, until=until)
        won = [d for d in closed if d.won]
        lost = [d for d in closed if not d.won]
        deals = Deals(
            won=won[:DEALS_SHOWN],
            lost=lost[:DEALS_SHOWN],
            won_count=len(won),
            won_amount=sum((d.amount for d in won), Decimal(0)),
            lost_count=len(lost),
            lost_amount=sum((d.amount for d in lost), Decimal(0)),
        )
    tasks, tasks_total = uow.digests.tasks_due(
        team_id,
        since=until,
        until=instant(day + timedelta(days=1), "00:00", tz),
        limit=TASKS_SHOWN,
    )
    low, low_total = uow.products.low(team_id, limit=LOW_STOCK_SHOWN)
    return Digest(
        team_id=team_id,
        day=day,
        currency=workspace.currency if workspace else "USD",
        yesterday=Comparison(
            period=one_day,
            current=sums.totals(team_id, one_day),
            against=week_before,
            previous=sums.totals(team_id, week_before),
        ),
        month=Comparison(
            period=month,
            current=sums.totals(team_id, month),
            against=last_month,
            previous=sums.totals(team_id, last_month),
        ),
        deals=deals,
        tasks=tasks,
        tasks_total=tasks_total,
        low=low,
        low_total=low_total,
        trend=trend,
    )


class DigestService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def channels(self, team_id: str) -> list[DigestChannel]:
        """The channels, each with when its next digest goes out (after a timezone change,
        as the next tick will work it out in the new zone)."""
        with self._uow_factory() as uow:
            channels = uow.digests.channels(team_id)
            workspace = uow.workspaces.get(team_id)
        timezone = workspace.timezone if workspace else "UTC"
        now = self._clock.now()
        return [
            c
            if c.timezone is None or c.timezone == timezone
            else c.model_copy(update={"next_run_at": first_run(now, c.local_time, zone(timezone))})
            for c in channels
        ]

    def configure(
        self, team_id: str, actor: User | None, channel_id: str, at: str
    ) -> DigestChannel:
        """Post the digest in the channel every day at `at` (HH:MM local); admins and managers."""
        _may_configure(actor)
        assert actor is not None
        local_time = parse_clock_time(at)
        now = self._clock.now()
        with self._uow_factory() as uow:
            workspace = uow.workspaces.get(team_id)
            timezone = workspace.timezone if workspace else "UTC"
            channel = uow.digests.put(
                team_id,
                channel_id,
                local_time=local_time,
                actor=actor.slack_user_id,
                now=now,
                next_run_at=first_run(now, local_time, zone(timezone)),
                timezone=timezone,
            )
            uow.commit()
            return channel

    def remove(self, team_id: str, actor: User | None, channel_id: str) -> bool:
        """Stop the channel's digest; False if it had none."""
        _may_configure(actor)
        with self._uow_factory() as uow:
            removed = uow.digests.remove(team_id, channel_id)
            uow.commit()
            return removed

    def today(self, tz: ZoneInfo) -> date:
        return self._clock.now().astimezone(tz).date()

    def digest(self, team_id: str, day: date) -> Digest:
        """The digest run on local date `day` (it covers `day` − 1), as the data is now."""
        with self._uow_factory() as uow:
            # Days an import wrote are summed before reading, as every report does.
            if uow.sales_reports.refresh_if_dirty(team_id):
                uow.commit()
            workspace = uow.workspaces.get(team_id)
            return build_digest(
                uow, team_id, day, tz=zone(workspace.timezone if workspace else None)
            )


def _may_configure(actor: User | None) -> None:
    if actor is None or actor.role not in MANAGING_ROLES:
        raise DomainError(
            "Only an admin or a manager can change where and when the digest is posted. "
            "Anyone can post it now: `/salesbot digest now`."
        )
