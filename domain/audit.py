"""The audit trail: who created, changed or deleted what, and when."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class AuditEntry(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    team_id: str
    actor: str | None
    action: Action
    entity: str
    entity_id: int
    changes: dict[str, Any]
    at: datetime


def diff(before: BaseModel, after: BaseModel, fields: tuple[str, ...]) -> dict[str, Any]:
    """{field: [old, new]} for the fields whose values differ, JSON-ready."""
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return {f: [old.get(f), new.get(f)] for f in fields if old.get(f) != new.get(f)}


def snapshot(model: BaseModel, fields: tuple[str, ...]) -> dict[str, Any]:
    """The fields of a created or deleted thing, JSON-ready."""
    data = model.model_dump(mode="json")
    return {f: data.get(f) for f in fields}
