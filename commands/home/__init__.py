"""The App Home tab: my tasks and deals, this month's numbers, the leaderboard, quick actions."""

from __future__ import annotations

from slack_bolt import App


def register(app: App) -> None:
    """app_home_opened and the Home tab's buttons."""
