"""`salesbot import` and `salesbot export`: argparse sub-commands that bot/cli.py registers.

Each handler is called as `run(args, settings)` like the other sub-commands and returns the
exit code. Only settings.database_url and settings.salesbot_timezone are read, so this module
builds what it needs (engine, clock, workspace service) without importing bot/.
"""

from __future__ import annotations

import argparse
import csv
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from domain.imports import FIELDS, ImportFileError, ImportKind, ImportSummary, RowError
from storage.engine import make_engine
from storage.importers.mapping import builtin_mappings, load_mapping

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from domain.clock import Clock
    from domain.workspaces import WorkspaceService

# Loaded when a command runs, not whenever `salesbot` starts: this module is imported to
# build the parser for every command.
EXPORT_KINDS = ("orders", "customers", "products")  # storage.exporters.ExportKind

SHOWN_ERRORS = 100  # rejected cells printed on stderr; --errors FILE has them all
ERROR_COLUMNS = ("line", "column", "value", "reason")
OUTDATED = "the database schema is not up to date: run `salesbot db upgrade`."

IMPORT_DESCRIPTION = """\
Import customers, products or orders from a CSV (UTF-8) or XLSX file.

Columns named like Salesbot's fields (any case; spaces, dashes and underscores alike, e.g.
"Order ID" = order_id) are read without a mapping. A mapping file (YAML) names the file's
column for each field and sets options:

  kind: orders
  date_format: "%m/%d/%Y"       # ISO dates (2024-03-01) are always understood
  price_basis: line_total       # or unit_price, or both; default: the column(s) mapped
  team: T0123ABCD               # used when --team is not given
  columns: {{order_id: Order ID, line_total: Sales, sku: Product ID}}

Built-in mappings (give the name instead of a file): {builtins}.
Fields of each kind:
{fields}

Re-running an import changes nothing already imported: customers are matched by external id
(else name), products by SKU, orders by external id and their lines by line_key (else their
position within the order). Orders files create missing customers and products, and move no
stock (products files set opening stock from on_hand).
"""

IMPORT_EPILOG = """\
exit status:
  0  every row was imported
  1  some rows were rejected (each is reported with its line, column and reason; the good
     rows were imported; fix the file and run the same import again to add the rest)
  2  nothing was imported: the file, the mapping or the database could not be used
"""


class CliSettings(Protocol):
    @property
    def database_url(self) -> str: ...

    @property
    def salesbot_timezone(self) -> str: ...


@dataclass(frozen=True)
class CliServices:
    """The slice of the composition root an import needs (see storage.importers.run)."""

    engine: Engine
    clock: Clock
    workspaces: WorkspaceService

    @classmethod
    def build(cls, settings: CliSettings) -> CliServices:
        from domain.clock import SystemClock
        from domain.workspaces import WorkspaceService
        from storage.engine import make_session_factory
        from storage.uow import SqlUnitOfWork

        engine = make_engine(settings.database_url)
        session_factory = make_session_factory(engine)
        clock = SystemClock()

        def uow_factory() -> SqlUnitOfWork:
            return SqlUnitOfWork(session_factory)

        # Wired as bot/services.py wires it (mypy does not check bot/, where this is the same).
        workspaces = WorkspaceService(
            uow_factory,  # type: ignore[arg-type]
            clock,
            settings.salesbot_timezone,
        )
        return cls(engine=engine, clock=clock, workspaces=workspaces)


Handler = Callable[[argparse.Namespace, Any], int]


