"""Announcing deals in the workspace's sales channel: every win and loss, and stage moves
of big deals when the workspace asks for them."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from domain.delivery import enqueue

if TYPE_CHECKING:
    from datetime import datetime

    from domain.pipeline import Deal, Stage
    from domain.ports import UnitOfWork

DEAL_ANNOUNCEMENT = "deal_announcement"


class Event(StrEnum):
    """What an announcement is about (the delivery's payload "event")."""

    WON = "won"
    LOST = "lost"
    MOVE = "move"  # a big deal moved between open stages


def announcement_event(
    deal: Deal, to_stage: Stage, big_move_amount: Decimal | None
) -> Event | None:
    """Won and lost always; a move into an open stage when the deal is at least
    `big_move_amount` (None: moves are not announced)."""
    outcome = str(to_stage.outcome)  # domain.pipeline imports this module: compare values
    if outcome == Event.WON:
        return Event.WON
    if outcome == Event.LOST:
        return Event.LOST
    if big_move_amount is None:
        return None
    return Event.MOVE if deal.amount >= big_move_amount else None


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
    workspace = uow.workspaces.get(deal.team_id)
    if workspace is None or not workspace.sales_channel_id:
        return False
    event = announcement_event(deal, to_stage, workspace.big_move_amount)
    if event is None:
        return False
    return enqueue(
        uow,
        team_id=deal.team_id,
        key=f"deal:{deal.id}:{change_id}",
        kind=DEAL_ANNOUNCEMENT,
        recipient=workspace.sales_channel_id,
        payload={
            "deal_id": deal.id,
            "change_id": change_id,
            "event": event.value,
            "from_stage_id": from_stage.id if from_stage else None,
            "to_stage_id": to_stage.id,
        },
        due_at=now,
        now=now,
    )
