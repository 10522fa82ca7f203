"""Installs into many workspaces through Slack's OAuth v2, stored in our database.

Real HTTP into the real app: the "Add to Slack" page, Slack's redirect back with a code
(exchanged at LocalSlack's oauth.v2.access), then signed requests from each installed
workspace, each served with its own bot token and its own data.
"""

from __future__ import annotations

import logging
import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, text

from bot.app import BOT_SCOPES, create_app
from bot.local_slack import APP_ID, LocalSlack
from bot.settings import ConfigError, Settings
from commands.ids import BlockId
from domain.clock import FrozenClock
from storage.engine import make_engine
from storage.migrate import SLACK_SDK_TABLES, include_name
from storage.orm import Base
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.harness import TEAM, RunningBot, text_values
from tests.processes import SALESBOT, clean_env, free_port, run_cli, stderr_lines, stop
from tests.served import BACKENDS, ServedBot, fresh_database, wait_healthy

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "test-client-secret-9f8e7d"
COOKIE = "slack-app-oauth-state"
TEAM_A, USER_A = "T0AAA", "U0AAA"
TEAM_B, USER_B = "T0BBB", "U0BBB"
STRANGER = "T0NONE"  # a workspace that never installed the app


def oauth_settings(database_url: str, api_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": None,  # explicit: a developer's environment must not add one
        "slack_signing_secret": SIGNING_SECRET,
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "slack_api_url": api_url,
        "database_url": database_url,
        "salesbot_timezone": "America/New_York",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def oauth_bot(clean_database: str, clock: FrozenClock, slack: LocalSlack) -> Iterator[RunningBot]:
    """The app in OAuth mode behind real HTTP; Slack knows its client id and secret."""
    slack.client_id, slack.client_secret = CLIENT_ID, CLIENT_SECRET
    with RunningBot(oauth_settings(clean_database, slack.api_url), clock, slack) as running:
        yield running
    # slack_sdk's tables are not in our models, so clean_database leaves them alone.
    engine = make_engine(clean_database)
    with engine.begin() as conn:
        for table in SLACK_SDK_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


# -- a browser ---------------------------------------------------------------------------------


class Server(Protocol):
    """The app behind real HTTP (in-process RunningBot or a `salesbot serve` process)."""

    url: str
    slack: LocalSlack


@dataclass
class Page:
    status: int
    headers: Any
    body: str

    def cookie(self) -> str:
        """The Set-Cookie header for the OAuth state."""
        values = [v for v in self.headers.get_all("Set-Cookie") or [] if v.startswith(COOKIE)]
        assert len(values) == 1, values
        return values[0]


def get(bot: Server, path: str, *, cookie: str | None = None) -> Page:
    """GET a page from the running app the way a browser would (redirects not followed)."""
    request = urllib.request.Request(f"{bot.url}{path}")
    if cookie is not None:
        request.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Page(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        return Page(error.code, error.headers, error.read().decode())


def start_install(bot: Server) -> tuple[str, str]:
    """Open the install page: the authorize URL Slack is sent to, and the state cookie."""
    page = get(bot, "/slack/install")
    assert page.status == 200, page.body
    href = re.search(r'<a href="([^"]+)"', page.body)
    assert href, page.body
    url = href.group(1).replace("&amp;", "&")
    cookie = page.cookie().split(";")[0]
    return url, cookie


def install(bot: Server, team: str, user: str, code: str | None = None, **grant: Any) -> Page:
    """A person in `team` clicks Add to Slack, approves, and Slack redirects back."""
    code = code or f"code-{team}"
    bot.slack.oauth_codes[code] = {"team_id": team, "user_id": user, **grant}
    url, cookie = start_install(bot)
    state = parse_qs(urlsplit(url).query)["state"][0]
    page = get(
        bot, f"/slack/oauth_redirect?{urlencode({'code': code, 'state': state})}", cookie=cookie
    )
    assert page.status == 200, page.body
    return page


def rows(bot: RunningBot, table: str) -> list[dict[str, Any]]:
    with bot.services.engine.connect() as conn:
        result = conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))
        return [dict(row) for row in result.mappings()]


def bot_token(bot: RunningBot, team: str) -> str:
    (row,) = [r for r in rows(bot, "slack_bots") if r["team_id"] == team]
    return str(row["bot_token"])


def count_rows(bot: RunningBot) -> dict[str, int]:
    with bot.services.engine.connect() as conn:
        return {
            table: int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
            for table in [*Base.metadata.tables, *SLACK_SDK_TABLES]
        }


