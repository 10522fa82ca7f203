"""Publishing the Home tab, after it is opened and after changes made elsewhere (a task done,
a deal moved, an order recorded).

Kept apart from the listeners so the task, deal and sales handlers can import `refresh`
without importing the Home's listeners (which use theirs).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from commands.home.views import home_view
from domain.workspaces import Workspace

log = logging.getLogger(__name__)


def publish(
    client: WebClient, services: Any, workspace: Workspace, user_id: str, note: str | None = None
) -> None:
    """Build this person's Home and publish it (errors are the caller's)."""
    home = services.home.home(workspace.team_id, user_id, workspace.tz)
    view = home_view(home, tz=workspace.tz, currency=workspace.currency, note=note)
    client.views_publish(user_id=user_id, view=view)


def refresh(client: WebClient, services: Any, workspace: Workspace, *user_ids: str | None) -> None:
    """Republish the Home of everyone a change touched.

    Called after the change is saved and answered: a failure here is logged and never
    undoes or hides what the person just did. Slack accepts views.publish for someone who
    never opened the tab (they see it when they do), so no record of who opened it is kept.
    """
    for user_id in dict.fromkeys(u for u in user_ids if u):
        try:
            publish(client, services, workspace, user_id)
        except Exception:
            log.warning("could not refresh the Home tab of %s", user_id, exc_info=True)
