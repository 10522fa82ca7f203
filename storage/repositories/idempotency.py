"""Results of writes remembered by request key, so a retried submit writes once."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.errors import Conflict
from storage.orm import IdempotencyKeyRow


class SqlIdempotencyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, team_id: str, key: str) -> str | None:
        return self._session.scalar(
            select(IdempotencyKeyRow.result).where(
                IdempotencyKeyRow.team_id == team_id, IdempotencyKeyRow.key == key
            )
        )

    def put(self, team_id: str, key: str, result: str, *, now: datetime) -> None:
        self._session.add(
            IdempotencyKeyRow(team_id=team_id, key=key, result=result, created_at=now)
        )
        try:
            self._session.flush()
        except IntegrityError as exc:
            raise Conflict("This request was already handled.") from exc

    def purge(self, older_than: datetime) -> int:
        """Forget keys older than the cut-off, across all workspaces (maintenance)."""
        result = self._session.execute(
            delete(IdempotencyKeyRow).where(IdempotencyKeyRow.created_at < older_than)
        )
        return cast(CursorResult[Any], result).rowcount or 0
