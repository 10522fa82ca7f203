"""One import run: read the file in batches, validate each row, write the good ones, report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine

from domain.audit import Action
from domain.clock import Clock
from domain.imports import (
    FIELDS,
    ImportKind,
    ImportMapping,
    ImportSummary,
    PriceBasis,
    price_basis,
    resolve_columns,
    validate_row,
)
from domain.workspaces import WorkspaceService
from storage.engine import make_session_factory
from storage.importers.common import Good, Importer, RunContext, allocate_numbers
from storage.importers.customers import CustomerImporter
from storage.importers.mapping import SUPERSTORE_MAPPING, load_mapping
from storage.importers.orders import OrderImporter
from storage.importers.products import ProductImporter
from storage.importers.reader import Table
from storage.repositories.audit import SqlAuditRepository

BATCH_ROWS = 2000  # rows per transaction


class ImportServices(Protocol):
    """What an import needs from the composition root; bot.services.Services has it."""

    @property
    def engine(self) -> Engine: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def workspaces(self) -> WorkspaceService: ...


class Progress(Protocol):
    """Told how many rows were processed (a tqdm bar fits)."""

    def update(self, n: int = 1) -> Any: ...


_IMPORTERS: dict[ImportKind, type[CustomerImporter | ProductImporter | OrderImporter]] = {
    ImportKind.CUSTOMERS: CustomerImporter,
    ImportKind.PRODUCTS: ProductImporter,
    ImportKind.ORDERS: OrderImporter,
}


class ImportRun:
    """A file opened and its columns matched, ready to run; `size_hint` sizes a progress bar."""

    def __init__(
        self,
        services: ImportServices,
        kind: ImportKind,
        path: str | Path,
        *,
        team_id: str,
        mapping: ImportMapping | None = None,
        actor: str | None = None,
        batch_rows: int = BATCH_ROWS,
    ) -> None:
        self._services = services
        self.kind = ImportKind(kind)
        self.path = Path(path)
        self.team_id = team_id
        self.mapping = mapping
        self._actor = actor
        self._batch_rows = batch_rows
        options = mapping or ImportMapping()
        self.table = Table(
            self.path,
            sheet=options.sheet,
            delimiter=options.delimiter,
            encoding=options.encoding,
        )
        self.columns = resolve_columns(self.kind, self.table.header, mapping)
        self.basis = (
            price_basis(mapping, self.columns)
            if self.kind is ImportKind.ORDERS
            else PriceBasis.UNIT_PRICE
        )

    @property
    def size_hint(self) -> int:
        return self.table.size_hint

    def run(self, progress: Progress | None = None) -> ImportSummary:
        """Import every good row; bad ones are reported in the summary, not written."""
        started = time.perf_counter()
        services = self._services
        workspace, _ = services.workspaces.ensure(self.team_id, None)
        session_factory = make_session_factory(services.engine)
        summary = ImportSummary(kind=self.kind, team_id=self.team_id, file=self.path.name)
        if self.columns.ignored:
            summary.notes.append("columns not imported: " + ", ".join(self.columns.ignored))
        ctx = RunContext(
            session_factory=session_factory,
            team_id=self.team_id,
            timezone=workspace.timezone,
            now=services.clock.now(),
            actor=self._actor,
            columns=self.columns,
            summary=summary,
            split_product_names=self.mapping.split_product_names if self.mapping else True,
        )
        importer: Importer = _IMPORTERS[self.kind](ctx)
        with session_factory.begin() as session:
            summary.run = allocate_numbers(session, self.team_id, "import", 1)
        failure: str | None = None
        try:
            self._rows(ctx, importer, progress)
            importer.finish()
            summary.errors.sort(key=lambda error: error.line)  # stable: cells stay in order
        except BaseException as exc:
            failure = f"{type(exc).__name__}: {exc}"[:500]
            raise
        finally:
            summary.elapsed_seconds = time.perf_counter() - started
            self._audit(ctx, failure)
        return summary

    def _rows(self, ctx: RunContext, importer: Importer, progress: Progress | None) -> None:
        fields = FIELDS[self.kind]
        mapped = self.columns.columns
        date_format = self.mapping.date_format if self.mapping else None
        summary = ctx.summary
        for batch in self.table.batches(self._batch_rows):
            good: list[Good[object]] = []
            for row in batch:
                summary.rows += 1
                values = {f: row.cells.get(mapped[f], "") if f in mapped else "" for f in fields}
                if row.problem is not None:
                    importer.prepare(values)  # it still takes its place in its order
                    ctx.reject(row.line, values, "", row.problem)
                    importer.rejected(row.line, values, [])
                    continue
                importer.prepare(values)
                record, errors = validate_row(
                    self.kind,
                    values,
                    line=row.line,
                    columns=self.columns,
                    date_format=date_format,
                    basis=self.basis,
                )
                if record is None:
                    summary.errors.extend(errors)
                    importer.rejected(row.line, values, errors)
                    continue
                good.append(Good(row.line, values, record))
            importer.write(good)
            if progress is not None:
                progress.update(len(batch))

    def _audit(self, ctx: RunContext, failure: str | None) -> None:
        """One audit entry per run (not per row): what was imported, and how it went."""
        summary = ctx.summary
        changes: dict[str, Any] = {
            "kind": str(self.kind),
            "file": summary.file,
            "rows": summary.rows,
            "rejected_rows": summary.rejected_rows,
            **{
                name: getattr(summary, name).model_dump()
                for name in ("customers", "products", "orders", "lines")
            },
            "stock_movements": summary.stock_movements,
            "seconds": round(summary.elapsed_seconds, 2),
        }
        if failure:
            changes["failed"] = failure
        with ctx.session_factory.begin() as session:
            SqlAuditRepository(session).record(
                self.team_id,
                self._actor,
                Action.CREATE,
                "import",
                summary.run,
                changes,
                now=self._services.clock.now(),
            )


def import_file(
    services: ImportServices,
    kind: ImportKind | str,
    path: str | Path,
    *,
    team_id: str,
    mapping: ImportMapping | None = None,
    actor: str | None = None,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportSummary:
    """Import a customers, products or orders file (CSV or XLSX) into a workspace."""
    run = ImportRun(
        services,
        ImportKind(kind),
        path,
        team_id=team_id,
        mapping=mapping,
        actor=actor,
        batch_rows=batch_rows,
    )
    return run.run(progress)


def import_superstore(
    services: ImportServices,
    team_id: str,
    path: str | Path,
    *,
    progress: Progress | None = None,
) -> ImportSummary:
    """Load the Superstore sample (superstore.csv) as orders; a re-run adds nothing."""
    return import_file(
        services,
        ImportKind.ORDERS,
        path,
        team_id=team_id,
        mapping=load_mapping(SUPERSTORE_MAPPING),
        progress=progress,
    )
