"""Listeners of the Home tab: opening it, its Done buttons and its Log activity button."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from commands.format import escape, mention, truncate
from commands.home.publish import publish, refresh
from commands.log.views import log_modal, prefill
from commands.modal_context import ModalContext
from commands.task.handlers import refuse
from domain.errors import NotFound
from domain.tasks import TaskStatus
from domain.workspaces import User, Workspace

log = logging.getLogger(__name__)

HOME_TAB = "home"


# -- listeners --------------------------------------------------------------------------------


def home_opened(
    event: dict[str, Any], client: WebClient, services: Any, workspace: Workspace
) -> None:
    """app_home_opened: Bolt answers the event at once; this publishes the tab afterwards.

    Slack may deliver the event again (retries): publishing again is harmless.
    """
    if event.get("tab") != HOME_TAB:  # the Messages tab needs nothing from us
        return
    publish(client, services, workspace, event["user"])


def task_done(
    ack: Ack,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    services: Any,
    workspace: Workspace,
    user: User | None,
) -> None:
    """Done on a task line: complete it and publish the Home without it."""
    ack()
    user_id = body["user"]["id"]
    team = workspace.team_id
    note: str
    others: tuple[str, ...] = ()
    try:
        task = services.tasks.get(team, int(action.get("value") or 0))
    except (NotFound, ValueError):
        task = None
    if task is None:
        note = ":information_source: That task is no longer there."
    elif (refusal := refuse(task, user_id, user)) is not None:
        note = f":no_entry: {refusal}"
    elif task.status is TaskStatus.DONE:
        # Done twice (a second click, an old Home): nothing to do, and nothing broke.
        by = f" by {mention(task.done_by)}" if task.done_by else ""
        note = f":information_source: {task.public_id} was already done{by}."
    else:
        task = services.tasks.complete(team, task.id, actor=user_id)
        title = escape(truncate(task.title, 100))
        note = f":white_check_mark: {task.public_id} *{title}* is done."
        others = (task.assignee_id, task.created_by)
    try:
        publish(client, services, workspace, user_id, note=note)
    except Exception:
        # The task is done whatever Slack says about the tab: say so, never "went wrong".
        log.warning("could not publish the Home tab of %s", user_id, exc_info=True)
        _tell(client, user_id, note)
    refresh(client, services, workspace, *(o for o in others if o != user_id))


def _tell(client: WebClient, user_id: str, note: str) -> None:
    """The outcome as a DM, when the tab that would show it could not be published."""
    try:
        client.chat_postMessage(channel=user_id, text=note)
    except Exception:
        log.warning("could not tell %s by DM either", user_id, exc_info=True)


def open_log_form(
    ack: Ack, body: dict[str, Any], client: WebClient, services: Any, workspace: Workspace
) -> None:
    """Log activity: the /log form with nothing chosen yet."""
    ack()
    view = log_modal(
        ModalContext.opened_from(body), prefill(), now=services.clock.now(), tz=workspace.tz
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)
