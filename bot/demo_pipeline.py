"""Demo deals with a year of stage history, so /pipeline and its forecast show real numbers.

Every deal goes through the same PipelineService as /deal, each step on a clock set to the
moment it happened: created in the past, moved stage by stage, most closed won or lost
(with a reason), some still open; a few open ones have sat untouched for weeks (stale) and
some are past their expected close. A fixed random seed makes every demo the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from bot.services import Services
from domain.clock import FrozenClock
from domain.pipeline import DealDraft, Outcome, PipelineService

DEALS = 72
DAYS = 365
SEED = 11
# The chance a deal is lost at each open stage, in pipeline order; past the last, it is won.
LOSS_BY_STAGE = (0.25, 0.25, 0.22, 0.18)
_WHAT = (
    "ergonomic chairs for the new floor",
    "conference room fit-out",
    "standing desks rollout",
    "annual office supplies contract",
    "reception furniture refresh",
    "lighting retrofit",
    "storage and shelving",
    "break room furniture",
    "executive suite furniture",
    "print and paper contract",
)
_LOST_REASONS = (
    "Went with a cheaper supplier",
    "Budget cut for this year",
    "Project shelved: no decision",
    "Our lead time was too long",
    "Stayed with their current vendor",
    "Our champion left the company",
)
_NEXT_STEPS = (
    "Send the revised quote",
    "Book a showroom visit",
    "Call about the budget approval",
    "Send samples",
    "Walk through the floor plan",
)
_NOTES = (
    "Spoke with procurement; they are comparing two quotes.",
    "Sent the spec sheet and delivery schedule.",
    "Customer asked for a phased delivery.",
)


@dataclass
class _Plan:
    created: datetime
    customer_id: int
    owner: str
    amount: Decimal
    close_in_days: int
    first_stage: str
    moves: list[tuple[datetime, str, str | None]] = field(default_factory=list)
    note_at: datetime | None = None


def seed_pipeline(
    services: Services, team_id: str, customer_ids: list[int], reps: tuple[str, ...]
) -> int:
    """~70 deals created over the past year with their stage histories; returns deals made.
    Does nothing when the workspace already has deals (the demo ran before)."""
    if not customer_ids or services.pipeline.find(team_id, "D-1"):
        return 0
    rng = random.Random(SEED)
    now = services.clock.now()
    users = {rep: services.workspaces.ensure(team_id, rep)[1] for rep in reps}
    stages = services.pipeline.stages(team_id)
    open_keys = [s.key for s in stages if s.outcome == Outcome.OPEN]
    won = next(s.key for s in stages if s.outcome == Outcome.WON)
    lost = next(s.key for s in stages if s.outcome == Outcome.LOST)
    names = {cid: services.customers.get(team_id, cid).name for cid in customer_ids}
    tz = services.workspaces.ensure(team_id, None)[0].tz

    made = 0
    for index in range(DEALS):
        plan = _plan(rng, index, now, customer_ids, reps, open_keys, won, lost)
        owner = users[plan.owner]
        assert owner is not None
        clock = FrozenClock(plan.created)
        # History, not news: seeding announces nothing even where a sales channel is set.
        pipeline = PipelineService(services.uow_factory, clock, announce=False)
        draft = DealDraft.from_input(
            title=f"{names[plan.customer_id]} — {rng.choice(_WHAT)}",
            customer_id=plan.customer_id,
            amount=plan.amount,
            expected_close=(plan.created + timedelta(days=plan.close_in_days)).date(),
            stage_key=plan.first_stage,
            owner_id=plan.owner,
            next_step=rng.choice(_NEXT_STEPS),
            today=plan.created.astimezone(tz).date(),
        )
        deal = pipeline.create(team_id, draft, actor=plan.owner)
        for when, stage_key, reason in plan.moves:
            clock.set(when)
            pipeline.move(team_id, deal.id, stage_key, actor=owner, reason=reason)
        if plan.note_at is not None:
            clock.set(plan.note_at)
            pipeline.add_note(team_id, deal.id, rng.choice(_NOTES), actor=plan.owner)
        made += 1
    return made


def _plan(
    rng: random.Random,
    index: int,
    now: datetime,
    customer_ids: list[int],
    reps: tuple[str, ...],
    open_keys: list[str],
    won: str,
    lost: str,
) -> _Plan:
    """One deal's life: created some time in the past year (oldest first), then a stage every
    one to four weeks until it is won, lost, or today arrives while it is still open."""
    # More deals lately than a year ago: a growing team, and an open pipeline to look at.
    age = DAYS * ((DEALS - index - rng.random()) / DEALS) ** 1.4
    created = (now - timedelta(days=age)).replace(second=0, microsecond=0)
    amount = Decimal(max(1500, min(150_000, round(rng.lognormvariate(9.6, 0.8) / 50) * 50)))
    start = 0 if rng.random() < 0.8 else 1
    plan = _Plan(
        created=created,
        customer_id=rng.choice(customer_ids),
        owner=rng.choice(reps),
        amount=amount,
        close_in_days=rng.randint(30, 100),
        first_stage=open_keys[start],
    )
    stalls = rng.random() < 0.15  # a deal that goes quiet for weeks at some stage
    at, stage = created, start
    latest = now - timedelta(hours=1)
    while True:
        dwell = rng.uniform(4, 28) * (rng.uniform(2.5, 4) if stalls and rng.random() < 0.5 else 1)
        step = at + timedelta(days=dwell, hours=rng.uniform(-3, 3))
        if step > latest:
            break  # still open, in this stage since `at`
        if rng.random() < LOSS_BY_STAGE[min(stage, len(LOSS_BY_STAGE) - 1)]:
            plan.moves.append((step, lost, rng.choice(_LOST_REASONS)))
            return plan
        stage += 1
        if stage == len(open_keys):
            plan.moves.append((step, won, None))
            return plan
        plan.moves.append((step, open_keys[stage], None))
        at = step
    # Still open: most have been touched lately; the rest are the stale ones.
    if not stalls and rng.random() < 0.7:
        recent = now - timedelta(days=rng.uniform(0.5, 9))
        if recent > at:
            plan.note_at = recent
    return plan