def add_import_export_parsers(sub: Any, *, default_team: str) -> None:
    """Register `import` and `export` on the `salesbot` sub-command parsers.

    default_team is the workspace used when neither --team, the mapping nor a database with
    exactly one workspace says which (the one `salesbot demo` seeds).
    """
    imports = sub.add_parser(
        "import",
        help="import customers, products or orders from CSV/XLSX",
        description=IMPORT_DESCRIPTION.format(
            builtins=", ".join(builtin_mappings()),
            fields="\n".join(
                textwrap.fill(
                    f"{kind.value}: " + ", ".join(FIELDS[kind]),
                    width=92,
                    initial_indent="  ",
                    subsequent_indent="    ",
                )
                for kind in ImportKind
            ),
        ),
        epilog=IMPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imports.add_argument("kind", choices=[kind.value for kind in ImportKind])
    imports.add_argument("file", type=Path, metavar="FILE", help="a .csv or .xlsx file")
    imports.add_argument("--mapping", metavar="FILE", help="YAML mapping file or built-in name")
    imports.add_argument("--team", metavar="T", help="workspace (Slack team id) to import into")
    imports.add_argument(
        "--errors",
        metavar="FILE",
        type=Path,
        help="write every rejected cell to FILE as CSV: line,column,value,reason",
    )
    imports.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    imports.set_defaults(run=_importer(default_team))

    exports = sub.add_parser(
        "export",
        help="export orders (one row per line), customers or products as CSV",
        description="Write a workspace's orders (one row per order line), customers or "
        "products as CSV; amounts exactly as stored, with 4 decimal places. An orders export "
        "imports back as it is.",
    )
    exports.add_argument("kind", choices=EXPORT_KINDS)
    exports.add_argument("--team", metavar="T", help="workspace (Slack team id) to export")
    exports.add_argument(
        "--output", "-o", metavar="FILE", type=Path, help="write to FILE (default: stdout)"
    )
    exports.set_defaults(run=_exporter(default_team))


def _importer(default_team: str) -> Handler:
    def run(args: argparse.Namespace, settings: CliSettings) -> int:
        return run_import(args, settings, default_team=default_team)

    return run


def _exporter(default_team: str) -> Handler:
    def run(args: argparse.Namespace, settings: CliSettings) -> int:
        return run_export(args, settings, default_team=default_team)

    return run


def run_import(args: argparse.Namespace, settings: CliSettings, *, default_team: str) -> int:
    # pandas and tqdm load here, not when `salesbot` starts for another command.
    from tqdm import tqdm

    from storage.importers.run import ImportRun
    from storage.migrate import is_up_to_date

    services = CliServices.build(settings)
    try:
        if not is_up_to_date(services.engine):
            return _fail("import", OUTDATED)
        try:
            mapping = load_mapping(args.mapping) if args.mapping else None
            team_id, why = choose_team(
                services.engine, args.team, mapping.team if mapping else None, default_team
            )
            run = ImportRun(
                services, ImportKind(args.kind), args.file, team_id=team_id, mapping=mapping
            )
        except ImportFileError as exc:
            return _fail("import", exc.message)
        bar = tqdm(
            total=run.size_hint,
            unit=" rows",
            file=sys.stderr,
            disable=args.quiet or not sys.stderr.isatty(),
            leave=False,
            desc=f"importing {args.kind}",
        )
        with bar:
            summary = run.run(progress=bar)
        _report(summary, why, args.errors)
        return 0 if summary.ok else 1
    finally:
        services.engine.dispose()


def run_export(args: argparse.Namespace, settings: CliSettings, *, default_team: str) -> int:
    from storage.exporters import ExportKind, export_csv
    from storage.migrate import is_up_to_date

    engine = make_engine(settings.database_url)
    try:
        if not is_up_to_date(engine):
            return _fail("export", OUTDATED)
        team_id, why = choose_team(engine, args.team, None, default_team)
        if args.output is None:
            count = export_csv(engine, args.kind, team_id, sys.stdout)
            sys.stdout.flush()
            where = "stdout"
        else:
            with args.output.open("w", encoding="utf-8", newline="") as out:
                count = export_csv(engine, args.kind, team_id, out)
            where = str(args.output)
        noun = "order lines" if args.kind == ExportKind.ORDERS else args.kind
        print(f"exported {count:,} {noun} of {team_id} ({why}) to {where}", file=sys.stderr)
        return 0
    finally:
        engine.dispose()


def choose_team(
    engine: Engine, given: str | None, from_mapping: str | None, default_team: str
) -> tuple[str, str]:
    """The workspace to use and why: --team, the mapping, the only one there is, or the default."""
    from sqlalchemy import select

    from storage.orm import WorkspaceRow

    if given:
        return given, "--team"
    if from_mapping:
        return from_mapping, "from the mapping file"
    with engine.connect() as conn:
        query = select(WorkspaceRow.team_id).order_by(WorkspaceRow.team_id).limit(2)
        teams = conn.scalars(query).all()
    if len(teams) == 1:
        return teams[0], "the only workspace in the database"
    if len(teams) > 1:
        return default_team, "the default; the database has several workspaces: choose with --team"
    return default_team, "the default, as for `salesbot demo`; pass --team to choose"


def _report(summary: ImportSummary, why: str, errors_path: Path | None) -> None:
    lines = summary.render()
    lines[0] += f"\n  workspace {summary.team_id}: {why}; import run #{summary.run}"
    print("\n".join(lines))
    for error in summary.errors[:SHOWN_ERRORS]:
        print(f"rejected {error}", file=sys.stderr)
    hidden = len(summary.errors) - SHOWN_ERRORS
    if hidden > 0:
        more = f"…and {hidden:,} more"
        print(
            f"{more} (--errors FILE lists them all)" if not errors_path else more, file=sys.stderr
        )
    if errors_path is not None:
        write_errors(summary.errors, errors_path)
        print(f"rejected cells: {errors_path}", file=sys.stderr)


def write_errors(errors: list[RowError], path: Path) -> None:
    """Every rejected cell as CSV: line,column,value,reason."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(ERROR_COLUMNS)
        writer.writerows((e.line, e.column, e.value, e.reason) for e in errors)


def _fail(command: str, message: str) -> int:
    print(f"salesbot {command}: {message}", file=sys.stderr)
    return 2
