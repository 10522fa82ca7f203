"""Queries only the App Home tab needs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.pipeline import Outcome
from domain.tasks import Task, TaskStatus
from storage.orm import DealRow, TaskRow


class SqlHomeRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def open_task_count(self, team_id: str, assignee_id: str) -> int:
        count = self._session.scalar(
            select(func.count())
            .select_from(TaskRow)
            .where(
                TaskRow.team_id == team_id,
                TaskRow.assignee_id == assignee_id,
                TaskRow.status == TaskStatus.OPEN.value,
            )
        )
        return int(count or 0)

    def open_tasks_due(
        self, team_id: str, assignee_id: str, *, since: datetime, until: datetime, limit: int
    ) -> tuple[list[Task], int]:
        """The person's open tasks due in [since, until), soonest first; and how many in all."""
        where = [
            TaskRow.team_id == team_id,
            TaskRow.assignee_id == assignee_id,
            TaskRow.status == TaskStatus.OPEN.value,
            TaskRow.due_at >= since,
            TaskRow.due_at < until,
        ]
        rows = self._session.scalars(
            select(TaskRow).where(*where).order_by(TaskRow.due_at, TaskRow.number).limit(limit)
        ).all()
        total = self._session.scalar(select(func.count()).select_from(TaskRow).where(*where))
        return [Task.model_validate(row) for row in rows], int(total or 0)

    def open_deal_totals(self, team_id: str, owner_id: str) -> tuple[int, Decimal]:
        """How many open deals the owner has, and their amounts summed."""
        row = self._session.execute(
            select(func.count(), func.sum(DealRow.amount)).where(
                DealRow.team_id == team_id,
                DealRow.owner_id == owner_id,
                DealRow.status == Outcome.OPEN.value,
            )
        ).one()
        # Fixed4's result processing applies to the SUM too (SQLite keeps ten-thousandths).
        return int(row[0] or 0), row[1] if row[1] is not None else Decimal(0)
