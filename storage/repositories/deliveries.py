"""The delivery outbox, and the claims on due work (reminders, summaries) that feed it.

Claims are atomic per backend: PostgreSQL selects `FOR UPDATE SKIP LOCKED` and updates
in the same transaction, so concurrent workers take disjoint rows without waiting;
SQLite has one writer at a time, and a single `UPDATE … WHERE id IN (SELECT … LIMIT n)
RETURNING …` both picks and takes the rows under that lock.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from domain.delivery import Delivery, DeliveryStatus
from domain.reminders import DueReminder, SummarySchedule
from domain.tasks import TaskStatus
from storage.orm import DeliveryRow, TaskRow, WorkspaceRow


class SqlDeliveryRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _postgres(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    # -- the outbox --------------------------------------------------------------------------

    def add(
        self,
        team_id: str,
        *,
        key: str,
        kind: str,
        recipient: str,
        payload: dict[str, Any],
        due_at: datetime,
        now: datetime,
    ) -> bool:
        """Insert unless (team_id, key) exists; True if this call wrote it."""
        module = postgresql if self._postgres else sqlite
        statement = (
            module.insert(DeliveryRow)
            .values(
                team_id=team_id,
                key=key,
                kind=kind,
                recipient=recipient,
                payload=payload,
                due_at=due_at,
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=due_at,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["team_id", "key"])
            .returning(DeliveryRow.id)
        )
        # A row comes back only when it was inserted (rowcount is not reliable here).
        return self._session.execute(statement).first() is not None

    def get(self, team_id: str, delivery_id: int) -> Delivery | None:
        row = self._session.scalar(
            select(DeliveryRow).where(DeliveryRow.team_id == team_id, DeliveryRow.id == delivery_id)
        )
        return Delivery.model_validate(row) if row else None

    def get_by_key(self, team_id: str, key: str) -> Delivery | None:
        row = self._session.scalar(
            select(DeliveryRow).where(DeliveryRow.team_id == team_id, DeliveryRow.key == key)
        )
        return Delivery.model_validate(row) if row else None

    def find(self, team_id: str, *, kind: str | None = None) -> list[Delivery]:
        """A workspace's deliveries, oldest first."""
        query = select(DeliveryRow).where(DeliveryRow.team_id == team_id)
        if kind is not None:
            query = query.where(DeliveryRow.kind == kind)
        rows = self._session.scalars(query.order_by(DeliveryRow.id)).all()
        return [Delivery.model_validate(row) for row in rows]

    def claim_due(
        self,
        *,
        now: datetime,
        worker_id: str,
        lease_until: datetime,
        limit: int,
        only_team: str | None = None,
    ) -> list[Delivery]:
        """Take up to `limit` deliveries that are due, or whose worker's lease ran out."""
        eligible = or_(
            and_(
                DeliveryRow.status == DeliveryStatus.PENDING,
                DeliveryRow.next_attempt_at <= now,
            ),
            and_(
                DeliveryRow.status == DeliveryStatus.SENDING,
                DeliveryRow.claimed_until <= now,
            ),
        )
        if only_team is not None:
            eligible = and_(DeliveryRow.team_id == only_team, eligible)
        oldest_first = (
            select(DeliveryRow.id)
            .where(eligible)
            .order_by(DeliveryRow.next_attempt_at, DeliveryRow.id)
            .limit(limit)
        )
        if self._postgres:
            ids = list(self._session.scalars(oldest_first.with_for_update(skip_locked=True)))
            if not ids:
                return []
            chosen = DeliveryRow.id.in_(ids)
        else:
            chosen = DeliveryRow.id.in_(oldest_first.scalar_subquery())
        statement = (
            update(DeliveryRow)
            .where(chosen, eligible)
            .values(
                status=DeliveryStatus.SENDING,
                claimed_by=worker_id,
                claimed_until=lease_until,
                attempts=DeliveryRow.attempts + 1,
            )
            .returning(DeliveryRow)
            .execution_options(synchronize_session=False)
        )
        claimed = [Delivery.model_validate(row) for row in self._session.scalars(statement)]
        return sorted(claimed, key=lambda d: (d.next_attempt_at, d.id))

    def hold(
        self,
        team_id: str,
        delivery_id: int,
        *,
        worker_id: str,
        channel_id: str,
        lease_until: datetime,
    ) -> bool:
        """Store the conversation and renew the lease, if this worker still holds the claim."""
        return self._settle(
            team_id, delivery_id, worker_id, channel_id=channel_id, claimed_until=lease_until
        )

    def mark_sent(
        self,
        team_id: str,
        delivery_id: int,
        *,
        worker_id: str,
        now: datetime,
        channel_id: str,
        message_ts: str | None,
    ) -> bool:
        return self._settle(
            team_id,
            delivery_id,
            worker_id,
            status=DeliveryStatus.SENT,
            sent_at=now,
            channel_id=channel_id,
            message_ts=message_ts,
            claimed_until=None,
        )

    def mark_retry(
        self,
        team_id: str,
        delivery_id: int,
        *,
        worker_id: str,
        next_attempt_at: datetime,
        error: str,
    ) -> bool:
        return self._settle(
            team_id,
            delivery_id,
            worker_id,
            status=DeliveryStatus.PENDING,
            next_attempt_at=next_attempt_at,
            last_error=error,
            claimed_by=None,
            claimed_until=None,
        )

    def mark_failed(self, team_id: str, delivery_id: int, *, worker_id: str, error: str) -> bool:
        return self._settle(
            team_id,
            delivery_id,
            worker_id,
            status=DeliveryStatus.FAILED,
            last_error=error,
            claimed_until=None,
        )

    def mark_cancelled(
        self, team_id: str, delivery_id: int, *, worker_id: str, reason: str
    ) -> bool:
        return self._settle(
            team_id,
            delivery_id,
            worker_id,
            status=DeliveryStatus.CANCELLED,
            last_error=reason,
            claimed_until=None,
        )

    def _settle(self, team_id: str, delivery_id: int, worker_id: str, **values: Any) -> bool:
        """Change a claimed delivery only while this worker holds the claim."""
        statement = (
            update(DeliveryRow)
            .where(
                DeliveryRow.team_id == team_id,
                DeliveryRow.id == delivery_id,
                DeliveryRow.claimed_by == worker_id,
                DeliveryRow.status == DeliveryStatus.SENDING,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return self._rowcount(self._session.execute(statement)) == 1

    # -- what feeds it: due reminders and daily summaries ------------------------------------

    def claim_due_reminders(
        self, *, now: datetime, limit: int, only_team: str | None = None
    ) -> list[DueReminder]:
        """Open tasks whose remind_at has come, with remind_at cleared (claimed) in this
        transaction; a task changed meanwhile (done, snoozed) is left alone."""
        query = (
            select(TaskRow.id, TaskRow.team_id, TaskRow.assignee_id, TaskRow.remind_at)
            .where(
                TaskRow.status == TaskStatus.OPEN,
                TaskRow.remind_at.is_not(None),
                TaskRow.remind_at <= now,
                TaskRow.team_id == only_team if only_team is not None else true(),
            )
            .order_by(TaskRow.remind_at, TaskRow.id)
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for task_id, team_id, assignee_id, remind_at in self._session.execute(query).all():
            # Compare-and-set: on SQLite the select above locks nothing.
            taken = self._session.execute(
                update(TaskRow)
                .where(
                    TaskRow.id == task_id,
                    TaskRow.status == TaskStatus.OPEN,
                    TaskRow.remind_at == remind_at,
                )
                .values(remind_at=None)
                .execution_options(synchronize_session=False)
            )
            if self._rowcount(taken) == 1:
                claimed.append(
                    DueReminder(
                        task_id=task_id,
                        team_id=team_id,
                        assignee_id=assignee_id,
                        remind_at=remind_at,
                    )
                )
        return claimed

    def summary_schedules(
        self, *, done_before: date, only_team: str | None = None
    ) -> list[SummarySchedule]:
        """Workspaces whose overdue summaries were last queued before `done_before`."""
        rows = self._session.execute(
            select(
                WorkspaceRow.team_id,
                WorkspaceRow.timezone,
                WorkspaceRow.overdue_summary_time,
                WorkspaceRow.overdue_summary_on,
            )
            .where(
                or_(
                    WorkspaceRow.overdue_summary_on.is_(None),
                    WorkspaceRow.overdue_summary_on < done_before,
                ),
                WorkspaceRow.team_id == only_team if only_team is not None else true(),
            )
            .order_by(WorkspaceRow.team_id)
        ).all()
        return [
            SummarySchedule(team_id=team_id, timezone=tz, at=at, done_on=done_on)
            for team_id, tz, at, done_on in rows
        ]

    def claim_summary_day(self, team_id: str, day: date) -> bool:
        """Mark `day`'s summaries as queued; True only for the one caller that did it."""
        result = self._session.execute(
            update(WorkspaceRow)
            .where(
                WorkspaceRow.team_id == team_id,
                or_(
                    WorkspaceRow.overdue_summary_on.is_(None),
                    WorkspaceRow.overdue_summary_on < day,
                ),
            )
            .values(overdue_summary_on=day)
            .execution_options(synchronize_session=False)
        )
        return self._rowcount(result) == 1

    def overdue_assignees(self, team_id: str, *, now: datetime) -> list[str]:
        """Everyone in the workspace with an open task due before `now`."""
        return list(
            self._session.scalars(
                select(TaskRow.assignee_id)
                .where(
                    TaskRow.team_id == team_id,
                    TaskRow.status == TaskStatus.OPEN,
                    TaskRow.due_at.is_not(None),
                    TaskRow.due_at < now,
                )
                .group_by(TaskRow.assignee_id)
                .order_by(TaskRow.assignee_id)
            )
        )

    @staticmethod
    def _rowcount(result: Any) -> int:
        assert isinstance(result, CursorResult)
        return result.rowcount
