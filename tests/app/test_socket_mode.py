"""`salesbot serve --socket` end to end, with LocalSlack playing Slack's Socket Mode.

The real console script runs as a subprocess with slack_bolt's builtin SocketModeHandler. It
opens its connection with apps.connections.open (xapp- token) against LocalSlack. Envelopes
go out over the WebSocket, and the acks plus the Web API calls the app makes come back to
LocalSlack. Everything stays on 127.0.0.1 and every wait is bounded.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl

import pytest

from bot import payloads
from bot.local_slack import Call, LocalSlack
from commands.ids import BlockId
from tests.harness import CHANNEL, TEAM, USER, text_values
from tests.processes import ACK_LIMIT, SALESBOT, clean_env, stop

pytestmark = pytest.mark.slow

BOT_TOKEN = "xoxb-test"
APP_TOKEN = "xapp-test"
SIGNING_SECRET = "anything"
START_LIMIT = 30.0  # seconds for the process to import, check the schema and connect


def socket_env(database_url: str, api_url: str) -> dict[str, str]:
    """What serve --socket needs, and no other Salesbot setting or proxy."""
    return clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
    )


@dataclass
class SocketBot:
    """A running `salesbot serve --socket` and the LocalSlack it is connected to."""

    slack: LocalSlack
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def send(self, envelope_type: str, payload: dict[str, Any]) -> tuple[dict | None, float]:
        """Send one envelope; (the ack's payload or None, seconds until it came)."""
        started = time.monotonic()
        ack = self.slack.socket_send(envelope_type, payload, timeout=ACK_LIMIT + 2)
        return ack, time.monotonic() - started

    def command(self, command: str, text: str) -> tuple[dict[str, str], str]:
        """A slash command as Socket Mode delivers it (the form fields as a dict); its key."""
        key = f"cmd-{time.monotonic_ns()}"
        body = payloads.slash_command(
            command,
            text,
            team_id=TEAM,
            user_id=USER,
            channel_id=CHANNEL,
            response_url=self.slack.response_url(key),
        )
        return dict(parse_qsl(body, keep_blank_values=True)), key

    def wait(self, method: str, match: dict[str, Any], timeout: float) -> Call:
        """The first call to `method` whose args contain `match`, within `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            for call in self.slack.calls_to(method):
                if all(call.args.get(k) == v for k, v in match.items()):
                    return call
            if time.monotonic() >= deadline:
                seen = [c.args for c in self.slack.calls_to(method)]
                raise AssertionError(f"no {method} with {match} within {timeout}s; got {seen}")
            time.sleep(0.02)


def wait_connected(bot: SocketBot, timeout: float = START_LIMIT) -> Call:
    """The socket.connect of the bot's connection; fails early if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bot.proc.poll() is not None:
            raise AssertionError(f"serve --socket exited with {bot.proc.returncode}:\n{bot.log()}")
        try:
            return bot.slack.wait_for_socket(timeout=0.25)
        except AssertionError:
            continue
    raise AssertionError(f"serve --socket did not connect within {timeout}s:\n{bot.log()}")


def run_socket_bot(workdir: Path) -> Iterator[SocketBot]:
    """Upgrade a fresh SQLite database, serve it over Socket Mode, always stop it after."""
    with LocalSlack(team_id=TEAM) as slack:
        env = socket_env(f"sqlite:///{workdir / 's.db'}", slack.api_url)
        upgraded = subprocess.run(
            [str(SALESBOT), "db", "upgrade"],
            env=env,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert upgraded.returncode == 0, upgraded.stderr
        log_path = workdir / "serve.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [str(SALESBOT), "serve", "--socket"],
                env=env,
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        bot = SocketBot(slack, proc, log_path)
        try:
            wait_connected(bot)
            yield bot
        finally:
            # Stop the process before LocalSlack, or it would try to reconnect.
            if stop(proc) is None:
                print(f"serve --socket did not stop on SIGTERM; log:\n{bot.log()}")


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SocketBot]:
    """One `salesbot serve --socket` for this module's envelope tests."""
    yield from run_socket_bot(tmp_path_factory.mktemp("socket"))


def customer_values(name: str) -> dict[str, Any]:
    values = text_values(
        **{
            BlockId.CUSTOMER_NAME: name,
            BlockId.CUSTOMER_COMPANY: "Acme Corp",
            BlockId.CUSTOMER_EMAIL: "buyer@acme.example",
            BlockId.CUSTOMER_PHONE: None,
            BlockId.CUSTOMER_TAGS: None,
        }
    )
    values[BlockId.CUSTOMER_OWNER] = {"value": {"type": "users_select", "selected_user": USER}}
    return values


def test_the_connection_used_the_app_level_token(bot: SocketBot) -> None:
    opened = bot.slack.calls_to("apps.connections.open")
    assert opened and opened[0].token == APP_TOKEN and opened[0].result["ok"] is True
    connect = bot.slack.calls_to("socket.connect")[0]
    assert connect.token == APP_TOKEN and connect.result["ok"] is True
    auth = bot.slack.calls_to("auth.test")
    assert auth and all(call.token == BOT_TOKEN for call in auth)  # Web API calls: bot token


def test_customer_add_opens_the_form_and_the_submission_answers_with_the_card(
    bot: SocketBot,
) -> None:
    command, key = bot.command("/customer", "add Acme")
    ack, seconds = bot.send("slash_commands", command)
    assert ack == {}, ack  # a bare ack: the modal is the answer
    assert seconds < ACK_LIMIT
    assert bot.slack.calls_to("socket.ack")[-1].result["elapsed"] < ACK_LIMIT

    # trigger_ids expire 3 s after Slack sends them: count from the envelope, not the ack.
    trigger = {"trigger_id": command["trigger_id"]}
    opened = bot.wait("views.open", trigger, timeout=max(0.0, ACK_LIMIT - seconds))
    assert opened.token == BOT_TOKEN and opened.result["ok"] is True, opened.result
    form = opened.args["view"]
    assert form["type"] == "modal"
    assert command["response_url"] in form["private_metadata"]  # where the card will go
    first_input = next(b for b in form["blocks"] if b["type"] == "input")
    assert first_input["block_id"] == BlockId.CUSTOMER_NAME
    assert first_input["element"]["initial_value"] == "Acme"

    body = payloads.view_submission(
        opened.result["view"], customer_values("Acme"), team_id=TEAM, user_id=USER
    )
    submission = json.loads(parse_qs(body)["payload"][0])  # Socket Mode sends the object
    ack, seconds = bot.send("interactive", submission)
    assert ack == {}, ack  # closes the modal
    assert seconds < ACK_LIMIT

    # The card goes to the response_url the modal kept in its private_metadata.
    card = bot.wait("response_url", {"response_key": key}, timeout=10).args
    assert "C-1" in card["text"] and "Acme" in card["text"], card
    assert "buyer@acme.example" in json.dumps(card.get("blocks", []))
    bot.slack.assert_no_problems()


def test_salesbot_help_is_the_acks_payload(bot: SocketBot) -> None:
    command, _ = bot.command("/salesbot", "help")
    ack, seconds = bot.send("slash_commands", command)
    assert seconds < ACK_LIMIT
    assert ack is not None and isinstance(ack.get("text"), str) and ack["text"], ack
    assert isinstance(ack.get("blocks"), list) and ack["blocks"], ack
    shown = ack["text"] + json.dumps(ack["blocks"])
    assert "/customer" in shown and "/salesbot" in shown
    assert ack.get("response_type", "ephemeral") == "ephemeral"
    bot.slack.assert_no_problems()


def test_sigterm_stops_serve_socket_cleanly(tmp_path: Path) -> None:
    running = run_socket_bot(tmp_path)
    bot = next(running)
    try:
        command, _ = bot.command("/salesbot", "help")
        ack, _ = bot.send("slash_commands", command)
        assert ack and ack.get("text"), ack
        bot.proc.send_signal(signal.SIGTERM)
        code = bot.proc.wait(timeout=10)
    finally:
        running.close()  # kills it if it is still there, then stops LocalSlack
    log = bot.log()
    assert code == 0, log
    assert "Traceback" not in log, log
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in log, f"{secret} leaked into the log"
    closed = bot.slack.calls_to("socket.close")
    assert closed and closed[-1].args["by"] == "client", closed
    bot.slack.assert_no_problems()
