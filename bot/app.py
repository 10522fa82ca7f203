"""The Bolt app factory: one wired app per process, built from settings and services."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

import commands
from bot.errors import handle_error
from bot.middleware import make_context_middleware
from bot.services import Services
from bot.settings import Settings

# What an OAuth install asks for: manifest.yml's oauth_config.scopes.bot (a test keeps
# the two equal). No user scopes: Salesbot acts as its bot only.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "chat:write.public",
    "channels:history",
    "groups:history",
    "files:write",
)
INSTALL_PATH = "/slack/install"
REDIRECT_URI_PATH = "/slack/oauth_redirect"
STATE_EXPIRATION_SECONDS = 600  # how long an "Add to Slack" link stays usable

# Bot, user, refresh (xoxe-), rotating (xoxe.xoxp-) and app-level (xapp-) tokens.
_TOKEN = re.compile(r"\b(xox[a-z]?(?:\.xox[a-z])?|xapp)-[A-Za-z0-9-]+")


class _RedactTokens(logging.Filter):
    """slack_sdk logs whole Web API responses at DEBUG, oauth.v2.access's new token included."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN.sub(r"\1-(redacted)", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_API_LOG = logging.getLogger("salesbot.slack_api")
_API_LOG.addFilter(_RedactTokens())


def make_web_client(settings: Settings) -> WebClient:
    """The Web API client: Slack's URL or a stand-in, with retries on 429, 5xx and I/O.

    It carries SLACK_BOT_TOKEN for one workspace and no token in OAuth mode, where Bolt
    copies it for each request (URL, retries and logger included) and sets the token of
    the installation the request comes from.
    """
    token = settings.slack_bot_token
    return WebClient(
        token=token.get_secret_value() if token is not None else None,
        base_url=settings.slack_api_url,
        logger=_API_LOG,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


class _SkipClientTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and, since we hand it a
    client built from the same token, warns at every start that the token is unused."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "token` will be unused" not in record.getMessage()


_BOLT_LOG = logging.getLogger("salesbot.bolt")
_BOLT_LOG.addFilter(_SkipClientTokenNotice())
_BOLT_LOG.addFilter(_RedactTokens())  # Bolt's own loggers copy this one's filters


def _oauth_options(settings: Settings, services: Services) -> dict[str, Any]:
    """App arguments for installs into many workspaces, stored in our database."""
    client_id = settings.secret("SLACK_CLIENT_ID")
    installations = SQLAlchemyInstallationStore(client_id=client_id, engine=services.engine)
    oauth_settings = OAuthSettings(
        client_id=client_id,
        client_secret=settings.secret("SLACK_CLIENT_SECRET"),
        scopes=list(BOT_SCOPES),
        user_scopes=[],  # explicit, so SLACK_USER_SCOPES in the environment cannot add any
        installation_store=installations,
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_EXPIRATION_SECONDS, engine=services.engine
        ),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,  # the state cookie's Max-Age
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_URI_PATH,
    )
    # Handing the store to App as well makes Bolt build the authorize step with our client;
    # the one OAuthSettings builds has none, so refreshing rotated tokens would go to
    # slack.com with no retries whatever SLACK_API_URL says.
    return {"oauth_settings": oauth_settings, "installation_store": installations}


def create_app(settings: Settings, services: Services, *, verify_token: bool = True) -> App:
    """Build the Bolt app with every listener, middleware and the error handler.

    One workspace with SLACK_BOT_TOKEN (checked once with auth.test unless `verify_token`
    is false), or any number installed through OAuth with SLACK_CLIENT_ID/SECRET, where
    each request is authorized with its own workspace's installation.
    """
    settings.require_slack()
    if settings.uses_oauth:
        mode = _oauth_options(settings, services)
    else:
        mode = {"token_verification_enabled": verify_token}
    app = App(
        client=make_web_client(settings),
        signing_secret=settings.secret("SLACK_SIGNING_SECRET"),
        listener_executor=services.executor,
        logger=_BOLT_LOG,
        **mode,
    )
    app.use(make_context_middleware(services))
    app.error(handle_error)
    commands.register_all(app)
    return app
