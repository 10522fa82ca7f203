"""The /customer command family."""

from __future__ import annotations

from slack_bolt import App

from commands.customer import handlers
from commands.customer.grammar import SPEC
from commands.customer.options import customer_options
from commands.errors import guarded
from commands.ids import ActionId, CallbackId

__all__ = ["SPEC", "register"]


def register(app: App) -> None:
    app.command(SPEC.name)(guarded(handlers.customer_command))
    app.action(ActionId.CUSTOMER_OPEN)(guarded(handlers.open_card))
    app.action(ActionId.CUSTOMER_EDIT)(guarded(handlers.open_edit_form))
    app.action(ActionId.CUSTOMER_ADD)(guarded(handlers.open_add_form))
    app.view(CallbackId.CUSTOMER_SAVE)(guarded(handlers.save_customer))
    app.action(ActionId.CUSTOMER_HISTORY_MORE)(guarded(handlers.show_more_history))
    app.action(ActionId.CONTACT_ADD)(guarded(handlers.open_contact_form))
    app.view(CallbackId.CONTACT_SAVE)(guarded(handlers.save_contact))
    app.action(ActionId.CONTACT_REMOVE)(guarded(handlers.remove_contact))
    # Every customer picker (log form, task form) searches through this one listener.
    app.options(ActionId.CUSTOMER_SELECT)(guarded(customer_options))
