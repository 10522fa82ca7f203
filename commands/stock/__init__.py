"""The /stock command family: levels, receipts, adjustments, reorder rules and alert buttons."""

from __future__ import annotations

import re

from slack_bolt import App

from commands.errors import guarded
from commands.ids import ActionId, CallbackId
from commands.stock import handlers
from commands.stock.grammar import SPEC
from commands.stock.views import StockAction

__all__ = ["SPEC", "register"]


def register(app: App) -> None:
    app.command(SPEC.name)(guarded(handlers.stock_command))
    app.action(ActionId.STOCK_OPEN)(guarded(handlers.open_card))
    app.action(ActionId.STOCK_HISTORY)(guarded(handlers.show_history))
    app.action(StockAction.LOW_MORE)(guarded(handlers.show_more_low))
    app.action(ActionId.STOCK_RULE_EDIT)(guarded(handlers.open_rule_form))
    app.action(ActionId.STOCK_APPLY_SUGGESTION)(guarded(handlers.apply_suggestion))
    app.action(ActionId.STOCK_REORDERED)(guarded(handlers.mark_reordered))
    # Both snooze buttons share the alert's block, so their ids carry the period too.
    app.action(re.compile(rf"^{ActionId.STOCK_SNOOZE}(:\w+)?$"))(guarded(handlers.snooze))
    app.view(CallbackId.STOCK_RULE_SAVE)(guarded(handlers.save_rule))
