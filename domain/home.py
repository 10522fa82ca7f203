"""The App Home tab's contents for one person: their tasks and deals, this month's numbers
against last month, the team's leaderboard, low stock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from domain.customers import Customer
from domain.metrics import Dimension, Period, Totals
from domain.pipeline import Deal, Stage
from domain.tasks import Task

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWork, UnitOfWorkFactory

TASKS_MAX = 15  # task lines the Home shows; the rest are counted
# Overdue tasks shown at most while tasks due today or this week wait: a pile of old ones
# must not push today's off the tab.
OVERDUE_MAX = 8
DEALS_MAX = 10
LEADERS_MAX = 5
UPCOMING_DAYS = 7  # besides overdue and today, what falls due this coming week


class HomeRepository(Protocol):
    """storage/repositories/home.py: queries only the Home tab needs."""

    def open_task_count(self, team_id: str, assignee_id: str) -> int: ...
    def open_tasks_due(
        self, team_id: str, assignee_id: str, *, since: datetime, until: datetime, limit: int
    ) -> tuple[list[Task], int]: ...
    def open_deal_totals(self, team_id: str, owner_id: str) -> tuple[int, Decimal]: ...


class Leader(BaseModel):
    model_config = ConfigDict(frozen=True)

    rep: str  # a Slack user id for orders recorded in Slack; an imported rep's name otherwise
    totals: Totals


class Home(BaseModel):
    """Everything one person's Home tab shows, read in one unit of work."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    now: datetime
    today: date
    # Tasks due within the week (overdue first), and every open task of theirs.
    tasks: list[Task]
    tasks_due_total: int  # overdue or due within the week
    tasks_open_total: int
    tasks_overdue_total: int = 0
    deals: list[Deal]  # biggest first
    deals_total: int
    deals_amount: Decimal
    stages: dict[int, str]  # stage id -> name
    customers: dict[int, Customer]
    period: Period  # this month to date
    compared: Period  # last month's same days
    current: Totals
    previous: Totals
    leaders: list[Leader]
    mine: Totals  # this person's own sales this month, ranked or not
    low_stock: int

    def overdue(self) -> list[Task]:
        return [t for t in self.tasks if t.due_at is not None and t.due_at < self.now]

    def due_today(self, tz: ZoneInfo) -> list[Task]:
        return [
            t
            for t in self.tasks
            if t.due_at is not None
            and t.due_at >= self.now
            and t.due_at.astimezone(tz).date() <= self.today
        ]

    def upcoming(self, tz: ZoneInfo) -> list[Task]:
        return [
            t
            for t in self.tasks
            if t.due_at is not None
            and t.due_at >= self.now
            and t.due_at.astimezone(tz).date() > self.today
        ]


def month_to_date(today: date) -> Period:
    return Period(start=today.replace(day=1), end=today)


class HomeService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def home(self, team_id: str, user_id: str, tz: ZoneInfo) -> Home:
        """One person's Home: a handful of indexed reads and sums over the daily rollups."""
        now = self._clock.now()
        local = now.astimezone(tz)
        today = local.date()
        week_end = (
            local.replace(hour=0, minute=0, second=0, microsecond=0)
            + timedelta(days=UPCOMING_DAYS + 1)
        ).astimezone(now.tzinfo)
        period = month_to_date(today)
        compared = period.month_before()
        with self._uow_factory() as uow:
            sums = uow.sales_reports
            # Imports leave days to re-sum; the numbers must include them, as reports do.
            if sums.refresh_if_dirty(team_id):
                uow.commit()
            overdue, overdue_total = uow.tasks.open_tasks(
                team_id, assignee_id=user_id, due_before=now, limit=TASKS_MAX
            )
            coming, coming_total = uow.home.open_tasks_due(
                team_id, user_id, since=now, until=week_end, limit=TASKS_MAX
            )
            # The oldest overdue first, but never so many that today's are not shown.
            overdue = overdue[: max(OVERDUE_MAX, TASKS_MAX - len(coming))]
            tasks = overdue + coming[: TASKS_MAX - len(overdue)]
            due_total = overdue_total + coming_total
            deals = uow.deals.open_deals(
                team_id, owner_id=user_id, stage_id=None, limit=DEALS_MAX, biggest_first=True
            )
            deals_total, deals_amount = uow.home.open_deal_totals(team_id, user_id)
            by_rep = sums.by_attribute(team_id, period, Dimension.REP)
            return Home(
                user_id=user_id,
                now=now,
                today=today,
                tasks=tasks,
                tasks_due_total=due_total,
                tasks_open_total=uow.home.open_task_count(team_id, user_id),
                tasks_overdue_total=overdue_total,
                deals=deals,
                deals_total=deals_total,
                deals_amount=deals_amount,
                stages={s.id: s.name for s in _stages(uow, team_id, deals)},
                customers=_customers(uow, team_id, tasks, deals),
                period=period,
                compared=compared,
                current=sums.totals(team_id, period),
                previous=sums.totals(team_id, compared),
                leaders=_leaders(by_rep),
                mine=by_rep.get(user_id, Totals()),
                low_stock=uow.products.low(team_id, limit=0)[1],
            )


def _stages(uow: UnitOfWork, team_id: str, deals: list[Deal]) -> list[Stage]:
    return uow.deals.stages(team_id) if deals else []


def _customers(
    uow: UnitOfWork, team_id: str, tasks: list[Task], deals: list[Deal]
) -> dict[int, Customer]:
    ids = {t.customer_id for t in tasks if t.customer_id is not None}
    ids |= {d.customer_id for d in deals}
    found = {}
    for customer_id in sorted(ids):
        customer = uow.customers.get(team_id, customer_id)
        if customer is not None:
            found[customer_id] = customer
    return found


def _leaders(by_rep: dict[str, Totals]) -> list[Leader]:
    """Reps by revenue this month, largest first; orders with no rep are nobody's."""
    ranked = sorted(
        ((rep, totals) for rep, totals in by_rep.items() if rep and totals.revenue > 0),
        key=lambda item: (-item[1].revenue, item[0]),
    )
    return [Leader(rep=rep, totals=totals) for rep, totals in ranked[:LEADERS_MAX]]
