"""Pipeline stages, deals, their stage changes and notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from domain.errors import Conflict
from domain.pipeline import Deal, DealDraft, DealNote, Outcome, Stage, StageChange, StageSpec
from domain.tasks import Task, TaskStatus
from storage.orm import DealNoteRow, DealRow, DealStageChangeRow, PipelineStageRow, TaskRow
from storage.repositories.customers import _like_pattern
from storage.repositories.sequences import next_value
from storage.upsert import insert_ignore


class SqlDealRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # -- stages ----------------------------------------------------------------------

    def stages(self, team_id: str) -> list[Stage]:
        rows = self._session.scalars(
            select(PipelineStageRow)
            .where(PipelineStageRow.team_id == team_id)
            .order_by(PipelineStageRow.position, PipelineStageRow.id)
        )
        return [Stage.model_validate(row) for row in rows]

    def share_stage(self, team_id: str, stage_id: int) -> Stage | None:
        """The stage, read under a share lock until the commit: an admin removing it waits
        for this transaction (and then moves its deal), or this one waits and sees it gone."""
        row = self._session.scalar(
            select(PipelineStageRow)
            .where(PipelineStageRow.team_id == team_id, PipelineStageRow.id == stage_id)
            .with_for_update(read=True)
        )
        return Stage.model_validate(row) if row else None

    def add_stages(self, team_id: str, specs: list[StageSpec]) -> None:
        """Insert the stages whose key the workspace does not have yet."""
        for spec in specs:
            insert_ignore(
                self._session,
                PipelineStageRow,
                {"team_id": team_id, "active": True, **spec.model_dump()},
            )

    # -- deals -----------------------------------------------------------------------

    def add(
        self,
        team_id: str,
        draft: DealDraft,
        *,
        stage_id: int,
        status: Outcome,
        actor: str | None,
        now: datetime,
    ) -> Deal:
        row = DealRow(
            team_id=team_id,
            number=next_value(self._session, team_id, "deal"),
            title=draft.title,
            title_key=draft.title_key,
            customer_id=draft.customer_id,
            amount=draft.amount,
            expected_close=draft.expected_close,
            stage_id=stage_id,
            owner_id=draft.owner_id,
            next_step=draft.next_step,
            status=status,
            created_by=actor,
            created_at=now,
            updated_at=now,
            stage_changed_at=now,
            closed_at=None if status == Outcome.OPEN else now,
            last_activity_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return Deal.model_validate(row)

    def get(self, team_id: str, deal_id: int, *, for_update: bool = False) -> Deal | None:
        row = self._row(team_id, deal_id, for_update=for_update)
        return Deal.model_validate(row) if row else None

    def get_by_number(self, team_id: str, number: int) -> Deal | None:
        row = self._session.scalar(
            select(DealRow).where(DealRow.team_id == team_id, DealRow.number == number)
        )
        return Deal.model_validate(row) if row else None

    def update(self, team_id: str, deal_id: int, values: dict[str, Any], *, now: datetime) -> Deal:
        row = self._row(team_id, deal_id)
        if row is None:
            raise Conflict("That deal was deleted meanwhile.")
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
        self._session.flush()
        return Deal.model_validate(row)

    def search(self, team_id: str, folded: str, *, limit: int) -> list[Deal]:
        """Deals whose folded title contains `folded`; open ones first, newest first."""
        rows = self._session.scalars(
            select(DealRow)
            .where(
                DealRow.team_id == team_id,
                DealRow.title_key.like(_like_pattern(folded), escape="\\"),
            )
            .order_by((DealRow.status != Outcome.OPEN.value), DealRow.number.desc())
            .limit(limit)
        )
        return [Deal.model_validate(row) for row in rows]

    def open_deals(
        self,
        team_id: str,
        *,
        owner_id: str | None,
        stage_id: int | None,
        limit: int,
        biggest_first: bool = False,
    ) -> list[Deal]:
        stmt = (
            select(DealRow)
            .join(PipelineStageRow, PipelineStageRow.id == DealRow.stage_id)
            .where(DealRow.team_id == team_id, DealRow.status == Outcome.OPEN.value)
        )
        if owner_id is not None:
            stmt = stmt.where(DealRow.owner_id == owner_id)
        if stage_id is not None:
            stmt = stmt.where(DealRow.stage_id == stage_id)
        if biggest_first:
            stmt = stmt.order_by(DealRow.amount.desc(), DealRow.number)
        else:
            stmt = stmt.order_by(PipelineStageRow.position, DealRow.number)
        rows = self._session.scalars(stmt.limit(limit))
        return [Deal.model_validate(row) for row in rows]

    def open_tasks(self, team_id: str, deal_number: int, *, limit: int) -> tuple[list[Task], int]:
        """The deal's open tasks, soonest due first (undated last); and how many in all."""
        where = (
            TaskRow.team_id == team_id,
            TaskRow.deal_number == deal_number,
            TaskRow.status == TaskStatus.OPEN.value,
        )
        total = self._session.scalar(select(func.count()).select_from(TaskRow).where(*where))
        rows = self._session.scalars(
            select(TaskRow)
            .where(*where)
            .order_by(TaskRow.due_at.is_(None), TaskRow.due_at, TaskRow.number)
            .limit(limit)
        )
        return [Task.model_validate(row) for row in rows], total or 0

    # -- history and notes -----------------------------------------------------------

    def add_stage_change(
        self,
        team_id: str,
        deal_id: int,
        *,
        from_stage_id: int | None,
        to_stage_id: int,
        actor: str | None,
        at: datetime,
    ) -> int:
        """Record the move; returns its id."""
        row = DealStageChangeRow(
            team_id=team_id,
            deal_id=deal_id,
            from_stage_id=from_stage_id,
            to_stage_id=to_stage_id,
            actor=actor,
            at=at,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def stage_changes(self, team_id: str, deal_id: int) -> list[StageChange]:
        source = aliased(PipelineStageRow)
        target = aliased(PipelineStageRow)
        rows = self._session.execute(
            select(DealStageChangeRow, source.name, target.name)
            .outerjoin(source, source.id == DealStageChangeRow.from_stage_id)
            .join(target, target.id == DealStageChangeRow.to_stage_id)
            .where(DealStageChangeRow.team_id == team_id, DealStageChangeRow.deal_id == deal_id)
            .order_by(DealStageChangeRow.at, DealStageChangeRow.id)
        ).all()
        return [
            StageChange(
                id=change.id,
                deal_id=change.deal_id,
                from_stage_id=change.from_stage_id,
                from_stage_name=from_name,
                to_stage_id=change.to_stage_id,
                to_stage_name=to_name,
                actor=change.actor,
                at=change.at,
            )
            for change, from_name, to_name in rows
        ]

    def add_note(
        self, team_id: str, deal_id: int, text: str, *, author: str, now: datetime
    ) -> DealNote:
        row = DealNoteRow(
            team_id=team_id, deal_id=deal_id, author=author, text=text, created_at=now
        )
        self._session.add(row)
        self._session.flush()
        return DealNote.model_validate(row)

    def notes(self, team_id: str, deal_id: int) -> list[DealNote]:
        rows = self._session.scalars(
            select(DealNoteRow)
            .where(DealNoteRow.team_id == team_id, DealNoteRow.deal_id == deal_id)
            .order_by(DealNoteRow.created_at, DealNoteRow.id)
        )
        return [DealNote.model_validate(row) for row in rows]

    def _row(self, team_id: str, deal_id: int, *, for_update: bool = False) -> DealRow | None:
        stmt = select(DealRow).where(DealRow.team_id == team_id, DealRow.id == deal_id)
        if for_update:
            stmt = stmt.with_for_update()
            if self._session.get_bind().dialect.name == "sqlite":
                # SQLite ignores FOR UPDATE and pysqlite begins a transaction only at the
                # first write: a no-op write takes the write lock now, so a second click on
                # Won waits here and then reads the deal as the first one left it.
                self._session.execute(
                    update(DealRow)
                    .where(DealRow.team_id == team_id, DealRow.id == deal_id)
                    .values(number=DealRow.number)
                )
        return self._session.scalar(stmt)
