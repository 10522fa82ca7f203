"""Command families: each parses what people type, calls the domain and renders."""

from __future__ import annotations

from slack_bolt import App

from commands import (
    admin,
    customer,
    deal,
    digest,
    home,
    log,
    pipeline,
    products,
    sales,
    stock,
    task,
)
from commands.usage import CommandSpec

SPECS: tuple[CommandSpec, ...] = (
    customer.SPEC,
    log.SPEC,
    task.SPEC,
    sales.SPEC,
    stock.SPEC,
    deal.SPEC,
    pipeline.SPEC,
    admin.SPEC,
)


def register_all(app: App) -> None:
    """Attach every command family's listeners to the app."""
    customer.register(app)
    log.register(app)
    task.register(app)
    sales.register(app)
    products.register(app)
    stock.register(app)
    deal.register(app)
    pipeline.register(app)
    digest.register(app)
    home.register(app)
    admin.register(app, SPECS)
