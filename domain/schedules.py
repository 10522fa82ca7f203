"""Saved reports and their schedules: a name for a dashboard or report, posted into a
channel daily, weekly or monthly at a time in the workspace's timezone.

What is due lives in report_schedules.next_run_at (UTC). A tick claims each due schedule
with a compare-and-set on that column, writes one delivery whose key names the run, and
advances next_run_at in the same transaction: two schedulers, or a restart, post each run
once. After downtime a schedule posts once (the earliest missed run, marked late) and
then goes on from now, rather than once per missed run.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict

from domain.audit import Action
from domain.delivery import enqueue
from domain.errors import DomainError, NotFound
from domain.text import fold
from domain.workspaces import MANAGING_ROLES, parse_clock_time

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

SCHEDULED_POST = "scheduled_post"  # the delivery kind of a scheduled report
NAME_MAX = 80
ARGS_MAX = 500
MAX_SAVED = 200  # per workspace: a list people can still read
MAX_SCHEDULES = 100
CLAIM_BATCH = 100
MAX_BATCHES = 20  # per tick; what is left waits for the next one

CADENCE_FORMS = "`daily 08:30`, `weekly mon 09:00` or `monthly 1 09:00` (workspace time)"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_WORDS = {
    **{short: i for i, short in enumerate(WEEKDAYS)},
    **{name.lower(): i for i, name in enumerate(WEEKDAY_NAMES)},
    "tues": 1,
    "wednes": 2,
    "thur": 3,
    "thurs": 3,
}
_MONTH_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
LAST_DAY = 0  # Cadence.day for "the month's last day"
_SCHEDULE_ID = re.compile(r"^\s*[Ss]-?(\d{1,9})\s*$")


class ReportKind(StrEnum):
    DASHBOARD = "dashboard"
    REPORT = "report"


class Every(StrEnum):
    DAY = "daily"
    WEEK = "weekly"
    MONTH = "monthly"


@dataclass(frozen=True)
class Cadence:
    """When a schedule runs, in the workspace's local time."""

    every: Every
    at: time
    weekday: int | None = None  # 0 = Monday, for weekly
    day: int | None = None  # 1–28, or LAST_DAY, for monthly

    def text(self) -> str:
        """The normalised form, as stored and as typed: "weekly mon 09:00"."""
        at = f"{self.at:%H:%M}"
        if self.every is Every.WEEK:
            assert self.weekday is not None
            return f"weekly {WEEKDAYS[self.weekday]} {at}"
        if self.every is Every.MONTH:
            day = "last" if self.day == LAST_DAY else str(self.day)
            return f"monthly {day} {at}"
        return f"daily {at}"

    def words(self) -> str:
        """As a person says it: "every Monday at 09:00"."""
        at = f"{self.at:%H:%M}"
        if self.every is Every.WEEK:
            assert self.weekday is not None
            return f"every {WEEKDAY_NAMES[self.weekday]} at {at}"
        if self.every is Every.MONTH:
            assert self.day is not None
            day = "the last day" if self.day == LAST_DAY else f"the {_ordinal(self.day)}"
            return f"monthly on {day} at {at}"
        return f"every day at {at}"

    def next_run(self, after: datetime, tz: ZoneInfo) -> datetime:
        """The first run strictly after `after`, in UTC; one per local day it falls on.

        APScheduler's CronTrigger finds the day; the instant is then that day's local time
        through ZoneInfo (fold 0), because on the night clocks go back the trigger returns
        the repeated hour twice (and, asked again, an instant before the one it was given).
        A time skipped by clocks going forward runs an hour later on the wall clock, as
        CronTrigger and ZoneInfo both read it.
        """
        trigger = self._trigger(tz)
        start = after + timedelta(seconds=1)
        for _ in range(400):
            fire = trigger.get_next_fire_time(None, start)
            if fire is None:  # cannot happen for these fields; never loop on it
                break
            day = fire.astimezone(tz).date()
            at = datetime.combine(day, self.at, tzinfo=tz).astimezone(UTC)
            if at > after:
                return at
            start = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        raise RuntimeError(f"no next run for {self.text()} after {after.isoformat()}")

    def is_run(self, instant: datetime, tz: ZoneInfo) -> bool:
        """Whether `instant` is one of this cadence's runs in `tz` (False once the workspace's
        timezone changed after next_run_at was worked out)."""
        day = instant.astimezone(tz).date()
        if datetime.combine(day, self.at, tzinfo=tz).astimezone(UTC) != instant:
            return False
        if self.every is Every.WEEK:
            return day.weekday() == self.weekday
        if self.every is Every.MONTH:
            if self.day == LAST_DAY:
                return (day + timedelta(days=1)).month != day.month
            return day.day == self.day
        return True

    def realign(self, instant: datetime, tz: ZoneInfo) -> datetime:
        """`instant` if it is a run in `tz`, else the first run from it on in `tz`: a run
        worked out in the workspace's old timezone moves to the same local time in its new one."""
        if self.is_run(instant, tz):
            return instant
        return self.next_run(instant - timedelta(seconds=1), tz)

    def _trigger(self, tz: ZoneInfo) -> CronTrigger:
        fields: dict[str, Any] = {"hour": self.at.hour, "minute": self.at.minute, "second": 0}
        if self.every is Every.WEEK:
            assert self.weekday is not None
            fields["day_of_week"] = WEEKDAYS[self.weekday]
        elif self.every is Every.MONTH:
            fields["day"] = "last" if self.day == LAST_DAY else self.day
        return CronTrigger(timezone=tz, **fields)


