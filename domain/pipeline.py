"""The sales pipeline: stages, deals moving through them, and notes on the way."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from domain.announcements import announce_stage_change
from domain.audit import Action, diff, snapshot
from domain.customers import Customer
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.idempotency import write_once
from domain.ids import Kind, format_id, parse_id
from domain.money import BadAmount, parse_amount
from domain.tasks import Task, TaskDraft, create_task
from domain.text import clean, fold
from domain.workspaces import MANAGING_ROLES, User

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWork, UnitOfWorkFactory

TITLE_MAX = 300
KEY_MAX = 600  # storage.orm.KEY_MAX
NEXT_STEP_MAX = 1000
REASON_MAX = 1000
NOTE_MAX = 3000
EARLIEST_CLOSE = date(2000, 1, 1)
CLOSE_HORIZON_YEARS = 10
SEARCH_LIMIT = 10
LIST_LIMIT = 100
FIELDS = (
    "number",
    "title",
    "customer_id",
    "amount",
    "expected_close",
    "stage_id",
    "owner_id",
    "next_step",
    "status",
)
MOVE_FIELDS = ("stage_id", "status", "lost_reason", "closed_at")
EDIT_FIELDS = ("title", "customer_id", "amount", "expected_close", "owner_id", "next_step")
CARD_TASKS = 5


class Outcome(StrEnum):
    """What a stage means for its deals; a deal's status is its stage's outcome."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


class StageSpec(BaseModel):
    """A stage to create: the defaults every workspace starts with."""

    model_config = ConfigDict(frozen=True)

    key: str
    name: str
    position: int
    probability: Decimal
    outcome: Outcome = Outcome.OPEN


DEFAULT_STAGES = (
    StageSpec(key="prospecting", name="Prospecting", position=1, probability=Decimal("0.1")),
    StageSpec(key="qualification", name="Qualification", position=2, probability=Decimal("0.2")),
    StageSpec(key="proposal", name="Proposal", position=3, probability=Decimal("0.5")),
    StageSpec(key="negotiation", name="Negotiation", position=4, probability=Decimal("0.75")),
    StageSpec(key="won", name="Won", position=5, probability=Decimal(1), outcome=Outcome.WON),
    StageSpec(key="lost", name="Lost", position=6, probability=Decimal(0), outcome=Outcome.LOST),
)


