"""Customers and contacts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from domain.customers import Contact, Customer, CustomerDraft
from domain.errors import Conflict
from domain.text import fold
from storage.orm import ContactRow, CustomerRow
from storage.repositories.sequences import next_value


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlCustomerRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _select(self, team_id: str):  # type: ignore[no-untyped-def]
        return (
            select(CustomerRow)
            .where(CustomerRow.team_id == team_id)
            .options(selectinload(CustomerRow.contacts))
        )

    def _one(self, stmt) -> Customer | None:  # type: ignore[no-untyped-def]
        row = self._session.scalar(stmt)
        return Customer.model_validate(row) if row else None

    def add(
        self, team_id: str, draft: CustomerDraft, *, actor: str | None, now: datetime
    ) -> Customer:
        row = CustomerRow(
            team_id=team_id,
            number=next_value(self._session, team_id, "customer"),
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        _apply(row, draft)
        self._session.add(row)
        self._flush()
        return Customer.model_validate(row)

    def update(
        self, team_id: str, customer_id: int, draft: CustomerDraft, *, now: datetime
    ) -> Customer:
        row = self._session.scalar(self._select(team_id).where(CustomerRow.id == customer_id))
        if row is None:
            raise Conflict("That customer was deleted meanwhile.")
        _apply(row, draft)
        row.updated_at = now
        self._flush()
        return Customer.model_validate(row)

    def add_contact(
        self,
        team_id: str,
        customer_id: int,
        *,
        name: str,
        title: str | None,
        email: str | None,
        phone: str | None,
        now: datetime,
    ) -> Contact:
        row = ContactRow(
            team_id=team_id,
            customer_id=customer_id,
            name=name,
            title=title,
            email=email,
            phone=phone,
            created_at=now,
        )
        self._session.add(row)
        self._flush()
        return Contact.model_validate(row)

    def remove_contact(self, team_id: str, contact_id: int) -> None:
        self._session.execute(
            delete(ContactRow).where(ContactRow.team_id == team_id, ContactRow.id == contact_id)
        )
        # The customer's contacts collection may already be loaded in this session.
        self._session.expire_all()

    def get(self, team_id: str, customer_id: int) -> Customer | None:
        return self._one(self._select(team_id).where(CustomerRow.id == customer_id))

    def get_by_number(self, team_id: str, number: int) -> Customer | None:
        return self._one(self._select(team_id).where(CustomerRow.number == number))

    def get_by_name_key(self, team_id: str, name_key: str) -> Customer | None:
        return self._one(self._select(team_id).where(CustomerRow.name_key == name_key))

    def search(
        self, team_id: str, folded: str, lowered: str, *, limit: int
    ) -> tuple[list[Customer], int]:
        """Substring match on folded name and company, and on email; best matches first."""
        pattern = _like_pattern(folded)
        matches = or_(
            CustomerRow.name_key.like(pattern, escape="\\"),
            CustomerRow.company_key.like(pattern, escape="\\"),
            # Emails are stored lower-cased, not folded: an accented address matches as typed.
            CustomerRow.email.like(_like_pattern(lowered), escape="\\"),
            CustomerRow.email.like(pattern, escape="\\"),
        )
        rank = case(
            (CustomerRow.name_key == folded, 0),
            (CustomerRow.name_key.like(_like_pattern(folded)[1:], escape="\\"), 1),
            (CustomerRow.company_key == folded, 2),
            else_=3,
        )
        rows = self._session.scalars(
            self._select(team_id).where(matches).order_by(rank, CustomerRow.name_key).limit(limit)
        ).all()
        total = self._session.scalar(
            select(func.count())
            .select_from(CustomerRow)
            .where(CustomerRow.team_id == team_id, matches)
        )
        return [Customer.model_validate(r) for r in rows], total or 0

    def recent(self, team_id: str, *, limit: int) -> list[Customer]:
        rows = self._session.scalars(
            self._select(team_id).order_by(CustomerRow.created_at.desc()).limit(limit)
        ).all()
        return [Customer.model_validate(r) for r in rows]

    def _flush(self) -> None:
        try:
            self._session.flush()
        except IntegrityError as exc:
            raise Conflict("Another change to the same customer got there first.") from exc


def _apply(row: CustomerRow, draft: CustomerDraft) -> None:
    row.name = draft.name
    row.name_key = draft.name_key
    row.company = draft.company
    row.company_key = fold(draft.company) if draft.company else None
    row.email = draft.email
    row.phone = draft.phone
    row.owner_id = draft.owner_id
    row.tags = list(draft.tags)
    for name in ("address", "city", "region", "country", "industry", "notes"):
        setattr(row, name, getattr(draft, name))
