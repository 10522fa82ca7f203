"""Settings from the environment and `.env`, checked once at start-up."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from storage.engine import normalise_url

DEFAULT_DATABASE_URL = "sqlite:///salesbot.db"

# What each variable should look like, for one-line start-up errors.
EXPECTED = {
    "SLACK_BOT_TOKEN": "a bot token starting with xoxb- (Slack app → OAuth & Permissions)",
    "SLACK_SIGNING_SECRET": "the app's signing secret (Slack app → Basic Information)",
    "SLACK_APP_TOKEN": "an app-level token starting with xapp- with connections:write",
    "SLACK_API_URL": "an http(s) URL such as https://slack.com/api/",
    "DATABASE_URL": "sqlite:///salesbot.db or postgresql://user:password@host:5432/dbname",
    "SALESBOT_TIMEZONE": "an IANA timezone name such as Europe/Berlin or America/New_York",
    "SALESBOT_LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "SLACK_CLIENT_ID": "the app's client id (Slack app → Basic Information)",
    "SLACK_CLIENT_SECRET": "the app's client secret (Slack app → Basic Information)",
}


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


class Settings(BaseSettings):
    # An empty line like `SLACK_BOT_TOKEN=` in .env means "not set", not "malformed".
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", frozen=True, env_ignore_empty=True
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    salesbot_timezone: str = "UTC"
    salesbot_log_level: str = Field(default="INFO")

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("not a bot token")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("not an app-level token")
        return value

    @field_validator("slack_signing_secret", "slack_client_secret")
    @classmethod
    def _not_blank_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            raise ValueError("empty")
        return value

    @field_validator("slack_client_id")
    @classmethod
    def _client_id(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("empty")
        return value.strip() if value is not None else None

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("not an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        value = normalise_url(value.strip())
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError as exc:
            raise ValueError("not a database URL") from exc
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {backend}")
        return value

    @field_validator("salesbot_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown timezone") from exc
        return value

    @field_validator("salesbot_log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("unknown level")
        return value

    def require(self, *names: str) -> None:
        """Stop with a one-line error when a setting this mode needs is missing."""
        for name in names:
            if getattr(self, name.lower()) is None:
                raise ConfigError(f"{name} is not set: it should be {EXPECTED[name]}.")

    @property
    def uses_oauth(self) -> bool:
        """True when the app is installed into workspaces through OAuth (many workspaces)."""
        return self.slack_client_id is not None or self.slack_client_secret is not None

    def require_slack(self) -> None:
        """Stop with one line unless exactly one way to reach Slack is configured.

        One workspace: SLACK_BOT_TOKEN. Many workspaces: SLACK_CLIENT_ID and
        SLACK_CLIENT_SECRET (each install's bot token then comes from the database).
        Both need SLACK_SIGNING_SECRET.
        """
        if self.uses_oauth:
            if self.slack_bot_token is not None:
                raise ConfigError(
                    "SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are set: choose one "
                    "(the bot token for one workspace, or the client id and secret to install "
                    "into many workspaces through OAuth)."
                )
            self.require("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET")
            return
        if self.slack_bot_token is None:
            raise ConfigError(
                f"SLACK_BOT_TOKEN is not set: it should be {EXPECTED['SLACK_BOT_TOKEN']}; "
                "or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install into many workspaces."
            )
        self.require("SLACK_SIGNING_SECRET")

    def secret(self, name: str) -> str:
        value = getattr(self, name.lower())
        if value is None:
            self.require(name)
        return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def load_settings(**overrides: Any) -> Settings:
    """Read settings; a malformed variable becomes one ConfigError line naming it."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "configuration"
        expected = EXPECTED.get(name, "a valid value")
        problem = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name} is malformed ({problem}): it should be {expected}.") from None
