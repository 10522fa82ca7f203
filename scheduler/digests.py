"""The daily digest: the tick that queues each channel's digest once per local day, and the
message rendered when it goes out."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from domain.clock import SystemClock
from domain.digest import DigestService, enqueue_due_digests, zone

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.delivery import Attempt, Delivery
    from domain.ports import UnitOfWork, UnitOfWorkFactory
    from scheduler.sender import Message, Render


def enqueue_due(
    uow_factory: UnitOfWorkFactory, clock: Clock, *, only_team: str | None = None
) -> int:
    """Queue each channel's digest whose local time has come today. Returns how many."""
    return enqueue_due_digests(uow_factory, clock, only_team=only_team)


def make_renderer(uow_factory: UnitOfWorkFactory) -> Render:
    # Building a digest reads no clock: the day comes with the delivery.
    service = DigestService(uow_factory, SystemClock())

    def render(uow: UnitOfWork, delivery: Delivery, attempt: Attempt) -> Message:
        """The digest of the delivery's day, from the data as it is now (a retry shows the
        current figures), unless the channel's digest was turned off meanwhile."""
        from commands.digest.views import digest_chart, digest_message
        from scheduler.sender import Message, Skip

        team_id = delivery.team_id
        if uow.digests.get(team_id, delivery.recipient) is None:
            raise Skip("the channel's digest was turned off")
        workspace = uow.workspaces.get(team_id)
        tz = zone(workspace.timezone if workspace else None)
        digest = service.digest(team_id, date.fromisoformat(str(delivery.payload["date"])))
        late = f"{delivery.due_at.astimezone(tz):%H:%M}" if attempt.late else None
        text, blocks = digest_message(digest, tz=tz, late_since=late)
        chart = digest_chart(digest)
        return Message(text, blocks, uploads=(chart,) if chart is not None else ())

    return render
