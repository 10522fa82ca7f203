"""The /pipeline command: the board of open deals by stage, and the forecast."""

from __future__ import annotations

from slack_bolt import App

from commands.errors import guarded
from commands.pipeline import handlers
from commands.pipeline.grammar import SPEC
from commands.pipeline.views import PipelineAction

__all__ = ["SPEC", "register"]


def register(app: App) -> None:
    app.command(SPEC.name)(guarded(handlers.pipeline_command))
    app.action(PipelineAction.SHARE)(guarded(handlers.share_chart))
    app.action(PipelineAction.FORECAST)(guarded(handlers.show_forecast))
