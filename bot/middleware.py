"""Bolt middleware: services into the context, the tenant and the user from the request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from bot.services import Services


def make_context_middleware(services: Services) -> Callable[..., Any]:
    """Put services, the workspace and the user into every listener's context."""

    def context_middleware(context: BoltContext, next: Callable[[], Any]) -> Any:
        context["services"] = services
        # Org-wide installs on Enterprise Grid may carry no team; the enterprise is the tenant.
        team_id = context.team_id or context.enterprise_id
        if team_id:
            workspace, user = services.workspaces.ensure(team_id, context.user_id)
            context["workspace"] = workspace
            context["user"] = user
        return next()

    return context_middleware
