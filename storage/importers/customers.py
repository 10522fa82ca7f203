"""Customers files: one row per customer, matched by external id, else by (folded) name.

An existing customer gets the row's non-empty cells (empty cells never clear what Salesbot
has; tags are added to, never removed); a customer someone added by hand, without an external
id, is linked to the row's external id when the names match.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from domain.customers import CustomerDraft
from domain.imports import CustomerRecord, RowError
from domain.text import fold
from storage.importers.common import Good, RunContext, allocate_numbers, bulk_insert, chunked
from storage.orm import CustomerRow

_TEXT_FIELDS = (
    "company",
    "email",
    "phone",
    "owner_id",
    "address",
    "city",
    "region",
    "country",
    "industry",
    "notes",
)

Row = Good[CustomerRecord]


class CustomerImporter:
    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._seen: dict[tuple[str, str], int] = {}  # row key -> first line in the file

    def prepare(self, values: dict[str, str]) -> None:
        pass

    def rejected(self, line: int, values: dict[str, str], errors: list[RowError]) -> None:
        self._ctx.summary.customers.rejected += 1

    def finish(self) -> None:
        pass

    def _reject(self, row: Row, field_name: str, reason: str) -> None:
        self._ctx.reject(row.line, row.values, field_name, reason)
        self._ctx.summary.customers.rejected += 1

    def write(self, rows: list[Good[Any]]) -> None:
        unique: list[Row] = []
        for row in rows:
            record: CustomerRecord = row.record
            key = (
                ("id", record.external_id)
                if record.external_id
                else ("name", record.customer.name_key)
            )
            first = self._seen.setdefault(key, row.line)
            if first != row.line:
                field_name = "external_id" if key[0] == "id" else "name"
                self._reject(row, field_name, f"this customer came already on line {first}")
                continue
            unique.append(row)
        if unique:
            with self._ctx.session_factory.begin() as session:
                self._write(session, unique)

    def _write(self, session: Session, rows: list[Row]) -> None:
        team_id = self._ctx.team_id
        by_id, by_name = self._existing(session, rows)
        claimed = {name_key: found["id"] for name_key, found in by_name.items()}
        creates: list[Row] = []
        updates: list[dict[str, Any]] = []
        counts = self._ctx.summary.customers
        for row in rows:
            record, draft = row.record, row.record.customer
            found = by_id.get(record.external_id) if record.external_id else None
            if found is None:
                same = by_name.get(draft.name_key)
                if same is not None and record.external_id and same["external_id"]:
                    self._reject(
                        row,
                        "name",
                        f"C-{same['number']} ({same['external_id']}) already has this name; "
                        "customer names are unique",
                    )
                    continue
                found = same
            owner = claimed.get(draft.name_key)
            if owner is not None and (found is None or owner != found["id"]):
                self._reject(row, "name", "another customer already has this name")
                continue
            claimed[draft.name_key] = found["id"] if found is not None else -row.line
            if found is None:
                creates.append(row)
                continue
            changes = self._changes(found, record, draft)
            if changes:
                updates.append({"id": found["id"], "updated_at": self._ctx.now, **changes})
                counts.updated += 1
            else:
                counts.unchanged += 1
        for update_values in updates:
            session.execute(
                update(CustomerRow)
                .where(CustomerRow.team_id == team_id, CustomerRow.id == update_values["id"])
                .values({k: v for k, v in update_values.items() if k != "id"})
            )
        if creates:
            self._insert(session, creates)
            counts.created += len(creates)

    def _existing(self, session: Session, rows: list[Row]) -> tuple[dict[str, Any], dict[str, Any]]:
        external_ids = sorted({r.record.external_id for r in rows if r.record.external_id})
        name_keys = sorted({r.record.customer.name_key for r in rows})
        by_id: dict[str, Any] = {}
        by_name: dict[str, Any] = {}
        table = CustomerRow.__table__
        for ids, names in _pairs(external_ids, name_keys):
            conditions = []
            if ids:
                conditions.append(CustomerRow.external_id.in_(ids))
            if names:
                conditions.append(CustomerRow.name_key.in_(names))
            query = select(table).where(CustomerRow.team_id == self._ctx.team_id, or_(*conditions))
            for found in session.execute(query).mappings():
                if found["external_id"]:
                    by_id[found["external_id"]] = found
                by_name[found["name_key"]] = found
        return by_id, by_name

    def _changes(self, found: Any, record: CustomerRecord, draft: CustomerDraft) -> dict[str, Any]:
        """The mapped, non-empty cells that differ from what is stored."""
        columns = self._ctx.columns
        changes: dict[str, Any] = {}
        if record.external_id and found["external_id"] != record.external_id:
            changes["external_id"] = record.external_id
        if draft.name != found["name"]:
            changes["name"] = draft.name
            changes["name_key"] = draft.name_key
        for name in _TEXT_FIELDS:
            value = getattr(draft, name)
            if columns.has(name) and value is not None and value != found[name]:
                changes[name] = value
                if name == "company":
                    changes["company_key"] = fold(value)
        stored_tags = list(found["tags"] or [])
        known = {fold(tag) for tag in stored_tags}
        added = [tag for tag in draft.tags if fold(tag) not in known]
        if added:
            changes["tags"] = stored_tags + added
        return changes

    def _insert(self, session: Session, rows: list[Row]) -> None:
        team_id, now = self._ctx.team_id, self._ctx.now
        first = allocate_numbers(session, team_id, "customer", len(rows))
        values = []
        for offset, row in enumerate(rows):
            draft = row.record.customer
            values.append(
                {
                    "team_id": team_id,
                    "number": first + offset,
                    "external_id": row.record.external_id,
                    "name": draft.name,
                    "name_key": draft.name_key,
                    "company": draft.company,
                    "company_key": fold(draft.company) if draft.company else None,
                    "email": draft.email,
                    "phone": draft.phone,
                    "owner_id": draft.owner_id,
                    "tags": draft.tags,
                    "address": draft.address,
                    "city": draft.city,
                    "region": draft.region,
                    "country": draft.country,
                    "industry": draft.industry,
                    "notes": draft.notes,
                    "created_by": self._ctx.actor,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        bulk_insert(session, CustomerRow, values)


def _pairs(ids: list[str], names: list[str]) -> list[tuple[list[str], list[str]]]:
    """Both lists cut into slices of bounded size, paired up for one query each."""
    id_parts = [list(part) for part in chunked(ids)]
    name_parts = [list(part) for part in chunked(names)]
    count = max(len(id_parts), len(name_parts))
    return [
        (
            id_parts[i] if i < len(id_parts) else [],
            name_parts[i] if i < len(name_parts) else [],
        )
        for i in range(count)
    ]
