"""The /salesbot command: help across every command, and the workspace's settings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands.errors import guarded
from commands.format import escape, truncate, unescape
from commands.usage import CommandSpec, usage_blocks, usage_fallback
from domain.errors import DomainError
from domain.workspaces import User, Workspace

SPEC = CommandSpec(
    name="/salesbot",
    summary="help for every command, and the workspace's settings",
    usage_hint="help | settings [timezone <Area/City> | summary <HH:MM>]",
    forms=(
        ("help", "list every command with what it does"),
        ("settings", "show the workspace's settings"),
        ("settings timezone Europe/Berlin", "set the timezone (admins and managers)"),
        ("settings summary 08:30", "when overdue-task summaries go out (admins and managers)"),
        (
            "settings stock-channel #channel",
            "where low-stock alerts go; `off` stops them (admins and managers)",
        ),
    ),
)
SETTINGS_KEYS = {
    "timezone": "timezone",
    "tz": "timezone",
    "summary": "overdue_summary_time",
    "stock-channel": "stock_channel_id",
    "stock_channel": "stock_channel_id",
    "stock": "stock_channel_id",
}
# A channel picked from Slack's # list arrives as <#C0123|name> (or <#C0123|> or <#C0123>).
_CHANNEL_LINK = re.compile(r"^<#([CG][A-Z0-9]{2,})(?:\|[^<>]*)?>$")
_CHANNEL_OFF = frozenset({"off", "none", "-"})


def settings_blocks(workspace: Workspace, note: str | None = None) -> list[Block]:
    stock = (
        f"<#{workspace.stock_channel_id}>"
        if workspace.stock_channel_id
        else "off (set one with `/salesbot settings stock-channel #channel`)"
    )
    lines = [
        f"*Timezone:* {workspace.timezone}",
        f"*Currency:* {workspace.currency}",
        f"*Overdue-task summaries:* every day at {workspace.overdue_summary_time} "
        f"({workspace.timezone})",
        f"*Low-stock alerts:* {stock}",
    ]
    blocks: list[Block] = []
    if note:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=note)))
    blocks += [
        SectionBlock(text=MarkdownTextObject(text="\n".join(lines))),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Change with `/salesbot settings timezone Europe/Berlin`, "
                    "`/salesbot settings summary 08:30` or "
                    "`/salesbot settings stock-channel #channel`."
                )
            ]
        ),
    ]
    return blocks


def help_blocks(specs: Sequence[CommandSpec]) -> list[Block]:
    """One line per command that exists, then where to learn more."""
    lines = "\n".join(f"`{spec.name}` — {spec.summary}" for spec in specs)
    return [
        HeaderBlock(text="Salesbot commands"),
        SectionBlock(text=MarkdownTextObject(text=lines)),
        ContextBlock(
            elements=[MarkdownTextObject(text="Type any command followed by `help` for details.")]
        ),
    ]


def register(app: App, specs: Sequence[CommandSpec]) -> None:
    def salesbot_command(
        ack: Ack, command: dict[str, Any], services: Any, workspace: Workspace, user: User | None
    ) -> None:
        """/salesbot help | settings [...]."""
        words = unescape(command.get("text") or "").split()
        first = words[0].lower() if words else ""
        if first in ("", "help", "?", "-h", "--help"):
            ack(
                text="Salesbot commands: " + ", ".join(s.name for s in specs),
                blocks=help_blocks(specs),
            )
        elif first == "settings":
            settings_command(ack, words[1:], services, workspace, user)
        else:
            problem = f"`{truncate(first, 40)}` is not a /salesbot subcommand."
            ack(text=usage_fallback(SPEC, problem), blocks=usage_blocks(SPEC, problem))

    app.command(SPEC.name)(guarded(salesbot_command))


def settings_command(
    ack: Ack, words: list[str], services: Any, workspace: Workspace, user: User | None
) -> None:
    """Show the settings, or change one (the domain checks who may)."""
    if not words:
        ack(
            text=f"Salesbot settings for this workspace: timezone {workspace.timezone}",
            blocks=settings_blocks(workspace),
        )
        return
    key = SETTINGS_KEYS.get(words[0].lower())
    if key is None or len(words) != 2:
        problem = "Say which setting and its new value, like `settings summary 08:30`."
        ack(text=usage_fallback(SPEC, problem), blocks=usage_blocks(SPEC, problem))
        return
    try:
        value = stock_channel(words[1]) if key == "stock_channel_id" else words[1]
        changed = services.workspaces.change_settings(workspace.team_id, user, **{key: value})
    except DomainError as exc:
        # The message may quote what was typed: escaped, as the blocks escape it.
        ack(text=escape(exc.message), blocks=usage_blocks(SPEC, exc.message))
        return
    note = ":white_check_mark: Saved."
    if key == "stock_channel_id":
        note += " " + stock_channel_note(changed.stock_channel_id)
    ack(text="Settings saved.", blocks=settings_blocks(changed, note))


def stock_channel(text: str) -> str:
    """The channel id in `<#C0123|stock>` ("" for off); DomainError for anything else."""
    if text.lower() in _CHANNEL_OFF:
        return ""
    link = _CHANNEL_LINK.match(text.strip())
    if link is None:
        raise DomainError(
            f"“{truncate(text, 40)}” isn't a channel: type # and pick the channel from Slack's "
            "list, like `/salesbot settings stock-channel #stock`, or say `off`."
        )
    return link.group(1)


def stock_channel_note(channel_id: str | None) -> str:
    if not channel_id:
        return "Low-stock alerts are off."
    return (
        f"Low-stock alerts go to <#{channel_id}>. Salesbot posts in public channels without "
        "joining; for a private channel, invite @Salesbot there first (`/invite @Salesbot`), "
        "or its alerts fail with `not_in_channel`."
    )
