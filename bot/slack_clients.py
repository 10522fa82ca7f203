"""Web API clients for work that no Slack request started (scheduled DMs, alerts)."""

from __future__ import annotations

import threading

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.oauth.token_rotation import TokenRotator

from scheduler.sender import NotInstalled


class SlackClients:
    """The WebClient to use for a workspace, for posting what no request started.

    Like the app's client (same base URL, logger and timeout) but retrying only rate limits,
    carrying SLACK_BOT_TOKEN, or with OAuth installs the bot token stored for that
    workspace, refreshed first when it is a rotating token about to expire, as Bolt does.
    """

    def __init__(self, app: App) -> None:
        self._app = app
        self._store = app.installation_store
        self._rotator: TokenRotator | None = None
        self._rotation_minutes = 120
        flow = app.oauth_flow
        if flow is not None:
            oauth = flow.settings
            self._rotation_minutes = oauth.token_rotation_expiration_minutes
            self._rotator = TokenRotator(
                client_id=oauth.client_id, client_secret=oauth.client_secret, client=app.client
            )
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def for_team(self, team_id: str) -> WebClient:
        """A client acting as the bot in `team_id`; NotInstalled when there is no bot there."""
        if self._store is None:
            return self._client(self._app.client.token or "")
        bot = self._store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise NotInstalled(f"Salesbot is not installed in workspace {team_id}")
        token = bot.bot_token
        if bot.bot_refresh_token is not None and self._rotator is not None:
            refreshed = self._rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=self._rotation_minutes
            )
            if refreshed is not None:
                self._store.save_bot(refreshed)
                token = refreshed.bot_token
        return self._client(token)

    def _client(self, token: str) -> WebClient:
        with self._lock:
            client = self._clients.get(token)
            if client is None:
                base = self._app.client
                client = WebClient(
                    token=token,
                    base_url=base.base_url,
                    timeout=base.timeout,
                    logger=base.logger,
                    # Only 429s are retried here: a lost response to a post that Slack did
                    # accept must come back as a failed attempt, so the next one checks the
                    # DM's history before posting again, instead of posting twice at once.
                    retry_handlers=[
                        h for h in base.retry_handlers if isinstance(h, RateLimitErrorRetryHandler)
                    ],
                )
                # Tokens rotate; keep only the current few rather than every one ever seen.
                if len(self._clients) > 100:
                    self._clients.clear()
                self._clients[token] = client
            return client
