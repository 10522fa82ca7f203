"""Aggregations over deals and stage changes for the pipeline board and the forecast.

The board's numbers are summed by the database (GROUP BY stage; Fixed4 sums stay exact on
both databases), and only a few deals per stage and a capped stale list are loaded, so the
board costs the same at 50 open deals as at 5,000.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select, type_coerce
from sqlalchemy.orm import Session

from domain.pipeline import Deal, Outcome
from domain.pipeline_board import DealTrail, StageTotals
from storage.orm import DealRow, DealStageChangeRow, Fixed4, PipelineStageRow

OPEN = Outcome.OPEN.value


class SqlPipelineReportRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def open_totals(
        self, team_id: str, *, owner_id: str | None, stage_id: int | None, today: date
    ) -> list[StageTotals]:
        """Count, total amount and overdue count of open deals, per stage that has any."""
        overdue = func.sum(case((DealRow.expected_close < today, 1), else_=0))
        stmt = select(
            DealRow.stage_id,
            func.count(),
            type_coerce(func.sum(DealRow.amount), Fixed4),
            overdue,
        ).group_by(DealRow.stage_id)
        rows = self._session.execute(_open(stmt, team_id, owner_id, stage_id)).all()
        return [
            StageTotals(stage_id=sid, count=count, total=total, overdue=int(late or 0))
            for sid, count, total, late in rows
        ]

    def biggest_open(
        self, team_id: str, *, owner_id: str | None, stage_id: int | None, per_stage: int
    ) -> list[Deal]:
        """The `per_stage` largest open deals of each stage, largest first."""
        rank = (
            func.row_number()
            .over(partition_by=DealRow.stage_id, order_by=(DealRow.amount.desc(), DealRow.number))
            .label("rank")
        )
        ranked = _open(select(DealRow.id, rank), team_id, owner_id, stage_id).subquery()
        rows = self._session.scalars(
            select(DealRow)
            .join(ranked, ranked.c.id == DealRow.id)
            .where(ranked.c.rank <= per_stage)
            .order_by(DealRow.stage_id, ranked.c.rank)
        )
        return [Deal.model_validate(row) for row in rows]

    def stale_open(
        self,
        team_id: str,
        *,
        owner_id: str | None,
        stage_id: int | None,
        idle_since: datetime,
        limit: int,
    ) -> tuple[list[Deal], int]:
        """Open deals with neither activity nor a stage change since `idle_since`, the longest
        idle first (at most `limit`), and how many there are in all."""

        def idle(stmt: Any) -> Any:
            return _open(stmt, team_id, owner_id, stage_id).where(
                DealRow.last_activity_at < idle_since, DealRow.stage_changed_at < idle_since
            )

        total = self._session.scalar(idle(select(func.count()).select_from(DealRow))) or 0
        rows = self._session.scalars(
            idle(select(DealRow)).order_by(DealRow.last_activity_at, DealRow.number).limit(limit)
        )
        return [Deal.model_validate(row) for row in rows], total

    def deal_trails(self, team_id: str) -> list[DealTrail]:
        """Every deal of the workspace with the furthest active open stage it entered."""
        stage = PipelineStageRow
        keys = dict(
            self._session.execute(
                select(stage.position, stage.key).where(
                    stage.team_id == team_id, stage.outcome == OPEN, stage.active
                )
            ).all()
        )
        # Positions of active stages are unique; a removed stage is left out.
        furthest = dict(
            self._session.execute(
                select(DealStageChangeRow.deal_id, func.max(stage.position))
                .join(stage, stage.id == DealStageChangeRow.to_stage_id)
                .where(DealStageChangeRow.team_id == team_id, stage.outcome == OPEN, stage.active)
                .group_by(DealStageChangeRow.deal_id)
            ).all()
        )
        # Through the connection: plain rows, without the ORM's per-row loading.
        deals = self._session.connection().execute(
            select(
                DealRow.id,
                DealRow.number,
                DealRow.amount,
                DealRow.status,
                stage.key,
                DealRow.created_at,
                DealRow.closed_at,
                DealRow.expected_close,
            )
            .join(stage, stage.id == DealRow.stage_id)
            .where(DealRow.team_id == team_id)
            .order_by(DealRow.number)
        )
        return [
            DealTrail(
                deal_id=deal_id,
                number=number,
                amount=amount,
                status=Outcome(status),
                stage_key=key,
                created_at=created_at,
                closed_at=closed_at,
                expected_close=expected_close,
                reached=keys.get(furthest.get(deal_id, -1)),
            )
            for deal_id, number, amount, status, key, created_at, closed_at, expected_close in deals
        ]


def _open(stmt: Any, team_id: str, owner_id: str | None, stage_id: int | None) -> Any:
    stmt = stmt.where(DealRow.team_id == team_id, DealRow.status == OPEN)
    if owner_id is not None:
        stmt = stmt.where(DealRow.owner_id == owner_id)
    if stage_id is not None:
        stmt = stmt.where(DealRow.stage_id == stage_id)
    return stmt
