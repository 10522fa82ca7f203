"""Workspaces (Slack teams) and the people in them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWorkFactory


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    REP = "rep"


class Workspace(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    team_id: str
    name: str | None = None
    timezone: str = "UTC"
    currency: str = "USD"
    created_at: datetime

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class User(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    team_id: str
    slack_user_id: str
    role: Role = Role.REP
    timezone: str | None = None
    name: str | None = None
    created_at: datetime


class WorkspaceService:
    """Knows which workspaces and users exist; creates them on first sight."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, default_timezone: str) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._default_timezone = default_timezone

    def ensure(self, team_id: str, user_id: str | None) -> tuple[Workspace, User | None]:
        """Return the workspace and user, creating them the first time they are seen.

        The first person seen in a new workspace becomes its admin, so someone can
        always change settings and roles.
        """
        with self._uow_factory() as uow:
            workspace = uow.workspaces.get(team_id)
            user = uow.users.get(team_id, user_id) if user_id else None
            if workspace is not None and (user_id is None or user is not None):
                return workspace, user
            now = self._clock.now()
            if workspace is None:
                workspace = uow.workspaces.add(
                    Workspace(team_id=team_id, timezone=self._default_timezone, created_at=now)
                )
            if user_id and user is None:
                role = Role.REP if uow.users.count(team_id) else Role.ADMIN
                user = uow.users.add(
                    User(team_id=team_id, slack_user_id=user_id, role=role, created_at=now)
                )
            uow.commit()
            return workspace, user
