"""Follow-up tasks: who does what, for which customer, by when; and their reminders."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from domain.audit import Action, diff, snapshot
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.idempotency import write_once
from domain.ids import Kind, format_id
from domain.text import clean

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWork, UnitOfWorkFactory

TITLE_MAX = 500
FIELDS = (
    "title",
    "customer_id",
    "deal_number",
    "assignee_id",
    "status",
    "due_at",
    "remind_at",
    "done_at",
)


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class TaskScope(StrEnum):
    """Which tasks a list shows."""

    OPEN = "open"  # every open task of the assignee
    OVERDUE = "overdue"
    TODAY = "today"  # due today (local) or overdue


class Task(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    team_id: str
    number: int
    title: str
    customer_id: int | None = None
    deal_number: int | None = None
    assignee_id: str
    created_by: str
    status: TaskStatus
    due_at: datetime | None = None
    due_has_time: bool = False
    remind_at: datetime | None = None
    done_at: datetime | None = None
    done_by: str | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def public_id(self) -> str:
        return format_id(Kind.TASK, self.number)

    def is_overdue(self, now: datetime) -> bool:
        return self.status is TaskStatus.OPEN and self.due_at is not None and self.due_at < now


class TaskDraft(BaseModel):
    """A new task as typed, cleaned and checked."""

    title: str
    assignee_id: str
    customer_id: int | None = None
    deal_number: int | None = None
    due_at: datetime | None = None
    due_has_time: bool = False

    @classmethod
    def from_input(
        cls,
        *,
        title: str | None,
        assignee_id: str | None,
        customer_id: int | None = None,
        deal_number: int | None = None,
        due_at: datetime | None = None,
        due_has_time: bool = False,
    ) -> TaskDraft:
        errors: dict[str, str] = {}
        title = clean(title)
        if not title:
            errors["title"] = "Say what needs doing."
        elif len(title) > TITLE_MAX:
            errors["title"] = f"That is {len(title):,} characters; keep a task under {TITLE_MAX}."
        if not clean(assignee_id):
            errors["assignee_id"] = "Choose who does it."
        if errors:
            raise ValidationFailed(errors)
        assert title is not None and assignee_id is not None
        return cls(
            title=title,
            assignee_id=assignee_id.strip(),
            customer_id=customer_id,
            deal_number=deal_number,
            due_at=due_at,
            due_has_time=due_has_time,
        )


def create_task(
    uow: UnitOfWork, team_id: str, draft: TaskDraft, *, actor: str, now: datetime
) -> Task:
    """Add a task inside an open unit of work (shared by /task and logging with a follow-up)."""
    if draft.customer_id is not None and uow.customers.get(team_id, draft.customer_id) is None:
        raise NotFound("That customer does not exist in this workspace.")
    # A due time already past gets no reminder: the person is looking at the task right now.
    remind_at = draft.due_at if draft.due_at is not None and draft.due_at >= now else None
    task = uow.tasks.add(team_id, draft, actor=actor, now=now, remind_at=remind_at)
    uow.audit.record(
        team_id, actor, Action.CREATE, "task", task.id, snapshot(task, FIELDS), now=now
    )
    return task


class TaskService:
    """Create, list, complete, snooze and reassign tasks within one workspace."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def add(
        self, team_id: str, draft: TaskDraft, *, actor: str, idempotency_key: str | None = None
    ) -> Task:
        """Save a new task; the same idempotency key returns the first result."""
        now = self._clock.now()
        return write_once(
            self._uow_factory,
            team_id,
            idempotency_key,
            now=now,
            write=lambda uow: create_task(uow, team_id, draft, actor=actor, now=now),
            result_ref=lambda task: str(task.id),
            load=lambda uow, ref: _get(uow, team_id, int(ref)),
        )

    def get(self, team_id: str, task_id: int) -> Task:
        with self._uow_factory() as uow:
            return _get(uow, team_id, task_id)

    def get_by_number(self, team_id: str, number: int) -> Task:
        with self._uow_factory() as uow:
            task = uow.tasks.get_by_number(team_id, number)
        if task is None:
            raise NotFound(f"There is no task {format_id(Kind.TASK, number)} in this workspace.")
        return task

    def open_list(
        self,
        team_id: str,
        *,
        assignee_id: str | None,
        scope: TaskScope,
        tz: ZoneInfo,
        limit: int = 20,
    ) -> tuple[list[Task], int]:
        """Open tasks of one person (or everyone), soonest due first; and how many in all."""
        now = self._clock.now()
        due_before: datetime | None = None
        if scope is TaskScope.OVERDUE:
            due_before = now
        elif scope is TaskScope.TODAY:
            local = now.astimezone(tz)
            due_before = (
                local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
            ).astimezone(now.tzinfo)
        with self._uow_factory() as uow:
            return uow.tasks.open_tasks(
                team_id, assignee_id=assignee_id, due_before=due_before, limit=limit
            )

    def for_customer(
        self, team_id: str, customer_id: int, *, limit: int = 5
    ) -> tuple[list[Task], int]:
        with self._uow_factory() as uow:
            return uow.tasks.open_for_customer(team_id, customer_id, limit=limit)

    def complete(self, team_id: str, task_id: int, *, actor: str) -> Task:
        """Mark done (done twice is still done, not an error)."""
        return self._change(
            team_id,
            task_id,
            actor,
            status=TaskStatus.DONE,
            remind_at=None,
            done_at=self._clock.now(),
            done_by=actor,
        )

    def reopen(self, team_id: str, task_id: int, *, actor: str) -> Task:
        """Open again; a due time still ahead gets its reminder back."""
        task = self.get(team_id, task_id)
        ahead = task.due_at is not None and task.due_at > self._clock.now()
        return self._change(
            team_id,
            task_id,
            actor,
            status=TaskStatus.OPEN,
            done_at=None,
            done_by=None,
            remind_at=task.due_at if ahead else None,
        )

    def snooze(self, team_id: str, task_id: int, until: datetime, *, actor: str) -> Task:
        """Move the due time (and so the reminder) to `until`."""
        if until <= self._clock.now():
            raise DomainError("Snooze to a time in the future.")
        task = self.get(team_id, task_id)
        if task.status is TaskStatus.DONE:
            raise DomainError(f"{task.public_id} is already done.")
        return self._change(
            team_id, task_id, actor, due_at=until, due_has_time=True, remind_at=until
        )

    def reassign(self, team_id: str, task_id: int, assignee_id: str, *, actor: str) -> Task:
        """Give the task to someone else; a due time still ahead reminds them instead."""
        task = self.get(team_id, task_id)
        ahead = task.due_at is not None and task.due_at >= self._clock.now()
        values: dict[str, object] = {"assignee_id": assignee_id}
        if ahead and task.status is TaskStatus.OPEN and task.remind_at is None:
            values["remind_at"] = task.due_at  # its reminder was already taken for the old one
        return self._change(team_id, task_id, actor, **values)

    def _change(self, team_id: str, task_id: int, actor: str, **values: object) -> Task:
        with self._uow_factory() as uow:
            before = _get(uow, team_id, task_id)
            now = self._clock.now()
            after = uow.tasks.update(team_id, task_id, values, now=now)
            changes = diff(before, after, FIELDS)
            if changes:
                uow.audit.record(team_id, actor, Action.UPDATE, "task", task_id, changes, now=now)
            uow.commit()
            return after


def _get(uow: UnitOfWork, team_id: str, task_id: int) -> Task:
    task = uow.tasks.get(team_id, task_id)
    if task is None:
        raise NotFound("That task does not exist in this workspace.")
    return task
