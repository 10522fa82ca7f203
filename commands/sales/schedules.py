"""/sales save | saved | unsave | schedule | schedules: saved and scheduled reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from domain.workspaces import Workspace


def handle(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
    words: Sequence[str],
) -> None:
    ack(text="Not built yet.")


def register(app: App) -> None:
    """Buttons and forms of this part of /sales."""
