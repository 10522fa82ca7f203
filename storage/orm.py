"""The database schema as SQLAlchemy 2.0 typed ORM classes.

Change it only together with an Alembic migration (storage/migrations/versions).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Folding can lengthen text (NFKD expands some ligatures), so keys get room to grow;
# domain.customers refuses names whose key would not fit.
KEY_MAX = 600


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back aware datetimes, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


SCALE = 4
_UNITS = Decimal(10) ** SCALE
_LIMIT = Decimal(10) ** (18 - SCALE)


class Fixed4(TypeDecorator[Decimal]):
    """An exact decimal with 4 places: NUMERIC(18,4) on PostgreSQL, ten-thousandths on SQLite.

    SQLite has no exact decimal type (NUMERIC values become doubles), so there the value is
    kept as an integer count of ten-thousandths; SUM over it stays exact at any size.
    """

    impl = Numeric(18, SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, SCALE, asdecimal=True))

    def process_bind_param(self, value: Decimal | int | None, dialect: Any) -> Any:
        if value is None:
            return None
        value = Decimal(value)
        if value != value.quantize(Decimal(1).scaleb(-SCALE)):
            raise ValueError(f"{value} has more than {SCALE} decimal places")
        if value.copy_abs() >= _LIMIT:  # what NUMERIC(18,4) refuses, SQLite refuses too
            raise ValueError(f"{value} does not fit NUMERIC(18,{SCALE})")
        return int(value * _UNITS) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / _UNITS).quantize(Decimal(1).scaleb(-SCALE))
        return Decimal(value).quantize(Decimal(1).scaleb(-SCALE))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class WorkspaceRow(Base):
    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # Local time ("08:30") when people with overdue tasks get their morning summary.
    overdue_summary_time: Mapped[str] = mapped_column(String(5), default="08:30")
    # The local date whose summaries were already queued: the claim that makes them once a day.
    overdue_summary_on: Mapped[date | None] = mapped_column(Date)
    # Where low-stock alerts go (a channel id); none set means they are not posted.
    stock_channel_id: Mapped[str | None] = mapped_column(String(32))
    # Where won and lost deals are announced; none set means they are not.
    sales_channel_id: Mapped[str | None] = mapped_column(String(32))
    # Stage moves of deals worth at least this much are announced too; NULL: they are not.
    big_move_amount: Mapped[Decimal | None] = mapped_column(Fixed4)
    # An open deal with no activity or stage change for this many days is flagged stale.
    stale_deal_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    created_at: Mapped[datetime]


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16), default="rep")
    timezone: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class SequenceRow(Base):
    """Per-workspace counters behind the short ids people see (C-12, D-42)."""

    __tablename__ = "sequences"

    team_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class CustomerRow(Base):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        UniqueConstraint("team_id", "name_key"),
        UniqueConstraint("team_id", "external_id"),
        Index("ix_customers_team_company_key", "team_id", "company_key"),
        Index("ix_customers_team_created_at", "team_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    # The id another system gives the customer (an import's key); unique when present.
    external_id: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    # Folded (case- and accent-free) copies make search and uniqueness portable
    # between SQLite and PostgreSQL without collations or extensions.
    name_key: Mapped[str] = mapped_column(String(KEY_MAX))
    company: Mapped[str | None] = mapped_column(String(200))
    company_key: Mapped[str | None] = mapped_column(String(KEY_MAX))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    owner_id: Mapped[str | None] = mapped_column(String(32))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(100))
    industry: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    contacts: Mapped[list[ContactRow]] = relationship(
        back_populates="customer", order_by="ContactRow.id", cascade="all, delete-orphan"
    )


class ContactRow(Base):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_team_customer", "team_id", "customer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]

    customer: Mapped[CustomerRow] = relationship(back_populates="contacts")


class IdempotencyKeyRow(Base):
    """Remembers the result of a write keyed by its request (a modal submitted twice)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_created_at", "created_at"),)

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    result: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class InteractionRow(Base):
    """A call, email, meeting or note with a customer."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_team_customer_at", "team_id", "customer_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime]
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    direction: Mapped[str | None] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    message_link: Mapped[str | None] = mapped_column(Text)
    logged_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class TaskRow(Base):
    """A follow-up with an assignee and perhaps a due time and a customer."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        Index("ix_tasks_team_assignee_status", "team_id", "assignee_id", "status"),
        Index("ix_tasks_team_customer", "team_id", "customer_id"),
        Index("ix_tasks_status_remind_at", "status", "remind_at"),
        Index("ix_tasks_team_deal_status", "team_id", "deal_number", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    deal_number: Mapped[int | None] = mapped_column(Integer)
    assignee_id: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    due_at: Mapped[datetime | None]
    due_has_time: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the next reminder is due (due_at, or later after a snooze); NULL once sent.
    remind_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DeliveryRow(Base):
    """A message to send exactly once: written with a unique key before it is posted."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(32))  # a user (DM) or channel id
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime]  # when it should have gone out; later than this is "late"
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class AuditRow(Base):
    """Who changed what, when: one row per create, change or delete."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_team_entity", "team_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    actor: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime]


class ProductRow(Base):
    """Something sold: its price, its stock level and its reorder rule and alert state."""

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("team_id", "sku_key"),
        Index("ix_products_team_name_key", "team_id", "name_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    sku_key: Mapped[str] = mapped_column(String(64))  # upper-cased: SKUs match in any case
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(KEY_MAX))
    category: Mapped[str | None] = mapped_column(String(100))
    subcategory: Mapped[str | None] = mapped_column(String(100))
    list_price: Mapped[Decimal] = mapped_column(Fixed4)
    unit_cost: Mapped[Decimal | None] = mapped_column(Fixed4)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The sum of the product's stock movements, kept in step by the same UPDATE that
    # writes each movement's balance (see storage.repositories.inventory).
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reorder_point: Mapped[int | None] = mapped_column(Integer)
    reorder_qty: Mapped[int | None] = mapped_column(Integer)
    lead_time_days: Mapped[int | None] = mapped_column(Integer)
    # Set when a low-stock alert went out for the current crossing; cleared (re-armed)
    # when stock rises above the reorder point again.
    low_since: Mapped[datetime | None]
    low_crossings: Mapped[int] = mapped_column(Integer, default=0)
    alert_snoozed_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OrderRow(Base):
    """A sale to a customer: its lines hold the money."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        UniqueConstraint("team_id", "external_id"),
        Index("ix_orders_team_order_date", "team_id", "order_date"),
        Index("ix_orders_team_customer_date", "team_id", "customer_id", "order_date"),
        # Foreign keys are checked by the referenced side too: deleting a customer looks here.
        Index("ix_orders_customer_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(String(100))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    rep_id: Mapped[str | None] = mapped_column(String(32))
    ordered_at: Mapped[datetime]
    # The day of the sale in the workspace's timezone when it was recorded: reports
    # group by it, so a later timezone change does not move past sales between days.
    order_date: Mapped[date] = mapped_column(Date)
    total: Mapped[Decimal] = mapped_column(Fixed4)
    line_count: Mapped[int] = mapped_column(Integer)
    # Ship-to place of this order (an import gives it per order; else the customer's).
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(16), default="slack")
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]


class OrderLineRow(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line_key"),
        Index("ix_order_lines_team_product_date", "team_id", "product_id", "order_date"),
        Index("ix_order_lines_team_order_date", "team_id", "order_date"),
        Index("ix_order_lines_product_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    # An import's row id (or position) for the line: re-importing adds only missing lines.
    line_key: Mapped[str | None] = mapped_column(String(100))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    # Copied from the order so per-product and per-day sums need no join.
    order_date: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Fixed4)
    discount: Mapped[Decimal] = mapped_column(Fixed4, default=Decimal(0))
    # Kept exactly as given when a file states it; otherwise quantity × price × (1 − discount).
    line_total: Mapped[Decimal] = mapped_column(Fixed4)
    unit_cost: Mapped[Decimal | None] = mapped_column(Fixed4)  # the product's cost at the sale


class StockMovementRow(Base):
    """One change of stock: the ledger whose sum is a product's on-hand level."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        Index("ix_stock_movements_team_product_id", "team_id", "product_id", "id"),
        Index("ix_stock_movements_product_id", "product_id"),
        Index("ix_stock_movements_order_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # sale, receipt, adjustment, return
    quantity: Mapped[int] = mapped_column(Integer)  # signed: + in, − out
    balance_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    actor: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime]


class ExpectedReceiptRow(Base):
    """Stock ordered from a supplier and not yet received (Mark reordered)."""

    __tablename__ = "expected_receipts"
    __table_args__ = (Index("ix_expected_receipts_team_product", "team_id", "product_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer, default=0)
    expected_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, received
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]


class PipelineStageRow(Base):
    """A step of a workspace's sales pipeline, with its win probability and outcome."""

    __tablename__ = "pipeline_stages"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))  # a slug: "proposal"
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    probability: Mapped[Decimal] = mapped_column(Fixed4)  # 0..1
    outcome: Mapped[str] = mapped_column(String(8), default="open")  # open, won, lost
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class DealRow(Base):
    """A sale being worked on: an amount, a customer, a stage and an owner."""

    __tablename__ = "deals"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        Index("ix_deals_team_status", "team_id", "status"),
        Index("ix_deals_team_owner_status", "team_id", "owner_id", "status"),
        Index("ix_deals_team_customer", "team_id", "customer_id"),
        # Deleting a customer or a stage checks for deals pointing at it.
        Index("ix_deals_customer_id", "customer_id"),
        Index("ix_deals_stage_id", "stage_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    # Folded copy of the title, so search is case- and accent-free on both databases.
    title_key: Mapped[str] = mapped_column(String(KEY_MAX))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    amount: Mapped[Decimal] = mapped_column(Fixed4)
    expected_close: Mapped[date | None] = mapped_column(Date)
    stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stages.id", ondelete="RESTRICT"))
    owner_id: Mapped[str] = mapped_column(String(32))
    next_step: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="open")  # open, won, lost
    lost_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    stage_changed_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime]


