"""A message with files: what a dashboard, report or digest posts, now or on a schedule."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from commands.reply import answer

log = logging.getLogger(__name__)

NOT_IN_CHANNEL = "I'm not in this channel: invite me with `/invite @Salesbot` and press again."
# Slack's answers when the bot is not in the channel (or cannot see it, being private).
_NOT_IN = frozenset({"not_in_channel", "channel_not_found"})


@dataclass(frozen=True)
class Upload:
    """A file that goes with a message: a chart (PNG) or a CSV."""

    content: bytes
    filename: str  # "sales-2026-11.png"
    title: str


@dataclass(frozen=True)
class Posting:
    text: str  # the notification and fallback text
    blocks: Sequence[Block]
    uploads: Sequence[Upload] = field(default_factory=tuple)


def upload_all(
    client: WebClient, channel: str, uploads: Sequence[Upload], *, comment: str | None = None
) -> None:
    """Each file into the channel through files_upload_v2 (the comment goes with the first)."""
    for i, upload in enumerate(uploads):
        client.files_upload_v2(
            channel=channel,
            content=upload.content,
            filename=upload.filename,
            title=upload.title,
            initial_comment=comment if i == 0 and comment else None,
        )


def upload_or_tell(
    client: WebClient,
    channel: str,
    uploads: Sequence[Upload],
    respond: Respond,
    *,
    comment: str | None = None,
    what: str = "the chart",
    told: str = ":warning: I couldn't post {what}. {why}",
    refused: str = "Slack refused it ({error}).",
    not_in_dm: str | None = None,
) -> bool:
    """`upload_all`, but a refusal from Slack is told to the person privately (see
    `tell_refused`) instead of raised; True when every file went up."""
    try:
        upload_all(client, channel, uploads, comment=comment)
    except SlackApiError as exc:
        tell_refused(
            respond, channel, exc, what=what, told=told, refused=refused, not_in_dm=not_in_dm
        )
        return False
    return True


def tell_refused(
    respond: Respond,
    channel: str,
    exc: SlackApiError,
    *,
    what: str,
    told: str = ":warning: I couldn't post {what}. {why}",
    refused: str = "Slack refused it ({error}).",
    not_in_dm: str | None = None,
) -> None:
    """A refusal from Slack, told privately without replacing the message pressed: the
    person asked and expects something. `told` may use {what}, {why} and {error}; {why} is
    NOT_IN_CHANNEL when the bot is not in the channel (`not_in_dm`, when given, for a direct
    message between people, where nobody can invite it), else `refused` with {error}."""
    error = exc.response.get("error")
    log.info("could not post %s to %s: %s", what, channel, error)
    if error in _NOT_IN:
        why = not_in_dm if not_in_dm and channel.startswith("D") else NOT_IN_CHANNEL
    else:
        why = refused.format(error=error)
    answer(
        respond,
        response_type="ephemeral",
        text=told.format(what=what, why=why, error=error),
        replace_original=False,
    )