def parse_cadence(words: list[str] | tuple[str, ...] | str) -> Cadence:
    """`daily 08:30`, `weekly mon 09:00`, `monthly 1 09:00` (also `monthly last 17:00`,
    `at` before the time, full weekday names, `1st`); DomainError says what is wrong."""
    if isinstance(words, str):
        words = words.split()
    parts = [w.lower() for w in words if w.lower() != "at"]
    if not parts:
        raise DomainError(f"Say when: {CADENCE_FORMS}.")
    every = {"daily": Every.DAY, "weekly": Every.WEEK, "monthly": Every.MONTH}.get(parts[0])
    if every is None:
        raise DomainError(f"“{parts[0][:20]}” is not a schedule: use {CADENCE_FORMS}.")
    wanted = 2 if every is Every.DAY else 3
    example = {
        Every.DAY: "`daily 08:30`",
        Every.WEEK: "`weekly mon 09:00`",
        Every.MONTH: "`monthly 1 09:00`",
    }[every]
    if len(parts) != wanted:
        raise DomainError(f"{every.value.capitalize()} schedules read like {example}.")
    at = _clock_time(parts[-1], example)
    if every is Every.WEEK:
        weekday = _WEEKDAY_WORDS.get(parts[1])
        if weekday is None:
            raise DomainError(
                f"“{parts[1][:20]}” is not a day of the week: use mon, tue, wed, thu, fri, "
                f"sat or sun, like {example}."
            )
        return Cadence(every, at, weekday=weekday)
    if every is Every.MONTH:
        return Cadence(every, at, day=_month_day(parts[1]))
    return Cadence(every, at)


def _clock_time(text: str, example: str) -> time:
    try:
        hours, minutes = parse_clock_time(text).split(":")
    except DomainError:
        raise DomainError(
            f"“{text[:20]}” is not a time of day: use 24-hour HH:MM, like {example}."
        ) from None
    return time(int(hours), int(minutes))


def _month_day(text: str) -> int:
    if text in ("last", "end"):
        return LAST_DAY
    match = _MONTH_DAY.match(text)
    if match is None or not 1 <= int(match.group(1)) <= 31:
        raise DomainError(
            f"“{text[:20]}” is not a day of the month: use 1–28 or `last`, like `monthly 1 09:00`."
        )
    day = int(match.group(1))
    if day > 28:
        # CronTrigger would skip the months without that day; people expect a post every month.
        raise DomainError(
            f"Not every month has a {_ordinal(day)}: use a day from 1 to 28, or `last` "
            "for each month's last day (`monthly last 09:00`)."
        )
    return day


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def name_key(name: str) -> str:
    return fold(name)


