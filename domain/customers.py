"""Customers and their contacts: validation, lookup and changes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from domain.audit import Action, diff, snapshot
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.idempotency import write_once
from domain.ids import Kind, format_id, parse_id
from domain.text import clean, fold

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWork, UnitOfWorkFactory

NAME_MAX = 200
KEY_MAX = 600  # folded keys can be longer than the text; storage keeps this many
EMAIL_MAX = 254
PHONE_MAX = 40
TAG_MAX = 40
TAGS_MAX = 20
NOTES_MAX = 3000
ADDRESS_MAX = 500
PLACE_MAX = 100  # city, region, country, industry
FIELDS = (
    "name",
    "company",
    "email",
    "phone",
    "owner_id",
    "tags",
    "address",
    "city",
    "region",
    "country",
    "industry",
    "notes",
)
CONTACT_FIELDS = ("name", "title", "email", "phone")
SEARCH_LIMIT = 10

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ().\-/]+((x|ext\.?)\s*[0-9]+)?$", re.IGNORECASE)


class Contact(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    name: str
    title: str | None = None
    email: str | None = None
    phone: str | None = None


class Customer(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    team_id: str
    number: int
    name: str
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    owner_id: str | None = None
    tags: list[str] = Field(default_factory=list)
    address: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    industry: str | None = None
    notes: str | None = None
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime
    contacts: list[Contact] = Field(default_factory=list)

    @property
    def public_id(self) -> str:
        return format_id(Kind.CUSTOMER, self.number)


class CustomerDraft(BaseModel):
    """What a person typed for a customer, already cleaned and checked."""

    name: str
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    owner_id: str | None = None
    tags: list[str] = Field(default_factory=list)
    address: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    industry: str | None = None
    notes: str | None = None

    @property
    def name_key(self) -> str:
        return fold(self.name)

    @classmethod
    def from_input(
        cls,
        *,
        name: str | None,
        company: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        owner_id: str | None = None,
        tags: str | list[str] | None = None,
        address: str | None = None,
        city: str | None = None,
        region: str | None = None,
        country: str | None = None,
        industry: str | None = None,
        notes: str | None = None,
    ) -> CustomerDraft:
        """Clean and validate raw input; raises ValidationFailed keyed by field."""
        errors: dict[str, str] = {}
        name, company = clean(name), clean(company)
        email, phone = clean(email), clean(phone)
        if not name:
            errors["name"] = "Enter a name."
        elif len(name) > NAME_MAX or len(fold(name)) > KEY_MAX:
            errors["name"] = f"Keep the name under {NAME_MAX} characters."
        if company and (len(company) > NAME_MAX or len(fold(company)) > KEY_MAX):
            errors["company"] = f"Keep the company under {NAME_MAX} characters."
        if email:
            email = email.lower()
            if len(email) > EMAIL_MAX or not _EMAIL.match(email):
                errors["email"] = "That is not an email address; use the form name@example.com."
        if phone and not _is_phone(phone):
            errors["phone"] = "That is not a phone number; use digits, spaces, + ( ) - only."
        tag_list, tag_error = _parse_tags(tags)
        if tag_error:
            errors["tags"] = tag_error
        address, notes = clean(address), clean(notes)
        if address and len(address) > ADDRESS_MAX:
            errors["address"] = f"Keep the address under {ADDRESS_MAX} characters."
        if notes and len(notes) > NOTES_MAX:
            errors["notes"] = f"That is {len(notes):,} characters; keep notes under {NOTES_MAX:,}."
        places = {
            "city": clean(city),
            "region": clean(region),
            "country": clean(country),
            "industry": clean(industry),
        }
        for field_name, value in places.items():
            if value and len(value) > PLACE_MAX:
                errors[field_name] = f"Keep it under {PLACE_MAX} characters."
        if errors:
            raise ValidationFailed(errors)
        assert name is not None
        return cls(
            name=name,
            company=company,
            email=email,
            phone=phone,
            owner_id=clean(owner_id),
            tags=tag_list,
            address=address,
            notes=notes,
            **places,
        )


def _is_phone(phone: str) -> bool:
    digits = sum(ch.isdigit() for ch in phone)
    return len(phone) <= PHONE_MAX and bool(_PHONE.match(phone)) and digits >= 5


def _parse_tags(tags: str | list[str] | None) -> tuple[list[str], str | None]:
    if tags is None:
        return [], None
    raw = tags.split(",") if isinstance(tags, str) else tags
    result: list[str] = []
    seen: set[str] = set()
    for tag in raw:
        tag = tag.strip().lstrip("#").strip()
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            return [], f"Keep each tag under {TAG_MAX} characters."
        if fold(tag) not in seen:
            seen.add(fold(tag))
            result.append(tag)
    if len(result) > TAGS_MAX:
        return [], f"Use at most {TAGS_MAX} tags."
    return result, None


class SearchResult(BaseModel):
    matches: list[Customer]
    total: int
    query: str


class CustomerService:
    """Create, change and find customers within one workspace."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def create(
        self,
        team_id: str,
        draft: CustomerDraft,
        *,
        actor: str | None,
        idempotency_key: str | None = None,
    ) -> Customer:
        """Save a new customer; the same idempotency key returns the first result."""

        def write(uow: UnitOfWork) -> Customer:
            self._check_name_free(uow, team_id, draft, except_id=None)
            customer = uow.customers.add(team_id, draft, actor=actor, now=now)
            uow.audit.record(
                team_id,
                actor,
                Action.CREATE,
                "customer",
                customer.id,
                snapshot(customer, FIELDS),
                now=now,
            )
            return customer

        now = self._clock.now()
        return write_once(
            self._uow_factory,
            team_id,
            idempotency_key,
            now=now,
            write=write,
            result_ref=lambda customer: str(customer.id),
            load=lambda uow, ref: self._get_by_id(uow, team_id, int(ref)),
            # A twin's committed name makes ours a duplicate rather than a key conflict.
            races=(Conflict, ValidationFailed),
        )

    def update(
        self, team_id: str, customer_id: int, draft: CustomerDraft, *, actor: str | None
    ) -> Customer:
        """Replace a customer's details with the draft."""
        with self._uow_factory() as uow:
            before = self._get_by_id(uow, team_id, customer_id)
            self._check_name_free(uow, team_id, draft, except_id=customer_id)
            now = self._clock.now()
            customer = uow.customers.update(team_id, customer_id, draft, now=now)
            changes = diff(before, customer, FIELDS)
            if changes:
                uow.audit.record(
                    team_id, actor, Action.UPDATE, "customer", customer_id, changes, now=now
                )
            uow.commit()
            return customer

    def add_contact(
        self,
        team_id: str,
        customer_id: int,
        *,
        name: str,
        title: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        actor: str | None = None,
    ) -> Customer:
        """Add a person at the customer; returns the customer with its contacts."""
        name = clean(name) or ""
        errors: dict[str, str] = {}
        if not name or len(name) > NAME_MAX:
            errors["contact_name"] = f"Enter the contact's name (under {NAME_MAX} characters)."
        if title and len(title.strip()) > NAME_MAX:
            errors["contact_title"] = f"Keep the title under {NAME_MAX} characters."
        if clean(email) and not _EMAIL.match((clean(email) or "").lower()):
            errors["contact_email"] = "That is not an email address; use name@example.com."
        if clean(phone) and not _is_phone(clean(phone) or ""):
            errors["contact_phone"] = "That is not a phone number; use digits, spaces, + ( ) -."
        if errors:
            raise ValidationFailed(errors)
        with self._uow_factory() as uow:
            self._get_by_id(uow, team_id, customer_id)
            now = self._clock.now()
            contact = uow.customers.add_contact(
                team_id,
                customer_id,
                name=name,
                title=clean(title),
                email=(clean(email) or "").lower() or None,
                phone=clean(phone),
                now=now,
            )
            uow.audit.record(
                team_id,
                actor,
                Action.CREATE,
                "contact",
                contact.id,
                {"customer_id": customer_id, **snapshot(contact, CONTACT_FIELDS)},
                now=now,
            )
            uow.commit()
            return self._get_by_id(uow, team_id, customer_id)

    def remove_contact(
        self, team_id: str, customer_id: int, contact_id: int, *, actor: str | None
    ) -> Customer:
        """Delete one contact of the customer."""
        with self._uow_factory() as uow:
            customer = self._get_by_id(uow, team_id, customer_id)
            contact = next((c for c in customer.contacts if c.id == contact_id), None)
            if contact is None:
                raise NotFound("That contact is not on this customer any more.")
            uow.customers.remove_contact(team_id, contact_id)
            uow.audit.record(
                team_id,
                actor,
                Action.DELETE,
                "contact",
                contact_id,
                {"customer_id": customer_id, **snapshot(contact, CONTACT_FIELDS)},
                now=self._clock.now(),
            )
            uow.commit()
            return self._get_by_id(uow, team_id, customer_id)

    def get(self, team_id: str, customer_id: int) -> Customer:
        with self._uow_factory() as uow:
            return self._get_by_id(uow, team_id, customer_id)

    def get_by_number(self, team_id: str, number: int) -> Customer:
        with self._uow_factory() as uow:
            customer = uow.customers.get_by_number(team_id, number)
        if customer is None:
            raise NotFound(f"There is no customer {format_id(Kind.CUSTOMER, number)}.")
        return customer

    def find(self, team_id: str, text: str, *, limit: int = SEARCH_LIMIT) -> SearchResult:
        """Customers whose id, name, company or email match what was typed."""
        query = text.strip()
        with self._uow_factory() as uow:
            number = parse_id(query, Kind.CUSTOMER)
            if number is not None:
                found = uow.customers.get_by_number(team_id, number)
                matches = [found] if found else []
                return SearchResult(matches=matches, total=len(matches), query=query)
            matches, total = uow.customers.search(
                team_id, fold(query), query.casefold(), limit=limit
            )
            return SearchResult(matches=matches, total=total, query=query)

    def recent(self, team_id: str, *, limit: int = 5) -> list[Customer]:
        with self._uow_factory() as uow:
            return uow.customers.recent(team_id, limit=limit)

    @staticmethod
    def _get_by_id(uow: UnitOfWork, team_id: str, customer_id: int) -> Customer:
        customer = uow.customers.get(team_id, customer_id)
        if customer is None:
            raise NotFound("That customer does not exist in this workspace.")
        return customer

    @staticmethod
    def _check_name_free(
        uow: UnitOfWork, team_id: str, draft: CustomerDraft, *, except_id: int | None
    ) -> None:
        existing = uow.customers.get_by_name_key(team_id, draft.name_key)
        if existing is not None and existing.id != except_id:
            raise ValidationFailed(
                {"name": f"{existing.name} already exists as {existing.public_id}."}
            )


__all__ = [
    "Conflict",
    "Contact",
    "Customer",
    "CustomerDraft",
    "CustomerService",
    "SearchResult",
]
