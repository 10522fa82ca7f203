"""Turning failures into a private message the person can act on.

Bolt answers an error raised *before* ack() through the app's error handler. An
error raised soon *after* ack() is worse: Bolt's thread runner then resets the ack
and the request fails as unhandled. `guarded` keeps post-ack errors inside the
listener, so they reach the person as a message and the ack stands.
"""

from __future__ import annotations

import inspect
import logging
import secrets
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from domain.errors import DomainError

log = logging.getLogger("salesbot.errors")


def message_for(error: Exception, body: dict[str, Any]) -> str:
    """What the person reads: the rule for domain errors, an apology with an id otherwise."""
    if isinstance(error, DomainError):
        return error.message
    error_id = secrets.token_hex(4)
    log.error("error %s while handling %s", error_id, describe(body), exc_info=error)
    return (
        f":warning: Sorry, something went wrong on our side (error `{error_id}`). "
        "Please try again; if it keeps happening, give your admin that error id."
    )


def tell_privately(text: str, body: dict[str, Any], context: BoltContext) -> None:
    """Deliver through the response URL when there is one, else as a DM."""
    try:
        if context.response_url and context.respond is not None:
            context.respond(text=text, response_type="ephemeral", replace_original=False)
        elif context.client is not None and (user_id := _user_id(body)):
            context.client.chat_postMessage(channel=user_id, text=text)
    except Exception:
        # The message about the failure failed too; the log already has the cause.
        log.exception("could not deliver an error message")


def guarded(listener: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a listener so errors after its ack() become a private message."""
    signature = inspect.signature(listener)
    names = list(signature.parameters)
    params = list(signature.parameters.values())
    for extra in ("context", "body"):
        if extra not in names:
            params.append(inspect.Parameter(extra, inspect.Parameter.POSITIONAL_OR_KEYWORD))

    def run(**kwargs: Any) -> Any:
        context: BoltContext = kwargs["context"]
        body: dict[str, Any] = kwargs["body"]
        try:
            return listener(**{k: v for k, v in kwargs.items() if k in names})
        except Exception as error:
            if context.ack is None or context.ack.response is None:
                raise  # not acked yet: the app's error handler answers in the HTTP response
            tell_privately(message_for(error, body), body, context)
            return None

    # Bolt injects arguments by name from the signature; no __wrapped__, or it
    # would read the inner function's names and never pass context and body.
    run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    run.__name__ = listener.__name__
    run.__qualname__ = listener.__qualname__
    run.__doc__ = listener.__doc__
    return run


def describe(body: dict[str, Any]) -> str:
    if "command" in body:
        return f"command {body['command']}"
    kind = body.get("type", "request")
    if kind == "view_submission":
        return f"view_submission {body.get('view', {}).get('callback_id')}"
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        return f"block_actions {actions[0].get('action_id')}"
    return str(kind)


def _user_id(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if isinstance(user, dict):
        return user.get("id")
    return body.get("user_id")
