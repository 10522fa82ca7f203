"""The communication log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.interactions import Interaction, InteractionDraft
from storage.orm import InteractionRow


class SqlInteractionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self, team_id: str, draft: InteractionDraft, *, actor: str, now: datetime
    ) -> Interaction:
        row = InteractionRow(team_id=team_id, logged_by=actor, created_at=now, **draft.model_dump())
        self._session.add(row)
        self._session.flush()
        return Interaction.model_validate(row)

    def get(self, team_id: str, interaction_id: int) -> Interaction | None:
        row = self._session.scalar(
            select(InteractionRow).where(
                InteractionRow.team_id == team_id, InteractionRow.id == interaction_id
            )
        )
        return Interaction.model_validate(row) if row else None

    def for_customer(
        self, team_id: str, customer_id: int, *, offset: int, limit: int
    ) -> tuple[list[Interaction], int]:
        where = (InteractionRow.team_id == team_id, InteractionRow.customer_id == customer_id)
        rows = self._session.scalars(
            select(InteractionRow)
            .where(*where)
            .order_by(InteractionRow.occurred_at.desc(), InteractionRow.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        total = self._session.scalar(select(func.count()).select_from(InteractionRow).where(*where))
        return [Interaction.model_validate(r) for r in rows], total or 0

    def last_at(self, team_id: str, customer_id: int) -> datetime | None:
        return self._session.scalar(
            select(func.max(InteractionRow.occurred_at)).where(
                InteractionRow.team_id == team_id, InteractionRow.customer_id == customer_id
            )
        )
