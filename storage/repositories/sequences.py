"""Per-workspace counters, incremented atomically."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.orm import SequenceRow
from storage.upsert import insert_ignore


def next_value(session: Session, team_id: str, name: str) -> int:
    """The next number of the named counter; concurrent callers never get the same one."""
    bump = (
        update(SequenceRow)
        .where(SequenceRow.team_id == team_id, SequenceRow.name == name)
        .values(value=SequenceRow.value + 1)
        .returning(SequenceRow.value)
    )
    value = session.execute(bump).scalar_one_or_none()
    if value is None:
        insert_ignore(session, SequenceRow, {"team_id": team_id, "name": name, "value": 0})
        value = session.execute(bump).scalar_one()
    return value
