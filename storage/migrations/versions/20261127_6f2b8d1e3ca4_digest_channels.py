"""daily digests: which channels, at what local time

Revision ID: 6f2b8d1e3ca4
Revises: 5e1a7c0d2b93
Create Date: 2026-11-27 16:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "6f2b8d1e3ca4"
down_revision: str | None = "5e1a7c0d2b93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
