"""`salesbot import` and `salesbot export` as an operator runs them: messages and exit codes.

The sub-commands are registered on a parser exactly as bot/cli.py registers them, and run
in-process against the test database.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from bot.demo import DEMO_TEAM
from bot.services import Services
from bot.settings import Settings
from storage.importers.cli import add_import_export_parsers
from tests.conftest import make_settings
from tests.processes import SALESBOT, clean_env, run_cli

SUPERSTORE = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "superstore.csv"

HEADER = "Order ID,Order Date,Customer,SKU,Quantity,Unit Price\n"


def salesbot(settings: Settings, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="salesbot")
    add_import_export_parsers(parser.add_subparsers(), default_team=DEMO_TEAM)
    args = parser.parse_args(argv)
    return int(args.run(args, settings))


def test_rejected_rows_exit_1_with_an_error_file_and_a_fixed_rerun_exits_0(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        HEADER + "A-1,2024-03-01,Acme,S1,2,10\nA-1,2024-03-01,Acme,S2,ten,5\n", encoding="utf-8"
    )
    errors = tmp_path / "errors.csv"

    assert salesbot(settings, "import", "orders", str(orders), "--errors", str(errors)) == 1

    out, err = capsys.readouterr()
    assert "orders from orders.csv into T0LOCAL: 2 rows read, 1 imported, 1 rejected" in out
    assert "workspace T0LOCAL: the default, as for `salesbot demo`" in out
    assert "lines:     1 created, 0 updated, 0 unchanged, 1 rejected" in out
    assert "rejected line 3, Quantity: “ten” not a whole number" in err
    with errors.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["line", "column", "value", "reason"],
            ["3", "Quantity", "ten", "not a whole number"],
        ]

    orders.write_text(
        HEADER + "A-1,2024-03-01,Acme,S1,2,10\nA-1,2024-03-01,Acme,S2,10,5\n", encoding="utf-8"
    )
    assert salesbot(settings, "import", "orders", str(orders), "-q") == 0
    out, err = capsys.readouterr()
    assert "lines:     1 created, 0 updated, 1 unchanged, 0 rejected" in out
    assert "workspace T0LOCAL: the only workspace in the database" in out
    assert err == ""


def test_the_only_workspace_is_the_default_and_team_chooses_another(
    settings: Settings, services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    services.workspaces.ensure("T0ONLY", "U1")
    orders = tmp_path / "orders.csv"
    orders.write_text(HEADER + "A-1,2024-03-01,Acme,S1,2,10\n", encoding="utf-8")

    assert salesbot(settings, "import", "orders", str(orders)) == 0
    assert "into T0ONLY" in capsys.readouterr().out
    assert salesbot(settings, "import", "orders", str(orders), "--team", "T0SECOND") == 0
    out = capsys.readouterr().out
    assert "into T0SECOND" in out and "workspace T0SECOND: --team" in out


def test_export_writes_csv_to_stdout_or_to_a_file(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(HEADER + "A-1,2024-03-01,Acme,S1,3,0.3333\n", encoding="utf-8")
    assert salesbot(settings, "import", "orders", str(orders)) == 0
    capsys.readouterr()

    assert salesbot(settings, "export", "orders") == 0
    out, err = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["order_id"], r["sku"], r["unit_price"], r["line_total"]) for r in rows] == [
        ("A-1", "S1", "0.3333", "0.9999")
    ]
    assert "exported 1 order lines of T0LOCAL" in err

    target = tmp_path / "customers.csv"
    assert salesbot(settings, "export", "customers", "--output", str(target)) == 0
    assert target.read_text(encoding="utf-8").splitlines()[1].startswith("C-1,,Acme,")


def test_a_file_or_mapping_that_cannot_be_used_is_one_line_and_exit_2(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.csv"
    assert salesbot(settings, "import", "orders", str(missing)) == 2
    assert capsys.readouterr().err == f"salesbot import: there is no file {missing}.\n"

    orders = tmp_path / "orders.csv"
    orders.write_text(HEADER + "A-1,2024-03-01,Acme,S1,2,10\n", encoding="utf-8")
    assert salesbot(settings, "import", "orders", str(orders), "--mapping", "nosuch") == 2
    err = capsys.readouterr().err
    assert err.startswith("salesbot import: there is no mapping file nosuch (built in: superstore)")
    assert salesbot(settings, "import", "customers", str(orders), "--mapping", "superstore") == 2
    assert "the mapping is for orders files, not customers" in capsys.readouterr().err


def test_a_database_never_upgraded_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert salesbot(settings, "export", "orders") == 2
    assert "run `salesbot db upgrade`" in capsys.readouterr().err


def test_help_says_what_the_exit_codes_mean(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        salesbot(make_settings("sqlite://"), "import", "--help")
    out = capsys.readouterr().out
    assert "1  some rows were rejected" in out and "0  every row was imported" in out
    assert "Built-in mappings (give the name instead of a file): superstore." in out


@pytest.mark.slow
def test_installed_salesbot_imports_superstore_exports_it_and_stops_quietly_on_a_closed_pipe(
    settings: Settings, tmp_path: Path
) -> None:
    env = clean_env(DATABASE_URL=settings.database_url)
    assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    imported = run_cli(
        "import", "orders", str(SUPERSTORE), "--mapping", "superstore", "--team", "T0CLI",
        env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert "5,009 created" in imported.stdout
    exported = run_cli("export", "orders", "--team", "T0CLI", env=env, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(rows) == 9_994
    assert sum(Decimal(row["line_total"]) for row in rows) == Decimal("2297200.8603")
    # `salesbot export orders | head -1`: the reader goes away; no traceback, status 141.
    shell = f"{SALESBOT} export orders --team T0CLI | head -1"
    piped = subprocess.run(
        ["bash", "-c", f"{shell}; exit ${{PIPESTATUS[0]}}"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert piped.returncode == 141
    assert piped.stdout.startswith("order_id,")
    assert "Traceback" not in piped.stderr
