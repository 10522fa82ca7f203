"""Engine settings and migrations, on the database under test."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from bot.settings import Settings
from storage.engine import make_engine, normalise_url
from storage.migrate import current_revision, head_revision, is_up_to_date, upgrade


def test_sqlite_gets_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    engine.dispose()


def test_sqlite_refuses_rows_of_a_workspace_that_does_not_exist(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fk.db'}")
    upgrade(engine)
    with pytest.raises(Exception, match="FOREIGN KEY"), engine.begin() as conn:
        conn.execute(text("INSERT INTO sequences (team_id, name, value) VALUES ('T0NONE', 'x', 0)"))
    engine.dispose()


def test_migrations_reach_head_and_create_every_table(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    assert is_up_to_date(engine)
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {
        "workspaces",
        "users",
        "customers",
        "contacts",
        "sequences",
        "idempotency_keys",
    } <= tables
    # slack_sdk's OAuth states belong to installs still under way: no workspace yet.
    for table in tables - {"alembic_version", "slack_oauth_states"}:
        columns = {c["name"] for c in inspect(engine).get_columns(table)}
        assert "team_id" in columns, f"{table} has no team_id"
    engine.dispose()


def test_a_fresh_database_is_behind_until_upgraded(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert not is_up_to_date(engine)
    upgrade(engine)
    upgrade(engine)  # running it again changes nothing
    assert is_up_to_date(engine)
    engine.dispose()


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///salesbot.db", "sqlite:///salesbot.db"),
    ],
)
def test_pasted_database_urls_use_our_driver(given: str, used: str) -> None:
    assert normalise_url(given) == used
