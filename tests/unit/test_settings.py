"""Settings: names as documented, one-line errors, secrets never shown."""

from __future__ import annotations

import pytest

from bot.settings import ConfigError, Settings, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "DATABASE_URL",
        "SALESBOT_TIMEZONE",
        "SALESBOT_LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the developer's folder


def test_defaults_run_on_sqlite_with_no_slack_account() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///salesbot.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.salesbot_timezone == "UTC"


def test_environment_and_dotenv_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".env").write_text(
        "SALESBOT_TIMEZONE=Europe/Berlin\nSLACK_API_URL=http://x:1/api\n"
    )
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/sales")
    settings = load_settings()
    assert settings.salesbot_timezone == "Europe/Berlin"
    assert settings.slack_api_url == "http://x:1/api/"
    assert settings.database_url == "postgresql+psycopg://u@db:5432/sales"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "starting with xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-nope", "starting with xapp-"),
        ("SLACK_API_URL", "slack.com/api", "http(s) URL"),
        ("DATABASE_URL", "mysql://x@y/z", "sqlite:///salesbot.db or postgresql://"),
        ("DATABASE_URL", "not a url", "sqlite:///salesbot.db or postgresql://"),
        ("SALESBOT_TIMEZONE", "Mars/Olympus", "IANA timezone"),
        ("SALESBOT_LOG_LEVEL", "LOUD", "DEBUG, INFO"),
    ],
)
def test_malformed_settings_name_the_variable_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{name} is malformed")
    assert says in message
    assert "\n" not in message
    assert value not in message or name.endswith(("URL", "TIMEZONE", "LEVEL"))


def test_missing_required_settings_say_what_to_set() -> None:
    with pytest.raises(ConfigError, match=r"^SLACK_SIGNING_SECRET is not set: it should be"):
        load_settings().require("SLACK_SIGNING_SECRET")


def test_secrets_never_appear_in_reprs() -> None:
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-very-secret",  # type: ignore[call-arg]
        slack_signing_secret="shhh-secret",
    )
    shown = repr(settings) + str(settings) + str(settings.model_dump())
    assert "very-secret" not in shown and "shhh-secret" not in shown
    assert settings.secret("SLACK_BOT_TOKEN") == "xoxb-very-secret"


def test_an_empty_line_in_dotenv_means_not_set(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=\nSLACK_APP_TOKEN=\n")
    settings = load_settings()
    assert settings.slack_bot_token is None and settings.slack_app_token is None


def test_a_bot_token_and_oauth_client_settings_together_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.app import create_app

    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-1",
        slack_signing_secret="s",  # type: ignore[call-arg]
        slack_client_id="123.456",
        slack_client_secret="shh",
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
    )
    with pytest.raises(ConfigError, match="choose one"):
        create_app(settings, None)  # type: ignore[arg-type]
