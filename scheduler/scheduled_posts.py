"""Scheduled reports: the tick that queues each due schedule's post (once per run time),
and the message rendered when it goes out."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from domain.clock import FrozenClock
from domain.reports import ReportService
from domain.schedules import enqueue_due_posts

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.delivery import Attempt, Delivery
    from domain.ports import UnitOfWork, UnitOfWorkFactory
    from scheduler.sender import Message, Render


def enqueue_due(
    uow_factory: UnitOfWorkFactory, clock: Clock, *, only_team: str | None = None
) -> int:
    """Queue one delivery per schedule whose next run has come; advance it. Returns how many.

    `only_team`: the local shell's workspace alone, on a database others may share."""
    return enqueue_due_posts(uow_factory, clock, only_team=only_team)


def make_renderer(uow_factory: UnitOfWorkFactory) -> Render:
    def render(uow: UnitOfWork, delivery: Delivery, attempt: Attempt) -> Message:
        # Views are built only when sending, as the other renderers do.
        from commands.sales.schedule_views import scheduled_message
        from scheduler.sender import Message, Skip

        team_id = delivery.team_id
        schedule = uow.schedules.schedule(team_id, int(delivery.payload["schedule_id"]))
        if schedule is None:
            raise Skip("the schedule (or its saved report) was deleted")
        if schedule.paused:
            raise Skip(f"{schedule.public_id} was paused")
        run_at = datetime.fromisoformat(str(delivery.payload["run_at"]))
        if schedule.created_at > run_at or schedule.channel_id != delivery.recipient:
            # SQLite may reuse a deleted schedule's id: this run was another schedule's.
            raise Skip("the schedule that queued this run was deleted")
        saved = uow.schedules.saved_by_id(team_id, schedule.saved_report_id)
        workspace = uow.workspaces.get(team_id)
        if saved is None or workspace is None:
            raise Skip("the saved report was deleted")
        # The report reads the database as of this attempt, whichever clock the sender has.
        reports = ReportService(uow_factory, FrozenClock(attempt.now))
        posting = scheduled_message(
            reports,
            workspace,
            saved,
            schedule,
            run_at=run_at,
            now=attempt.now,
            late=attempt.late,
        )
        return Message(posting.text, posting.blocks, posting.uploads)

    return render
