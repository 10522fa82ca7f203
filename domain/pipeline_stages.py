"""Editing a workspace's pipeline stages without making any deal invalid.

Renaming keeps a stage's id and key, so its deals stay where they are. A removed stage
is deactivated, never deleted: its deals move to another open stage first (each move
recorded in the deal's history) and old history rows keep pointing at it. Every edit
runs in one transaction that locks the workspace's stage rows first, so two admins
editing at once queue up instead of interleaving.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Protocol

from domain.audit import Action
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.pipeline import DEFAULT_STAGES, Deal, Outcome, Stage, StageSpec
from domain.text import clean, fold
from domain.workspaces import Role, User

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWork, UnitOfWorkFactory

NAME_MAX = 60  # a stage's name is an option in selects (≤ 75) and a column (≤ 100)
KEY_MAX = 40  # storage.orm.PipelineStageRow.key
STAGES_MAX = 20  # the edit form holds 3 blocks a stage within Slack's 100
ENTITY = "pipeline_stage"
_PERCENT = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*%?$")
_SLUG = re.compile(r"[^a-z0-9]+")


class StageRepository(Protocol):
    """Changes to pipeline stages (storage/repositories/pipeline_stages)."""

    def lock(self, team_id: str) -> list[Stage]:
        """All the workspace's stages (inactive too) in order, locked until the commit."""
        ...

    def add(self, team_id: str, spec: StageSpec) -> Stage: ...
    def update(self, team_id: str, stage_id: int, values: dict[str, object]) -> Stage: ...
    def deal_counts(self, team_id: str, *, status: Outcome | None = None) -> dict[int, int]:
        """Deals per stage id (only those of that status when given)."""
        ...

    def lock_deals_in(self, team_id: str, stage_id: int) -> list[Deal]:
        """The deals in the stage, locked; waits for deals being moved right now."""
        ...

    def move_deals(
        self,
        team_id: str,
        deal_ids: list[int],
        *,
        from_stage_id: int,
        to_stage_id: int,
        actor: str,
        now: datetime,
    ) -> None:
        """Move these deals, with a stage change and an audit row for each, in a few
        statements whatever their number."""
        ...


class StageHasDeals(DomainError):
    """Removing a stage that holds deals needs to know where they go."""

    def __init__(self, stage: Stage, deals: int, choices: list[Stage]) -> None:
        plural = "deal" if deals == 1 else "deals"
        super().__init__(
            f"{stage.name} holds {deals} open {plural}: say which stage they move to "
            f"before it is removed."
        )
        self.stage = stage
        self.deals = deals
        self.choices = choices


@dataclass(frozen=True)
class StageLine:
    """A stage as the settings show it, with how many deals are in it now."""

    stage: Stage
    deals: int


@dataclass(frozen=True)
class Removed:
    stage: Stage
    moved: int
    to: Stage | None


@dataclass(frozen=True)
class StageEdit:
    """What the edit form says for one stage: its name and (open stages) probability."""

    stage_id: int
    name: str | None
    probability: str | None = None


# --- rules (pure) ---------------------------------------------------------------------------


def parse_probability(text: str | None) -> Decimal:
    """'35%', '35' or '12.5%' → Decimal('0.35'); ValueError says what is wrong."""
    raw = (text or "").strip()
    match = _PERCENT.match(raw)
    if not raw:
        raise ValueError("Give a probability from 0% to 100%, like 35%.")
    if match is None:
        raise ValueError(f"“{raw[:20]}” is not a probability: give a percentage like 35%.")
    try:
        percent = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        raise ValueError(
            f"“{raw[:20]}” is not a probability: give a percentage like 35%."
        ) from None
    if percent > 100:
        raise ValueError(f"{raw[:20]} is over 100%: a probability is from 0% to 100%.")
    if percent != percent.quantize(Decimal("0.01")):
        raise ValueError(f"{raw[:20]}: use at most two decimals, like 12.5%.")
    return (percent / 100).quantize(Decimal("0.0001"))


def percent(probability: Decimal) -> str:
    """Decimal('0.125') → '12.5%'."""
    value = (probability * 100).quantize(Decimal("0.01")).normalize()
    return f"{value:f}%"


