"""Saved reports and schedules, per workspace."""

from __future__ import annotations

from sqlalchemy.orm import Session


class SqlScheduleRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
