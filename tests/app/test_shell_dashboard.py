"""/sales in `salesbot shell --demo`: the card in the terminal, the chart saved as a PNG under
./charts, and Share to channel from the card's numbered button."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.app.test_cli import ShellSession
from tests.processes import clean_env, sqlite_url

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_shell_shows_the_dashboard_and_writes_the_chart(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "shell.db"))
    shell = ShellSession("--demo", env=env, cwd=tmp_path)
    try:
        shell.read_until(r"Salesbot shell", timeout=180)
        shell.type("/sales last-month")
        out = shell.read_until(r"^\[file\] Revenue per day")
        assert re.search(r"Revenue\s+\$[\d,]+\.\d\d", out), out
        assert "vs previous period" in out and "vs same period last year" in out
        assert "Top products" in out and "Top categories" in out and "Furniture" in out
        [chart] = list((tmp_path / "charts").iterdir())
        assert chart.suffix == ".png" and chart.read_bytes().startswith(PNG)
        share = re.search(r"\[(\d+)\] Share to channel", out)
        assert share, out
        shell.type(share.group(1))
        out = shell.read_until(r"^\[file\] Revenue per day")
        assert "Shared by" in out
        assert len(list((tmp_path / "charts").iterdir())) == 2

        shell.type("/sales 2025-13")
        out = shell.read_until(r"months run from 01 to 12")
        shell.type("quit")
        assert shell.wait() == 0
        assert "Traceback" not in shell.stderr()
    finally:
        shell.kill()
