"""faster reports: rollup changes for top customers over long periods

Revision ID: 7a3c9e2f4db5
Revises: 6f2b8d1e3ca4
Create Date: 2026-11-27 16:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "7a3c9e2f4db5"
down_revision: str | None = "6f2b8d1e3ca4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
