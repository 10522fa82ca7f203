"""What every request gets from the platform layer: signatures, help, errors, retries."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

import commands
from bot import payloads
from bot.local_slack import LocalSlack
from domain.clock import FrozenClock
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.conftest import START, make_settings
from tests.harness import RunningBot

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def command_body(bot: RunningBot, text_: str = "help") -> str:
    return payloads.slash_command(
        "/customer",
        text_,
        team_id="T0TEST",
        user_id="U0ALICE",
        channel_id="C0SALES",
        response_url=bot.slack.response_url(),
    )


def test_unsigned_requests_are_refused(bot: RunningBot) -> None:
    assert bot.post(command_body(bot), signed=False).status == 401


def test_requests_with_a_wrong_signature_are_refused(bot: RunningBot) -> None:
    body = command_body(bot)
    forged = payloads.sign("not-the-secret", body)
    assert bot.post(body, signed=False, headers=forged).status == 401


def test_stale_requests_are_refused(bot: RunningBot) -> None:
    six_minutes_ago = int(time.time()) - 6 * 60
    assert bot.post(command_body(bot), timestamp=six_minutes_ago).status == 401
    assert bot.slack.calls_to("response_url") == []


def test_a_tampered_body_is_refused(bot: RunningBot) -> None:
    body = command_body(bot, "help")
    headers = payloads.sign("test-signing-secret", body)
    assert bot.post(body.replace("help", "add"), signed=False, headers=headers).status == 401


def test_healthz_reports_the_database(bot: RunningBot) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"ok": True, "database": "ok"}


def test_every_manifest_command_answers_help(bot: RunningBot) -> None:
    declared = yaml.safe_load(MANIFEST.read_text())["features"]["slash_commands"]
    for entry in declared:
        reply = bot.command(entry["command"], "help")
        assert reply.status == 200, entry["command"]
        assert entry["command"] in reply.text


def test_salesbot_help_lists_every_command_once(bot: RunningBot) -> None:
    reply = bot.command("/salesbot", "help")
    shown = reply.json()["blocks"][1]["text"]["text"]
    for spec in commands.SPECS:
        assert shown.count(f"`{spec.name}`") == 1
        assert spec.summary in shown


def test_unknown_salesbot_subcommand_says_what_exists(bot: RunningBot) -> None:
    reply = bot.command("/salesbot", "frobnicate <!here>")
    assert reply.status == 200
    assert "`frobnicate` is not a /salesbot subcommand" in reply.text
    assert "/salesbot help" in reply.text
    assert "<!here>" not in reply.text


def test_the_web_client_retries_when_slack_rate_limits(bot: RunningBot) -> None:
    bot.slack.fail_next("views.open", status=429, retry_after=1)
    reply = bot.command("/customer", "add")
    assert reply.status == 200
    bot.settle()
    statuses = [c.status for c in bot.slack.calls_to("views.open")]
    assert statuses == [429, 200]


def test_the_web_client_retries_server_errors(bot: RunningBot) -> None:
    bot.slack.fail_next("views.open", status=503)
    bot.command("/customer", "add")
    assert [c.status for c in bot.slack.calls_to("views.open")] == [503, 200]


@pytest.fixture
def broken_bot(tmp_path: Path, slack: LocalSlack) -> Iterator[RunningBot]:
    """An app whose database has lost a table: every customer query fails."""
    url = f"sqlite:///{tmp_path / 'broken.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE contacts"))
        conn.execute(text("DROP TABLE customers"))
    engine.dispose()
    with RunningBot(make_settings(url, slack.api_url), FrozenClock(START), slack) as running:
        yield running


def test_unexpected_errors_after_ack_reach_the_person_with_an_error_id(
    broken_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="salesbot.errors"):
        reply = broken_bot.command("/customer", "acme")
    assert reply.status == 200
    apology = broken_bot.last_response()
    assert apology["response_type"] == "ephemeral"
    error_id = re.search(r"error `([0-9a-f]{8})`", apology["text"]).group(1)
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the traceback is logged with the id
    assert "Traceback" not in apology["text"] and "sqlite" not in apology["text"].lower()


def test_unexpected_errors_before_ack_are_answered_in_the_response(
    tmp_path: Path, slack: LocalSlack, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"  # never migrated: the tenant lookup fails
    with (
        RunningBot(make_settings(url, slack.api_url), FrozenClock(START), slack) as running,
        caplog.at_level(logging.ERROR),
    ):
        reply = running.command("/customer", "acme")
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    assert re.search(
        r"Sorry, something went wrong on our side \(error `[0-9a-f]{8}`\)", answer["text"]
    )


def test_a_failed_modal_save_closes_the_form_and_apologises_by_dm(
    broken_bot: RunningBot,
) -> None:
    view = {
        "id": "V1",
        "type": "modal",
        "callback_id": "customer_save",
        "private_metadata": json.dumps({"id": None, "k": "tok"}),
        "blocks": [],
    }
    values = {"customer_name": {"value": {"type": "plain_text_input", "value": "Acme"}}}
    reply = broken_bot.submit(view, values)
    assert reply.status == 200 and reply.body == ""
    dm = broken_bot.slack.calls_to("chat.postMessage")[-1].args
    assert dm["channel"] == "U0ALICE"
    assert "Sorry, something went wrong" in dm["text"]
