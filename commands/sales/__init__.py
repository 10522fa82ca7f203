"""The /sales command family: the dashboard, reports, saved and scheduled reports, and
recording an order from a form."""

from __future__ import annotations

import re

from slack_bolt import App

from commands.errors import guarded
from commands.ids import ActionId, CallbackId
from commands.sales import dashboard, handlers, report, schedules
from commands.sales.grammar import SPEC

__all__ = ["SPEC", "register"]


def register(app: App) -> None:
    app.command(SPEC.name)(guarded(handlers.sales_command))
    app.action(ActionId.SALE_RECORD)(guarded(handlers.open_from_button))
    app.action(ActionId.SALE_LINE_ADD)(guarded(handlers.add_line))
    # Remove buttons may share one block, so each id carries its line's key.
    app.action(re.compile(rf"^{ActionId.SALE_LINE_REMOVE}(:\d+)?$"))(guarded(handlers.remove_line))
    app.view(CallbackId.SALE_SAVE)(guarded(handlers.save_sale))
    dashboard.register(app)
    report.register(app)
    schedules.register(app)
