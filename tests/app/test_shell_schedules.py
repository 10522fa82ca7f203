"""Saved and scheduled reports in `salesbot shell`: typed as in Slack, buttons pressed by
number, replies rendered in the terminal."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, update

from storage.orm_reports import ReportScheduleRow
from tests.app.test_cli import STARTUP, ShellSession, button_number
from tests.processes import clean_env, sqlite_url


@pytest.mark.slow
def test_shell_saves_schedules_lists_and_pauses_a_report(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "shell.db"), SALESBOT_TIMEZONE="UTC")
    session = ShellSession(env=env, cwd=tmp_path)
    try:
        session.read_until(r"Salesbot shell", timeout=STARTUP)
        session.type("/sales save pulse month by:week")
        saved = session.read_until(r"Saved")
        assert "Saved “pulse”: /sales month by:week" in saved

        session.type('/sales save "Top products" report revenue by product quarter top:5')
        assert "/sales report revenue by product quarter top:5" in session.read_until(r"Saved")

        session.type("/sales schedule pulse <#C0SALES|sales> weekly fri 16:00")
        scheduled = session.read_until(r"S-1")
        assert "every Friday at 16:00" in scheduled

        session.type("/sales schedule pulse sales daily 08:30")
        assert "isn't a channel" in session.read_until(r"isn't a channel")

        session.type("/sales saved")
        listed = session.read_until(r"Schedule one")
        assert "Top products" in listed and "not scheduled" in listed
        assert "every Friday at 16:00" in listed

        session.type("/sales schedules")
        schedules = session.read_until(r"\[\d+\] Delete")
        session.type(button_number(schedules, "Pause"))
        paused = session.read_until(r"\[\d+\] Resume")
        assert "Paused: S-1" in paused or "Paused: *S-1*" in paused, paused

        session.type("quit")
        assert session.wait() == 0
    finally:
        session.kill()


@pytest.mark.slow
def test_shell_schedules_into_a_typed_channel_and_posts_when_due(tmp_path: Path) -> None:
    """`#sales` typed in the shell becomes a channel link; the shell's tick posts the run."""
    db = tmp_path / "shell.db"
    env = clean_env(DATABASE_URL=sqlite_url(db), SALESBOT_TIMEZONE="UTC")
    session = ShellSession(env=env, cwd=tmp_path)
    try:
        session.read_until(r"Salesbot shell", timeout=STARTUP)
        session.type("/sales save pulse today")
        session.read_until(r"Saved")
        session.type("/sales schedule pulse #sales daily 08:30")
        scheduled = session.read_until(r"S-1")
        assert "every day at 08:30" in scheduled, scheduled
        assert "isn't a channel" not in scheduled

        # Its time comes (the shell runs on the system clock): yesterday's 08:30, as if
        # scheduled the day before.
        last_run = datetime.combine(datetime.now(UTC).date(), time(8, 30), tzinfo=UTC)
        if last_run > datetime.now(UTC):
            last_run -= timedelta(days=1)
        engine = create_engine(sqlite_url(db))
        with engine.begin() as connection:
            connection.execute(
                update(ReportScheduleRow).values(
                    next_run_at=last_run, created_at=last_run - timedelta(days=1)
                )
            )
        engine.dispose()
        session.type(":tick")
        posted = session.read_until(r"Scheduled report")
        assert "pulse" in posted, posted

        session.type("quit")
        assert session.wait() == 0
    finally:
        session.kill()
