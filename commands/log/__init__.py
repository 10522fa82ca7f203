"""The /log command family and the "Log to customer" message shortcut."""

from __future__ import annotations

from slack_bolt import App

from commands.errors import guarded
from commands.ids import ActionId, CallbackId
from commands.log import handlers
from commands.log.grammar import SPEC
from commands.log.views import LogBlock

__all__ = ["SPEC", "register"]


def register(app: App) -> None:
    app.command(SPEC.name)(guarded(handlers.log_command))
    app.view(CallbackId.LOG_SAVE)(guarded(handlers.save_log))
    app.action(ActionId.LOG_PICK_CUSTOMER)(guarded(handlers.log_for_picked))
    for card_button in handlers.CARD_KINDS:
        app.action(card_button)(guarded(handlers.open_from_card))
    # The Type select in the form dispatches its change so the form shows that kind's fields.
    app.action({"block_id": LogBlock.KIND, "action_id": ActionId.INPUT})(
        guarded(handlers.change_kind)
    )
    app.message_shortcut(CallbackId.LOG_MESSAGE_SHORTCUT)(guarded(handlers.log_message))
