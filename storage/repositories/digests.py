"""Digest channels, per workspace."""

from __future__ import annotations

from sqlalchemy.orm import Session


class SqlDigestRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
