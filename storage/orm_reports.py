"""Tables of saved reports and their schedules (helper-owned: saved & scheduled reports)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.orm import KEY_MAX, Base


class SavedReportRow(Base):
    """A dashboard or report saved by name; its args keep periods relative ("month")."""

    __tablename__ = "saved_reports"
    __table_args__ = (UniqueConstraint("team_id", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(KEY_MAX))
    kind: Mapped[str] = mapped_column(String(16))  # dashboard | report
    args: Mapped[str] = mapped_column(String(600))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ReportScheduleRow(Base):
    """A saved report posted into a channel; next_run_at (UTC) is what the tick claims."""

    __tablename__ = "report_schedules"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        # The tick's query across workspaces: unpaused, due.
        Index("ix_report_schedules_paused_next_run_at", "paused", "next_run_at"),
        Index("ix_report_schedules_team_saved_report", "team_id", "saved_report_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # S-<number>
    saved_report_id: Mapped[int] = mapped_column(ForeignKey("saved_reports.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(32))
    cadence: Mapped[str] = mapped_column(String(40))  # "weekly mon 09:00", workspace time
    next_run_at: Mapped[datetime]
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    last_run_at: Mapped[datetime | None]
