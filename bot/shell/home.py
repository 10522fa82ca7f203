"""The Events API request Slack sends when someone opens the app's Home tab, for
`salesbot shell` and the tests (bot/payloads.py shapes the interactive ones)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from bot.payloads import APP_ID

BOT_USER = "U0SALESBOT"


def app_home_opened(
    team_id: str, user_id: str, *, tab: str = "home", view: dict[str, Any] | None = None
) -> str:
    """An `event_callback` body for app_home_opened (JSON, as Slack posts events).

    `view` is the Home view published before, which Slack includes once there is one.
    """
    now = time.time()
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": f"D{user_id[1:]}",
        "tab": tab,
        "event_ts": f"{now:.6f}",
    }
    if view is not None:
        event["view"] = view
    return json.dumps(
        {
            "token": "verification-token-unused",
            "team_id": team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": BOT_USER,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
    )
