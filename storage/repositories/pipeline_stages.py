"""Changes to a workspace's pipeline stages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from domain.audit import Action
from domain.errors import Conflict
from domain.pipeline import Deal, Outcome, Stage, StageSpec
from storage.orm import AuditRow, DealRow, DealStageChangeRow, PipelineStageRow

_CHUNK = 500  # ids per UPDATE … IN (…)


class SqlStageRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def lock(self, team_id: str) -> list[Stage]:
        """All the workspace's stages in order, locked (FOR UPDATE) until the commit."""
        if self._session.get_bind().dialect.name == "sqlite":
            # SQLite ignores FOR UPDATE and pysqlite begins a transaction only at the first
            # write: a no-op write takes the database's write lock now, so a second editor
            # waits here and then reads what the first one committed.
            self._session.execute(
                update(PipelineStageRow)
                .where(PipelineStageRow.team_id == team_id)
                .values(position=PipelineStageRow.position)
            )
        rows = self._session.scalars(
            select(PipelineStageRow)
            .where(PipelineStageRow.team_id == team_id)
            .order_by(PipelineStageRow.position, PipelineStageRow.id)
            .with_for_update()
        )
        return [Stage.model_validate(row) for row in rows]

    def add(self, team_id: str, spec: StageSpec) -> Stage:
        row = PipelineStageRow(team_id=team_id, active=True, **spec.model_dump())
        self._session.add(row)
        self._session.flush()
        return Stage.model_validate(row)

    def update(self, team_id: str, stage_id: int, values: dict[str, object]) -> Stage:
        row = self._session.scalar(
            select(PipelineStageRow).where(
                PipelineStageRow.team_id == team_id, PipelineStageRow.id == stage_id
            )
        )
        if row is None:
            raise Conflict("That stage was deleted meanwhile.")
        for name, value in values.items():
            setattr(row, name, value)
        self._session.flush()
        return Stage.model_validate(row)

    def deal_counts(self, team_id: str, *, status: Outcome | None = None) -> dict[int, int]:
        stmt = (
            select(DealRow.stage_id, func.count())
            .where(DealRow.team_id == team_id)
            .group_by(DealRow.stage_id)
        )
        if status is not None:
            stmt = stmt.where(DealRow.status == status.value)
        return {stage_id: count for stage_id, count in self._session.execute(stmt).all()}

    def lock_deals_in(self, team_id: str, stage_id: int) -> list[Deal]:
        """The deals in the stage, locked. Every open deal of the workspace is locked too:
        a deal being moved into this stage right now is waited for and then seen here
        (PostgreSQL re-reads a row it waited for), instead of landing in a removed stage."""
        rows = self._session.scalars(
            select(DealRow)
            .where(
                DealRow.team_id == team_id,
                or_(DealRow.status == Outcome.OPEN.value, DealRow.stage_id == stage_id),
            )
            .order_by(DealRow.id)
            .with_for_update()
        )
        return [Deal.model_validate(row) for row in rows if row.stage_id == stage_id]

    def move_deals(
        self,
        team_id: str,
        deal_ids: list[int],
        *,
        from_stage_id: int,
        to_stage_id: int,
        actor: str,
        now: datetime,
    ) -> None:
        for first in range(0, len(deal_ids), _CHUNK):
            part = deal_ids[first : first + _CHUNK]
            self._session.execute(
                update(DealRow)
                .where(DealRow.team_id == team_id, DealRow.id.in_(part))
                .values(
                    stage_id=to_stage_id,
                    stage_changed_at=now,
                    last_activity_at=now,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        if not deal_ids:
            return
        self._session.execute(
            insert(DealStageChangeRow),
            [
                {
                    "team_id": team_id,
                    "deal_id": deal_id,
                    "from_stage_id": from_stage_id,
                    "to_stage_id": to_stage_id,
                    "actor": actor,
                    "at": now,
                }
                for deal_id in deal_ids
            ],
        )
        self._session.execute(
            insert(AuditRow),
            [
                {
                    "team_id": team_id,
                    "actor": actor,
                    "action": Action.UPDATE,
                    "entity": "deal",
                    "entity_id": deal_id,
                    "changes": {"stage_id": [from_stage_id, to_stage_id]},
                    "at": now,
                }
                for deal_id in deal_ids
            ],
        )
