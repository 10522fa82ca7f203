"""The Bolt app factory: one wired app per process, built from settings and services."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

import commands
from bot.errors import handle_error
from bot.middleware import make_context_middleware
from bot.services import Services
from bot.settings import ConfigError, Settings


def make_web_client(settings: Settings) -> WebClient:
    """The Web API client: Slack's URL or a stand-in, with retries on 429, 5xx and I/O."""
    return WebClient(
        token=settings.secret("SLACK_BOT_TOKEN"),
        base_url=settings.slack_api_url,
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


def create_app(settings: Settings, services: Services, *, verify_token: bool = True) -> App:
    """Build the Bolt app with every listener, middleware and the error handler."""
    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    if settings.slack_client_id or settings.slack_client_secret:
        # Bolt would silently switch to OAuth with file-based stores and ignore the bot token.
        raise ConfigError(
            "SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are set, but multi-workspace OAuth installs "
            "are not supported yet: unset them and use SLACK_BOT_TOKEN."
        )
    app = App(
        client=make_web_client(settings),
        signing_secret=settings.secret("SLACK_SIGNING_SECRET"),
        token_verification_enabled=verify_token,
        listener_executor=services.executor,
        logger=_BOLT_LOG,
    )
    app.use(make_context_middleware(services))
    app.error(handle_error)
    commands.register_all(app)
    return app
