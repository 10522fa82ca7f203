"""Saved reports and schedules, per workspace, and the tick's claim on due schedules.

The claim is a compare-and-set on next_run_at (`advance`). On PostgreSQL `due` also
selects FOR UPDATE SKIP LOCKED, so concurrent ticks take disjoint rows without waiting;
on SQLite the select locks nothing, and the update that follows (one writer at a time)
finds next_run_at already moved when another tick got there first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, false, func, select, true, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.delivery import DeliveryStatus
from domain.errors import Conflict
from domain.schedules import SCHEDULED_POST, DueSchedule, ReportKind, SavedReport, Schedule
from storage.orm import DeliveryRow, WorkspaceRow
from storage.orm_reports import ReportScheduleRow, SavedReportRow
from storage.repositories.sequences import next_value

SEQUENCE = "report_schedule"


class SqlScheduleRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _postgres(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    # -- saved reports ---------------------------------------------------------------------

    def saved_by_key(self, team_id: str, key: str) -> SavedReport | None:
        row = self._session.scalar(
            select(SavedReportRow).where(
                SavedReportRow.team_id == team_id, SavedReportRow.name_key == key
            )
        )
        return SavedReport.model_validate(row) if row else None

    def saved_by_id(self, team_id: str, saved_id: int) -> SavedReport | None:
        row = self._saved_row(team_id, saved_id)
        return SavedReport.model_validate(row) if row else None

    def saved_reports(self, team_id: str, *, limit: int) -> tuple[list[SavedReport], int]:
        """The first `limit` by name, and how many there are."""
        where = SavedReportRow.team_id == team_id
        total = self._session.scalar(select(func.count()).where(where)) or 0
        if limit <= 0:
            return [], total
        rows = self._session.scalars(
            select(SavedReportRow).where(where).order_by(SavedReportRow.name_key).limit(limit)
        )
        return [SavedReport.model_validate(row) for row in rows], total

    def add_saved(
        self,
        team_id: str,
        *,
        name: str,
        key: str,
        kind: ReportKind,
        args: str,
        actor: str,
        now: datetime,
    ) -> SavedReport:
        row = SavedReportRow(
            team_id=team_id,
            name=name,
            name_key=key,
            kind=kind.value,
            args=args,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        try:
            self._session.flush()
        except IntegrityError as exc:
            raise Conflict(
                f"Someone saved a report called “{name}” a moment ago: try again to replace it."
            ) from exc
        return SavedReport.model_validate(row)

    def update_saved(
        self, team_id: str, saved_id: int, *, name: str, kind: ReportKind, args: str, now: datetime
    ) -> SavedReport:
        row = self._saved_row(team_id, saved_id)
        if row is None:
            raise Conflict(f"“{name}” was deleted meanwhile: save it again.")
        row.name, row.kind, row.args, row.updated_at = name, kind.value, args, now
        self._session.flush()
        return SavedReport.model_validate(row)

    def delete_saved(self, team_id: str, saved_id: int) -> bool:
        # Explicitly, not only through the foreign key's cascade: SQLite connections made
        # without the foreign_keys pragma would leave the schedules behind.
        self._session.execute(
            delete(ReportScheduleRow).where(
                ReportScheduleRow.team_id == team_id,
                ReportScheduleRow.saved_report_id == saved_id,
            )
        )
        result = self._session.execute(
            delete(SavedReportRow).where(
                SavedReportRow.team_id == team_id, SavedReportRow.id == saved_id
            )
        )
        return _rowcount(result) == 1

    # -- schedules -------------------------------------------------------------------------

    def add_schedule(
        self,
        team_id: str,
        *,
        saved_report_id: int,
        channel_id: str,
        cadence: str,
        next_run_at: datetime,
        actor: str,
        now: datetime,
    ) -> Schedule:
        row = ReportScheduleRow(
            team_id=team_id,
            number=next_value(self._session, team_id, SEQUENCE),
            saved_report_id=saved_report_id,
            channel_id=channel_id,
            cadence=cadence,
            next_run_at=next_run_at,
            paused=False,
            created_by=actor,
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        schedule = self.schedule(team_id, row.id)
        assert schedule is not None
        return schedule

    def schedule(self, team_id: str, schedule_id: int) -> Schedule | None:
        return self._one(team_id, ReportScheduleRow.id == schedule_id)

    def schedule_by_number(self, team_id: str, number: int) -> Schedule | None:
        return self._one(team_id, ReportScheduleRow.number == number)

    def schedules(
        self, team_id: str, *, saved_report_id: int | None = None, limit: int
    ) -> tuple[list[Schedule], int]:
        """Schedules by number (with their report's name), and how many there are."""
        where = [ReportScheduleRow.team_id == team_id]
        if saved_report_id is not None:
            where.append(ReportScheduleRow.saved_report_id == saved_report_id)
        total = self._session.scalar(select(func.count()).where(*where)) or 0
        query = self._joined().where(*where).order_by(ReportScheduleRow.number).limit(limit)
        return [_schedule(row, name) for row, name in self._session.execute(query)], total

    def set_paused(
        self, team_id: str, schedule_id: int, *, paused: bool, next_run_at: datetime
    ) -> Schedule | None:
        result = self._session.execute(
            update(ReportScheduleRow)
            .where(ReportScheduleRow.team_id == team_id, ReportScheduleRow.id == schedule_id)
            .values(paused=paused, next_run_at=next_run_at)
            .execution_options(synchronize_session=False)
        )
        if _rowcount(result) != 1:
            return None
        return self.schedule(team_id, schedule_id)

    def delete_schedule(self, team_id: str, schedule_id: int) -> bool:
        result = self._session.execute(
            delete(ReportScheduleRow).where(
                ReportScheduleRow.team_id == team_id, ReportScheduleRow.id == schedule_id
            )
        )
        return _rowcount(result) == 1

    # -- the tick --------------------------------------------------------------------------

    def due(self, *, now: datetime, limit: int, only_team: str | None = None) -> list[DueSchedule]:
        """Unpaused schedules whose next run has come, earliest first, with their timezone."""
        query = (
            select(
                ReportScheduleRow.id,
                ReportScheduleRow.team_id,
                ReportScheduleRow.channel_id,
                ReportScheduleRow.cadence,
                ReportScheduleRow.next_run_at,
                WorkspaceRow.timezone,
            )
            .join(WorkspaceRow, WorkspaceRow.team_id == ReportScheduleRow.team_id)
            .where(
                ReportScheduleRow.paused == false(),
                ReportScheduleRow.next_run_at <= now,
                ReportScheduleRow.team_id == only_team if only_team is not None else true(),
            )
            .order_by(ReportScheduleRow.next_run_at, ReportScheduleRow.id)
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update(of=ReportScheduleRow, skip_locked=True)
        return [
            DueSchedule(
                id=id_,
                team_id=team_id,
                channel_id=channel_id,
                cadence=cadence,
                next_run_at=next_run_at,
                timezone=timezone,
            )
            for id_, team_id, channel_id, cadence, next_run_at, timezone in self._session.execute(
                query
            )
        ]

    def advance(
        self,
        team_id: str,
        schedule_id: int,
        *,
        ran_at: datetime,
        next_run_at: datetime,
        ran: bool = True,
        run_at: datetime | None = None,
    ) -> bool:
        """Move next_run_at from `ran_at` on; False if it is no longer `ran_at` (another
        tick claimed this run, or the schedule was paused, resumed or deleted meanwhile).

        `ran`: a run was queued (at `run_at`, by default `ran_at`), so last_run_at says so;
        False only moves next_run_at (to the workspace's new timezone)."""
        values: dict[str, Any] = {"next_run_at": next_run_at}
        if ran:
            values["last_run_at"] = run_at or ran_at
        result = self._session.execute(
            update(ReportScheduleRow)
            .where(
                ReportScheduleRow.team_id == team_id,
                ReportScheduleRow.id == schedule_id,
                ReportScheduleRow.paused == false(),
                ReportScheduleRow.next_run_at == ran_at,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    def last_failures(
        self, team_id: str, schedules: list[Schedule]
    ) -> dict[int, tuple[datetime, str]]:
        """For each schedule whose latest queued run failed for good: that run and why."""
        found: dict[int, tuple[datetime, str]] = {}
        for schedule in schedules:
            latest = self._session.execute(
                select(DeliveryRow.status, DeliveryRow.due_at, DeliveryRow.last_error)
                .where(
                    DeliveryRow.team_id == team_id,
                    DeliveryRow.kind == SCHEDULED_POST,
                    DeliveryRow.key.startswith(f"schedule:{schedule.id}:", autoescape=True),
                    # SQLite may reuse a deleted schedule's id: not that one's runs.
                    DeliveryRow.created_at >= schedule.created_at,
                )
                .order_by(DeliveryRow.due_at.desc(), DeliveryRow.id.desc())
                .limit(1)
            ).first()
            if latest is not None and latest.status == DeliveryStatus.FAILED.value:
                found[schedule.id] = (latest.due_at, latest.last_error or "")
        return found

    # -- rows ------------------------------------------------------------------------------

    def _saved_row(self, team_id: str, saved_id: int) -> SavedReportRow | None:
        return self._session.scalar(
            select(SavedReportRow).where(
                SavedReportRow.team_id == team_id, SavedReportRow.id == saved_id
            )
        )

    @staticmethod
    def _joined() -> Any:
        # populate_existing: rows changed by UPDATE statements in this session read fresh.
        return (
            select(ReportScheduleRow, SavedReportRow.name)
            .join(
                SavedReportRow,
                (SavedReportRow.id == ReportScheduleRow.saved_report_id)
                & (SavedReportRow.team_id == ReportScheduleRow.team_id),
            )
            .execution_options(populate_existing=True)
        )

    def _one(self, team_id: str, condition: Any) -> Schedule | None:
        found = self._session.execute(
            self._joined().where(ReportScheduleRow.team_id == team_id, condition)
        ).first()
        return _schedule(*found) if found else None


def _schedule(row: ReportScheduleRow, report_name: str) -> Schedule:
    return Schedule(
        id=row.id,
        team_id=row.team_id,
        number=row.number,
        saved_report_id=row.saved_report_id,
        report_name=report_name,
        channel_id=row.channel_id,
        cadence=row.cadence,
        next_run_at=row.next_run_at,
        paused=row.paused,
        created_by=row.created_by,
        created_at=row.created_at,
        last_run_at=row.last_run_at,
    )


def _rowcount(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return result.rowcount
