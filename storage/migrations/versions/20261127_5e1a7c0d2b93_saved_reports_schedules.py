"""saved reports and their schedules

Revision ID: 5e1a7c0d2b93
Revises: 967458c5aebb
Create Date: 2026-11-27 16:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "5e1a7c0d2b93"
down_revision: str | None = "967458c5aebb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
