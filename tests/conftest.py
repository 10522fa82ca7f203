"""Fixtures: a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set),
a local stand-in for Slack's Web API, and the real app served over real HTTP."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.local_slack import LocalSlack
from bot.services import Services, build_services
from bot.settings import Settings
from domain.clock import FrozenClock
from storage.engine import make_engine, normalise_url
from storage.migrate import upgrade
from storage.orm import Base
from tests.harness import TEAM, RunningBot

PG_URL = os.environ.get("TEST_DATABASE_URL")
REQUIRE_PG = os.environ.get("SALESBOT_REQUIRE_POSTGRES") == "1"
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
START = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # a Monday afternoon


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_PG and not PG_URL:
        pytest.exit("SALESBOT_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set", returncode=3)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG_URL:
        # SQLite-only tests have a PostgreSQL twin; they are left out here, not skipped.
        sqlite_only = [item for item in items if item.get_closest_marker("sqlite")]
        if sqlite_only:
            config.hook.pytest_deselected(items=sqlite_only)
            items[:] = [item for item in items if not item.get_closest_marker("sqlite")]
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


_SKIPPED_UNDER_REQUIRE_PG: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # In CI's PostgreSQL run nothing may be skipped: a skip there hides a broken setup.
    if REQUIRE_PG and report.skipped and not hasattr(report, "wasxfail"):
        _SKIPPED_UNDER_REQUIRE_PG.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _SKIPPED_UNDER_REQUIRE_PG:
        print("\nskipped while SALESBOT_REQUIRE_POSTGRES=1 (not allowed):")
        for nodeid in _SKIPPED_UNDER_REQUIRE_PG:
            print(f"  {nodeid}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database for this test session."""
    if PG_URL:
        admin_url = make_url(normalise_url(PG_URL))
        name = f"salesbot_test_{secrets.token_hex(4)}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'salesbot.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    if PG_URL:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def clean_database(database_url: str) -> Iterator[str]:
    """The session's database, emptied after the test."""
    yield database_url
    engine = make_engine(database_url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


def make_settings(database_url: str, api_url: str = "http://127.0.0.1:9/api/") -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=api_url,
        database_url=database_url,
        salesbot_timezone="America/New_York",
    )


@pytest.fixture
def settings(clean_database: str) -> Settings:
    return make_settings(clean_database)


@pytest.fixture
def services(settings: Settings, clock: FrozenClock) -> Iterator[Services]:
    built = build_services(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def slack() -> Iterator[LocalSlack]:
    """Slack's Web API, played locally; any invalid payload the app sends fails the test."""
    with LocalSlack(team_id=TEAM) as local:
        yield local
        local.assert_no_problems()


@pytest.fixture
def bot(clean_database: str, clock: FrozenClock, slack: LocalSlack) -> Iterator[RunningBot]:
    """The real app behind real HTTP (waitress), talking to the local Slack."""
    with RunningBot(make_settings(clean_database, slack.api_url), clock, slack) as running:
        yield running
