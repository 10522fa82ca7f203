"""Small formatting helpers shared by every view."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def escape(text: str | None) -> str:
    """Escape what a person typed for mrkdwn, so `<!channel>` notifies nobody."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack sends `&`, `<`, `>` typed in a slash command as entities; undo that once."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mention(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "—"


def local_date(instant: datetime, tz: ZoneInfo) -> str:
    """'27 Nov 2026' in the workspace's timezone."""
    return instant.astimezone(tz).strftime("%-d %b %Y")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
