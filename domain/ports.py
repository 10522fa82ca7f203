"""What the domain needs from storage, as protocols; storage/ implements them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from domain.customers import Customer, CustomerDraft
from domain.workspaces import User, Workspace


class WorkspaceRepository(Protocol):
    def get(self, team_id: str) -> Workspace | None: ...
    def add(self, workspace: Workspace) -> Workspace: ...


class UserRepository(Protocol):
    def get(self, team_id: str, slack_user_id: str) -> User | None: ...
    def add(self, user: User) -> User: ...
    def count(self, team_id: str) -> int: ...


class CustomerRepository(Protocol):
    def add(
        self, team_id: str, draft: CustomerDraft, *, actor: str | None, now: datetime
    ) -> Customer: ...
    def update(
        self, team_id: str, customer_id: int, draft: CustomerDraft, *, now: datetime
    ) -> Customer: ...
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
    ) -> None: ...
    def get(self, team_id: str, customer_id: int) -> Customer | None: ...
    def get_by_number(self, team_id: str, number: int) -> Customer | None: ...
    def get_by_name_key(self, team_id: str, name_key: str) -> Customer | None: ...
    def search(
        self, team_id: str, folded: str, lowered: str, *, limit: int
    ) -> tuple[list[Customer], int]: ...
    def recent(self, team_id: str, *, limit: int) -> list[Customer]: ...


class IdempotencyRepository(Protocol):
    def get(self, team_id: str, key: str) -> str | None: ...
    def put(self, team_id: str, key: str, result: str, *, now: datetime) -> None: ...
    def purge(self, older_than: datetime) -> int: ...


class UnitOfWork(Protocol):
    workspaces: WorkspaceRepository
    users: UserRepository
    customers: CustomerRepository
    idempotency: IdempotencyRepository

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
