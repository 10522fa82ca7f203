"""/salesbot digest: the daily digest's channels and times, and `digest now`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from domain.workspaces import User, Workspace


def handle(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User,
    words: Sequence[str],
) -> None:
    """The words after `/salesbot digest`."""
    ack(text="Not built yet.")


def register(app: App) -> None:
    """The digest's buttons, if any."""
