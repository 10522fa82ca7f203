"""`salesbot shell --demo`: the digest on demand, shown in the terminal, its chart saved as a
PNG under ./charts; and configuring a channel's digest from the console."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.app.test_cli import STARTUP, ShellSession
from tests.processes import clean_env, sqlite_url


@pytest.mark.slow
def test_digest_now_in_the_shell_shows_the_digest_and_saves_its_chart(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "shell.db"))
    shell = ShellSession("--demo", env=env, cwd=tmp_path)
    try:
        shell.read_until(r"Salesbot shell", timeout=STARTUP)
        shell.type("/salesbot digest now")
        out = shell.read_until(r"saved to .*digest-\d{4}-\d{2}-\d{2}\.png")
        assert "Daily digest ·" in out
        assert re.search(r"Yesterday.*(vs|no sales)", out), out
        assert "Tasks due today" in out and "Low stock" in out
        assert "Posted today's digest" in shell.read_until(r"Posted today's digest")
        (chart,) = (tmp_path / "charts").glob("*digest-*.png")
        assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

        shell.type("/salesbot digest <#C0SHELL|shell> 7:30")
        saved = shell.read_until(r"gets the daily digest at 07:30")
        assert "Traceback" not in saved
        shell.type("/salesbot digest <#C0SHELL|shell> 25:00")
        assert "HH:MM" in shell.read_until(r"HH:MM")

        shell.type("quit")
        assert shell.wait() == 0
        assert "Traceback" not in shell.stderr()
    finally:
        shell.kill()