def clean_name(name: str) -> str:
    """A saved report's name, trimmed; DomainError if empty or too long."""
    name = " ".join(name.split())
    if not name:
        raise DomainError("Give the saved report a name, like `/sales save weekly-revenue week`.")
    if len(name) > NAME_MAX:
        raise DomainError(f"Keep a saved report's name under {NAME_MAX} characters.")
    return name


def format_schedule_id(number: int) -> str:
    return f"S-{number}"


def parse_schedule_id(text: str) -> int | None:
    """The number in 'S-3' / 's3', else None."""
    match = _SCHEDULE_ID.match(text)
    return int(match.group(1)) if match else None


class SavedReport(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    team_id: str
    name: str
    name_key: str
    kind: ReportKind
    args: str  # normalised words, periods relative ("month"), read again at each run
    created_by: str
    created_at: datetime
    updated_at: datetime

    @property
    def command(self) -> str:
        """What to type for the same thing now."""
        words = f"report {self.args}" if self.kind is ReportKind.REPORT else self.args
        return f"/sales {words}".strip()


class Schedule(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    team_id: str
    number: int
    saved_report_id: int
    report_name: str  # the saved report's, read with the schedule
    channel_id: str
    cadence: str  # Cadence.text()
    next_run_at: datetime
    paused: bool = False
    created_by: str
    created_at: datetime
    last_run_at: datetime | None = None
    # The latest run that Slack refused for good (the bot not in the channel, …), when the
    # latest run failed: what the creator sees in /sales schedules.
    failed_run_at: datetime | None = None
    failure: str | None = None

    @property
    def public_id(self) -> str:
        return format_schedule_id(self.number)

    def upcoming(self, tz: ZoneInfo) -> datetime:
        """The next run in the workspace's current timezone (next_run_at as the tick reads it)."""
        return self.when.realign(self.next_run_at, tz)

    @property
    def when(self) -> Cadence:
        return parse_cadence(self.cadence)


class DueSchedule(BaseModel):
    """A schedule whose next run has come, as the tick reads it before claiming it."""

    model_config = ConfigDict(frozen=True)

    id: int
    team_id: str
    channel_id: str
    cadence: str
    next_run_at: datetime
    timezone: str


class SavedOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    saved: SavedReport
    replaced: SavedReport | None = None  # what the name meant before, when it existed
    schedules: int = 0  # how many schedules post it


class ScheduleRepository(Protocol):
    """storage/repositories/schedules.py"""

    def saved_by_key(self, team_id: str, key: str) -> SavedReport | None: ...
    def saved_by_id(self, team_id: str, saved_id: int) -> SavedReport | None: ...
    def saved_reports(self, team_id: str, *, limit: int) -> tuple[list[SavedReport], int]: ...
    def add_saved(
        self,
        team_id: str,
        *,
        name: str,
        key: str,
        kind: ReportKind,
        args: str,
        actor: str,
        now: datetime,
    ) -> SavedReport: ...
    def update_saved(
        self, team_id: str, saved_id: int, *, name: str, kind: ReportKind, args: str, now: datetime
    ) -> SavedReport: ...
    def delete_saved(self, team_id: str, saved_id: int) -> bool: ...
    def add_schedule(
        self,
        team_id: str,
        *,
        saved_report_id: int,
        channel_id: str,
        cadence: str,
        next_run_at: datetime,
        actor: str,
        now: datetime,
    ) -> Schedule: ...
    def schedule(self, team_id: str, schedule_id: int) -> Schedule | None: ...
    def schedule_by_number(self, team_id: str, number: int) -> Schedule | None: ...
    def schedules(
        self, team_id: str, *, saved_report_id: int | None = None, limit: int
    ) -> tuple[list[Schedule], int]: ...
    def set_paused(
        self, team_id: str, schedule_id: int, *, paused: bool, next_run_at: datetime
    ) -> Schedule | None: ...
    def delete_schedule(self, team_id: str, schedule_id: int) -> bool: ...
    def due(
        self, *, now: datetime, limit: int, only_team: str | None = None
    ) -> list[DueSchedule]: ...
    def advance(
        self,
        team_id: str,
        schedule_id: int,
        *,
        ran_at: datetime,
        next_run_at: datetime,
        ran: bool = True,
        run_at: datetime | None = None,
    ) -> bool: ...
    def last_failures(
        self, team_id: str, schedules: list[Schedule]
    ) -> dict[int, tuple[datetime, str]]: ...


def _timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown timezone %r; scheduling in UTC", name)
        return ZoneInfo("UTC")


def run_key(schedule_id: int, run_at: datetime) -> str:
    """One delivery per schedule and run time."""
    return f"schedule:{schedule_id}:{run_at.astimezone(UTC):%Y%m%dT%H%MZ}"


def enqueue_due_posts(
    uow_factory: UnitOfWorkFactory, clock: Clock, *, only_team: str | None = None
) -> int:
    """Queue one delivery per schedule whose next run has come, and advance it; how many.

    `only_team` limits the work to one workspace (the local shell on a shared database)."""
    now = clock.now()
    queued = 0
    for _ in range(MAX_BATCHES):
        with uow_factory() as uow:
            due = uow.schedules.due(now=now, limit=CLAIM_BATCH, only_team=only_team)
            for schedule in due:
                queued += _claim_run(uow, schedule, now)
            uow.commit()
        if len(due) < CLAIM_BATCH:
            break
    return queued


def _claim_run(uow: UnitOfWork, schedule: DueSchedule, now: datetime) -> int:
    stored = schedule.next_run_at
    try:
        cadence = parse_cadence(schedule.cadence)
    except DomainError:
        # Only a hand-edited row gets here: park it rather than fail every tick.
        log.error("schedule %s has a bad cadence %r; pausing it", schedule.id, schedule.cadence)
        uow.schedules.set_paused(schedule.team_id, schedule.id, paused=True, next_run_at=stored)
        return 0
    tz = _timezone(schedule.timezone)
    # The workspace's timezone may have changed since next_run_at was worked out: the run
    # is at the same local time in the zone it has now.
    run_at = cadence.realign(stored, tz)
    if run_at > now:
        uow.schedules.advance(
            schedule.team_id, schedule.id, ran_at=stored, next_run_at=run_at, ran=False
        )
        return 0
    following = cadence.next_run(max(now, run_at), tz)
    # The compare-and-set is the claim: another scheduler that read the same row finds
    # next_run_at moved on and leaves it.
    if not uow.schedules.advance(
        schedule.team_id, schedule.id, ran_at=stored, next_run_at=following, run_at=run_at
    ):
        return 0
    return int(
        enqueue(
            uow,
            team_id=schedule.team_id,
            key=run_key(schedule.id, run_at),
            kind=SCHEDULED_POST,
            recipient=schedule.channel_id,
            payload={"schedule_id": schedule.id, "run_at": run_at.astimezone(UTC).isoformat()},
            due_at=run_at,
            now=now,
        )
    )


@dataclass(frozen=True)
class ScheduleChange:
    schedule: Schedule
    changed: bool  # False: it already was paused (or running)


class ScheduleService:
    """Saving reports by name, and posting them into channels on a schedule."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    # -- saved reports --------------------------------------------------------------------

    def save(
        self, team_id: str, *, name: str, kind: ReportKind, args: str, actor: str
    ) -> SavedOutcome:
        """Save under `name`, or replace what that name held (its creator, managers, admins).

        `args` are the command's words already checked and normalised by the caller."""
        name = clean_name(name)
        args = " ".join(args.split())
        if len(args) > ARGS_MAX:
            raise DomainError(f"That is too long to save: keep it under {ARGS_MAX} characters.")
        key = name_key(name)
        now = self._clock.now()
        with self._uow_factory() as uow:
            before = uow.schedules.saved_by_key(team_id, key)
            if before is None:
                _, count = uow.schedules.saved_reports(team_id, limit=0)
                if count >= MAX_SAVED:
                    raise DomainError(
                        f"This workspace has {count} saved reports, the most it can keep: "
                        "`/sales unsave <name>` one first."
                    )
                saved = uow.schedules.add_saved(
                    team_id, name=name, key=key, kind=kind, args=args, actor=actor, now=now
                )
                action = Action.CREATE
                scheduled = 0
                changes: dict[str, Any] = {"name": name, "kind": kind.value, "args": args}
            else:
                self._may_change(uow, team_id, actor, before.created_by, f"“{before.name}”")
                saved = uow.schedules.update_saved(
                    team_id, before.id, name=name, kind=kind, args=args, now=now
                )
                action = Action.UPDATE
                changes = {"kind": [before.kind.value, kind.value], "args": [before.args, args]}
                _, scheduled = uow.schedules.schedules(team_id, saved_report_id=before.id, limit=0)
            uow.audit.record(team_id, actor, action, "saved_report", saved.id, changes, now=now)
            uow.commit()
        return SavedOutcome(saved=saved, replaced=before, schedules=scheduled)

    def saved(self, team_id: str, name: str) -> SavedReport:
        with self._uow_factory() as uow:
            return self._saved(uow, team_id, name)

    def saved_reports(
        self, team_id: str, *, limit: int
    ) -> tuple[list[SavedReport], int, dict[int, list[Schedule]]]:
        """Saved reports by name, how many there are, and the schedules of those shown."""
        with self._uow_factory() as uow:
            reports, total = uow.schedules.saved_reports(team_id, limit=limit)
            schedules, _ = uow.schedules.schedules(team_id, limit=MAX_SCHEDULES)
        by_report: dict[int, list[Schedule]] = {}
        for schedule in schedules:
            by_report.setdefault(schedule.saved_report_id, []).append(schedule)
        return reports, total, by_report

    def unsave(self, team_id: str, name: str, *, actor: str) -> tuple[SavedReport, int]:
        """Delete a saved report and its schedules; how many schedules went with it."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            saved = self._saved(uow, team_id, name)
            self._may_change(uow, team_id, actor, saved.created_by, f"“{saved.name}”")
            schedules, _ = uow.schedules.schedules(
                team_id, saved_report_id=saved.id, limit=MAX_SCHEDULES
            )
            uow.schedules.delete_saved(team_id, saved.id)
            uow.audit.record(
                team_id,
                actor,
                Action.DELETE,
                "saved_report",
                saved.id,
                {"name": saved.name},
                now=now,
            )
            uow.commit()
        return saved, len(schedules)

    # -- schedules -------------------------------------------------------------------------

    def add_schedule(
        self,
        team_id: str,
        name: str,
        *,
        channel_id: str,
        cadence: Cadence,
        tz: ZoneInfo,
        actor: str,
    ) -> Schedule:
        now = self._clock.now()
        with self._uow_factory() as uow:
            saved = self._saved(uow, team_id, name)
            existing, count = uow.schedules.schedules(team_id, limit=MAX_SCHEDULES)
            for other in existing:
                if (other.saved_report_id, other.channel_id, other.cadence) == (
                    saved.id,
                    channel_id,
                    cadence.text(),
                ):
                    raise DomainError(
                        f"“{saved.name}” already posts there {cadence.words()}: "
                        f"that is {other.public_id}."
                    )
            if count >= MAX_SCHEDULES:
                raise DomainError(
                    f"This workspace has {count} schedules, the most it can keep: delete one "
                    "first (`/sales schedule delete S-<n>`)."
                )
            schedule = uow.schedules.add_schedule(
                team_id,
                saved_report_id=saved.id,
                channel_id=channel_id,
                cadence=cadence.text(),
                next_run_at=cadence.next_run(now, tz),
                actor=actor,
                now=now,
            )
            uow.audit.record(
                team_id,
                actor,
                Action.CREATE,
                "report_schedule",
                schedule.id,
                {"saved_report": saved.name, "channel_id": channel_id, "cadence": cadence.text()},
                now=now,
            )
            uow.commit()
        return schedule

    def schedules(self, team_id: str, *, limit: int) -> tuple[list[Schedule], int]:
        """Schedules by number, each with its latest run's failure if that run failed."""
        with self._uow_factory() as uow:
            schedules, total = uow.schedules.schedules(team_id, limit=limit)
            failures = uow.schedules.last_failures(team_id, schedules)
        shown = [
            s.model_copy(update={"failed_run_at": failures[s.id][0], "failure": failures[s.id][1]})
            if s.id in failures
            else s
            for s in schedules
        ]
        return shown, total

    def get_schedule(self, team_id: str, number: int) -> Schedule:
        with self._uow_factory() as uow:
            return self._schedule(uow, team_id, number)

    def pause(self, team_id: str, number: int, *, actor: str) -> ScheduleChange:
        return self._set_paused(team_id, number, paused=True, actor=actor)

    def resume(self, team_id: str, number: int, *, actor: str, tz: ZoneInfo) -> ScheduleChange:
        """Running again from now: the runs missed while paused are not posted."""
        return self._set_paused(team_id, number, paused=False, actor=actor, tz=tz)

    def delete_schedule(self, team_id: str, number: int, *, actor: str) -> Schedule:
        now = self._clock.now()
        with self._uow_factory() as uow:
            schedule = self._schedule(uow, team_id, number)
            self._may_change(uow, team_id, actor, schedule.created_by, schedule.public_id)
            uow.schedules.delete_schedule(team_id, schedule.id)
            uow.audit.record(
                team_id,
                actor,
                Action.DELETE,
                "report_schedule",
                schedule.id,
                {"saved_report": schedule.report_name, "cadence": schedule.cadence},
                now=now,
            )
            uow.commit()
        return schedule

    def _set_paused(
        self, team_id: str, number: int, *, paused: bool, actor: str, tz: ZoneInfo | None = None
    ) -> ScheduleChange:
        now = self._clock.now()
        with self._uow_factory() as uow:
            schedule = self._schedule(uow, team_id, number)
            self._may_change(uow, team_id, actor, schedule.created_by, schedule.public_id)
            if schedule.paused == paused:
                return ScheduleChange(schedule, changed=False)
            next_run_at = schedule.next_run_at
            if not paused:
                assert tz is not None
                next_run_at = schedule.when.next_run(now, tz)
            updated = uow.schedules.set_paused(
                team_id, schedule.id, paused=paused, next_run_at=next_run_at
            )
            if updated is None:
                raise NotFound(f"{schedule.public_id} was deleted meanwhile.")
            uow.audit.record(
                team_id,
                actor,
                Action.UPDATE,
                "report_schedule",
                schedule.id,
                {"paused": [schedule.paused, paused]},
                now=now,
            )
            uow.commit()
        return ScheduleChange(updated, changed=True)

    # -- rules -----------------------------------------------------------------------------

    @staticmethod
    def _saved(uow: UnitOfWork, team_id: str, name: str) -> SavedReport:
        saved = uow.schedules.saved_by_key(team_id, name_key(name))
        if saved is None:
            raise NotFound(
                f"There is no saved report called “{name[:NAME_MAX]}”: `/sales saved` lists them."
            )
        return saved

    @staticmethod
    def _schedule(uow: UnitOfWork, team_id: str, number: int) -> Schedule:
        schedule = uow.schedules.schedule_by_number(team_id, number)
        if schedule is None:
            raise NotFound(
                f"There is no schedule {format_schedule_id(number)}: `/sales schedules` lists them."
            )
        return schedule

    @staticmethod
    def _may_change(uow: UnitOfWork, team_id: str, actor: str, owner: str, what: str) -> None:
        if actor == owner:
            return
        user = uow.users.get(team_id, actor)
        if user is None or user.role not in MANAGING_ROLES:
            raise DomainError(
                f"Only the person who made {what}, an admin or a manager can change it."
            )


def local_day(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()
