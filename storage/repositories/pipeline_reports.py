"""Aggregations over deals and stage changes for the pipeline board and the forecast."""

from __future__ import annotations

from sqlalchemy.orm import Session


class SqlPipelineReportRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
