"""Workspaces (Slack teams) and the people in them."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict

from domain.errors import DomainError

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
    overdue_summary_time: str = "08:30"
    stock_channel_id: str | None = None
    sales_channel_id: str | None = None
    big_move_amount: Decimal | None = None
    stale_deal_days: int = 14
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


_CLOCK_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MANAGING_ROLES = (Role.ADMIN, Role.MANAGER)
STALE_DAYS_MAX = 365


def parse_clock_time(text: str) -> str:
    """'8:30' -> '08:30'; raises DomainError for anything that is not a 24-hour time."""
    match = _CLOCK_TIME.match(text.strip())
    if not match:
        raise DomainError(f"“{text.strip()[:20]}” is not a time of day: use HH:MM, like 08:30.")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


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

    def change_settings(
        self,
        team_id: str,
        actor: User | None,
        *,
        timezone: str | None = None,
        overdue_summary_time: str | None = None,
        stock_channel_id: str | None = None,
        sales_channel_id: str | None = None,
        big_move_amount: str | None = None,
        stale_deal_days: str | int | None = None,
    ) -> Workspace:
        """Change the workspace's settings (admins, managers); "" for a channel or the
        big-move amount turns that off."""
        if actor is None or actor.role not in MANAGING_ROLES:
            raise DomainError("Only an admin or a manager can change Salesbot's settings.")
        values: dict[str, object] = {}
        for key, channel in (
            ("stock_channel_id", stock_channel_id),
            ("sales_channel_id", sales_channel_id),
        ):
            if channel is not None:
                values[key] = channel or None
        if big_move_amount is not None:
            values["big_move_amount"] = _big_move_amount(big_move_amount)
        if stale_deal_days is not None:
            values["stale_deal_days"] = _stale_days(stale_deal_days)
        if timezone is not None:
            try:
                ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise DomainError(
                    f"“{timezone[:40]}” is not a timezone: use a name like Europe/Berlin."
                ) from None
            values["timezone"] = timezone
        if overdue_summary_time is not None:
            values["overdue_summary_time"] = parse_clock_time(overdue_summary_time)
        with self._uow_factory() as uow:
            workspace = uow.workspaces.update(team_id, values)
            uow.commit()
            return workspace


def _big_move_amount(text: str) -> Decimal | None:
    from domain.money import BadAmount, parse_amount

    if not text.strip() or text.strip().lower() in ("off", "none", "-"):
        return None
    try:
        return parse_amount(text)
    except BadAmount as exc:
        raise DomainError(
            f"Big moves: {exc}. Give the smallest deal amount to announce, like 10000, or `off`."
        ) from None


def _stale_days(value: str | int) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= STALE_DAYS_MAX:
        raise DomainError(
            f"“{text[:20]}” is not a number of days: give a whole number from 1 to "
            f"{STALE_DAYS_MAX}, like 14."
        )
    return int(text)