# -- the install flow --------------------------------------------------------------------------


def test_install_page_links_to_slack_with_client_id_scopes_and_a_state_cookie(
    oauth_bot: RunningBot,
) -> None:
    page = get(oauth_bot, "/slack/install")
    assert page.status == 200
    assert page.headers.get_content_type() == "text/html"
    assert 'alt="Add to Slack"' in page.body
    url, cookie = start_install(oauth_bot)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "slack.com", "/oauth/v2/authorize")
    query = parse_qs(parts.query, keep_blank_values=True)
    assert query["client_id"] == [CLIENT_ID]
    manifest_scopes = yaml.safe_load(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"]
    assert query["scope"][0].split(",") == list(BOT_SCOPES) == manifest_scopes
    assert query["user_scope"] == [""]  # the bot only: no user token is asked for
    state = query["state"][0]
    assert cookie == f"{COOKIE}={state}"
    set_cookie = page.cookie()
    for attribute in ("Secure", "HttpOnly", "Path=/", "Max-Age=600"):
        assert attribute in set_cookie
    # Each visit issues its own state, kept in the database until used or expired.
    assert {r["state"] for r in rows(oauth_bot, "slack_oauth_states")} >= {state}
    assert oauth_bot.slack.calls == []  # nothing is asked of Slack until the redirect


def test_the_redirect_exchanges_the_code_and_stores_the_installation(
    oauth_bot: RunningBot,
) -> None:
    page = install(oauth_bot, TEAM_A, USER_A, code="code-1")
    assert "Thank you!" in page.body
    assert f"slack://app?team={TEAM_A}&amp;id={APP_ID}" in page.body
    assert "deleted" in page.cookie()  # the state cookie is cleared

    (exchange,) = oauth_bot.slack.calls_to("oauth.v2.access")
    assert exchange.args["code"] == "code-1"
    assert exchange.args["client_id"] == CLIENT_ID
    assert "client_secret" not in exchange.args  # slack_sdk sends it as HTTP Basic auth
    token = exchange.result["access_token"]
    assert token.startswith(f"xoxb-{TEAM_A}-")
    (check,) = oauth_bot.slack.calls_to("auth.test")  # Bolt asks for the bot id
    assert check.token == token

    (installation,) = rows(oauth_bot, "slack_installations")
    assert installation["client_id"] == CLIENT_ID
    assert installation["app_id"] == APP_ID
    assert installation["team_id"] == TEAM_A
    assert installation["team_name"] == f"Workspace {TEAM_A}"
    assert installation["enterprise_id"] is None
    assert installation["user_id"] == USER_A
    assert installation["bot_token"] == token
    assert installation["bot_id"] == f"B{TEAM_A[1:]}BOT"
    assert installation["bot_user_id"] == f"U{TEAM_A[1:]}BOT"
    assert installation["bot_scopes"] == ",".join(BOT_SCOPES)
    assert installation["token_type"] == "bot"
    assert not installation["is_enterprise_install"]
    assert installation["user_token"] is None
    (bot_row,) = rows(oauth_bot, "slack_bots")
    assert (bot_row["team_id"], bot_row["bot_token"]) == (TEAM_A, token)
    assert rows(oauth_bot, "slack_oauth_states") == []  # the state was used up


def test_each_workspace_is_served_with_its_own_bot_token(oauth_bot: RunningBot) -> None:
    install(oauth_bot, TEAM_A, USER_A)
    install(oauth_bot, TEAM_B, USER_B)
    token_a, token_b = bot_token(oauth_bot, TEAM_A), bot_token(oauth_bot, TEAM_B)
    assert token_a != token_b
    oauth_bot.slack.reset()

    for team, user, token in ((TEAM_A, USER_A, token_a), (TEAM_B, USER_B, token_b)):
        reply = oauth_bot.command("/customer", "add", team=team, user=user)
        assert reply.status == 200 and reply.body == ""
        opened = oauth_bot.slack.calls_to("views.open")[-1]
        assert opened.token == token
        assert opened.result["view"]["team_id"] == team
        # Bolt's authorize step checked this workspace's stored token with auth.test.
        checked = oauth_bot.slack.calls_to("auth.test")[-1]
        assert (checked.token, checked.result["team_id"]) == (token, team)


def save_customer(bot: RunningBot, team: str, user: str, name: str) -> dict[str, Any]:
    bot.command("/customer", "add", team=team, user=user)
    view = bot.last_view()
    values = text_values(**{BlockId.CUSTOMER_NAME: name})
    values[BlockId.CUSTOMER_OWNER] = {"value": {"type": "users_select", "selected_user": None}}
    reply = bot.submit(view, values, team=team, user=user)
    assert reply.status == 200 and reply.body == "", reply.body
    return bot.last_response()


def test_a_customer_created_in_one_workspace_is_invisible_in_another(
    oauth_bot: RunningBot,
) -> None:
    install(oauth_bot, TEAM_A, USER_A)
    install(oauth_bot, TEAM_B, USER_B)
    card = save_customer(oauth_bot, TEAM_A, USER_A, "Acme Anvils")
    assert card["text"] == "Added C-1 Acme Anvils"

    for query in ("acme", "C-1"):
        oauth_bot.command("/customer", query, team=TEAM_B, user=USER_B)
        assert "No customer matches" in oauth_bot.last_response()["text"]
    oauth_bot.command("/customer", "acme", team=TEAM_A, user=USER_A)
    assert oauth_bot.last_response()["text"] == "C-1 Acme Anvils"

    # B numbers its own customers from 1 too.
    assert save_customer(oauth_bot, TEAM_B, USER_B, "Bolt Bros")["text"] == "Added C-1 Bolt Bros"
    customers = {(r["team_id"], r["name"]) for r in rows(oauth_bot, "customers")}
    assert customers == {(TEAM_A, "Acme Anvils"), (TEAM_B, "Bolt Bros")}


def test_a_request_from_a_workspace_that_never_installed_runs_nothing_and_writes_nothing(
    oauth_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    install(oauth_bot, TEAM_A, USER_A)
    before = count_rows(oauth_bot)
    oauth_bot.slack.reset()

    with caplog.at_level(logging.ERROR):
        reply = oauth_bot.command("/customer", "add", team=STRANGER, user="U0STRANGE")
    # Bolt answers the slash command through its response_url and acks with an empty 200.
    assert reply.status == 200 and reply.body == ""
    (answer,) = oauth_bot.slack.calls_to("response_url")
    assert "no longer available" in answer.args["text"]
    assert "reinstall" in answer.args["text"]
    assert [c.method for c in oauth_bot.slack.calls] == ["response_url"]  # no views.open
    assert "installed into this workspace" in caplog.text  # Bolt logs the refusal

    # A form submitted from there (no response_url) gets the same words as the HTTP answer.
    view = {"id": "V1", "type": "modal", "callback_id": "customer_save", "blocks": []}
    values = text_values(**{BlockId.CUSTOMER_NAME: "Sneaky"})
    submitted = oauth_bot.submit(view, values, team=STRANGER, user="U0STRANGE")
    assert submitted.status == 200 and "reinstall" in submitted.body

    assert count_rows(oauth_bot) == before  # not even a workspace or user row


# -- refusals ----------------------------------------------------------------------------------


def redirect(bot: RunningBot, *, cookie: str | None, **query: str) -> Page:
    return get(bot, f"/slack/oauth_redirect?{urlencode(query)}", cookie=cookie)


def test_a_bad_or_missing_state_is_refused_and_installs_nothing(oauth_bot: RunningBot) -> None:
    oauth_bot.slack.oauth_codes["code-x"] = {"team_id": TEAM_A, "user_id": USER_A}
    url, cookie = start_install(oauth_bot)
    state = parse_qs(urlsplit(url).query)["state"][0]

    no_state = redirect(oauth_bot, cookie=cookie, code="code-x")
    assert no_state.status == 400 and "invalid_browser" in no_state.body
    no_cookie = redirect(oauth_bot, cookie=None, code="code-x", state=state)
    assert no_cookie.status == 400 and "invalid_browser" in no_cookie.body
    other_state = redirect(oauth_bot, cookie=cookie, code="code-x", state="not-" + state)
    assert other_state.status == 400
    # A cookie that matches a state the app never issued (or already used) is still refused.
    forged = redirect(oauth_bot, cookie=f"{COOKIE}=forged", code="code-x", state="forged")
    assert forged.status == 401 and "invalid_state" in forged.body

    with oauth_bot.services.engine.begin() as conn:  # let the real state expire
        conn.execute(text("UPDATE slack_oauth_states SET expire_at = '2000-01-01 00:00:00'"))
    expired = redirect(oauth_bot, cookie=cookie, code="code-x", state=state)
    assert expired.status == 401 and "invalid_state" in expired.body

    assert oauth_bot.slack.calls_to("oauth.v2.access") == []  # the code was never used
    assert rows(oauth_bot, "slack_installations") == rows(oauth_bot, "slack_bots") == []


def test_a_state_works_once(oauth_bot: RunningBot) -> None:
    oauth_bot.slack.oauth_codes["code-1"] = {"team_id": TEAM_A, "user_id": USER_A}
    url, cookie = start_install(oauth_bot)
    state = parse_qs(urlsplit(url).query)["state"][0]
    assert redirect(oauth_bot, cookie=cookie, code="code-1", state=state).status == 200
    oauth_bot.slack.oauth_codes["code-2"] = {"team_id": TEAM_B, "user_id": USER_B}
    again = redirect(oauth_bot, cookie=cookie, code="code-2", state=state)
    assert again.status == 401 and "invalid_state" in again.body
    assert [r["team_id"] for r in rows(oauth_bot, "slack_installations")] == [TEAM_A]


def test_a_code_slack_does_not_accept_installs_nothing(oauth_bot: RunningBot) -> None:
    url, cookie = start_install(oauth_bot)
    state = parse_qs(urlsplit(url).query)["state"][0]
    page = redirect(oauth_bot, cookie=cookie, code="never-issued", state=state)
    assert page.status == 401 and "invalid_code" in page.body
    (exchange,) = oauth_bot.slack.calls_to("oauth.v2.access")
    assert exchange.result == {"ok": False, "error": "invalid_code"}
    assert rows(oauth_bot, "slack_installations") == []


def test_a_cancelled_install_says_so(oauth_bot: RunningBot) -> None:
    _, cookie = start_install(oauth_bot)
    page = redirect(oauth_bot, cookie=cookie, error="access_denied", state="x")
    assert page.status == 200 and "access_denied" in page.body
    assert oauth_bot.slack.calls == []


# -- the Web API client in OAuth mode ----------------------------------------------------------


def test_oauth_mode_calls_nothing_at_start_and_keeps_the_api_url_and_retries(
    oauth_bot: RunningBot,
) -> None:
    assert oauth_bot.slack.calls == []  # no token to verify: no auth.test at start
    oauth_bot.slack.fail_next("oauth.v2.access", status=503)
    install(oauth_bot, TEAM_A, USER_A)
    assert [c.status for c in oauth_bot.slack.calls_to("oauth.v2.access")] == [503, 200]

    oauth_bot.slack.fail_next("views.open", status=429, retry_after=1)
    oauth_bot.command("/customer", "add", team=TEAM_A, user=USER_A)
    opened = oauth_bot.slack.calls_to("views.open")
    assert [c.status for c in opened] == [429, 200]
    assert {c.token for c in opened} == {bot_token(oauth_bot, TEAM_A)}


def test_rotating_tokens_are_refreshed_through_slack_api_url(oauth_bot: RunningBot) -> None:
    # A token that expires within Bolt's 120-minute margin is refreshed before use.
    install(oauth_bot, TEAM_A, USER_A, rotating=True, expires_in=60)
    (first,) = oauth_bot.slack.calls_to("oauth.v2.access")
    old_token, refresh_token = first.result["access_token"], first.result["refresh_token"]

    oauth_bot.command("/customer", "add", team=TEAM_A, user=USER_A)
    refreshed = oauth_bot.slack.calls_to("oauth.v2.access")[-1]
    assert refreshed.args["grant_type"] == "refresh_token"
    assert refreshed.args["refresh_token"] == refresh_token
    assert refreshed.args["client_id"] == CLIENT_ID
    new_token = refreshed.result["access_token"]
    assert new_token != old_token
    assert oauth_bot.slack.calls_to("views.open")[-1].token == new_token
    assert rows(oauth_bot, "slack_bots")[-1]["bot_token"] == new_token  # saved for next time


def test_tokens_and_the_client_secret_never_reach_the_logs(
    oauth_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        install(oauth_bot, TEAM_A, USER_A)
        oauth_bot.command("/customer", "add", team=TEAM_A, user=USER_A)
    token = bot_token(oauth_bot, TEAM_A)
    assert caplog.records  # slack_sdk and Bolt did log at DEBUG
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged
    assert CLIENT_SECRET not in logged
    assert "xoxb-(redacted)" in logged  # oauth.v2.access's response, token masked


# -- configuration -----------------------------------------------------------------------------


def test_token_mode_has_no_install_pages(bot: RunningBot) -> None:
    assert get(bot, "/slack/install").status == 404
    assert get(bot, "/slack/oauth_redirect?code=c&state=s").status == 404


def test_a_bot_token_and_client_credentials_together_are_one_line_asking_to_choose(
    clean_database: str,
) -> None:
    settings = oauth_settings(clean_database, "http://127.0.0.1:9/api/", slack_bot_token=BOT_TOKEN)
    with pytest.raises(ConfigError) as caught:
        create_app(settings, None)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "choose one" in message and "\n" not in message
    assert BOT_TOKEN not in message and CLIENT_SECRET not in message


def test_a_client_id_without_its_secret_names_the_missing_one(clean_database: str) -> None:
    settings = oauth_settings(clean_database, "http://127.0.0.1:9/api/", slack_client_secret=None)
    with pytest.raises(ConfigError, match=r"^SLACK_CLIENT_SECRET is not set: it should be"):
        create_app(settings, None)  # type: ignore[arg-type]


# -- schema ------------------------------------------------------------------------------------


def test_the_migration_creates_slack_sdks_tables_as_slack_sdk_defines_them(
    database_url: str,
) -> None:
    theirs = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(theirs, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(theirs, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(theirs, "slack_oauth_states")
    assert set(theirs.tables) == SLACK_SDK_TABLES
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            only_theirs = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, kind, _: kind != "table" or name in theirs.tables,
                },
            )
            assert compare_metadata(only_theirs, theirs) == []
            # Autogenerate against our models, with env.py's filter, wants no change at all:
            # in particular it does not drop slack_sdk's tables.
            ours = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            assert compare_metadata(ours, Base.metadata) == []
    finally:
        engine.dispose()


# -- the console script ------------------------------------------------------------------------


def test_serve_refuses_a_bot_token_together_with_client_credentials(tmp_path: Path) -> None:
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        DATABASE_URL=f"sqlite:///{tmp_path / 's.db'}",
    )
    args = ("serve", "--http", "--host", "127.0.0.1", "--port", str(free_port()))
    result = run_cli(*args, env=env, cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    (line,) = stderr_lines(result)
    assert line.startswith("salesbot: configuration error: SLACK_BOT_TOKEN and SLACK_CLIENT_ID")
    assert "choose one" in line
    assert BOT_TOKEN not in result.stderr and CLIENT_SECRET not in result.stderr


def test_socket_mode_refuses_oauth_installs_in_one_line(tmp_path: Path) -> None:
    env = clean_env(
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="xapp-1-A-1-abc",
        DATABASE_URL=f"sqlite:///{tmp_path / 's.db'}",
    )
    result = run_cli("serve", "--socket", env=env, cwd=tmp_path, timeout=30)
    assert result.returncode == 2
    (line,) = stderr_lines(result)
    assert "SLACK_CLIENT_ID" in line and "serve --http" in line


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_serve_http_installs_a_workspace_and_serves_it_with_its_token(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        env = clean_env(
            SLACK_CLIENT_ID=CLIENT_ID,
            SLACK_CLIENT_SECRET=CLIENT_SECRET,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            DATABASE_URL=url,
            SALESBOT_TIMEZONE="UTC",
        )
        assert run_cli("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
        with LocalSlack(team_id=TEAM, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as slack:
            env["SLACK_API_URL"] = slack.api_url
            port = free_port()
            stderr_path = tmp_path / "serve.stderr"
            with stderr_path.open("wb") as stderr:
                proc = subprocess.Popen(
                    [str(SALESBOT), "serve", "--http", "--host", "127.0.0.1", "--port", str(port)],
                    env=env,
                    cwd=tmp_path,
                    stdin=subprocess.DEVNULL,
                    stdout=stderr,
                    stderr=subprocess.STDOUT,
                )
            served = ServedBot(f"http://127.0.0.1:{port}", slack, proc, stderr_path)
            try:
                wait_healthy(served)
                assert slack.calls == []  # no bot token to check at start
                install(served, TEAM, "U0ALICE")
                token = slack.calls_to("oauth.v2.access")[0].result["access_token"]
                reply, trigger_id, _ = served.command("/customer", "add Acme")
                assert reply.status == 200 and reply.body == ""
                opened = served.opened_view(trigger_id)
                assert opened.token == token
            finally:
                stop(proc)
            assert "serving HTTP" in served.stderr()
            assert token not in served.stderr()
