"""Tables of the daily digest: which channels get it, at what local time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.orm import Base


class DigestChannelRow(Base):
    """A channel that gets the daily digest at a local time, and when it next goes out."""

    __tablename__ = "digest_channels"
    # The tick looks for channels whose instant has come, across workspaces.
    __table_args__ = (Index("ix_digest_channels_next_run_at", "next_run_at"),)

    team_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.team_id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    local_time: Mapped[str] = mapped_column(String(5))  # "08:00" in the workspace's timezone
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The UTC instant of the next digest, moved on by the tick as it queues each one.
    next_run_at: Mapped[datetime]
    # The workspace's timezone next_run_at was worked out in: when the workspace's differs,
    # the tick works it out again at once.
    timezone: Mapped[str | None] = mapped_column(String(64))
