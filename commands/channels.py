"""Channels as commands receive them: Slack's client turns a channel picked after "#" into
<#C0123|name> (or <#C0123|> or <#C0123>) before the app sees the text."""

from __future__ import annotations

import re

from commands.format import truncate

_CHANNEL_LINK = re.compile(r"^<#([CG][A-Z0-9]{2,})(?:\|[^<>]*)?>$")


class NotAChannel(ValueError):
    """The word is not a channel picked from Slack's list; the message says how to pick one."""


def channel_id(text: str, *, example: str) -> str:
    """The channel id in a channel link; NotAChannel, showing `example`, for anything else."""
    link = _CHANNEL_LINK.match(text.strip())
    if link is None:
        raise NotAChannel(
            f"“{truncate(text, 40)}” isn't a channel: type # and pick the channel from "
            f"Slack's list, like {example}."
        )
    return link.group(1)
