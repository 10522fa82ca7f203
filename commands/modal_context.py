"""What a modal carries in private_metadata to finish its job after the submit."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, replace
from typing import Any

METADATA_MAX = 3000  # Slack's private_metadata limit
LINK_MAX = 1000


@dataclass(frozen=True)
class ModalContext:
    """Where a form was opened from, so its answer goes back there, and what it is about."""

    customer_id: int | None
    token: str  # one per opened form: a second submit of the same form writes nothing new
    response_url: str | None = None
    channel_id: str | None = None
    message_link: str | None = None  # the Slack message a form was opened from

    @classmethod
    def opened_from(
        cls,
        payload: dict[str, Any],
        customer_id: int | None = None,
        message_link: str | None = None,
    ) -> ModalContext:
        """A fresh form opened by this slash command, button or shortcut payload."""
        channel = payload.get("channel")
        channel_id = channel.get("id") if isinstance(channel, dict) else payload.get("channel_id")
        return cls(
            customer_id,
            secrets.token_urlsafe(12),
            payload.get("response_url"),
            channel_id,
            message_link,
        )

    def with_customer(self, customer_id: int) -> ModalContext:
        return replace(self, customer_id=customer_id)

    def dump(self) -> str:
        link = (
            self.message_link if self.message_link and len(self.message_link) <= LINK_MAX else None
        )
        data = {
            "id": self.customer_id,
            "k": self.token,
            "r": self.response_url,
            "c": self.channel_id,
            "l": link,
        }
        text = json.dumps(data, separators=(",", ":"))
        if len(text) > METADATA_MAX:
            # Without the URL the reply goes to the channel or a DM instead.
            text = json.dumps({**data, "r": None}, separators=(",", ":"))
        return text

    @classmethod
    def load(cls, text: str) -> ModalContext:
        data: dict[str, Any] = json.loads(text or "{}")
        return cls(data.get("id"), data.get("k") or "", data.get("r"), data.get("c"), data.get("l"))
