"""The /deal command family: new deals, the deal card, and moving deals through the pipeline."""

from __future__ import annotations

from slack_bolt import App

from commands.usage import CommandSpec

SPEC = CommandSpec(
    name="/deal",
    summary="deals: create one, see its card, move it, win or lose it",
    usage_hint="new | D-42 | <text> | move D-42 <stage> | won D-42 | lost D-42 <reason> | help",
    forms=(("help", "show this help"),),
)

__all__ = ["SPEC", "register"]


def register(app: App) -> None:
    pass
