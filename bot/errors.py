"""The app's error handler: failures before ack() answered in the HTTP response."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from commands.errors import message_for, tell_privately


def handle_error(
    error: Exception,
    body: dict[str, Any],
    response: BoltResponse | None,
    context: BoltContext,
) -> BoltResponse | None:
    """Answer the person privately; log unexpected errors with an id they can quote."""
    text = message_for(error, body)
    # Bolt hands over the pending response only while the request still awaits its ack.
    awaiting_ack = response is not None and "event" not in body
    if awaiting_ack and "command" in body:
        return BoltResponse(
            status=200,
            body=json.dumps({"response_type": "ephemeral", "text": text}),
            headers={"content-type": "application/json"},
        )
    tell_privately(text, body, context)
    if awaiting_ack:
        # A view submission or button still waits: close it instead of a 500.
        return BoltResponse(status=200, body="")
    return None
