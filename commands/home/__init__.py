"""The App Home tab: my tasks and deals, this month's numbers, the leaderboard, quick actions."""

from __future__ import annotations

from slack_bolt import App

__all__ = ["EVENTS", "register"]

# The Events API subscriptions the app handles (manifest.yml's bot_events; a test compares).
EVENTS = ("app_home_opened",)


def register(app: App) -> None:
    """app_home_opened and the Home tab's buttons."""
    # Imported here: the task, deal and sales handlers import commands.home.publish, and
    # these listeners import theirs.
    from commands.errors import guarded
    from commands.home import handlers
    from commands.home.views import HomeAction

    app.event("app_home_opened")(handlers.home_opened)
    app.action(HomeAction.TASK_DONE)(guarded(handlers.task_done))
    app.action(HomeAction.LOG)(guarded(handlers.open_log_form))
