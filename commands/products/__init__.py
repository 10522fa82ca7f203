"""Products as the forms see them: the product picker every order form searches through."""

from __future__ import annotations

from slack_bolt import App

from commands.errors import guarded
from commands.ids import ActionId
from commands.products.options import product_options

__all__ = ["register"]


def register(app: App) -> None:
    # Every product picker (the order form's lines) searches through this one listener.
    app.options(ActionId.PRODUCT_SELECT)(guarded(product_options))
