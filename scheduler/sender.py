"""Posting deliveries to Slack: the post function that domain.delivery.send_due calls.

Each message carries its delivery key in Slack message metadata. When an earlier attempt
may have reached Slack (it had opened the conversation, then died or failed), the
conversation's history is searched for that key first, and a message found there
counts as sent: that is what keeps a crash between posting and recording from
posting twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.blocks import Block

from commands.posting import Upload, upload_all
from domain.announcements import DEAL_ANNOUNCEMENT
from domain.customers import Customer
from domain.delivery import Attempt, Delivery, PostOutcome
from domain.digest import DAILY_DIGEST
from domain.inventory import LOW_STOCK_ALERT
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.reminders import OVERDUE_SUMMARY, TASK_REMINDER
from domain.schedules import SCHEDULED_POST
from domain.tasks import TaskStatus
from scheduler import digests, scheduled_posts
from scheduler.deal_announcements import render_deal_announcement
from scheduler.stock_alerts import render_low_stock_alert

log = logging.getLogger(__name__)

METADATA_EVENT = "salesbot_delivery"
# Errors retrying cannot fix: the person or the workspace is gone, or we may not post.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "channel_not_found",
        "cannot_dm_bot",
        "account_inactive",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "not_in_channel",  # a private stock channel the bot was not invited to
        "is_archived",
    }
)
HISTORY_PAGE = 200
HISTORY_PAGES = 5  # a bot's DM never holds a thousand messages within one delivery's retries
SUMMARY_MAX_TASKS = 500  # the view shows what fits and counts the rest


class NotInstalled(Exception):
    """The app has no bot token for that workspace (never installed, or uninstalled)."""


class ClientSource(Protocol):
    def for_team(self, team_id: str) -> WebClient:
        """The client acting as the bot in that workspace; NotInstalled if there is none."""
        ...


class Skip(Exception):
    """Nothing to send any more (the task was done meanwhile); the reason is recorded."""


@dataclass(frozen=True)
class Message:
    text: str
    blocks: Sequence[Block | dict[str, Any]]
    # Files (charts, CSVs) posted right after the message. The message carries the delivery
    # key and goes out exactly once; a file whose upload fails after it is logged and not
    # retried, since retrying would post the message again or a file without it.
    uploads: Sequence[Upload] = ()


# Builds a delivery's message from the database, or raises Skip.
Render = Callable[[UnitOfWork, Delivery, Attempt], Message]


class SlackSender:
    """Builds each delivery's message and posts it in the right workspace, once."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clients: ClientSource,
        renderers: dict[str, Render] | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clients = clients
        if renderers is None:
            renderers = dict(RENDERERS)
            # These build their message with the domain's services, which open their own
            # units of work.
            renderers[SCHEDULED_POST] = scheduled_posts.make_renderer(uow_factory)
            renderers[DAILY_DIGEST] = digests.make_renderer(uow_factory)
        self._renderers = renderers

    def __call__(self, attempt: Attempt) -> PostOutcome:
        delivery = attempt.delivery
        render = self._renderers.get(delivery.kind)
        if render is None:
            return PostOutcome.failed(f"no message for deliveries of kind {delivery.kind!r}")
        try:
            with self._uow_factory() as uow:  # read only, and closed before Slack is called
                message = render(uow, delivery, attempt)
        except Skip as skip:
            return PostOutcome.skip(str(skip))
        try:
            return self._post(attempt, message)
        except NotInstalled as exc:
            return PostOutcome.failed(str(exc))
        except SlackApiError as exc:
            # What is left after the client's own retries (429, 5xx, connection errors).
            error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
            if error in PERMANENT_ERRORS:
                return PostOutcome.failed(error)
            return PostOutcome.retry(error)
        except (SlackClientError, OSError) as exc:
            return PostOutcome.retry(f"{type(exc).__name__}: {exc}")

    def _post(self, attempt: Attempt, message: Message) -> PostOutcome:
        delivery = attempt.delivery
        client = self._clients.for_team(delivery.team_id)
        channel = delivery.channel_id or _conversation(client, delivery.recipient)
        if not attempt.hold(channel):
            return PostOutcome.abandoned()
        if attempt.check_history_since is not None:
            found = _find_posted(client, channel, delivery.key, attempt.check_history_since)
            if found is not None:
                log.info("delivery %s was already posted (ts %s)", delivery.key, found)
                return PostOutcome.sent(channel, found)
        response = client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=message.blocks,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"key": delivery.key}},
        )
        posted_in = str(response.get("channel") or channel)
        if message.uploads:
            try:
                upload_all(client, posted_in, message.uploads)
            except (SlackClientError, OSError) as exc:
                log.warning("delivery %s: posted, but a file upload failed: %s", delivery.key, exc)
        return PostOutcome.sent(posted_in, response.get("ts"))


