"""Mapping files (YAML): which of the file's columns feeds which field, and options."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from domain.imports import ImportFileError, ImportMapping

MAPPINGS_DIR = Path(__file__).with_name("mappings")
SUPERSTORE_MAPPING = MAPPINGS_DIR / "superstore.yml"


class _Loader(yaml.SafeLoader):
    """YAML 1.2's booleans: only true/false. (1.1 also reads yes/no/on/off, so a column
    named "Off" or "No" would turn into a boolean.)"""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def builtin_mappings() -> list[str]:
    """Names of the mappings that ship with Salesbot (usable as `--mapping NAME`)."""
    return sorted(path.stem for path in MAPPINGS_DIR.glob("*.yml"))


def load_mapping(where: str | Path) -> ImportMapping:
    """Read a mapping file, or a built-in mapping by name (`superstore`)."""
    path = Path(where)
    if not path.exists() and path.suffix == "" and (MAPPINGS_DIR / f"{path}.yml").exists():
        path = MAPPINGS_DIR / f"{path}.yml"
    if not path.is_file():
        builtin = ", ".join(builtin_mappings())
        raise ImportFileError(f"there is no mapping file {where} (built in: {builtin}).")
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ImportFileError(f"the mapping {path.name} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ImportFileError(f"the mapping {path.name} should be a YAML mapping (key: value).")
    columns = data.get("columns")
    if isinstance(columns, dict):
        # YAML reads `line_key: 7` as a number; a column name is text.
        data["columns"] = {
            str(k): str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
            for k, v in columns.items()
        }
    try:
        return ImportMapping.model_validate(data)
    except ValidationError as exc:
        raise ImportFileError(f"the mapping {path.name}: {_explain(exc)}") from None


def _explain(exc: ValidationError) -> str:
    parts: list[str] = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message: Any = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "is not an option (options: " + ", ".join(ImportMapping.model_fields) + ")"
        parts.append(f"{where} {message}".strip())
    return "; ".join(parts)
