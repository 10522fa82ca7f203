"""What the domain needs from storage, as protocols; storage/ implements them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from domain.audit import Action
from domain.catalog import Product, ProductDraft
from domain.customers import Contact, Customer, CustomerDraft
from domain.delivery import Delivery
from domain.digest import DigestRepository
from domain.home import HomeRepository
from domain.interactions import Interaction, InteractionDraft
from domain.inventory import Movement, SalesStats
from domain.orders import NewOrder, Order
from domain.pipeline import (
    Deal,
    DealDraft,
    DealNote,
    Outcome,
    Stage,
    StageChange,
    StageSpec,
)
from domain.pipeline_board import PipelineReportRepository
from domain.pipeline_stages import StageRepository
from domain.reminders import DueReminder, SummarySchedule
from domain.reports import SalesReportRepository
from domain.schedules import ScheduleRepository
from domain.tasks import Task, TaskDraft
from domain.workspaces import User, Workspace


class WorkspaceRepository(Protocol):
    def get(self, team_id: str) -> Workspace | None: ...
    def add(self, workspace: Workspace) -> Workspace: ...
    def update(self, team_id: str, values: dict[str, Any]) -> Workspace: ...


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
    ) -> Contact: ...
    def remove_contact(self, team_id: str, contact_id: int) -> None: ...
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


class InteractionRepository(Protocol):
    def add(
        self, team_id: str, draft: InteractionDraft, *, actor: str, now: datetime
    ) -> Interaction: ...
    def get(self, team_id: str, interaction_id: int) -> Interaction | None: ...
    def for_customer(
        self, team_id: str, customer_id: int, *, offset: int, limit: int
    ) -> tuple[list[Interaction], int]: ...
    def last_at(self, team_id: str, customer_id: int) -> datetime | None: ...


class TaskRepository(Protocol):
    def add(
        self,
        team_id: str,
        draft: TaskDraft,
        *,
        actor: str,
        now: datetime,
        remind_at: datetime | None,
    ) -> Task: ...
    def get(self, team_id: str, task_id: int) -> Task | None: ...
    def get_by_number(self, team_id: str, number: int) -> Task | None: ...
    def update(
        self, team_id: str, task_id: int, values: dict[str, Any], *, now: datetime
    ) -> Task: ...
    def open_tasks(
        self, team_id: str, *, assignee_id: str | None, due_before: datetime | None, limit: int
    ) -> tuple[list[Task], int]: ...
    def open_for_customer(
        self, team_id: str, customer_id: int, *, limit: int
    ) -> tuple[list[Task], int]: ...


class AuditRepository(Protocol):
    def record(
        self,
        team_id: str,
        actor: str | None,
        action: Action,
        entity: str,
        entity_id: int,
        changes: dict[str, Any],
        *,
        now: datetime,
    ) -> None: ...
    def for_entity(self, team_id: str, entity: str, entity_id: int) -> list[Any]: ...


class ProductRepository(Protocol):
    def add(self, team_id: str, draft: ProductDraft, *, now: datetime) -> Product: ...
    def update(
        self, team_id: str, product_id: int, values: dict[str, Any], *, now: datetime
    ) -> Product: ...
    def get(self, team_id: str, product_id: int) -> Product | None: ...
    def get_many(self, team_id: str, product_ids: list[int]) -> list[Product]: ...
    def get_by_sku(self, team_id: str, sku_key: str) -> Product | None: ...
    def search(
        self, team_id: str, folded: str, sku_key: str, *, limit: int
    ) -> tuple[list[Product], int]: ...
    def low(self, team_id: str, *, limit: int) -> tuple[list[Product], int]: ...


class OrderRepository(Protocol):
    def add(self, team_id: str, draft: NewOrder, *, actor: str | None, now: datetime) -> Order: ...
    def get(self, team_id: str, order_id: int) -> Order | None: ...
    def get_by_number(self, team_id: str, number: int) -> Order | None: ...
    def for_customer(self, team_id: str, customer_id: int, *, limit: int) -> list[Order]: ...
    def totals_for_customer(
        self, team_id: str, customer_id: int
    ) -> tuple[int, Decimal, date | None]: ...


class StockRepository(Protocol):
    """The ledger, the level it sums to, expected receipts and the alert state."""

    def move(
        self,
        team_id: str,
        product_id: int,
        quantity: int,
        kind: str,
        *,
        reason: str | None,
        order_id: int | None,
        actor: str | None,
        at: datetime,
    ) -> tuple[Movement, int | None]: ...
    def mark_low(self, team_id: str, product_id: int, *, now: datetime) -> int | None: ...
    def rearm(self, team_id: str, product_id: int) -> bool: ...
    def snooze(self, team_id: str, product_id: int, until: datetime | None) -> None: ...
    def unalerted_low(self, *, limit: int, only_team: str | None = None) -> list[Product]: ...
    def snooze_ended(
        self, *, now: datetime, limit: int, only_team: str | None = None
    ) -> list[Product]: ...
    def history(
        self, team_id: str, product_id: int, *, limit: int, offset: int
    ) -> tuple[list[Movement], int]: ...
    def for_order(self, team_id: str, order_id: int) -> list[Movement]: ...
    def daily_units_many(
        self,
        team_id: str,
        *,
        since: date,
        until: date,
        product_ids: list[int] | None,
    ) -> dict[int, dict[date, int]]: ...
    def on_order(self, team_id: str, product_ids: list[int] | None) -> dict[int, int]: ...
    def unruled_sales(self, team_id: str, *, since: date, until: date) -> list[SalesStats]: ...
    def add_expected(
        self,
        team_id: str,
        product_id: int,
        quantity: int,
        *,
        expected_on: date | None,
        actor: str | None,
        now: datetime,
    ) -> None: ...
    def receive_expected(self, team_id: str, product_id: int, quantity: int) -> None: ...


class DealRepository(Protocol):
    """Pipeline stages, deals, their stage changes and notes."""

    def stages(self, team_id: str) -> list[Stage]: ...
    def share_stage(self, team_id: str, stage_id: int) -> Stage | None: ...
    def add_stages(self, team_id: str, specs: list[StageSpec]) -> None: ...
    def add(
        self,
        team_id: str,
        draft: DealDraft,
        *,
        stage_id: int,
        status: Outcome,
        actor: str | None,
        now: datetime,
    ) -> Deal: ...
    def get(self, team_id: str, deal_id: int, *, for_update: bool = False) -> Deal | None: ...
    def get_by_number(self, team_id: str, number: int) -> Deal | None: ...
    def update(
        self, team_id: str, deal_id: int, values: dict[str, Any], *, now: datetime
    ) -> Deal: ...
    def search(self, team_id: str, folded: str, *, limit: int) -> list[Deal]: ...
    def open_deals(
        self,
        team_id: str,
        *,
        owner_id: str | None,
        stage_id: int | None,
        limit: int,
        biggest_first: bool = False,
    ) -> list[Deal]: ...
    def open_tasks(
        self, team_id: str, deal_number: int, *, limit: int
    ) -> tuple[list[Task], int]: ...
    def add_stage_change(
        self,
        team_id: str,
        deal_id: int,
        *,
        from_stage_id: int | None,
        to_stage_id: int,
        actor: str | None,
        at: datetime,
    ) -> int: ...
    def stage_changes(self, team_id: str, deal_id: int) -> list[StageChange]: ...
    def add_note(
        self, team_id: str, deal_id: int, text: str, *, author: str, now: datetime
    ) -> DealNote: ...
    def notes(self, team_id: str, deal_id: int) -> list[DealNote]: ...


class UnitOfWork(Protocol):
    workspaces: WorkspaceRepository
    users: UserRepository
    customers: CustomerRepository
    idempotency: IdempotencyRepository
    interactions: InteractionRepository
    tasks: TaskRepository
    audit: AuditRepository
    deliveries: DeliveryRepository
    products: ProductRepository
    orders: OrderRepository
    stock: StockRepository
    deals: DealRepository
    stages: StageRepository
    pipeline_reports: PipelineReportRepository
    sales_reports: SalesReportRepository
    schedules: ScheduleRepository
    digests: DigestRepository
    home: HomeRepository

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class DeliveryRepository(Protocol):
    """The delivery outbox, and the claims on due work (reminders, summaries) that feed it."""

    def add(
        self,
        team_id: str,
        *,
        key: str,
        kind: str,
        recipient: str,
        payload: dict[str, Any],
        due_at: datetime,
        now: datetime,
    ) -> bool: ...
    def get(self, team_id: str, delivery_id: int) -> Delivery | None: ...
    def get_by_key(self, team_id: str, key: str) -> Delivery | None: ...
    def find(self, team_id: str, *, kind: str | None = None) -> list[Delivery]: ...
    def claim_due(
        self,
        *,
        now: datetime,
        worker_id: str,
        lease_until: datetime,
        limit: int,
        only_team: str | None = None,
    ) -> list[Delivery]: ...
    def hold(
        self,
        team_id: str,
        delivery_id: int,
        *,
        worker_id: str,
        channel_id: str,
        lease_until: datetime,
    ) -> bool: ...
    def mark_sent(
        self,
        team_id: str,
        delivery_id: int,
        *,
        worker_id: str,
        now: datetime,
        channel_id: str,
        message_ts: str | None,
    ) -> bool: ...
    def mark_retry(
        self,
        team_id: str,
        delivery_id: int,
        *,
        worker_id: str,
        next_attempt_at: datetime,
        error: str,
    ) -> bool: ...
    def mark_failed(
        self, team_id: str, delivery_id: int, *, worker_id: str, error: str
    ) -> bool: ...
    def mark_cancelled(
        self, team_id: str, delivery_id: int, *, worker_id: str, reason: str
    ) -> bool: ...
    def claim_due_reminders(
        self, *, now: datetime, limit: int, only_team: str | None = None
    ) -> list[DueReminder]: ...
    def summary_schedules(
        self, *, done_before: date, only_team: str | None = None
    ) -> list[SummarySchedule]: ...
    def claim_summary_day(self, team_id: str, day: date) -> bool: ...
    def overdue_assignees(self, team_id: str, *, now: datetime) -> list[str]: ...
