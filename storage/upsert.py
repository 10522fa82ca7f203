"""Dialect-aware INSERT … ON CONFLICT DO NOTHING, for rows that may race into existence."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.orm import Base


def insert_ignore(session: Session, entity: type[Base], values: dict[str, Any]) -> None:
    """Insert the row unless one with the same unique key exists already."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    session.execute(module.insert(entity).values(**values).on_conflict_do_nothing())
