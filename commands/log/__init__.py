"""The /log command family and the "Log to customer" message shortcut (being built)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from commands.usage import CommandSpec, usage_blocks, usage_fallback

SPEC = CommandSpec(
    name="/log",
    summary="log a call, email, meeting or note with a customer",
    usage_hint="[call|email|meeting|note] [customer] [what happened]",
    forms=(
        ("[call|email|meeting|note] [customer]", "open the log form, prefilled"),
        ("call C-12 Discussed renewal, send quote", "log it at once (customer by id or name)"),
        ("help", "show this help"),
    ),
)


def register(app: App) -> None:
    def log_command(ack: Ack, command: dict[str, Any]) -> None:
        ack(text=usage_fallback(SPEC), blocks=usage_blocks(SPEC))

    app.command(SPEC.name)(log_command)