def check_name(text: str | None, stages: list[Stage], *, stage_id: int | None = None) -> str:
    """The cleaned name, unless it is empty, too long or taken by another active stage."""
    name = " ".join((clean(text) or "").split())
    if not name:
        raise ValueError("Give the stage a name.")
    if len(name) > NAME_MAX:
        raise ValueError(f"Keep a stage's name under {NAME_MAX} characters.")
    folded = fold(name)
    for other in stages:
        if other.active and other.id != stage_id and folded in (fold(other.name), other.key):
            raise ValueError(f"There is already a stage called {other.name}: pick another name.")
    return name


def new_key(name: str, stages: list[Stage]) -> str:
    """A slug for a new stage, unique among all the workspace's stages, removed ones too."""
    base = _SLUG.sub("-", fold(name)).strip("-")[: KEY_MAX - 4] or "stage"
    taken = {s.key for s in stages}
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def find_stage(stages: list[Stage], ref: str | int) -> Stage:
    """The active stage with this id, key or name (any case); NotFound lists the others."""
    if isinstance(ref, int):
        for stage in stages:
            if stage.active and stage.id == ref:
                return stage
        raise NotFound("That stage was removed meanwhile.")
    wanted = fold(ref)
    for stage in stages:
        if stage.active and wanted in (stage.key, fold(stage.name)):
            return stage
    names = ", ".join(s.name for s in stages if s.active)
    raise NotFound(f"There is no stage “{ref.strip()[:40]}”: the stages are {names}.")


def ordered(stages: list[Stage]) -> list[Stage]:
    """Active stages as they run: open ones in their order, then won, then lost."""
    rank = {Outcome.OPEN: 0, Outcome.WON: 1, Outcome.LOST: 2}
    active = [s for s in stages if s.active]
    return sorted(active, key=lambda s: (rank[s.outcome], s.position, s.id))


def check_removable(stages: list[Stage], stage: Stage) -> None:
    if stage.outcome != Outcome.OPEN:
        raise DomainError(
            f"{stage.name} is where deals close as {stage.outcome.value}: it can be renamed "
            "but not removed."
        )
    if sum(1 for s in stages if s.active and s.outcome == Outcome.OPEN) <= 1:
        raise DomainError(f"{stage.name} is the last open stage: add another before removing it.")


def moved(open_stages: list[Stage], stage: Stage, steps: int) -> list[Stage]:
    """The open stages with `stage` moved up (negative) or down by `steps`."""
    order = [s for s in open_stages if s.id != stage.id]
    index = next(i for i, s in enumerate(open_stages) if s.id == stage.id)
    order.insert(min(max(index + steps, 0), len(order)), stage)
    return order


def require_admin(actor: User | None) -> User:
    if actor is None or actor.role != Role.ADMIN:
        raise DomainError("Only an admin can change the pipeline's stages.")
    return actor


# --- the service ----------------------------------------------------------------------------


