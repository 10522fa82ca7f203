"""The unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from storage.repositories.audit import SqlAuditRepository
from storage.repositories.customers import SqlCustomerRepository
from storage.repositories.deals import SqlDealRepository
from storage.repositories.deliveries import SqlDeliveryRepository
from storage.repositories.digests import SqlDigestRepository
from storage.repositories.home import SqlHomeRepository
from storage.repositories.idempotency import SqlIdempotencyRepository
from storage.repositories.interactions import SqlInteractionRepository
from storage.repositories.orders import SqlOrderRepository
from storage.repositories.pipeline_reports import SqlPipelineReportRepository
from storage.repositories.pipeline_stages import SqlStageRepository
from storage.repositories.products import SqlProductRepository
from storage.repositories.sales_reports import SqlSalesReportRepository
from storage.repositories.schedules import SqlScheduleRepository
from storage.repositories.stock import SqlStockRepository
from storage.repositories.tasks import SqlTaskRepository
from storage.repositories.workspaces import SqlUserRepository, SqlWorkspaceRepository


class SqlUnitOfWork:
    """Use as `with uow: ...; uow.commit()`; a new one per request or job, never shared."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    def __enter__(self) -> SqlUnitOfWork:
        self._session = self._session_factory()
        self.workspaces = SqlWorkspaceRepository(self._session)
        self.users = SqlUserRepository(self._session)
        self.customers = SqlCustomerRepository(self._session)
        self.idempotency = SqlIdempotencyRepository(self._session)
        self.interactions = SqlInteractionRepository(self._session)
        self.tasks = SqlTaskRepository(self._session)
        self.audit = SqlAuditRepository(self._session)
        self.deliveries = SqlDeliveryRepository(self._session)
        self.products = SqlProductRepository(self._session)
        self.orders = SqlOrderRepository(self._session)
        self.stock = SqlStockRepository(self._session)
        self.deals = SqlDealRepository(self._session)
        self.stages = SqlStageRepository(self._session)
        self.pipeline_reports = SqlPipelineReportRepository(self._session)
        self.sales_reports = SqlSalesReportRepository(self._session)
        self.schedules = SqlScheduleRepository(self._session)
        self.digests = SqlDigestRepository(self._session)
        self.home = SqlHomeRepository(self._session)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._session is not None
        try:
            self._session.rollback()
        finally:
            self._session.close()
            self._session = None

    @property
    def session(self) -> Session:
        assert self._session is not None, "unit of work used outside `with`"
        return self._session

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