class Stage(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    team_id: str
    key: str
    name: str
    position: int
    probability: Decimal
    outcome: Outcome
    active: bool = True


class Deal(BaseModel):
    """A deal as stored."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    team_id: str
    number: int
    title: str
    customer_id: int
    amount: Decimal
    expected_close: date | None = None
    stage_id: int
    owner_id: str
    next_step: str | None = None
    status: Outcome
    lost_reason: str | None = None
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime
    stage_changed_at: datetime
    closed_at: datetime | None = None
    last_activity_at: datetime

    @property
    def public_id(self) -> str:
        return format_id(Kind.DEAL, self.number)

    @property
    def is_open(self) -> bool:
        return self.status == Outcome.OPEN

    def days_in_stage(self, now: datetime) -> int:
        """Whole days since the deal entered its current stage."""
        return max((now - self.stage_changed_at).days, 0)

    def age(self, now: datetime) -> timedelta:
        """How long since the deal was created (until it closed, for a closed deal)."""
        end = self.closed_at or now
        return max(end - self.created_at, timedelta(0))

    def is_overdue(self, today: date) -> bool:
        """Still open after its expected close date (`today` in the workspace's timezone)."""
        return self.is_open and self.expected_close is not None and self.expected_close < today


class StageChange(BaseModel):
    """One move in a deal's history; `from_stage_name` is None for the creation."""

    model_config = ConfigDict(frozen=True)

    id: int
    deal_id: int
    from_stage_id: int | None
    from_stage_name: str | None
    to_stage_id: int
    to_stage_name: str
    actor: str | None
    at: datetime


class DealNote(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: int
    team_id: str
    deal_id: int
    author: str
    text: str
    created_at: datetime


class DealDraft(BaseModel):
    """A new deal's details, validated; the customer and stage are checked when saved."""

    model_config = ConfigDict(frozen=True)

    title: str
    customer_id: int
    amount: Decimal
    expected_close: date | None = None
    stage_key: str | None = None  # None: the first open stage
    owner_id: str
    next_step: str | None = None

    @property
    def title_key(self) -> str:
        return fold(self.title)[:KEY_MAX]

    @classmethod
    def from_input(
        cls,
        *,
        title: str | None,
        customer_id: int | None,
        amount: str | Decimal | int | None,
        expected_close: date | str | None = None,
        stage_key: str | None = None,
        owner_id: str | None,
        next_step: str | None = None,
        today: date,
    ) -> DealDraft:
        """Validate what a person typed (`today` in the workspace's timezone);
        ValidationFailed keys: title, customer, amount, expected_close, owner, next_step."""
        errors: dict[str, str] = {}
        title = clean(title) or ""
        if not title:
            errors["title"] = "Give the deal a title."
        elif len(title) > TITLE_MAX:
            errors["title"] = f"Keep the title under {TITLE_MAX} characters."
        if not customer_id:
            errors["customer"] = "Pick the customer the deal is for."
        value = None
        try:
            value = parse_amount(amount if amount is not None else "")
        except BadAmount as exc:
            errors["amount"] = f"Amount: {exc}."
        close, problem = _close_date(expected_close, today)
        if problem:
            errors["expected_close"] = problem
        owner = clean(owner_id)
        if not owner:
            errors["owner"] = "Pick the deal's owner."
        step = clean(next_step)
        if step and len(step) > NEXT_STEP_MAX:
            errors["next_step"] = f"Keep the next step under {NEXT_STEP_MAX} characters."
        if errors:
            raise ValidationFailed(errors)
        assert value is not None and customer_id and owner
        return cls(
            title=title,
            customer_id=customer_id,
            amount=value,
            expected_close=close,
            stage_key=clean(stage_key),
            owner_id=owner,
            next_step=step,
        )


class DealCard(BaseModel):
    """Everything a deal's card shows, read in one unit of work."""

    model_config = ConfigDict(frozen=True)

    deal: Deal
    customer: Customer | None  # None: deleted meanwhile
    stages: list[Stage]
    history: list[StageChange]
    notes: list[DealNote]
    open_tasks: list[Task]
    open_task_total: int

    @property
    def stage(self) -> Stage | None:
        return next((s for s in self.stages if s.id == self.deal.stage_id), None)


def _close_date(value: date | str | None, today: date) -> tuple[date | None, str | None]:
    """The expected close date and, when it is unacceptable, why."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text)
        except ValueError:
            return None, f"“{text[:20]}” is not a date: write it like 2026-03-31."
    latest = _years_after(today, CLOSE_HORIZON_YEARS)
    if value < EARLIEST_CLOSE:
        return None, (
            f"A close date in {value.year} is too far back: "
            f"give {EARLIEST_CLOSE.isoformat()} or later."
        )
    if value > latest:
        return None, (
            f"A close date in {value.year} is too far ahead: give one before "
            f"{latest.isoformat()} (at most {CLOSE_HORIZON_YEARS} years from today)."
        )
    return value, None


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _still_there(uow: UnitOfWork, team_id: str, stage: Stage) -> None:
    """Hold the stage until the commit, refusing one an admin removed a moment ago."""
    current = uow.deals.share_stage(team_id, stage.id)
    if current is None or not current.active:
        raise ValidationFailed(
            {"stage": f"The stage “{stage.name}” was just removed: pick another stage."}
        )


def can_change(deal: Deal, actor: User) -> bool:
    """Only the deal's owner, a manager or an admin of its workspace changes its stage."""
    if actor.team_id != deal.team_id:
        return False
    return actor.slack_user_id == deal.owner_id or actor.role in MANAGING_ROLES


def refusal(deal: Deal) -> str:
    """What someone who may not change the deal is told."""
    return f"Only the deal's owner, a manager or an admin can change {deal.public_id}."


def stage_named(stages: list[Stage], key: str) -> Stage:
    """The active stage with this key (or name, in any case); ValidationFailed lists the rest."""
    wanted = fold(key)
    for stage in stages:
        if stage.active and wanted in (stage.key, fold(stage.name)):
            return stage
    names = ", ".join(s.name for s in stages if s.active)
    raise ValidationFailed(
        {"stage": f"There is no stage “{key.strip()[:40]}”: pick one of {names}."}
    )


class PipelineService:
    """Pipeline stages and the deals that move through them, within one workspace."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, *, announce: bool = True
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        # False for seeding past history (the demo): a year of wins is not news.
        self._announce = announce

    def stages(self, team_id: str, *, include_inactive: bool = False) -> list[Stage]:
        """The workspace's stages in order, creating the defaults the first time."""
        with self._uow_factory() as uow:
            stages = self._ensure_stages(uow, team_id)
            uow.commit()
        return stages if include_inactive else [s for s in stages if s.active]

    def create(
        self,
        team_id: str,
        draft: DealDraft,
        *,
        actor: str | None,
        idempotency_key: str | None = None,
    ) -> Deal:
        """Save a new deal in its first stage (or the one asked for) and start its history."""
        now = self._clock.now()

        def write(uow: UnitOfWork) -> Deal:
            stages = self._ensure_stages(uow, team_id)
            errors: dict[str, str] = {}
            if uow.customers.get(team_id, draft.customer_id) is None:
                errors["customer"] = "Pick the customer the deal is for."
            stage: Stage | None = None
            if draft.stage_key:
                try:
                    stage = stage_named(stages, draft.stage_key)
                except ValidationFailed as exc:
                    errors.update(exc.errors)
                if stage is not None and stage.outcome != Outcome.OPEN:
                    # Won and lost are reached by moving a deal (lost with its reason).
                    open_stages = [s for s in stages if s.active and s.outcome == Outcome.OPEN]
                    names = ", ".join(s.name for s in open_stages)
                    errors["stage"] = f"A new deal starts in an open stage: {names}."
                    stage = None
            else:
                stage = next((s for s in stages if s.active and s.outcome == Outcome.OPEN), None)
                if stage is None:
                    raise DomainError("This workspace's pipeline has no open stage.")
            if errors:
                raise ValidationFailed(errors)
            assert stage is not None
            _still_there(uow, team_id, stage)
            deal = uow.deals.add(
                team_id,
                draft,
                stage_id=stage.id,
                status=stage.outcome,
                actor=actor,
                now=now,
            )
            uow.deals.add_stage_change(
                team_id, deal.id, from_stage_id=None, to_stage_id=stage.id, actor=actor, at=now
            )
            uow.audit.record(
                team_id, actor, Action.CREATE, "deal", deal.id, snapshot(deal, FIELDS), now=now
            )
            return deal

        return write_once(
            self._uow_factory,
            team_id,
            idempotency_key,
            now=now,
            write=write,
            result_ref=lambda deal: str(deal.id),
            load=lambda uow, ref: self._load(uow, team_id, int(ref)),
        )

    def get(self, team_id: str, deal_id: int) -> Deal:
        with self._uow_factory() as uow:
            return self._load(uow, team_id, deal_id)

    def get_by_number(self, team_id: str, number: int) -> Deal:
        with self._uow_factory() as uow:
            deal = uow.deals.get_by_number(team_id, number)
        if deal is None:
            raise NotFound(f"There is no deal {format_id(Kind.DEAL, number)}.")
        return deal

    def find(self, team_id: str, text: str, *, limit: int = SEARCH_LIMIT) -> list[Deal]:
        """Deals by id ("D-42") or by a piece of their title, in any case or accent."""
        number = parse_id(text, Kind.DEAL)
        with self._uow_factory() as uow:
            if number is not None:
                deal = uow.deals.get_by_number(team_id, number)
                return [deal] if deal else []
            folded = fold(text)
            if not folded:
                return []
            return uow.deals.search(team_id, folded[:KEY_MAX], limit=limit)

    def move(
        self,
        team_id: str,
        deal_id: int,
        stage_key: str,
        *,
        actor: User,
        reason: str | None = None,
    ) -> Deal:
        """Put the deal in another stage; a won or lost stage closes it, an open one reopens it."""
        reason = clean(reason)
        if reason and len(reason) > REASON_MAX:
            raise ValidationFailed({"reason": f"Keep the reason under {REASON_MAX} characters."})
        with self._uow_factory() as uow:
            stages = self._ensure_stages(uow, team_id)
            stage = stage_named(stages, stage_key)
            # The stage before the deal: the order a stage removal locks them in, so the
            # two wait for each other instead of deadlocking.
            _still_there(uow, team_id, stage)
            deal = self._load(uow, team_id, deal_id, for_update=True)
            if not can_change(deal, actor):
                raise DomainError(refusal(deal))
            if stage.id == deal.stage_id and not (reason and stage.outcome == Outcome.LOST):
                return deal
            if stage.outcome == Outcome.LOST and not reason:
                # A lost deal without its reason teaches the team nothing.
                raise ValidationFailed({"reason": f"Say why {deal.public_id} was lost."})
            now = self._clock.now()
            values: dict[str, Any] = {
                "status": stage.outcome,
                "lost_reason": reason if stage.outcome == Outcome.LOST else None,
                "last_activity_at": now,
            }
            change_id = None
            if stage.id != deal.stage_id:
                values |= {"stage_id": stage.id, "stage_changed_at": now}
                change_id = uow.deals.add_stage_change(
                    team_id,
                    deal.id,
                    from_stage_id=deal.stage_id,
                    to_stage_id=stage.id,
                    actor=actor.slack_user_id,
                    at=now,
                )
            if stage.outcome == Outcome.OPEN:
                values["closed_at"] = None
            elif not deal.closed_at or deal.status != stage.outcome:
                values["closed_at"] = now
            moved = uow.deals.update(team_id, deal.id, values, now=now)
            if change_id is not None and self._announce:
                announce_stage_change(
                    uow,
                    moved,
                    from_stage=next((s for s in stages if s.id == deal.stage_id), None),
                    to_stage=stage,
                    change_id=change_id,
                    now=now,
                )
            uow.audit.record(
                team_id,
                actor.slack_user_id,
                Action.UPDATE,
                "deal",
                deal.id,
                diff(deal, moved, MOVE_FIELDS),
                now=now,
            )
            uow.commit()
            return moved

    def win(self, team_id: str, deal_id: int, *, actor: User) -> Deal:
        """Close the deal as won (the workspace's first won stage)."""
        return self.move(team_id, deal_id, self._outcome_stage(team_id, Outcome.WON), actor=actor)

    def lose(self, team_id: str, deal_id: int, reason: str | None, *, actor: User) -> Deal:
        """Close the deal as lost; the reason is required."""
        if not clean(reason):
            raise ValidationFailed({"reason": "Say why the deal was lost."})
        key = self._outcome_stage(team_id, Outcome.LOST)
        return self.move(team_id, deal_id, key, actor=actor, reason=reason)

    def add_note(
        self,
        team_id: str,
        deal_id: int,
        text: str | None,
        *,
        actor: str,
        idempotency_key: str | None = None,
    ) -> DealNote:
        """Add a note to the deal; anyone in the workspace may. The same key adds it once."""
        body = clean(text)
        if not body:
            raise ValidationFailed({"text": "Write the note."})
        if len(body) > NOTE_MAX:
            raise ValidationFailed({"text": f"Keep the note under {NOTE_MAX} characters."})
        now = self._clock.now()

        def write(uow: UnitOfWork) -> DealNote:
            deal = self._load(uow, team_id, deal_id)
            note = uow.deals.add_note(team_id, deal.id, body, author=actor, now=now)
            uow.deals.update(team_id, deal.id, {"last_activity_at": now}, now=now)
            uow.audit.record(
                team_id,
                actor,
                Action.CREATE,
                "deal_note",
                note.id,
                {"deal_id": deal.id, "text": body},
                now=now,
            )
            return note

        def load(uow: UnitOfWork, ref: str) -> DealNote:
            found = [n for n in uow.deals.notes(team_id, deal_id) if n.id == int(ref)]
            if not found:
                raise NotFound("That note does not exist (any more).")
            return found[0]

        return write_once(
            self._uow_factory,
            team_id,
            idempotency_key,
            now=now,
            write=write,
            result_ref=lambda note: str(note.id),
            load=load,
        )

    def edit(self, team_id: str, deal_id: int, draft: DealDraft, *, actor: User) -> Deal:
        """Change a deal's details (not its stage: that is a move, kept in the history)."""
        with self._uow_factory() as uow:
            deal = self._load(uow, team_id, deal_id, for_update=True)
            if not can_change(deal, actor):
                raise DomainError(refusal(deal))
            if uow.customers.get(team_id, draft.customer_id) is None:
                raise ValidationFailed({"customer": "Pick the customer the deal is for."})
            values: dict[str, Any] = {
                "title": draft.title,
                "title_key": draft.title_key,
                "customer_id": draft.customer_id,
                "amount": draft.amount,
                "expected_close": draft.expected_close,
                "owner_id": draft.owner_id,
                "next_step": draft.next_step,
            }
            now = self._clock.now()
            changed = {k: v for k, v in values.items() if getattr(deal, k, v) != v}
            if not changed:
                return deal
            changed["title_key"] = values["title_key"]
            edited = uow.deals.update(
                team_id, deal.id, changed | {"last_activity_at": now}, now=now
            )
            uow.audit.record(
                team_id,
                actor.slack_user_id,
                Action.UPDATE,
                "deal",
                deal.id,
                diff(deal, edited, EDIT_FIELDS),
                now=now,
            )
            uow.commit()
            return edited

    def add_task(
        self,
        team_id: str,
        deal_id: int,
        draft: TaskDraft,
        *,
        actor: str,
        idempotency_key: str | None = None,
    ) -> Task:
        """A task for the deal (linked to it and its customer); anyone in the workspace may."""
        now = self._clock.now()

        def write(uow: UnitOfWork) -> Task:
            deal = self._load(uow, team_id, deal_id)
            linked = draft.model_copy(
                update={"deal_number": deal.number, "customer_id": deal.customer_id}
            )
            task = create_task(uow, team_id, linked, actor=actor, now=now)
            uow.deals.update(team_id, deal.id, {"last_activity_at": now}, now=now)
            return task

        def load(uow: UnitOfWork, ref: str) -> Task:
            task = uow.tasks.get(team_id, int(ref))
            if task is None:
                raise NotFound("That task does not exist (any more).")
            return task

        return write_once(
            self._uow_factory,
            team_id,
            idempotency_key,
            now=now,
            write=write,
            result_ref=lambda task: str(task.id),
            load=load,
        )

    def card(self, team_id: str, deal_id: int, *, tasks: int = CARD_TASKS) -> DealCard:
        """The deal with its customer, stages, history, notes and open tasks."""
        with self._uow_factory() as uow:
            deal = self._load(uow, team_id, deal_id)
            stages = self._ensure_stages(uow, team_id)
            open_tasks, task_total = uow.deals.open_tasks(team_id, deal.number, limit=tasks)
            card = DealCard(
                deal=deal,
                customer=uow.customers.get(team_id, deal.customer_id),
                stages=stages,
                history=uow.deals.stage_changes(team_id, deal.id),
                notes=uow.deals.notes(team_id, deal.id),
                open_tasks=open_tasks,
                open_task_total=task_total,
            )
            uow.commit()
            return card

    def history(self, team_id: str, deal_id: int) -> list[StageChange]:
        """The deal's stage changes, oldest first, the creation included."""
        with self._uow_factory() as uow:
            deal = self._load(uow, team_id, deal_id)
            return uow.deals.stage_changes(team_id, deal.id)

    def notes(self, team_id: str, deal_id: int) -> list[DealNote]:
        """The deal's notes, oldest first."""
        with self._uow_factory() as uow:
            deal = self._load(uow, team_id, deal_id)
            return uow.deals.notes(team_id, deal.id)

    def open_deals(
        self,
        team_id: str,
        *,
        owner: str | None = None,
        stage_key: str | None = None,
        limit: int = LIST_LIMIT,
        biggest_first: bool = False,
    ) -> list[Deal]:
        """Open deals, by stage then number (or biggest amount first), perhaps of one owner
        or in one stage."""
        with self._uow_factory() as uow:
            stage_id = None
            if stage_key:
                stage_id = stage_named(self._ensure_stages(uow, team_id), stage_key).id
                uow.commit()
            return uow.deals.open_deals(
                team_id,
                owner_id=owner,
                stage_id=stage_id,
                limit=limit,
                biggest_first=biggest_first,
            )

    # -- helpers ---------------------------------------------------------------------

    @staticmethod
    def _ensure_stages(uow: UnitOfWork, team_id: str) -> list[Stage]:
        stages = uow.deals.stages(team_id)
        if not stages:
            # Insert-ignore: two first requests racing both succeed and write the set once.
            uow.deals.add_stages(team_id, list(DEFAULT_STAGES))
            stages = uow.deals.stages(team_id)
        return stages

    def _outcome_stage(self, team_id: str, outcome: Outcome) -> str:
        for stage in self.stages(team_id):
            if stage.outcome == outcome:
                return stage.key
        raise DomainError(f"This workspace's pipeline has no {outcome.value} stage.")

    @staticmethod
    def _load(uow: UnitOfWork, team_id: str, deal_id: int, *, for_update: bool = False) -> Deal:
        deal = uow.deals.get(team_id, deal_id, for_update=for_update)
        if deal is None:
            raise NotFound("That deal does not exist (any more).")
        return deal


__all__ = [
    "DEFAULT_STAGES",
    "Deal",
    "DealCard",
    "DealDraft",
    "DealNote",
    "Outcome",
    "PipelineService",
    "Stage",
    "StageChange",
    "StageSpec",
    "can_change",
    "refusal",
    "stage_named",
]
