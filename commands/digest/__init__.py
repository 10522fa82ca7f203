"""/salesbot digest: the daily digest's channels and times, and `digest now`.

`digest now` posts straight through the request's client rather than through the delivery
outbox: the person who asked is waiting for it, so it goes out at once even where no
scheduler runs (the shell), and if Slack refuses it they are told why right away instead of
the outbox retrying it unseen and posting it minutes later. A slash command is never
re-sent by Slack, so posting directly cannot post it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from commands.channels import NotAChannel, channel_id
from commands.digest.views import channels_blocks, digest_chart, digest_message
from commands.format import truncate
from commands.posting import upload_all
from commands.reply import answer
from commands.usage import CommandSpec, usage_blocks, usage_fallback
from domain.digest import zone
from domain.errors import DomainError
from domain.workspaces import User, Workspace

log = logging.getLogger(__name__)

SPEC = CommandSpec(
    name="/salesbot digest",
    summary="the daily digest: yesterday's sales, the month, deals, tasks, low stock",
    usage_hint="[#channel HH:MM | off #channel | now [#channel]]",
    forms=(
        ("", "list the channels that get the digest, and when"),
        ("#channel 08:00", "post it there every day at that time (admins and managers)"),
        ("off #channel", "stop posting it there (admins and managers)"),
        ("now", "post today's digest in this channel now (anyone)"),
        ("now #channel", "post today's digest in that channel now"),
    ),
)
_OFF = frozenset({"off", "stop", "remove", "none"})
_LIST = frozenset({"", "list", "ls", "show"})
_HELP = frozenset({"help", "?", "-h", "--help"})
_NOT_POSTED = {
    "not_in_channel": "I'm not a member of <#{channel}>: invite me with `/invite @Salesbot` "
    "there, then try again.",
    "channel_not_found": "I can't see <#{channel}>: if it is private, invite me with "
    "`/invite @Salesbot` there first.",
    "is_archived": "<#{channel}> is archived: pick another channel.",
}
_NOT_IN_DM = (
    "I can't post in a direct message between people. Run `/salesbot digest now` in a channel "
    "I'm in, or name one: `/salesbot digest now #sales`."
)


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
    first = words[0].lower() if words else ""
    if first in _HELP:
        ack(text=usage_fallback(SPEC), blocks=usage_blocks(SPEC))
        return
    try:
        if first in _LIST and len(words) <= 1:
            _list(ack, services, workspace)
        elif first == "now":
            channel = _channel(words[1]) if len(words) > 1 else command.get("channel_id")
            if len(words) > 2 or not channel:
                raise DomainError("Say `now`, or `now #channel` to post it in another channel.")
            _post_now(ack, respond, client, services, workspace, str(channel))
        else:
            _configure(ack, services, workspace, user, words)
    except DomainError as exc:
        ack(text=usage_fallback(SPEC, exc.message), blocks=usage_blocks(SPEC, exc.message))


def _channel(text: str) -> str:
    try:
        return channel_id(text, example="`/salesbot digest #sales 08:00`")
    except NotAChannel as exc:
        raise DomainError(str(exc)) from None


def _list(ack: Ack, services: Any, workspace: Workspace, note: str | None = None) -> None:
    channels = services.digests.channels(workspace.team_id)
    text, blocks = channels_blocks(channels, tz=zone(workspace.timezone), note=note)
    ack(text=text, blocks=blocks)


def _configure(
    ack: Ack, services: Any, workspace: Workspace, user: User, words: Sequence[str]
) -> None:
    """`#channel 08:00`, `08:00 #channel`, `off #channel`, `#channel off`."""
    links = [w for w in words if w.startswith("<#")]
    rest = [w for w in words if not w.startswith("<#")]
    if not links:
        shown = truncate(" ".join(words), 40)  # escaped where it is shown
        raise DomainError(
            f"Say which channel: `/salesbot digest #sales 08:00` (not “{shown}”). "
            "Type # and pick the channel from Slack's list."
        )
    if len(links) > 1 or len(rest) != 1:
        raise DomainError(
            "Give one channel and one time, like `/salesbot digest #sales 08:00`, "
            "or `/salesbot digest off #sales`."
        )
    channel = _channel(links[0])
    what = rest[0]
    if what.lower() in _OFF:
        removed = services.digests.remove(workspace.team_id, user, channel)
        note = (
            f":white_check_mark: <#{channel}> no longer gets the daily digest."
            if removed
            else f"<#{channel}> wasn't getting the daily digest."
        )
        _list(ack, services, workspace, note)
        return
    added = services.digests.configure(workspace.team_id, user, channel, what)
    tz = zone(workspace.timezone)
    first = added.next_run_at.astimezone(tz)
    note = (
        f":white_check_mark: <#{channel}> gets the daily digest at {added.local_time} "
        f"({tz.key}); the first one on {first:%a} {first.day} {first:%b}. Make sure I'm in the "
        "channel (`/invite @Salesbot`)."
    )
    _list(ack, services, workspace, note)


def _post_now(
    ack: Ack,
    respond: Respond,
    client: WebClient,
    services: Any,
    workspace: Workspace,
    channel: str,
) -> None:
    ack()
    tz = zone(workspace.timezone)
    digest = services.digests.digest(workspace.team_id, services.digests.today(tz))
    text, blocks = digest_message(digest, tz=tz)
    chart = digest_chart(digest)
    try:
        posted = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "")
        message = _NOT_POSTED.get(error, "Slack didn't take the digest ({error}): try again.")
        if channel.startswith("D") and error in _NOT_POSTED:
            # A direct message between people: the bot can be in no such conversation.
            message = _NOT_IN_DM
        answer(
            respond,
            text=":warning: " + message.format(channel=channel, error=error),
            response_type="ephemeral",
        )
        return
    done = f":white_check_mark: Posted today's digest in <#{channel}>."
    if chart is not None:
        try:
            upload_all(client, str(posted.get("channel") or channel), [chart])
        except (SlackClientError, OSError) as exc:
            log.warning("digest posted in %s, but its chart failed to upload: %s", channel, exc)
            done += " The chart could not be uploaded."
    answer(respond, text=done, response_type="ephemeral")


def register(app: App) -> None:
    """The digest has no buttons: its message is read, not acted on."""
