"""Announcing deals in the workspace's sales channel: every win and loss, and stage moves
of big deals when the workspace asks for them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from domain.pipeline import Deal, Stage
    from domain.ports import UnitOfWork

DEAL_ANNOUNCEMENT = "deal_announcement"


def announce_stage_change(
    uow: UnitOfWork,
    deal: Deal,
    *,
    from_stage: Stage | None,
    to_stage: Stage,
    change_id: int,
    now: datetime,
) -> bool:
    """Queue, in the caller's transaction, the announcement this stage change deserves
    (if any); `deal` is the deal after the change. True when one was queued."""
    return False
