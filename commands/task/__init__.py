"""The /task command family: add, list and complete tasks; their menu, buttons and forms."""

from __future__ import annotations

import re

from slack_bolt import App

from commands.errors import guarded
from commands.ids import ActionId, CallbackId
from commands.task import handlers
from commands.task.grammar import SPEC

__all__ = ["SPEC", "register"]


def register(app: App) -> None:
    app.command(SPEC.name)(guarded(handlers.task_command))
    app.action(ActionId.TASK_MENU)(guarded(handlers.task_menu))
    app.action(ActionId.TASK_DONE)(guarded(handlers.task_done))
    # Snooze buttons share a block in the reminder, so their ids carry the choice too.
    app.action(re.compile(rf"^{ActionId.TASK_SNOOZE}(:\w+)?$"))(guarded(handlers.task_snooze))
    app.action(ActionId.TASK_REASSIGN)(guarded(handlers.task_reassign))
    app.action(ActionId.TASK_ADD)(guarded(handlers.open_task_form))
    app.view(CallbackId.TASK_SAVE)(guarded(handlers.save_task))
    app.view(CallbackId.TASK_REASSIGN_SAVE)(guarded(handlers.save_reassign))
