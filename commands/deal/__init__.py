"""The /deal command family: new deals, the deal card, and moving deals through the pipeline."""

from __future__ import annotations

from slack_bolt import App

from commands.deal import handlers
from commands.deal.grammar import SPEC
from commands.deal.ids import DealAction, DealCallback
from commands.errors import guarded

__all__ = ["SPEC", "register"]


def register(app: App) -> None:
    app.command(SPEC.name)(guarded(handlers.deal_command))
    app.action(DealAction.OPEN)(guarded(handlers.open_card))
    app.action(DealAction.NEW)(guarded(handlers.open_new_form))
    app.action(DealAction.MOVE)(guarded(handlers.move_stage))
    app.action(DealAction.WON)(guarded(handlers.mark_won))
    app.action(DealAction.LOST)(guarded(handlers.open_lost_form))
    app.action(DealAction.NOTE)(guarded(handlers.open_note_form))
    app.action(DealAction.TASK)(guarded(handlers.open_task_form))
    app.action(DealAction.EDIT)(guarded(handlers.open_edit_form))
    app.action(DealAction.HISTORY)(guarded(handlers.show_history))
    app.view(DealCallback.SAVE)(guarded(handlers.save_deal))
    app.view(DealCallback.LOST)(guarded(handlers.save_lost))
    app.view(DealCallback.NOTE)(guarded(handlers.save_note))
    app.view(DealCallback.TASK)(guarded(handlers.save_task))
