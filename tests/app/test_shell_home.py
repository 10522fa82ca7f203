"""The Home tab in `salesbot shell --demo`: typed `home`, rendered, its buttons pressed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.test_cli import STARTUP, ShellSession
from tests.processes import clean_env, sqlite_url

HOME_END = r"low on stock"  # the tab's last section


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[ShellSession]:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "shell.db"), SALESBOT_TIMEZONE="UTC")
    session = ShellSession("--demo", env=env, cwd=tmp_path)
    try:
        yield session
    finally:
        session.kill()


def done_number(home: str, title: str) -> str:
    match = re.search(rf"{re.escape(title)}[^\n]*\n\[(\d+)\] Done", home)
    assert match, f"no Done button under {title!r} in:\n{home}"
    return match.group(1)


@pytest.mark.slow
def test_shell_opens_the_home_tab_and_presses_done(shell: ShellSession) -> None:
    shell.read_until(r"Salesbot shell", timeout=STARTUP)
    shell.type("/task add Call the demo client due:tomorrow 9am")
    added = shell.read_until(r"Home tab was updated")
    task_id = re.search(r"Added (T-\d+) Call the demo client", added)
    assert task_id, added

    shell.type("home")
    home = shell.read_until(HOME_END)
    for section in ("My tasks", "My open deals", "This month", "Leaderboard"):
        assert re.search(rf"^{section}$", home, re.M), home
    assert re.search(r"\[\d+\] Record sale  \[\d+\] Log activity  \[\d+\] Add task", home)
    assert "Call the demo client · due tomorrow 09:00" in home
    assert re.search(r"Revenue\s+Orders", home) and "last month $" in home
    assert re.search(r"@U0(LOCAL|PRIYA|MARCO) — \$[\d,]+\.\d\d · \d+ orders", home), home

    shell.type(done_number(home, "Call the demo client"))
    after = shell.read_until(HOME_END)
    assert f"{task_id.group(1)} Call the demo client is done" in after
    assert "Call the demo client · due" not in after

    # Log activity from the tab opens the /log form; 'cancel' closes it.
    log = re.search(r"\[(\d+)\] Log activity", after)
    assert log, after
    shell.type(log.group(1))
    shell.read_until(r"^Type\b")
    shell.type("cancel")
    shell.read_until(r"form closed")

    shell.type("quit")
    assert shell.wait() == 0
    assert "Traceback" not in shell.stderr()
