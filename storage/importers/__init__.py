"""Importing customers, products and orders from CSV and XLSX files.

    summary = import_file(services, "orders", "sales.csv", team_id="T123", mapping=...)
    summary = import_superstore(services, "T123", "superstore.csv")

`services` is anything with `engine`, `clock` and `workspaces` (bot.services.Services).
Rows are validated by domain.imports; good rows are written in bulk, a batch per
transaction; the summary counts what was created, updated, left unchanged and rejected,
and lists every rejected cell with its line.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.importers.mapping import SUPERSTORE_MAPPING, builtin_mappings, load_mapping
    from storage.importers.run import (
        BATCH_ROWS,
        ImportRun,
        ImportServices,
        Progress,
        import_file,
        import_superstore,
    )

__all__ = [
    "BATCH_ROWS",
    "SUPERSTORE_MAPPING",
    "ImportRun",
    "ImportServices",
    "Progress",
    "builtin_mappings",
    "import_file",
    "import_superstore",
    "load_mapping",
]

_HOMES = {name: "storage.importers.run" for name in __all__} | {
    "SUPERSTORE_MAPPING": "storage.importers.mapping",
    "builtin_mappings": "storage.importers.mapping",
    "load_mapping": "storage.importers.mapping",
}


def __getattr__(name: str) -> Any:
    # Loaded on first use, so `salesbot --help` or `serve` never pays for pandas.
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
