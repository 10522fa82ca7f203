"""The composition root: builds the engine and domain services from settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from bot.executor import TrackingExecutor
from bot.settings import Settings
from domain.catalog import CatalogService
from domain.clock import Clock, SystemClock
from domain.customers import CustomerService
from domain.digest import DigestService
from domain.home import HomeService
from domain.interactions import InteractionService
from domain.inventory import StockService
from domain.orders import OrderService
from domain.pipeline import PipelineService
from domain.pipeline_board import PipelineBoardService
from domain.pipeline_stages import StageEditor
from domain.ports import UnitOfWorkFactory
from domain.reports import ReportService
from domain.schedules import ScheduleService
from domain.tasks import TaskService
from domain.workspaces import WorkspaceService
from storage.engine import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork


@dataclass(eq=False)
class Services:
    """Everything a listener or job needs; one per process, shared by all threads."""

    settings: Settings
    engine: Engine
    clock: Clock
    uow_factory: UnitOfWorkFactory
    workspaces: WorkspaceService
    customers: CustomerService
    interactions: InteractionService
    tasks: TaskService
    catalog: CatalogService
    orders: OrderService
    stock: StockService
    pipeline: PipelineService
    pipeline_board: PipelineBoardService
    pipeline_stages: StageEditor
    reports: ReportService
    schedules: ScheduleService
    digests: DigestService
    home: HomeService
    executor: TrackingExecutor = field(default_factory=TrackingExecutor)

    def __deepcopy__(self, memo: dict[int, Any]) -> Services:
        # Bolt deep-copies the request context for lazy listeners; the services
        # (engine, pools, executor) are shared by design and must not be copied.
        return self

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=False)
        self.engine.dispose()


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Wire storage and domain services for these settings."""
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)

    def uow_factory() -> SqlUnitOfWork:
        return SqlUnitOfWork(session_factory)

    return Services(
        settings=settings,
        engine=engine,
        clock=clock,
        uow_factory=uow_factory,
        workspaces=WorkspaceService(uow_factory, clock, settings.salesbot_timezone),
        customers=CustomerService(uow_factory, clock),
        interactions=InteractionService(uow_factory, clock),
        tasks=TaskService(uow_factory, clock),
        catalog=CatalogService(uow_factory, clock),
        orders=OrderService(uow_factory, clock),
        stock=StockService(uow_factory, clock),
        pipeline=PipelineService(uow_factory, clock),
        pipeline_board=PipelineBoardService(uow_factory, clock),
        pipeline_stages=StageEditor(uow_factory, clock),
        reports=ReportService(uow_factory, clock),
        schedules=ScheduleService(uow_factory, clock),
        digests=DigestService(uow_factory, clock),
        home=HomeService(uow_factory, clock),
    )
