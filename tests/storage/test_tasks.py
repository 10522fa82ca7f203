"""Task state changes that reminders depend on."""

from __future__ import annotations

from datetime import timedelta

from bot.services import Services
from domain.clock import FrozenClock
from domain.tasks import TaskDraft

TEAM = "T0ONE"


def test_reopening_a_task_due_later_brings_its_reminder_back(
    services: Services, clock: FrozenClock
) -> None:
    services.workspaces.ensure(TEAM, "U1")
    due = clock.now() + timedelta(days=1)
    task = services.tasks.add(
        TEAM, TaskDraft.from_input(title="Call back", assignee_id="U1", due_at=due), actor="U1"
    )
    assert task.remind_at == due
    assert services.tasks.complete(TEAM, task.id, actor="U1").remind_at is None
    assert services.tasks.reopen(TEAM, task.id, actor="U1").remind_at == due
    clock.advance(timedelta(days=2))
    services.tasks.complete(TEAM, task.id, actor="U1")
    assert services.tasks.reopen(TEAM, task.id, actor="U1").remind_at is None  # already past


def test_a_task_added_already_overdue_gets_no_reminder(
    services: Services, clock: FrozenClock
) -> None:
    services.workspaces.ensure(TEAM, "U1")
    past = clock.now() - timedelta(hours=3)
    task = services.tasks.add(
        TEAM, TaskDraft.from_input(title="Late already", assignee_id="U1", due_at=past), actor="U1"
    )
    assert task.due_at == past and task.remind_at is None
