"""Changes to a workspace's pipeline stages."""

from __future__ import annotations

from sqlalchemy.orm import Session


class SqlStageRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
