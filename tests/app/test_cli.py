"""The installed `salesbot` console script, run as real subprocesses the way an operator would.

Start-up checks (one-line configuration errors, exit code 2), the schema commands, the demo
seeder, the terminal shell driven through stdin, and `serve --http` answering signed requests
over real HTTP while a LocalSlack plays Slack's Web API.
"""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot import payloads
from bot.local_slack import LocalSlack
from commands.ids import BlockId
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.harness import CHANNEL, TEAM, USER, text_values
from tests.processes import (
    ACK_LIMIT,
    SALESBOT,
    clean_env,
    free_port,
    run_cli,
    sqlite_url,
    stderr_lines,
)
from tests.served import BACKENDS, TIMEZONE, ServedBot, fresh_database, get, start_serving

# -- 1. configuration errors ------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigCase:
    env: dict[str, str | None]
    args: tuple[str, ...]
    name: str  # the variable the message must name
    looks_like: str  # a piece of what it should look like


CONFIG_CASES = [
    pytest.param(
        ConfigCase({"SLACK_BOT_TOKEN": "abc"}, ("serve", "--http"), "SLACK_BOT_TOKEN", "xoxb-"),
        id="malformed-bot-token",
    ),
    pytest.param(
        ConfigCase({"SLACK_BOT_TOKEN": None}, ("serve", "--http"), "SLACK_BOT_TOKEN", "xoxb-"),
        id="missing-bot-token",
    ),
    pytest.param(
        ConfigCase(
            {"SLACK_SIGNING_SECRET": None},
            ("serve", "--http"),
            "SLACK_SIGNING_SECRET",
            "signing secret",
        ),
        id="missing-signing-secret",
    ),
    pytest.param(
        ConfigCase({}, ("serve", "--socket"), "SLACK_APP_TOKEN", "xapp-"),
        id="missing-app-token",
    ),
    pytest.param(
        ConfigCase(
            {"SLACK_APP_TOKEN": "xoxb-wrong-kind"},
            ("serve", "--socket"),
            "SLACK_APP_TOKEN",
            "xapp-",
        ),
        id="malformed-app-token",
    ),
    pytest.param(
        ConfigCase(
            {"SALESBOT_TIMEZONE": "Mars/Olympus_Mons"},
            ("serve", "--http"),
            "SALESBOT_TIMEZONE",
            "Europe/Berlin",
        ),
        id="bad-timezone",
    ),
    pytest.param(
        ConfigCase(
            {"DATABASE_URL": "mysql://x"}, ("serve", "--http"), "DATABASE_URL", "postgresql://"
        ),
        id="unsupported-database",
    ),
    pytest.param(
        ConfigCase({"DATABASE_URL": "not a url"}, ("db", "upgrade"), "DATABASE_URL", "sqlite:///"),
        id="garbage-database-url",
    ),
]


def serve_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """Everything `serve --http` needs, valid; overrides replace or (None) drop variables."""
    values: dict[str, str | None] = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": "http://127.0.0.1:9/api/",  # nothing listens: never reached here
        "DATABASE_URL": sqlite_url(tmp_path / "s.db"),
        "SALESBOT_TIMEZONE": TIMEZONE,
    }
    values.update(overrides)
    return clean_env(**values)