class StageEditor:
    """Shows and edits a workspace's pipeline stages (admins only)."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def overview(self, team_id: str) -> list[StageLine]:
        """The active stages in order, each with its number of open deals."""
        with self._uow_factory() as uow:
            stages = self._stages(uow, team_id)
            counts = uow.stages.deal_counts(team_id, status=Outcome.OPEN)
            uow.commit()
        return [StageLine(s, counts.get(s.id, 0)) for s in ordered(stages)]

    def rename(self, team_id: str, actor: User | None, stage: str | int, name: str) -> Stage:
        """Give the stage a new name; its key, id and deals stay."""
        require_admin(actor)
        return self.save(team_id, actor, [StageEdit(self._id(team_id, stage), name)])[0]

    def set_probability(
        self, team_id: str, actor: User | None, stage: str | int, probability: str
    ) -> Stage:
        """Change an open stage's win probability ('35%')."""
        with self._uow_factory() as uow:
            stages = self._locked(uow, team_id, actor)
            found = find_stage(stages, stage)
        return self.save(team_id, actor, [StageEdit(found.id, found.name, probability)])[0]

    def save(self, team_id: str, actor: User | None, edits: list[StageEdit]) -> list[Stage]:
        """Apply the edit form's names and probabilities at once; ValidationFailed keys are
        "name:<stage id>" and "probability:<stage id>"."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            who = require_admin(actor).slack_user_id
            stages = self._locked(uow, team_id, actor)
            errors: dict[str, str] = {}
            changes: list[tuple[Stage, dict[str, object]]] = []
            # Names are checked against the names the form leaves, so two stages can swap.
            after = {s.id: s for s in stages}
            for edit in edits:
                stage = after.get(edit.stage_id)
                if stage is None or not stage.active:
                    raise NotFound("A stage in the form was removed meanwhile: open it again.")
                after[stage.id] = stage.model_copy(update={"name": clean(edit.name) or ""})
            for edit in edits:
                stage = next(s for s in stages if s.id == edit.stage_id)
                values: dict[str, object] = {}
                try:
                    name = check_name(edit.name, list(after.values()), stage_id=stage.id)
                    if name != stage.name:
                        values["name"] = name
                except ValueError as exc:
                    errors[f"name:{stage.id}"] = str(exc)
                if edit.probability is not None:
                    try:
                        chance = self._probability(stage, edit.probability)
                        if chance != stage.probability:
                            values["probability"] = chance
                    except ValueError as exc:
                        errors[f"probability:{stage.id}"] = str(exc)
                if values:
                    changes.append((stage, values))
            if errors:
                raise ValidationFailed(errors)
            saved = []
            for stage, values in changes:
                saved.append(uow.stages.update(team_id, stage.id, values))
                audit = {k: [_json(getattr(stage, k)), _json(v)] for k, v in values.items()}
                uow.audit.record(team_id, who, Action.UPDATE, ENTITY, stage.id, audit, now=now)
            uow.commit()
        by_id = {s.id: s for s in saved}
        return [by_id.get(e.stage_id) or after[e.stage_id] for e in edits]

    def add(
        self,
        team_id: str,
        actor: User | None,
        name: str,
        probability: str,
        *,
        after: str | int | None = None,
    ) -> Stage:
        """A new open stage after `after` (an open stage; None: after the last open one, 0:
        first); ValidationFailed keys: name, probability, after."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            who = require_admin(actor).slack_user_id
            stages = self._locked(uow, team_id, actor)
            open_stages = [s for s in ordered(stages) if s.outcome == Outcome.OPEN]
            errors: dict[str, str] = {}
            try:
                clean_name = check_name(name, stages)
            except ValueError as exc:
                errors["name"] = str(exc)
            try:
                chance = parse_probability(probability)
            except ValueError as exc:
                errors["probability"] = str(exc)
            index = len(open_stages)
            if after == 0:
                index = 0
            elif after is not None:
                try:
                    previous = find_stage(stages, after)
                    if previous.outcome != Outcome.OPEN:
                        raise NotFound(
                            f"New stages go among the open ones, before {previous.name}: "
                            "say which open stage it follows."
                        )
                    index = open_stages.index(previous) + 1
                except NotFound as exc:
                    errors["after"] = exc.message
            if len([s for s in stages if s.active]) >= STAGES_MAX:
                errors.setdefault("name", f"A pipeline holds at most {STAGES_MAX} stages.")
            if errors:
                raise ValidationFailed(errors)
            spec = StageSpec(
                key=new_key(clean_name, stages),
                name=clean_name,
                position=0,
                probability=chance,
            )
            stage = uow.stages.add(team_id, spec)
            open_stages.insert(index, stage)
            self._renumber(uow, team_id, stages, open_stages)
            stage = uow.stages.update(team_id, stage.id, {})
            uow.audit.record(
                team_id,
                who,
                Action.CREATE,
                ENTITY,
                stage.id,
                {"key": stage.key, "name": stage.name, "probability": _json(chance)},
                now=now,
            )
            uow.commit()
            return stage

    def move(self, team_id: str, actor: User | None, stage: str | int, steps: int) -> Stage:
        """Move an open stage up (negative steps) or down among the open stages."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            who = require_admin(actor).slack_user_id
            stages = self._locked(uow, team_id, actor)
            found = find_stage(stages, stage)
            if found.outcome != Outcome.OPEN:
                raise DomainError(f"{found.name} closes deals, so it stays at the end.")
            open_stages = [s for s in ordered(stages) if s.outcome == Outcome.OPEN]
            before = [s.key for s in open_stages]
            order = moved(open_stages, found, steps)
            self._renumber(uow, team_id, stages, order)
            after = [s.key for s in order]
            if before != after:
                uow.audit.record(
                    team_id,
                    who,
                    Action.UPDATE,
                    ENTITY,
                    found.id,
                    {"order": [before, after]},
                    now=now,
                )
            uow.commit()
            return found

    def remove(
        self, team_id: str, actor: User | None, stage: str | int, *, to: str | int | None = None
    ) -> Removed:
        """Deactivate an open stage, first moving its deals to `to` (each move recorded);
        StageHasDeals when it holds deals and `to` is not given."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            who = require_admin(actor).slack_user_id
            stages = self._locked(uow, team_id, actor)
            found = find_stage(stages, stage)
            check_removable(stages, found)
            deals = uow.stages.lock_deals_in(team_id, found.id)
            choices = [s for s in ordered(stages) if s.outcome == Outcome.OPEN and s.id != found.id]
            target = None
            if to is not None:
                target = find_stage(stages, to)
                if target.id == found.id or target.outcome != Outcome.OPEN:
                    names = ", ".join(s.name for s in choices)
                    raise DomainError(
                        f"{found.name}'s deals can move to another open stage: {names}."
                    )
            if deals and target is None:
                raise StageHasDeals(found, len(deals), choices)
            if deals:
                assert target is not None
                uow.stages.move_deals(
                    team_id,
                    [deal.id for deal in deals],
                    from_stage_id=found.id,
                    to_stage_id=target.id,
                    actor=who,
                    now=now,
                )
            removed = uow.stages.update(team_id, found.id, {"active": False})
            self._renumber(uow, team_id, stages, choices)
            uow.audit.record(
                team_id,
                who,
                Action.DELETE,
                ENTITY,
                found.id,
                {
                    "key": found.key,
                    "name": found.name,
                    "moved_deals": len(deals),
                    "to": target.key if target else None,
                },
                now=now,
            )
            uow.commit()
            return Removed(removed, len(deals), target)

    # -- helpers -------------------------------------------------------------------------

    def _id(self, team_id: str, ref: str | int) -> int:
        if isinstance(ref, int):
            return ref
        with self._uow_factory() as uow:
            stages = self._stages(uow, team_id)
            uow.commit()
        return find_stage(stages, ref).id

    @staticmethod
    def _stages(uow: UnitOfWork, team_id: str) -> list[Stage]:
        stages = uow.deals.stages(team_id)
        if not stages:
            uow.deals.add_stages(team_id, list(DEFAULT_STAGES))
            stages = uow.deals.stages(team_id)
        return stages

    def _locked(self, uow: UnitOfWork, team_id: str, actor: User | None) -> list[Stage]:
        require_admin(actor)
        self._stages(uow, team_id)
        return uow.stages.lock(team_id)

    @staticmethod
    def _probability(stage: Stage, text: str) -> Decimal:
        if stage.outcome != Outcome.OPEN:
            fixed = Decimal(1) if stage.outcome == Outcome.WON else Decimal(0)
            if text.strip() and parse_probability(text) != fixed:
                raise ValueError(
                    f"{stage.name} closes deals as {stage.outcome.value}: it stays at "
                    f"{percent(fixed)}."
                )
            return fixed
        return parse_probability(text)

    @staticmethod
    def _renumber(
        uow: UnitOfWork, team_id: str, stages: list[Stage], open_order: list[Stage]
    ) -> None:
        """Positions 1…n: the open stages in `open_order`, then won, then lost."""
        closing = [s for s in ordered(stages) if s.outcome != Outcome.OPEN]
        current = {s.id: s.position for s in stages}
        for position, stage in enumerate([*open_order, *closing], start=1):
            if current.get(stage.id) != position:
                uow.stages.update(team_id, stage.id, {"position": position})


def _json(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


__all__ = [
    "NAME_MAX",
    "Removed",
    "StageEdit",
    "StageEditor",
    "StageHasDeals",
    "StageLine",
    "StageRepository",
    "check_name",
    "find_stage",
    "parse_probability",
    "percent",
    "require_admin",
]
