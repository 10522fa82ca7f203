"""A real `salesbot serve --http` process and a real database for it, for end-to-end tests."""

from __future__ import annotations

import contextlib
import json
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot import payloads
from bot.local_slack import Call, LocalSlack
from storage.engine import normalise_url
from tests.conftest import BOT_TOKEN, PG_URL, SIGNING_SECRET
from tests.harness import CHANNEL, TEAM, USER, Reply
from tests.processes import ACK_LIMIT, SALESBOT, clean_env, free_port, run_cli, sqlite_url, stop

TIMEZONE = "America/New_York"


@dataclass
class ServedBot:
    """A `salesbot serve --http` process and the LocalSlack it talks to."""

    url: str
    slack: LocalSlack
    proc: subprocess.Popen[bytes]
    stderr_path: Path
    acks: list[float] = field(default_factory=list)

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def post(
        self,
        body: str,
        *,
        signed: bool = True,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
    ) -> Reply:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signed:
            headers.update(payloads.sign(secret, body, timestamp))
        request = urllib.request.Request(
            f"{self.url}/slack/events", data=body.encode(), headers=headers, method="POST"
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                reply = Reply(response.status, response.read().decode(), 0.0)
        except urllib.error.HTTPError as error:
            reply = Reply(error.code, error.read().decode(), 0.0)
        reply.seconds = time.monotonic() - started
        self.acks.append(reply.seconds)
        return reply

    def command(self, command: str, text: str = "") -> tuple[Reply, str, str]:
        """A signed slash command; (reply, its trigger_id, its response_url key)."""
        key = secrets.token_hex(6)
        body = payloads.slash_command(
            command,
            text,
            team_id=TEAM,
            user_id=USER,
            channel_id=CHANNEL,
            response_url=self.slack.response_url(key),
        )
        reply = self.post(body)
        assert reply.seconds < ACK_LIMIT, f"{command} {text} acked after {reply.seconds:.2f}s"
        return reply, parse_qs(body)["trigger_id"][0], key

    def submit(self, view: dict[str, Any], values: dict[str, Any]) -> Reply:
        reply = self.post(payloads.view_submission(view, values, team_id=TEAM, user_id=USER))
        assert reply.seconds < ACK_LIMIT, f"submission acked after {reply.seconds:.2f}s"
        return reply

    def posted_to(self, key: str, timeout: float = 10) -> dict[str, Any]:
        """The message the app posted to the response_url with this key."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = [
                c for c in self.slack.calls_to("response_url") if c.args["response_key"] == key
            ]
            if calls:
                return calls[-1].args
            time.sleep(0.05)
        raise AssertionError(f"nothing posted to response_url {key} within {timeout}s")

    def opened_view(self, trigger_id: str, timeout: float = 10) -> Call:
        """The views.open call made with this trigger_id."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for call in self.slack.calls_to("views.open"):
                if call.args.get("trigger_id") == trigger_id:
                    return call
            time.sleep(0.05)
        opened = [c.args.get("trigger_id") for c in self.slack.calls_to("views.open")]
        raise AssertionError(f"no views.open with trigger {trigger_id}; got {opened}")


def get(url: str, timeout: float = 2) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def start_serving(database_url: str, workdir: Path) -> Iterator[ServedBot]:
    """Upgrade the database with the CLI, serve it, wait for /healthz; always stop after."""
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        DATABASE_URL=database_url,
        SALESBOT_TIMEZONE=TIMEZONE,
    )
    upgraded = run_cli("db", "upgrade", env=env, cwd=workdir)
    assert upgraded.returncode == 0, upgraded.stderr

    with LocalSlack(team_id=TEAM) as slack:
        env["SLACK_API_URL"] = slack.api_url
        port = free_port()
        stderr_path = workdir / "serve.stderr"
        with stderr_path.open("wb") as stderr:
            proc = subprocess.Popen(
                [str(SALESBOT), "serve", "--http", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=subprocess.STDOUT,
            )
        served = ServedBot(f"http://127.0.0.1:{port}", slack, proc, stderr_path)
        try:
            wait_healthy(served)
            yield served
        finally:
            if stop(proc) is None:
                print(f"serve did not stop on SIGTERM; stderr:\n{served.stderr()}")


def wait_healthy(served: ServedBot, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if served.proc.poll() is not None:
            raise AssertionError(f"serve exited with {served.proc.returncode}:\n{served.stderr()}")
        try:
            status, body = get(f"{served.url}/healthz", timeout=1)
        except OSError as exc:  # not listening yet
            last = repr(exc)
        else:
            if status == 200 and json.loads(body).get("ok") is True:
                return
            last = f"{status} {body}"
        time.sleep(0.1)
    raise AssertionError(f"/healthz not ok within {timeout}s ({last}):\n{served.stderr()}")


@contextlib.contextmanager
def fresh_database(backend: str, workdir: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if backend == "sqlite":
        yield sqlite_url(workdir / "s.db")
        return
    assert PG_URL, "the postgresql backend needs TEST_DATABASE_URL"
    admin_url = make_url(normalise_url(PG_URL))
    name = f"salesbot_cli_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        # Hand the CLI the URL people paste (postgresql://), not our driver-qualified one.
        url = admin_url.set(drivername="postgresql", database=name)
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
