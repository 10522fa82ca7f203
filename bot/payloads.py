"""Requests shaped and signed as Slack sends them, for `salesbot shell` and the tests."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

APP_ID = "A0SALESBOT"


def sign(signing_secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The X-Slack-* headers Slack adds: v0 HMAC-SHA256 over `v0:{ts}:{body}`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(
        signing_secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256
    ).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def trigger_id() -> str:
    return f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(8)}"


def slash_command(
    command: str,
    text: str,
    *,
    team_id: str,
    user_id: str,
    channel_id: str,
    response_url: str,
) -> str:
    """Form-encoded body of a slash command invocation."""
    return urlencode(
        {
            "token": "verification-token-unused",
            "team_id": team_id,
            "team_domain": team_id.lower(),
            "channel_id": channel_id,
            "channel_name": "sales" if channel_id.startswith("C") else "directmessage",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            # Slack sends &, < and > typed by a person as entities (mentions arrive as
            # <@U…> only when typed through Slack's picker, which a local caller can't do).
            "text": text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id(),
        }
    )


def _interactive(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def _user(team_id: str, user_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


# What an action carries besides its ids, by element kind: a button's text and value, a
# select's selected_option(s), a picker's selected_*, a dispatched input's value.
_ACTION_KEYS = (
    "value",
    "text",
    "selected_option",
    "selected_options",
    "selected_user",
    "selected_users",
    "selected_conversation",
    "selected_conversations",
    "selected_channel",
    "selected_channels",
    "selected_date",
    "selected_time",
    "selected_date_time",
    "rich_text_value",
)


def block_action(
    action: dict[str, Any],
    *,
    team_id: str,
    user_id: str,
    channel_id: str | None = None,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    response_url: str | None = None,
    block_id: str | None = None,
) -> str:
    """A button press (or select) on a message or in a view, as `payload=` form body."""
    act = {
        "type": action.get("type", "button"),
        "action_id": action["action_id"],
        "block_id": block_id or action.get("block_id") or "block",
        "action_ts": f"{time.time():.6f}",
    }
    for key in _ACTION_KEYS:
        if key in action:
            act[key] = action[key]
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(team_id, user_id),
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "trigger_id": trigger_id(),
        "team": {"id": team_id, "domain": team_id.lower()},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [act],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id")}
        payload["view"] = view
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": (message or {}).get("ts", "0"),
            "channel_id": channel_id,
            "is_ephemeral": response_url is not None,
        }
        payload["channel"] = {"id": channel_id, "name": "sales"}
        payload["message"] = message or {}
    if response_url:
        payload["response_url"] = response_url
    return _interactive(payload)


def view_block_action(
    action: dict[str, Any],
    view: dict[str, Any],
    values: dict[str, Any] | None = None,
    *,
    team_id: str,
    user_id: str,
    block_id: str | None = None,
) -> str:
    """A button press, select or `dispatch_action` input inside an open modal.

    `view` is the view as Slack last stored it (its `id`, `hash`, `private_metadata`,
    `callback_id`, …); `values` is what the person has entered so far and becomes
    `view.state.values` (None keeps the view's own state). `action` is the element as the
    app sent it plus what was chosen: `value` for a button or text input, `selected_option`
    for a static_select, overflow or radio_buttons, `selected_options` for checkboxes, the
    `selected_*` key of a picker. The payload has `container: {type: view, view_id}` and a
    fresh trigger_id, and no response_url or channel, as Slack sends it from a modal.
    """
    current = copy.deepcopy(view)
    if values is not None:
        current["state"] = {"values": copy.deepcopy(values)}
    else:
        current.setdefault("state", {"values": {}})
    current["team_id"] = team_id  # Slack stamps the view with the workspace it lives in
    current.setdefault("app_id", APP_ID)
    return block_action(action, team_id=team_id, user_id=user_id, view=current, block_id=block_id)


def view_submission(
    view: dict[str, Any], values: dict[str, Any], *, team_id: str, user_id: str
) -> str:
    """A modal's submit, carrying the opened view and the typed values."""
    submitted = dict(view)
    submitted["state"] = {"values": values}
    submitted["team_id"] = team_id  # Slack stamps the view with the workspace it lives in
    submitted.setdefault("app_id", APP_ID)
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": team_id.lower()},
        "user": _user(team_id, user_id),
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "trigger_id": trigger_id(),
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _interactive(payload)


def view_closed(view: dict[str, Any], *, team_id: str, user_id: str) -> str:
    payload = {
        "type": "view_closed",
        "team": {"id": team_id, "domain": team_id.lower()},
        "user": _user(team_id, user_id),
        "api_app_id": APP_ID,
        "view": view,
        "is_cleared": False,
    }
    return _interactive(payload)


def block_suggestion(
    action_id: str,
    block_id: str,
    value: str,
    *,
    team_id: str,
    user_id: str,
    view: dict[str, Any],
) -> str:
    """What an external_select in a modal sends while someone types (`app.options`)."""
    payload = {
        "type": "block_suggestion",
        "user": _user(team_id, user_id),
        "container": {"type": "view", "view_id": view.get("id")},
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "action_id": action_id,
        "block_id": block_id,
        "value": value,
        "team": {"id": team_id, "domain": team_id.lower()},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": view,
    }
    return _interactive(payload)


def message_shortcut(
    callback_id: str,
    message: dict[str, Any],
    *,
    team_id: str,
    user_id: str,
    channel_id: str,
    response_url: str | None = None,
) -> str:
    """A message shortcut ("…" menu on a message) run on `message` (needs at least `ts`)."""
    ts = message.get("ts") or f"{time.time():.6f}"
    payload: dict[str, Any] = {
        "type": "message_action",
        "token": "verification-token-unused",
        "action_ts": f"{time.time():.6f}",
        "team": {"id": team_id, "domain": team_id.lower()},
        "user": _user(team_id, user_id),
        "channel": {
            "id": channel_id,
            "name": "sales" if channel_id.startswith("C") else "directmessage",
        },
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id(),
        "message_ts": ts,
        "message": {"type": "message", "ts": ts, **message},
    }
    if response_url:
        payload["response_url"] = response_url
    return _interactive(payload)
