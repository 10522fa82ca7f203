"""The communication log: calls, emails, meetings and notes with customers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from domain.audit import Action, snapshot
from domain.errors import NotFound, ValidationFailed
from domain.idempotency import write_once
from domain.text import clean

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWork, UnitOfWorkFactory
    from domain.tasks import Task, TaskDraft

SUMMARY_MAX = 3000  # fits one Slack section with room for the heading
OUTCOME_MAX = 500
DURATION_MAX = 24 * 60
FIELDS = (
    "customer_id",
    "kind",
    "occurred_at",
    "duration_minutes",
    "direction",
    "summary",
    "outcome",
    "message_link",
)


class InteractionKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    NOTE = "note"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Interaction(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    team_id: str
    customer_id: int
    kind: InteractionKind
    occurred_at: datetime
    duration_minutes: int | None = None
    direction: Direction | None = None
    summary: str
    outcome: str | None = None
    message_link: str | None = None
    logged_by: str
    created_at: datetime


class InteractionDraft(BaseModel):
    """A log entry as typed, cleaned and checked."""

    customer_id: int
    kind: InteractionKind
    occurred_at: datetime
    duration_minutes: int | None = None
    direction: Direction | None = None
    summary: str
    outcome: str | None = None
    message_link: str | None = None

    @classmethod
    def from_input(
        cls,
        *,
        customer_id: int | None,
        kind: str | None,
        occurred_at: datetime | None,
        summary: str | None,
        duration_minutes: int | str | None = None,
        direction: str | None = None,
        outcome: str | None = None,
        message_link: str | None = None,
    ) -> InteractionDraft:
        """Validate raw input; raises ValidationFailed keyed by field."""
        errors: dict[str, str] = {}
        summary, outcome = clean(summary), clean(outcome)
        if customer_id is None:
            errors["customer_id"] = "Choose the customer."
        try:
            kind_ = InteractionKind((kind or "").strip().lower())
        except ValueError:
            errors["kind"] = "Choose call, email, meeting or note."
            kind_ = InteractionKind.NOTE
        if occurred_at is None:
            errors["occurred_at"] = "Say when it happened."
        if not summary:
            errors["summary"] = "Write what happened."
        elif len(summary) > SUMMARY_MAX:
            errors["summary"] = (
                f"That is {len(summary):,} characters; keep the summary under {SUMMARY_MAX:,}."
            )
        if outcome and len(outcome) > OUTCOME_MAX:
            errors["outcome"] = f"Keep the outcome under {OUTCOME_MAX} characters."
        minutes: int | None = None
        if duration_minutes not in (None, ""):
            try:
                minutes = int(str(duration_minutes).strip())
            except ValueError:
                minutes = -1
            if not 0 < minutes <= DURATION_MAX:
                errors["duration_minutes"] = "Give the duration in whole minutes, 1 to 1440."
        direction_: Direction | None = None
        if direction:
            try:
                direction_ = Direction(direction.strip().lower())
            except ValueError:
                errors["direction"] = "Choose inbound or outbound."
        if errors:
            raise ValidationFailed(errors)
        assert customer_id is not None and occurred_at is not None and summary is not None
        return cls(
            customer_id=customer_id,
            kind=kind_,
            occurred_at=occurred_at,
            duration_minutes=minutes
            if kind_ in (InteractionKind.CALL, InteractionKind.MEETING)
            else None,
            direction=direction_ if kind_ is InteractionKind.EMAIL else None,
            summary=summary,
            outcome=outcome,
            message_link=clean(message_link),
        )


class InteractionPage(BaseModel):
    items: list[Interaction]
    total: int
    offset: int


class InteractionService:
    """Log interactions (with an optional follow-up task) and read a customer's history."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def log(
        self,
        team_id: str,
        draft: InteractionDraft,
        *,
        actor: str,
        follow_up: TaskDraft | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[Interaction, Task | None]:
        """Save the entry, and its follow-up task if any, in one transaction; the same
        idempotency key returns the first result (a twin request is not an error)."""
        from domain.tasks import create_task

        def write(uow: UnitOfWork) -> tuple[Interaction, Task | None]:
            if uow.customers.get(team_id, draft.customer_id) is None:
                raise NotFound("That customer does not exist in this workspace.")
            interaction = uow.interactions.add(team_id, draft, actor=actor, now=now)
            uow.audit.record(
                team_id,
                actor,
                Action.CREATE,
                "interaction",
                interaction.id,
                snapshot(interaction, FIELDS),
                now=now,
            )
            task = None
            if follow_up is not None:
                task = create_task(uow, team_id, follow_up, actor=actor, now=now)
            return interaction, task

        def load(uow: UnitOfWork, ref: str) -> tuple[Interaction, Task | None]:
            interaction_id, _, task_id = ref.partition(":")
            found = uow.interactions.get(team_id, int(interaction_id))
            if found is None:
                raise NotFound("That log entry does not exist any more.")
            return found, uow.tasks.get(team_id, int(task_id)) if task_id else None

        now = self._clock.now()
        return write_once(
            self._uow_factory,
            team_id,
            idempotency_key,
            now=now,
            write=write,
            result_ref=lambda saved: f"{saved[0].id}:{saved[1].id if saved[1] else ''}",
            load=load,
        )

    def history(
        self, team_id: str, customer_id: int, *, offset: int = 0, limit: int = 5
    ) -> InteractionPage:
        """The customer's interactions, newest first, a page at a time."""
        with self._uow_factory() as uow:
            items, total = uow.interactions.for_customer(
                team_id, customer_id, offset=offset, limit=limit
            )
            return InteractionPage(items=items, total=total, offset=offset)
