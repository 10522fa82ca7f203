"""Answering a person privately after a modal or a button, wherever they started."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.webhook import WebhookClient

log = logging.getLogger(__name__)


class ReplyRejected(RuntimeError):
    """Slack refused a reply (bad blocks, expired URL): raised so it is never silent."""


def answer(respond: Respond, **message: Any) -> None:
    """`respond(...)`, but a refused reply raises instead of vanishing."""
    result = respond(**message)
    if result is not None and result.status_code != 200:
        raise ReplyRejected(f"response_url answered {result.status_code}: {result.body}")


def reply_privately(
    client: WebClient,
    *,
    user_id: str,
    text: str,
    blocks: Sequence[Block],
    response_url: str | None = None,
    channel_id: str | None = None,
    replace_original: bool = False,
) -> None:
    """Ephemeral reply through the response URL; else an ephemeral post; else a DM.

    A response URL works even where the bot is not a member, so it comes first.
    It expires after 30 minutes; the fallbacks cover a modal left open longer.
    """
    payload = [b.to_dict() for b in blocks]
    if response_url:
        result = WebhookClient(response_url).send(
            text=text,
            blocks=payload,
            response_type="ephemeral",
            replace_original=replace_original,
        )
        if result.status_code == 200:
            return
        log.info("response_url answered %s; falling back", result.status_code)
    if channel_id and not channel_id.startswith("D"):
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, blocks=payload)
            return
        except SlackApiError as exc:
            log.info("chat.postEphemeral failed (%s); sending a DM", exc.response.get("error"))
    client.chat_postMessage(channel=user_id, text=text, blocks=payload)
