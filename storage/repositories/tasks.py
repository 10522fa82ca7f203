"""Tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.errors import Conflict
from domain.tasks import Task, TaskDraft, TaskStatus
from storage.orm import TaskRow
from storage.repositories.sequences import next_value


class SqlTaskRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        team_id: str,
        draft: TaskDraft,
        *,
        actor: str,
        now: datetime,
        remind_at: datetime | None,
    ) -> Task:
        row = TaskRow(
            team_id=team_id,
            number=next_value(self._session, team_id, "task"),
            created_by=actor,
            status=TaskStatus.OPEN,
            remind_at=remind_at,
            created_at=now,
            updated_at=now,
            **draft.model_dump(),
        )
        self._session.add(row)
        self._session.flush()
        return Task.model_validate(row)

    def get(self, team_id: str, task_id: int) -> Task | None:
        row = self._row(team_id, task_id)
        return Task.model_validate(row) if row else None

    def get_by_number(self, team_id: str, number: int) -> Task | None:
        row = self._session.scalar(
            select(TaskRow).where(TaskRow.team_id == team_id, TaskRow.number == number)
        )
        return Task.model_validate(row) if row else None

    def update(self, team_id: str, task_id: int, values: dict[str, Any], *, now: datetime) -> Task:
        row = self._row(team_id, task_id)
        if row is None:
            raise Conflict("That task was deleted meanwhile.")
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
        self._session.flush()
        return Task.model_validate(row)

    def open_tasks(
        self, team_id: str, *, assignee_id: str | None, due_before: datetime | None, limit: int
    ) -> tuple[list[Task], int]:
        where = [TaskRow.team_id == team_id, TaskRow.status == TaskStatus.OPEN]
        if assignee_id is not None:
            where.append(TaskRow.assignee_id == assignee_id)
        if due_before is not None:
            where += [TaskRow.due_at.is_not(None), TaskRow.due_at < due_before]
        return self._page(where, limit)

    def open_for_customer(
        self, team_id: str, customer_id: int, *, limit: int
    ) -> tuple[list[Task], int]:
        return self._page(
            [
                TaskRow.team_id == team_id,
                TaskRow.customer_id == customer_id,
                TaskRow.status == TaskStatus.OPEN,
            ],
            limit,
        )

    def _page(self, where: list[Any], limit: int) -> tuple[list[Task], int]:
        # Dated tasks first, soonest first; undated after, oldest first.
        rows = self._session.scalars(
            select(TaskRow)
            .where(*where)
            .order_by(TaskRow.due_at.is_(None), TaskRow.due_at, TaskRow.number)
            .limit(limit)
        ).all()
        total = self._session.scalar(select(func.count()).select_from(TaskRow).where(*where))
        return [Task.model_validate(r) for r in rows], total or 0

    def _row(self, team_id: str, task_id: int) -> TaskRow | None:
        return self._session.scalar(
            select(TaskRow).where(TaskRow.team_id == team_id, TaskRow.id == task_id)
        )