class DealStageChangeRow(Base):
    """A deal's move from one stage to another (from none when it was created)."""

    __tablename__ = "deal_stage_changes"
    __table_args__ = (
        Index("ix_deal_stage_changes_team_deal_at", "team_id", "deal_id", "at"),
        Index("ix_deal_stage_changes_deal_id", "deal_id"),
        Index("ix_deal_stage_changes_from_stage_id", "from_stage_id"),
        Index("ix_deal_stage_changes_to_stage_id", "to_stage_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_stages.id", ondelete="RESTRICT")
    )
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stages.id", ondelete="RESTRICT"))
    actor: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime]


class DealNoteRow(Base):
    __tablename__ = "deal_notes"
    __table_args__ = (Index("ix_deal_notes_deal_id", "deal_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


# -- sales rollups ------------------------------------------------------------------------------
# Sums of order lines kept beside them so dashboards and reports read a few thousand rows
# instead of a million lines. storage/rollups.py keeps them exact: an order adds to them in
# its own transaction; imports mark days dirty in theirs and refresh them from the lines.
ALL_CATEGORIES = "*"  # the `category` of rows summing every category (distinct orders)


class _RollupMeasures:
    revenue: Mapped[Decimal] = mapped_column(Fixed4)
    # Cost of the lines whose product had a cost, and the revenue of those same lines:
    # margin is covered_revenue - cost, over the share covered_revenue / revenue.
    cost: Mapped[Decimal] = mapped_column(Fixed4)
    covered_revenue: Mapped[Decimal] = mapped_column(Fixed4)
    units: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[int] = mapped_column(Integer)
    # Distinct orders with at least one line in the row's group.
    orders: Mapped[int] = mapped_column(Integer)


class SalesDailyRow(_RollupMeasures, Base):
    """One day's sales per category (and ALL_CATEGORIES), in three families of rows: the
    day's totals (dim ""), per rep (dim "rep", key the rep's user id) and per order region
    (dim "region"). Separate families keep a day to a few dozen rows at any volume."""

    __tablename__ = "sales_daily"

    team_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(100), primary_key=True)  # "" uncategorised
    dim: Mapped[str] = mapped_column(String(8), primary_key=True)  # "", "rep", "region"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)  # "" none or unknown


class SalesMonthlyProductRow(_RollupMeasures, Base):
    """One calendar month's sales per product (months 1), and the same summed per calendar
    quarter (months 3) and year (months 12): a long period reads a few rows per product.

    Keyed span-first so that one span's rows lie together; on SQLite the table is stored
    in its key's order (WITHOUT ROWID), so one span is one contiguous read."""

    __tablename__ = "sales_monthly_product"
    __table_args__ = (
        Index("ix_sales_monthly_product_product_id", "product_id"),
        {"sqlite_with_rowid": False},
    )

    team_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    months: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1, 3 or 12
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the span's first day
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )


class SalesMonthlyCustomerRow(_RollupMeasures, Base):
    """One calendar month's sales per customer and category (and ALL_CATEGORIES), with
    months 1; across all categories also per calendar quarter (months 3) and year (12).

    Keyed span, then category: one category's rows of one span lie together (stored in key
    order on SQLite, WITHOUT ROWID), so a top-customers query reads only those, and a
    refresh finds a month's rows by the key's first columns."""

    __tablename__ = "sales_monthly_customer"
    __table_args__ = (
        Index("ix_sales_monthly_customer_customer_id", "customer_id"),
        {"sqlite_with_rowid": False},
    )

    team_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    months: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1, 3 or 12
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the span's first day
    category: Mapped[str] = mapped_column(String(100), primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )


class SalesDirtyDayRow(Base):
    """A day whose lines changed in bulk (an import) and whose rollups need refreshing."""

    __tablename__ = "sales_dirty_days"

    team_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)


# Tables defined in their own modules, imported here so Base.metadata (Alembic's target) has them.
from storage import orm_digests, orm_reports  # noqa: E402, F401
