"""Task reminders and the morning summary of overdue tasks, turned into deliveries.

What is due lives in the database (tasks.remind_at, workspaces.overdue_summary_on);
these ticks claim it atomically and enqueue a delivery with a unique key in the same
transaction, so two schedulers, or a restart, produce each message once.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict

from domain.delivery import enqueue

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)

TASK_REMINDER = "task_reminder"
OVERDUE_SUMMARY = "overdue_summary"
DEFAULT_SUMMARY_TIME = time(8, 30)
MAX_BATCHES = 20  # per tick; whatever is left waits for the next one


class DueReminder(BaseModel):
    """A task whose reminder time has come, as claimed from the tasks table."""

    model_config = ConfigDict(frozen=True)

    task_id: int
    team_id: str
    assignee_id: str
    remind_at: datetime


class SummarySchedule(BaseModel):
    """When a workspace's overdue summaries go out, and the last local day they did."""

    model_config = ConfigDict(frozen=True)

    team_id: str
    timezone: str = "UTC"
    at: str = "08:30"  # local "HH:MM"
    done_on: date | None = None

    @property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("workspace %s has an unknown timezone %r", self.team_id, self.timezone)
            return ZoneInfo("UTC")

    @property
    def local_time(self) -> time:
        try:
            hours, minutes = self.at.split(":")
            return time(int(hours), int(minutes))
        except ValueError:
            log.warning("workspace %s has a bad summary time %r", self.team_id, self.at)
            return DEFAULT_SUMMARY_TIME

    def due(self, now: datetime) -> tuple[date, datetime] | None:
        """(today's local date, today's summary instant in UTC) once it is time; else None."""
        tz = self.tz
        today = now.astimezone(tz).date()
        if self.done_on is not None and self.done_on >= today:
            return None
        # Through ZoneInfo, so a time skipped or doubled by a DST change still lands once.
        at = datetime.combine(today, self.local_time, tzinfo=tz).astimezone(UTC)
        return (today, at) if now >= at else None


def reminder_key(task_id: int, remind_at: datetime, recipient: str) -> str:
    """One reminder per task, reminder time and assignee: a snooze or a reassignment makes
    a new one."""
    return f"task-reminder:{task_id}:{remind_at.astimezone(UTC).isoformat()}:{recipient}"


def summary_key(user_id: str, day: date) -> str:
    return f"overdue-summary:{user_id}:{day.isoformat()}"


def enqueue_due_reminders(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    limit: int = 200,
    only_team: str | None = None,
) -> int:
    """Turn open tasks whose remind_at has come into deliveries; how many were new.

    `only_team` limits the work to one workspace (the local shell, which must never take
    another workspace's reminders from a shared database)."""
    now = clock.now()
    queued = 0
    for _ in range(MAX_BATCHES):
        with uow_factory() as uow:
            due = uow.deliveries.claim_due_reminders(now=now, limit=limit, only_team=only_team)
            for reminder in due:
                queued += enqueue(
                    uow,
                    team_id=reminder.team_id,
                    key=reminder_key(reminder.task_id, reminder.remind_at, reminder.assignee_id),
                    kind=TASK_REMINDER,
                    recipient=reminder.assignee_id,
                    payload={"task_id": reminder.task_id},
                    due_at=reminder.remind_at,
                    now=now,
                )
            uow.commit()
        if len(due) < limit:
            break
    return queued


def enqueue_overdue_summaries(
    uow_factory: UnitOfWorkFactory, clock: Clock, *, only_team: str | None = None
) -> int:
    """Once per local day per workspace, at its summary time: one delivery per person with
    overdue tasks. How many were new."""
    now = clock.now()
    # No workspace's local date is later than UTC's plus one day, so nothing else can be due.
    with uow_factory() as uow:
        schedules = uow.deliveries.summary_schedules(
            done_before=now.astimezone(UTC).date() + timedelta(days=1), only_team=only_team
        )
    queued = 0
    for schedule in schedules:
        due = schedule.due(now)
        if due is None:
            continue
        day, at = due
        with uow_factory() as uow:
            if not uow.deliveries.claim_summary_day(schedule.team_id, day):
                continue  # another scheduler did this workspace's day
            for user_id in uow.deliveries.overdue_assignees(schedule.team_id, now=now):
                queued += enqueue(
                    uow,
                    team_id=schedule.team_id,
                    key=summary_key(user_id, day),
                    kind=OVERDUE_SUMMARY,
                    recipient=user_id,
                    payload={"user_id": user_id, "date": day.isoformat()},
                    due_at=at,
                    now=now,
                )
            uow.commit()
    return queued
