"""The /salesbot command: help across every command, and the workspace's settings."""

from __future__ import annotations

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
from commands.format import truncate, unescape
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
    ),
)
SETTINGS_KEYS = {"timezone": "timezone", "tz": "timezone", "summary": "overdue_summary_time"}


def settings_blocks(workspace: Workspace, note: str | None = None) -> list[Block]:
    lines = [
        f"*Timezone:* {workspace.timezone}",
        f"*Currency:* {workspace.currency}",
        f"*Overdue-task summaries:* every day at {workspace.overdue_summary_time} "
        f"({workspace.timezone})",
    ]
    blocks: list[Block] = []
    if note:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=note)))
    blocks += [
        SectionBlock(text=MarkdownTextObject(text="\n".join(lines))),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Change with `/salesbot settings timezone Europe/Berlin` or "
                    "`/salesbot settings summary 08:30`."
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
        changed = services.workspaces.change_settings(workspace.team_id, user, **{key: words[1]})
    except DomainError as exc:
        ack(text=exc.message, blocks=usage_blocks(SPEC, exc.message))
        return
    ack(text="Settings saved.", blocks=settings_blocks(changed, ":white_check_mark: Saved."))
