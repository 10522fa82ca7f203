"""Workspaces and users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.workspaces import User, Workspace
from storage.orm import UserRow, WorkspaceRow
from storage.upsert import insert_ignore


class SqlWorkspaceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, team_id: str) -> Workspace | None:
        row = self._session.get(WorkspaceRow, team_id)
        return Workspace.model_validate(row) if row else None

    def add(self, workspace: Workspace) -> Workspace:
        """Create the workspace; if another request just did, keep theirs."""
        insert_ignore(self._session, WorkspaceRow, workspace.model_dump())
        found = self.get(workspace.team_id)
        assert found is not None
        return found

    def update(self, team_id: str, values: dict[str, Any]) -> Workspace:
        row = self._session.get(WorkspaceRow, team_id)
        assert row is not None, "workspaces are created before anyone can change them"
        for name, value in values.items():
            setattr(row, name, value)
        self._session.flush()
        return Workspace.model_validate(row)


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, team_id: str, slack_user_id: str) -> User | None:
        row = self._session.scalar(
            select(UserRow).where(
                UserRow.team_id == team_id, UserRow.slack_user_id == slack_user_id
            )
        )
        return User.model_validate(row) if row else None

    def add(self, user: User) -> User:
        """Create the user; if another request just did, keep theirs."""
        insert_ignore(self._session, UserRow, user.model_dump())
        found = self.get(user.team_id, user.slack_user_id)
        assert found is not None
        return found

    def count(self, team_id: str) -> int:
        return (
            self._session.scalar(
                select(func.count()).select_from(UserRow).where(UserRow.team_id == team_id)
            )
            or 0
        )
