"""/sales report in `salesbot shell --demo`: the table in the terminal, the chart saved as a
PNG and the CSV saved beside it under ./charts, and a bad word answered with the usage."""

from __future__ import annotations

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tests.app.test_cli import ShellSession
from tests.processes import clean_env, sqlite_url

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_shell_shows_a_report_and_saves_its_chart_and_csv(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "shell.db"))
    shell = ShellSession("--demo", env=env, cwd=tmp_path)
    try:
        shell.read_until(r"Salesbot shell", timeout=180)
        shell.type("/sales report revenue by category last-month compare:mom csv")
        out = shell.read_until(r"^\[file\] Revenue by category .*\(CSV\)")
        assert re.search(r"Category\s+\w+ \d{4}\s+\w+ \d{4}\s+Change", out), out
        total = re.search(r"^Total\s+(\$[\d,]+\.\d\d)\s+\$[\d,]+\.\d\d\s+[▲▼]", out, re.M)
        assert total, out
        assert "Furniture" in out and "Month over month: against" in out
        saved = {path.suffix: path for path in (tmp_path / "charts").iterdir()}
        assert set(saved) == {".png", ".csv"}
        assert saved[".png"].read_bytes().startswith(PNG)
        rows = list(csv.reader(io.StringIO(saved[".csv"].read_text(encoding="utf-8-sig"))))
        assert rows[0][:3] == ["key", "category", "revenue"]
        assert {row[0] for row in rows[1:-1]} >= {"Furniture", "Technology", "Office Supplies"}
        # The CSV's exact total is the card's, rounded to cents.
        exact = f"${Decimal(rows[-1][2]).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
        assert rows[-1][:2] == ["total", "Total"] and exact == total.group(1)

        shell.type("/sales report units by week")
        out = shell.read_until(r"^\[file\] Units by week")
        assert "Week of" in out and re.search(r"^Total\s+[\d,]+$", out, re.M), out
        assert len(list((tmp_path / "charts").glob("*.png"))) == 2

        shell.type("/sales report revenue by colour")
        shell.read_until(r"“colour” is not something to break a report down by")
        shell.type("quit")
        assert shell.wait() == 0
        assert "Traceback" not in shell.stderr()
    finally:
        shell.kill()
