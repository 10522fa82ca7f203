"""Queries only the App Home tab needs."""

from __future__ import annotations

from sqlalchemy.orm import Session


class SqlHomeRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