def _conversation(client: WebClient, recipient: str) -> str:
    """The channel to post in: a person's DM with the bot (im:write), or the channel itself."""
    if recipient[:1] not in ("U", "W"):
        return recipient
    response = client.conversations_open(users=recipient)
    return str(response["channel"]["id"])


def _find_posted(client: WebClient, channel: str, key: str, since: datetime) -> str | None:
    """The ts of a message carrying this delivery key posted after `since` (im:history)."""
    cursor: str | None = None
    for _ in range(HISTORY_PAGES):
        response = client.conversations_history(
            channel=channel,
            oldest=f"{since.timestamp():.6f}",
            include_all_metadata=True,
            limit=HISTORY_PAGE,
            cursor=cursor,
        )
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT and payload.get("key") == key:
                return str(message["ts"])
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not response.get("has_more") or not cursor:
            return None
    log.warning("delivery %s: history of %s too long to search fully", key, channel)
    return None


# -- messages ------------------------------------------------------------------------------------


def render_task_reminder(uow: UnitOfWork, delivery: Delivery, attempt: Attempt) -> Message:
    """The reminder DM for the delivery's task, unless it is done, gone or snoozed past it."""
    from commands.task.views import reminder_message  # views are rendered only when sending

    task = uow.tasks.get(delivery.team_id, int(delivery.payload["task_id"]))
    if task is None:
        raise Skip("the task was deleted")
    if task.status is TaskStatus.DONE:
        raise Skip(f"{task.public_id} was done meanwhile")
    if task.remind_at is not None and task.remind_at > delivery.due_at:
        raise Skip(f"{task.public_id} was snoozed: a later reminder will come")
    if task.assignee_id != delivery.recipient:
        raise Skip(f"{task.public_id} was reassigned: its new assignee has been told")
    customer = uow.customers.get(delivery.team_id, task.customer_id) if task.customer_id else None
    text, blocks = reminder_message(
        task, customer, tz=_timezone(uow, delivery.team_id), now=attempt.now, late=attempt.late
    )
    return Message(text, blocks)


def render_overdue_summary(uow: UnitOfWork, delivery: Delivery, attempt: Attempt) -> Message:
    """The morning DM listing the person's tasks that are overdue now, if any still are."""
    from commands.task.views import overdue_summary_message

    user_id = str(delivery.payload["user_id"])
    tasks, _ = uow.tasks.open_tasks(
        delivery.team_id, assignee_id=user_id, due_before=attempt.now, limit=SUMMARY_MAX_TASKS
    )
    if not tasks:
        raise Skip("no overdue tasks left")
    customers: dict[int, Customer] = {}
    for customer_id in {t.customer_id for t in tasks if t.customer_id is not None}:
        customer = uow.customers.get(delivery.team_id, customer_id)
        if customer is not None:
            customers[customer_id] = customer
    text, blocks = overdue_summary_message(
        tasks, customers, tz=_timezone(uow, delivery.team_id), now=attempt.now
    )
    return Message(text, blocks)


RENDERERS: dict[str, Render] = {
    TASK_REMINDER: render_task_reminder,
    OVERDUE_SUMMARY: render_overdue_summary,
    LOW_STOCK_ALERT: render_low_stock_alert,
    DEAL_ANNOUNCEMENT: render_deal_announcement,
}


def _timezone(uow: UnitOfWork, team_id: str) -> ZoneInfo:
    workspace = uow.workspaces.get(team_id)
    try:
        return workspace.tz if workspace is not None else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
