"""The audit log: append-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.audit import Action, AuditEntry
from storage.orm import AuditRow


class SqlAuditRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def record(
        self,
        team_id: str,
        actor: str | None,
        action: Action,
        entity: str,
        entity_id: int,
        changes: dict[str, Any],
        *,
        now: datetime,
    ) -> None:
        self._session.add(
            AuditRow(
                team_id=team_id,
                actor=actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                changes=changes,
                at=now,
            )
        )

    def for_entity(self, team_id: str, entity: str, entity_id: int) -> list[AuditEntry]:
        rows = self._session.scalars(
            select(AuditRow)
            .where(
                AuditRow.team_id == team_id,
                AuditRow.entity == entity,
                AuditRow.entity_id == entity_id,
            )
            .order_by(AuditRow.id)
        ).all()
        return [AuditEntry.model_validate(r) for r in rows]
