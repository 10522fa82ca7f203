"""The /salesbot command: help across every command, and (later) settings."""

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

from commands.format import truncate, unescape
from commands.usage import CommandSpec, usage_blocks, usage_fallback

SPEC = CommandSpec(
    name="/salesbot",
    summary="help for every Salesbot command",
    usage_hint="help",
    forms=(("help", "list every command with what it does"),),
)


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
    def salesbot_command(ack: Ack, command: dict[str, Any]) -> None:
        """/salesbot help."""
        text = " ".join(unescape(command.get("text") or "").split()).lower()
        if text in ("", "help", "?", "-h", "--help"):
            ack(
                text="Salesbot commands: " + ", ".join(s.name for s in specs),
                blocks=help_blocks(specs),
            )
            return
        problem = f"`{truncate(text.split()[0], 40)}` is not a /salesbot subcommand."
        ack(text=usage_fallback(SPEC, problem), blocks=usage_blocks(SPEC, problem))

    app.command(SPEC.name)(salesbot_command)
