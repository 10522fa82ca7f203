"""What every importer shares: the run's context, rows that passed validation, number blocks."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import JSON, Column, Dialect, Table, TypeDecorator, insert, text, update
from sqlalchemy.orm import Session, sessionmaker

from domain.imports import ColumnMap, ImportSummary, RowError, row_error
from storage.orm import Base, SequenceRow
from storage.upsert import insert_ignore

# Rows per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits.
IN_CHUNK = 1000
PG_PAGE = 5000  # rows per INSERT … SELECT FROM unnest(...)

R = TypeVar("R")
T = TypeVar("T")


@dataclass
class RunContext:
    """One import run: where it writes, when, as whom, and the summary it fills in."""

    session_factory: sessionmaker[Session]
    team_id: str
    timezone: str
    now: datetime
    actor: str | None
    columns: ColumnMap
    summary: ImportSummary
    split_product_names: bool = True

    def reject(self, line: int, values: dict[str, str], field_name: str, reason: str) -> None:
        self.summary.errors.append(row_error(line, self.columns, values, field_name, reason))


@dataclass
class Good(Generic[R]):
    """A row that passed validation: its line, its cells by field, its record."""

    line: int
    values: dict[str, str]
    record: R
    extra: dict[str, object] = field(default_factory=dict)


class Importer(Protocol):
    """Writes one kind of file; created per run, fed batches in file order."""

    def prepare(self, values: dict[str, str]) -> None:
        """See every row (good or bad) in file order before it is validated."""

    def rejected(self, line: int, values: dict[str, str], errors: list[RowError]) -> None:
        """Count a row that failed validation."""

    def write(self, rows: list[Good[object]]) -> None:
        """Write one batch of good rows in one transaction."""

    def finish(self) -> None:
        """Fill in the summary's final counts."""


def allocate_numbers(session: Session, team_id: str, name: str, count: int) -> int:
    """Reserve `count` consecutive numbers of a per-workspace counter; returns the first.

    One UPDATE … RETURNING, so concurrent writers (a person adding a customer in Slack while
    an import runs) never get the same number.
    """
    bump = (
        update(SequenceRow)
        .where(SequenceRow.team_id == team_id, SequenceRow.name == name)
        .values(value=SequenceRow.value + count)
        .returning(SequenceRow.value)
    )
    value = session.execute(bump).scalar_one_or_none()
    if value is None:
        insert_ignore(session, SequenceRow, {"team_id": team_id, "name": name, "value": 0})
        value = session.execute(bump).scalar_one()
    return int(value) - count + 1


def bulk_insert(
    session: Session,
    entity: type[Base],
    rows: list[dict[str, Any]],
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert many rows; returns the `returning` columns of each, in no particular order.

    SQLite gets an executemany (SQLAlchemy's insertmanyvalues). PostgreSQL gets one
    INSERT … SELECT FROM unnest(array, array, …) per page: one parameter per column instead
    of one per cell, several times faster for tens of thousands of rows. Callers map the
    returned rows back by a natural key they chose (a number, a SKU), not by position.
    """
    if not rows:
        return []
    table: Table = entity.__table__  # type: ignore[assignment]
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        statement = insert(table)
        if returning:
            result = session.execute(statement.returning(*(table.c[n] for n in returning)), rows)
            return [tuple(found) for found in result]
        session.execute(statement, rows)
        return []
    names = list(rows[0])
    quote = dialect.identifier_preparer.quote
    arrays = ", ".join(
        f"CAST(:{name} AS {table.c[name].type.compile(dialect=dialect)}[])" for name in names
    )
    columns = ", ".join(quote(name) for name in names)
    sql = f"INSERT INTO {quote(table.name)} ({columns}) SELECT * FROM unnest({arrays})"
    if returning:
        sql += " RETURNING " + ", ".join(quote(name) for name in returning)
    unnest = text(sql)
    found: list[tuple[Any, ...]] = []
    for page in chunked(rows, PG_PAGE):
        params = {
            name: [_bind(table.c[name], row[name], dialect) for row in page] for name in names
        }
        result = session.execute(unnest, params)
        if returning:
            found.extend(tuple(row) for row in result)
    return found


def _bind(column: Column[Any], value: Any, dialect: Dialect) -> Any:
    """A value as its column's type would bind it (exact 4 places, UTC, JSON as text)."""
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        return column_type.process_bind_param(value, dialect)
    if isinstance(column_type, JSON):
        return None if value is None else json.dumps(value)
    return value


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
