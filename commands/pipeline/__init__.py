"""The /pipeline command: the board of open deals by stage, and the forecast."""

from __future__ import annotations

from slack_bolt import App

from commands.usage import CommandSpec

SPEC = CommandSpec(
    name="/pipeline",
    summary="open deals by stage, stale deals, and the forecast",
    usage_hint="[mine|@user] [stage] | forecast [month|quarter] | help",
    forms=(("help", "show this help"),),
)

__all__ = ["SPEC", "register"]


def register(app: App) -> None:
    pass
