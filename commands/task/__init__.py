"""The /task command family (being built: usage only for now)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from commands.usage import CommandSpec, usage_blocks, usage_fallback

SPEC = CommandSpec(
    name="/task",
    summary="follow-up tasks: add, list, complete",
    usage_hint=(
        "add <text> [@user] [due:<when>] [C-12|D-42] | mine | @user | overdue | today | done T-7"
    ),
    forms=(
        (
            "add <text> [@user] [due:<when>] [C-12|D-42]",
            "add a task (due: tomorrow 9am, fri, in 3 days…)",
        ),
        ("[mine]", "your open tasks"),
        ("@user", "someone's open tasks"),
        ("overdue", "your overdue tasks"),
        ("today", "your tasks due today or overdue"),
        ("done T-7", "mark T-7 done"),
        ("help", "show this help"),
    ),
)


def register(app: App) -> None:
    def task_command(ack: Ack, command: dict[str, Any]) -> None:
        ack(text=usage_fallback(SPEC), blocks=usage_blocks(SPEC))

    app.command(SPEC.name)(task_command)
