"""Digest channels, per workspace, and the few reads the digest needs that no other
repository has: deals closed within a day, tasks due within a day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from domain.delivery import DeliveryStatus
from domain.digest import DAILY_DIGEST, ClosedDeal, DigestChannel, DueDigest
from domain.tasks import Task, TaskStatus
from storage.orm import CustomerRow, DealRow, DeliveryRow, TaskRow, WorkspaceRow
from storage.orm_digests import DigestChannelRow


class SqlDigestRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, team_id: str, channel_id: str) -> DigestChannel | None:
        row = self._session.get(DigestChannelRow, (team_id, channel_id))
        return DigestChannel.model_validate(row) if row is not None else None

    def channels(self, team_id: str) -> list[DigestChannel]:
        """The workspace's digest channels, each with the error of its latest digest if that
        one failed (the bot was removed from the channel, the channel archived…)."""
        rows = self._session.scalars(
            select(DigestChannelRow)
            .where(DigestChannelRow.team_id == team_id)
            .order_by(DigestChannelRow.local_time, DigestChannelRow.channel_id)
        ).all()
        channels = [DigestChannel.model_validate(row) for row in rows]
        return [
            c.model_copy(update={"last_error": self._last_error(team_id, c.channel_id)})
            for c in channels
        ]

    def _last_error(self, team_id: str, channel_id: str) -> str | None:
        latest = self._session.execute(
            select(DeliveryRow.status, DeliveryRow.last_error)
            .where(
                DeliveryRow.team_id == team_id,
                DeliveryRow.kind == DAILY_DIGEST,
                DeliveryRow.recipient == channel_id,
            )
            .order_by(DeliveryRow.id.desc())
            .limit(1)
        ).first()
        if latest is None or latest.status != DeliveryStatus.FAILED.value:
            return None
        return latest.last_error or "failed"

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
    ) -> DigestChannel:
        """Add the channel, or give it a new time (the creator stays who first set it up)."""
        row = self._session.get(DigestChannelRow, (team_id, channel_id), with_for_update=True)
        if row is None:
            row = DigestChannelRow(
                team_id=team_id, channel_id=channel_id, created_by=actor, created_at=now
            )
            self._session.add(row)
        row.local_time = local_time
        row.updated_at = now
        row.next_run_at = next_run_at
        row.timezone = timezone
        self._session.flush()
        return DigestChannel.model_validate(row)

    def remove(self, team_id: str, channel_id: str) -> bool:
        result = self._session.execute(
            delete(DigestChannelRow).where(
                DigestChannelRow.team_id == team_id, DigestChannelRow.channel_id == channel_id
            )
        )
        return bool(getattr(result, "rowcount", 0))

    def due(self, *, now: datetime, limit: int, only_team: str | None) -> list[DueDigest]:
        """Channels whose next digest instant has come, earliest first; and those whose
        workspace has changed timezone since that instant was worked out."""
        query = (
            select(DigestChannelRow, WorkspaceRow.timezone)
            .join(WorkspaceRow, WorkspaceRow.team_id == DigestChannelRow.team_id)
            .where(
                or_(
                    DigestChannelRow.next_run_at <= now,
                    DigestChannelRow.timezone != WorkspaceRow.timezone,
                )
            )
            .order_by(DigestChannelRow.next_run_at, DigestChannelRow.team_id)
            .limit(limit)
        )
        if only_team is not None:
            query = query.where(DigestChannelRow.team_id == only_team)
        return [
            DueDigest(
                team_id=row.team_id,
                channel_id=row.channel_id,
                local_time=row.local_time,
                next_run_at=row.next_run_at,
                timezone=timezone,
                planned_in=row.timezone,
            )
            for row, timezone in self._session.execute(query)
        ]

    def advance(
        self,
        team_id: str,
        channel_id: str,
        *,
        expected: datetime,
        next_run_at: datetime,
        timezone: str,
    ) -> bool:
        """Move the channel on to `next_run_at` if it still is at `expected`: the claim.

        On PostgreSQL a second scheduler's UPDATE waits for the first to commit and then
        finds the row moved on, so only one of them queues the day."""
        result = self._session.execute(
            update(DigestChannelRow)
            .where(
                DigestChannelRow.team_id == team_id,
                DigestChannelRow.channel_id == channel_id,
                DigestChannelRow.next_run_at == expected,
            )
            .values(next_run_at=next_run_at, timezone=timezone)
        )
        return bool(getattr(result, "rowcount", 0))

    def has_deals(self, team_id: str) -> bool:
        found = self._session.scalar(select(DealRow.id).where(DealRow.team_id == team_id).limit(1))
        return found is not None

    def closed_deals(self, team_id: str, *, since: datetime, until: datetime) -> list[ClosedDeal]:
        """Deals won or lost in [since, until) and still so, largest first."""
        rows = self._session.execute(
            select(DealRow, CustomerRow.name)
            .join(CustomerRow, CustomerRow.id == DealRow.customer_id, isouter=True)
            .where(
                DealRow.team_id == team_id,
                DealRow.status.in_(("won", "lost")),
                DealRow.closed_at >= since,
                DealRow.closed_at < until,
            )
            .order_by(DealRow.amount.desc(), DealRow.number)
        )
        return [
            ClosedDeal(
                number=deal.number,
                title=deal.title,
                amount=deal.amount,
                owner_id=deal.owner_id,
                won=deal.status == "won",
                lost_reason=deal.lost_reason,
                customer=customer,
            )
            for deal, customer in rows
        ]

    def tasks_due(
        self, team_id: str, *, since: datetime, until: datetime, limit: int
    ) -> tuple[list[Task], int]:
        """Open tasks due in [since, until), by assignee then time; and how many in all."""
        where = [
            TaskRow.team_id == team_id,
            TaskRow.status == TaskStatus.OPEN,
            TaskRow.due_at >= since,
            TaskRow.due_at < until,
        ]
        rows = self._session.scalars(
            select(TaskRow)
            .where(*where)
            .order_by(TaskRow.assignee_id, TaskRow.due_at, TaskRow.number)
            .limit(limit)
        ).all()
        total = len(rows)
        if total == limit:
            counted = self._session.scalar(select(func.count()).select_from(TaskRow).where(*where))
            total = int(counted or 0)
        return [Task.model_validate(row) for row in rows], total