def run_case(case: ConfigCase, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    args = list(case.args)
    if args[0] == "serve":  # if a case ever got through, it must not bind 0.0.0.0:3000
        args += ["--host", "127.0.0.1", "--port", str(free_port())]
    return run_cli(*args, env=serve_env(tmp_path, **case.env), cwd=tmp_path, timeout=30)


@pytest.mark.parametrize("case", CONFIG_CASES)
def test_configuration_error_is_one_line_naming_the_variable_and_exit_2(
    case: ConfigCase, tmp_path: Path
) -> None:
    result = run_case(case, tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = stderr_lines(result)
    assert len(lines) == 1, result.stderr  # no log lines, no traceback: just the problem
    assert lines[0].startswith("salesbot: configuration error: "), lines[0]
    assert case.name in lines[0] and case.looks_like in lines[0], lines[0]


def test_dot_env_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SALESBOT_TIMEZONE=Nowhere/Land\n")
    result = run_cli("db", "current", env=serve_env(tmp_path, SALESBOT_TIMEZONE=None), cwd=tmp_path)
    assert result.returncode == 2
    assert stderr_lines(result) == [
        "salesbot: configuration error: SALESBOT_TIMEZONE is malformed (unknown timezone): "
        "it should be an IANA timezone name such as Europe/Berlin or America/New_York."
    ]


def test_dot_env_supplies_settings_and_the_environment_wins(tmp_path: Path) -> None:
    from_file = tmp_path / "from-dotenv.db"
    (tmp_path / ".env").write_text(
        f"DATABASE_URL={sqlite_url(from_file)}\nSALESBOT_TIMEZONE=Nowhere/Land\n"
    )
    env = clean_env(SALESBOT_TIMEZONE="UTC")  # a real variable beats the bad .env line
    result = run_cli("db", "upgrade", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert from_file.exists()


# -- 2. schema commands -----------------------------------------------------------------------


def test_db_upgrade_creates_the_schema_and_current_reports_it(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "fresh.db"))
    before = run_cli("db", "current", env=env, cwd=tmp_path)
    assert before.returncode == 1  # not at the latest revision yet
    assert "(empty)" in before.stdout

    upgraded = run_cli("db", "upgrade", env=env, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    match = re.fullmatch(r"database at revision (\w+)\n", upgraded.stdout)
    assert match, upgraded.stdout
    revision = match.group(1)

    current = run_cli("db", "current", env=env, cwd=tmp_path)
    assert current.returncode == 0, current.stderr
    assert current.stdout == f"current {revision}; latest {revision}\n"

    again = run_cli("db", "upgrade", env=env, cwd=tmp_path)  # idempotent
    assert again.returncode == 0 and again.stdout == upgraded.stdout


UPGRADE_HINT = "salesbot: the database schema is not up to date: run `salesbot db upgrade`."


def test_serve_refuses_a_database_that_was_never_upgraded(tmp_path: Path) -> None:
    args = ("serve", "--http", "--host", "127.0.0.1", "--port", str(free_port()))
    result = run_cli(*args, env=serve_env(tmp_path), cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert stderr_lines(result) == [UPGRADE_HINT], result.stderr
    # It refused; it did not migrate on its own.
    env = serve_env(tmp_path)
    assert run_cli("db", "current", env=env, cwd=tmp_path).returncode == 1


def test_serve_stops_with_one_line_when_slack_refuses_the_bot_token(tmp_path: Path) -> None:
    env = serve_env(tmp_path)
    assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    with LocalSlack(team_id=TEAM) as slack:
        slack.fail_next("auth.test", error="invalid_auth")
        env["SLACK_API_URL"] = slack.api_url
        args = ("serve", "--http", "--host", "127.0.0.1", "--port", str(free_port()))
        result = run_cli(*args, env=env, cwd=tmp_path, timeout=30)
        assert [call.method for call in slack.calls] == ["auth.test"]
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    last = stderr_lines(result)[-1]
    assert last.startswith("salesbot: ") and "SLACK_BOT_TOKEN" in last, result.stderr
    assert "invalid_auth" in last
    assert BOT_TOKEN not in result.stderr


def test_slack_refusing_the_bot_token_is_the_only_line_on_stderr(tmp_path: Path) -> None:
    env = serve_env(tmp_path)
    assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    with LocalSlack(team_id=TEAM) as slack:
        slack.fail_next("auth.test", error="invalid_auth")
        env["SLACK_API_URL"] = slack.api_url
        args = ("serve", "--http", "--host", "127.0.0.1", "--port", str(free_port()))
        result = run_cli(*args, env=env, cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    assert len(stderr_lines(result)) == 1, result.stderr


@pytest.mark.parametrize("command", [("db", "upgrade"), ("serve", "--http")])
def test_a_database_that_cannot_be_opened_is_one_line_naming_it(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    args = list(command)
    if args[0] == "serve":
        args += ["--host", "127.0.0.1", "--port", str(free_port())]
    env = serve_env(tmp_path, DATABASE_URL=sqlite_url(tmp_path / "missing" / "dir" / "s.db"))
    result = run_cli(*args, env=env, cwd=tmp_path, timeout=30)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = stderr_lines(result)
    assert len(lines) == 1 and "DATABASE_URL" in lines[0], result.stderr


# -- 4. demo ----------------------------------------------------------------------------------


def test_demo_seeds_once_and_a_second_run_adds_nothing(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "demo.db"))
    first = run_cli("demo", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    match = re.search(r"(\d+) customers added", first.stdout)
    assert match and int(match.group(1)) > 0, first.stdout
    second = run_cli("demo", env=env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "0 customers added" in second.stdout
    assert run_cli("db", "current", env=env, cwd=tmp_path).returncode == 0


# -- 5. the terminal shell ----------------------------------------------------------------------


# `shell --demo` seeds a workspace (90 days of orders, a year of deals) before its prompt.
STARTUP = 120


class ShellSession:
    """`salesbot shell` with a pipe for stdin and a reader thread on stdout."""

    def __init__(self, *args: str, env: dict[str, str], cwd: Path) -> None:
        self._stderr = (cwd / "shell.stderr").open("w+")
        self.proc = subprocess.Popen(
            [str(SALESBOT), "shell", *args],
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            bufsize=1,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.transcript = ""
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def type(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def read_until(self, pattern: str, timeout: float = 30) -> str:
        """Output from now until a line matching `pattern` (regex) has been printed."""
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = self._lines.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                line = ""
            if line is None or (line == "" and remaining <= 0):
                text_so_far = "".join(seen)
                self.transcript += text_so_far
                ended = "the shell ended" if line is None else f"{timeout}s passed"
                raise AssertionError(
                    f"{ended} before /{pattern}/ appeared; output:\n{text_so_far}\n"
                    f"stderr:\n{self.stderr()}"
                )
            seen.append(line)
            if re.search(pattern, line):
                chunk = "".join(seen)
                self.transcript += chunk
                return chunk

    def stderr(self) -> str:
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read()

    def wait(self, timeout: float = 20) -> int:
        """The exit code, once the shell has ended on its own (stdin stays open)."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the shell was still running after {timeout}s") from None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._stderr.close()


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[ShellSession]:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "shell.db"))
    session = ShellSession("--demo", env=env, cwd=tmp_path)
    try:
        yield session
    finally:
        session.kill()


def button_number(output: str, label: str) -> str:
    match = re.search(rf"\[(\d+)\] {label}\b", output)
    assert match, f"no [n] {label} button in:\n{output}"
    return match.group(1)


@pytest.mark.slow
def test_shell_finds_edits_adds_and_helps(shell: ShellSession) -> None:
    start = shell.read_until(r"Salesbot shell", timeout=STARTUP)
    assert "Seeded the demo workspace" in start

    shell.type("/customer acme")
    # The demo's low-stock alerts arrive first, each with an "Edit rule" button.
    card = shell.read_until(r"\[\d+\] (Edit|Open)(?! rule)")
    for shown in ("Acme Corporation", "Acme Corp", "purchasing@acme.example", "C-"):
        assert shown in card, card

    # Press the card's Edit button: the same form, prefilled; Enter keeps every value.
    shell.type(button_number(card[card.index("Acme Corporation") :], "Edit"))
    shell.read_until(r"^Name\b.*\[current: Acme Corporation\]")
    for _ in range(5):  # Name, Company, Email, Phone, Owner: keep
        shell.type("")
    shell.type("vip, manufacturing, gold")  # Tags
    for _ in range(6):  # Industry, Street address, City, Region, Country, Notes: keep
        shell.type("")
    edited = shell.read_until(r"\[\d+\] Edit")
    assert "Acme Corporation" in edited and "purchasing@acme.example" in edited
    assert "vip, manufacturing, gold" in edited

    # Add with a prefilled name (kept with Enter) and a bad email first.
    shell.type("/customer add Zed Co")
    shell.read_until(r"^Name\b.*Zed Co")
    for answer in (
        "",
        "Zed Holdings",
        "not-an-email",
        "+1 555 010 0123",
        "",
        "new, west",
        "Optics",
        "",
        "Zürich",
        "",
        "Switzerland",
        "",
    ):
        shell.type(answer)
    error = shell.read_until(r"✗ Email")
    assert "name@example.com" in error  # says what a valid email looks like
    reasked = shell.read_until(r"^Email\b")
    assert not re.search(r"^(Name|Company|Phone|Owner|Tags)\b", reasked, re.M), reasked
    shell.type("zed@zed.example")
    added = shell.read_until(r"\[\d+\] Edit")
    for shown in (
        "Zed Co",
        "Zed Holdings",
        "zed@zed.example",
        "+1 555 010 0123",
        "new, west",
        "Optics",
        "Zürich, Switzerland",
    ):
        assert shown in added, added
    assert re.search(r"C-\d+", added)
    assert "✗" not in added  # no second error: only the email was asked again

    shell.type("/salesbot help")
    helped = shell.read_until(r"for details")  # the help's closing line
    assert re.search(r"^/customer\b", helped, re.M), helped
    assert re.search(r"^/salesbot\b", helped, re.M), helped

    shell.type("quit")  # ends the session by itself: stdin is not closed
    assert shell.wait() == 0
    assert "Traceback" not in shell.stderr()


@pytest.mark.slow
def test_shell_records_a_sale_and_moves_stock(shell: ShellSession) -> None:
    shell.read_until(r"Salesbot shell", timeout=STARTUP)
    shell.type("/stock receive OFF-PA-2001 200 supplier delivery")
    received = shell.read_until(r"\[\d+\] History")
    match = re.search(
        r"OFF-PA-2001 Copy Paper A4 80gsm \(5 reams\): (-?\d+) → (-?\d+) on hand", received
    )
    assert match, received
    before, after = int(match.group(1)), int(match.group(2))
    assert after == before + 200

    shell.type("/stock adjust OFF-PA-2001 ten lost")
    refused = shell.read_until(r"/stock adjust <SKU> <±qty> <reason>")
    assert "“ten” is not a whole number of units" in refused

    # The order form: customer and product searched, Add line, a second line, submit.
    shell.type("/sales record")
    shell.read_until(r"Type what to search for")
    for answer in ("globex", "1", "", "OFF-PA-2001", "1", "5", "", "", ""):
        shell.type(answer)
    form = shell.read_until(r"'edit' to change")
    shell.type(button_number(form, "Add line"))
    shell.read_until(r"Type what to search for")
    for answer in ("binder", "1", "20", "4.25", "0.1"):
        shell.type(answer)
    shell.read_until(r"'edit' to change")
    shell.type("")  # submit
    recorded = shell.read_until(r"^Total:")
    assert "5 × OFF-PA-2001 Copy Paper A4 80gsm (5 reams) @ $24.99 = $124.95" in recorded
    assert "20 × OFF-BI-2002 Ring Binder A4 2-ring @ $4.25 − 10% = $76.50" in recorded
    assert "Total: $201.45 · 2 lines" in recorded

    shell.type("/stock OFF-PA-2001")
    card = shell.read_until(r"\[\d+\] History")
    assert re.search(rf"^{after - 5}\b", card, re.M), card
    assert "sold -5" in card

    shell.type("quit")
    assert shell.wait() == 0
    assert "Traceback" not in shell.stderr()


def test_shell_ends_cleanly_at_end_of_input(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "shell.db"))
    result = run_cli("shell", env=env, cwd=tmp_path, stdin="help\n", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Type a slash command" in result.stdout
    assert "Traceback" not in result.stderr


# -- 3. serve --http for real ---------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedBot]:
    """One `salesbot serve --http` per backend for this module's HTTP tests."""
    workdir = tmp_path_factory.mktemp(f"serve-{request.param}")
    with fresh_database(request.param, workdir) as url:
        yield from start_serving(url, workdir)


@pytest.mark.slow
def test_healthz_answers_ok(served: ServedBot) -> None:
    status, body = get(f"{served.url}/healthz")
    assert status == 200
    assert json.loads(body)["ok"] is True


@pytest.mark.slow
def test_requests_without_a_valid_fresh_signature_are_refused(served: ServedBot) -> None:
    body = payloads.slash_command(
        "/salesbot",
        "help",
        team_id=TEAM,
        user_id=USER,
        channel_id=CHANNEL,
        response_url=served.slack.response_url(),
    )
    calls_before = len(served.slack.calls)
    assert served.post(body, signed=False).status == 401
    assert served.post(body, secret="not-the-signing-secret").status == 401
    six_minutes_ago = int(time.time()) - 6 * 60
    assert served.post(body, timestamp=six_minutes_ago).status == 401
    assert served.post(body).status == 200  # the same body, properly signed, is fine
    assert all(seconds < ACK_LIMIT for seconds in served.acks)
    time.sleep(0.2)
    assert len(served.slack.calls) == calls_before  # nothing refused reached a listener


def customer_values(**fields: str | None) -> dict[str, Any]:
    values = text_values(
        **{
            BlockId.CUSTOMER_NAME: fields.get("name"),
            BlockId.CUSTOMER_COMPANY: fields.get("company"),
            BlockId.CUSTOMER_EMAIL: fields.get("email"),
            BlockId.CUSTOMER_PHONE: fields.get("phone"),
            BlockId.CUSTOMER_TAGS: fields.get("tags"),
        }
    )
    values[BlockId.CUSTOMER_OWNER] = {
        "value": {"type": "users_select", "selected_user": fields.get("owner")}
    }
    return values


@pytest.mark.slow
def test_customer_add_opens_the_form_and_the_submission_answers_with_the_card(
    served: ServedBot,
) -> None:
    reply, trigger_id, key = served.command("/customer", "add Acme")
    assert reply.status == 200 and reply.body == ""
    call = served.opened_view(trigger_id, timeout=ACK_LIMIT)  # trigger_ids expire after 3 s
    assert call.result["ok"] is True
    form = call.args["view"]
    first_input = next(b for b in form["blocks"] if b["type"] == "input")
    assert first_input["block_id"] == BlockId.CUSTOMER_NAME
    assert first_input["element"]["initial_value"] == "Acme"

    submitted = served.submit(
        call.result["view"],
        customer_values(
            name="Acme",
            company="Acme Corp",
            email="buyer@acme.example",
            phone="+1 415 555 0101",
            tags="vip",
            owner=USER,
        ),
    )
    assert submitted.status == 200 and submitted.body == ""  # closes the modal
    card = served.posted_to(key)
    assert "C-1" in card["text"] and "Acme" in card["text"]
    shown = json.dumps(card["blocks"])
    for expected in ("C-1", "Acme Corp", "buyer@acme.example", "+1 415 555 0101"):
        assert expected in shown

    found, _, find_key = served.command("/customer", "acme")
    assert found.status == 200
    again = served.posted_to(find_key)
    assert "C-1" in again["text"] and "Acme" in again["text"]
    assert "buyer@acme.example" in json.dumps(again["blocks"])
    served.slack.assert_no_problems()


@pytest.mark.slow
def test_a_bad_email_is_an_inline_error_on_the_email_field(served: ServedBot) -> None:
    reply, trigger_id, _ = served.command("/customer", "add Bad Email Ltd")
    assert reply.status == 200
    view = served.opened_view(trigger_id).result["view"]
    answer = served.submit(view, customer_values(name="Bad Email Ltd", email="nope"))
    assert answer.status == 200
    data = answer.json()
    assert data["response_action"] == "errors"
    assert set(data["errors"]) == {BlockId.CUSTOMER_EMAIL}
    assert data["errors"][BlockId.CUSTOMER_EMAIL]
    served.slack.assert_no_problems()


@pytest.mark.slow
def test_salesbot_help_lists_the_commands(served: ServedBot) -> None:
    reply, _, _ = served.command("/salesbot", "help")
    assert reply.status == 200
    listed = reply.text
    assert "/customer" in listed and "/salesbot" in listed
    assert reply.json().get("response_type", "ephemeral") == "ephemeral"
    served.slack.assert_no_problems()


@pytest.mark.slow
def test_every_ack_was_well_within_three_seconds(served: ServedBot) -> None:
    served.command("/customer", "help")
    assert served.acks and max(served.acks) < ACK_LIMIT, served.acks
    served.slack.assert_no_problems()


@pytest.mark.slow
def test_sigterm_shuts_serve_down_cleanly(tmp_path: Path) -> None:
    with fresh_database("sqlite", tmp_path) as url:
        running = start_serving(url, tmp_path)
        served = next(running)
        try:
            reply, _, _ = served.command("/salesbot", "help")
            assert reply.status == 200
            served.proc.send_signal(signal.SIGTERM)
            code = served.proc.wait(timeout=10)
        finally:
            running.close()  # kills it if it is still there
    log = served.stderr()
    assert code == 0, log
    assert "Traceback" not in log
    assert BOT_TOKEN not in log and SIGNING_SECRET not in log  # secrets stay out of logs
    served.slack.assert_no_problems()


def test_shell_ignores_oauth_client_settings(tmp_path: Path) -> None:
    env = clean_env(
        DATABASE_URL=sqlite_url(tmp_path / "shell.db"),
        SLACK_CLIENT_ID="123.456",
        SLACK_CLIENT_SECRET="shh",
    )
    result = run_cli("shell", env=env, cwd=tmp_path, stdin="/salesbot help\nquit\n")
    assert result.returncode == 0, result.stderr
    assert "/customer" in result.stdout


# -- 6. the shell: the communication log -------------------------------------------------------


def pick_number(output: str, label: str) -> str:
    match = re.search(rf"^\s+(\d+)\) {label}", output, re.M)
    assert match, f"no numbered option {label!r} in:\n{output}"
    return match.group(1)


@pytest.mark.slow
def test_shell_logs_a_call_picking_the_customer_by_search(shell: ShellSession) -> None:
    shell.read_until(r"Salesbot shell", timeout=STARTUP)
    shell.type("/log call")
    shell.read_until(r"^Type\b.*\[current: Call\]")
    shell.type("")  # keep Call
    shell.read_until(r"^Customer\b")
    shell.type("zzzz-nobody")
    shell.read_until(r"No options for 'zzzz-nobody'")
    shell.type("acme")  # the app's options listener answers the search
    found = shell.read_until(r"^\s+\d+\) Acme Corporation \(C-\d+\)")
    shell.type(pick_number(found, r"Acme Corporation \(C-\d+\)"))
    for prompt, typed in (
        (r"^When\b", ""),  # keep: now
        (r"^Duration\b", "15"),
        (r"^Summary\b", "Discussed the renewal"),
        (r"^Outcome\b", ""),
        (r"^Follow-up task\b", "Send the quote"),
        (r"^Follow-up due\b", "tomorrow 9am"),
    ):
        shell.read_until(prompt)
        shell.type(typed)
    saved = shell.read_until(r"Follow-up T-\d+")
    assert re.search(r"Logged a call with C-\d+ Acme Corporation", saved), saved
    assert "Discussed the renewal" in saved and "15 min" in saved
    assert re.search(r"Send the quote — due tomorrow, \w{3} \d+ \w{3} \d{4}, 09:00", saved), saved
    shell.type("quit")
    assert shell.wait() == 0
    assert "Traceback" not in shell.stderr()


@pytest.mark.slow
def test_shell_runs_the_log_message_shortcut_on_some_text(shell: ShellSession) -> None:
    shell.read_until(r"Salesbot shell", timeout=STARTUP)
    shell.type("help")
    helped = shell.read_until(r"'quit'")
    assert ":shortcut log_message" in helped

    shell.type(":shortcut log_message Customer asked for a quote & a <demo>")
    form = shell.read_until(r"^Type\b.*\[current: Note\]")
    assert "Summary: Customer asked for a quote & a <demo>" in form
    assert "local.slack/archives/C0SHELL/" in form  # the message's permalink
    shell.type("")  # keep Note
    shell.read_until(r"^Customer\b")
    shell.type("globex")
    found = shell.read_until(r"^\s+\d+\) Globex \(C-\d+\)")
    shell.type(pick_number(found, r"Globex \(C-\d+\)"))
    shell.read_until(r"^When\b")
    shell.type("")
    shell.read_until(r"^Summary\b.*\[current: Customer asked for a quote & a <demo>\]")
    for _ in range(4):  # summary, outcome, follow-up task and due: keep as they are
        shell.type("")
    saved = shell.read_until(r"from a Slack message")
    assert re.search(r"Logged a note on C-\d+ Globex", saved), saved
    assert "Customer asked for a quote & a <demo>" in saved

    shell.type(":shortcut")
    assert "Usage: :shortcut <callback_id>" in shell.read_until(r"Usage: :shortcut")
    shell.type("quit")
    assert shell.wait() == 0
    assert "Traceback" not in shell.stderr()


@pytest.mark.slow
def test_shell_delivers_a_reminder_when_it_falls_due(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.services import build_services
    from domain.tasks import TaskDraft
    from storage.migrate import upgrade
    from tests.conftest import make_settings

    url = sqlite_url(tmp_path / "shell.db")
    services = build_services(make_settings(url))
    try:
        upgrade(services.engine)
        services.workspaces.ensure("T0LOCAL", "U0LOCAL")
        due = datetime.now(UTC) + timedelta(seconds=2)
        draft = TaskDraft.from_input(
            title="Ring Acme back", assignee_id="U0LOCAL", due_at=due, due_has_time=True
        )
        services.tasks.add("T0LOCAL", draft, actor="U0LOCAL")
    finally:
        services.close()
    session = ShellSession(env=clean_env(DATABASE_URL=url), cwd=tmp_path)
    try:
        session.read_until(r"Salesbot shell", timeout=STARTUP)
        session.type("")  # not due yet: nothing arrives
        time.sleep(3)
        session.type("")  # Enter: the scheduler's work runs, the DM is shown
        reminder = session.read_until(r"\[\d+\] Open customer|\[\d+\] Done")
        assert "Reminder: T-1 Ring Acme back" in reminder
        session.type("quit")
        assert session.wait() == 0
    finally:
        session.kill()


@pytest.mark.slow
def test_shell_adds_lists_and_completes_tasks(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=sqlite_url(tmp_path / "shell.db"), SALESBOT_TIMEZONE="UTC")
    script = "/task add Send the quote due:tomorrow 9am C-1\n/task\n/task done T-1\n/task\nquit\n"
    result = run_cli("shell", env=env, cwd=tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "no customer c-1" in out.lower()  # an empty workspace has no C-1: nothing written
    assert "Added T-" not in out
    script = "/task add Send the quote due:tomorrow 9am\n/task\n/task done T-1\n/task\nquit\n"
    out = run_cli("shell", env=env, cwd=tmp_path, stdin=script).stdout
    assert re.search(r"Added T-1 Send the quote .*due tomorrow, \w{3} \d+ \w{3} \d{4}, 09:00", out)
    assert "Your open tasks (1)" in out
    assert "Done by @U0LOCAL" in out
    assert "No open tasks" in out
