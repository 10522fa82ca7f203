"""The pipeline board and the forecast's inputs: open deals summed per stage, stale deals,
and closed deals' stage histories, read from storage and shaped for /pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from domain import forecast as fc
from domain.errors import ValidationFailed
from domain.pipeline import Deal, Outcome, PipelineService, Stage, stage_named

if TYPE_CHECKING:
    from domain.clock import Clock
    from domain.ports import UnitOfWorkFactory

BIGGEST_PER_STAGE = 3
STALE_SHOWN = 8
_FOUR_DP = Decimal("0.0001")
_CONTEXT = Context(prec=40, rounding=ROUND_HALF_UP)


class StageTotals(BaseModel):
    """Open deals in one stage, summed by the database."""

    model_config = ConfigDict(frozen=True)

    stage_id: int
    count: int
    total: Decimal
    overdue: int  # of those, expected to close before today


@dataclass(frozen=True, slots=True)
class DealTrail:
    """A deal as the forecast reads it: where it is, and the furthest open stage it ever
    entered (a stage's observed probability counts the closed deals that got that far).
    A plain dataclass: the forecast reads every deal of the workspace, tens of thousands."""

    deal_id: int
    number: int
    amount: Decimal
    status: Outcome
    stage_key: str
    created_at: datetime
    closed_at: datetime | None
    expected_close: date | None
    reached: str | None  # the key of the furthest active open stage entered, if any


class PipelineReportRepository(Protocol):
    """Aggregations over deals and their stage changes (storage/repositories/pipeline_reports)."""

    def open_totals(
        self, team_id: str, *, owner_id: str | None, stage_id: int | None, today: date
    ) -> list[StageTotals]: ...

    def biggest_open(
        self, team_id: str, *, owner_id: str | None, stage_id: int | None, per_stage: int
    ) -> list[Deal]: ...

    def stale_open(
        self,
        team_id: str,
        *,
        owner_id: str | None,
        stage_id: int | None,
        idle_since: datetime,
        limit: int,
    ) -> tuple[list[Deal], int]: ...

    def deal_trails(self, team_id: str) -> list[DealTrail]: ...


class StageLine(BaseModel):
    """One open stage on the board."""

    model_config = ConfigDict(frozen=True)

    stage: Stage
    count: int
    total: Decimal
    weighted: Decimal  # total × the stage's configured probability, 4 dp
    overdue: int
    biggest: tuple[Deal, ...]


class StaleDeal(BaseModel):
    model_config = ConfigDict(frozen=True)

    deal: Deal
    stage_name: str
    idle_days: int


class Board(BaseModel):
    """Open deals by stage, perhaps of one owner or in one stage, and the stale ones."""

    model_config = ConfigDict(frozen=True)

    owner_id: str | None
    stage: Stage | None  # the stage asked for, if any
    lines: tuple[StageLine, ...]
    stale: tuple[StaleDeal, ...]  # the longest idle first, at most STALE_SHOWN
    stale_total: int
    stale_days: int
    today: date

    @property
    def count(self) -> int:
        return sum(line.count for line in self.lines)

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal(0))

    @property
    def weighted(self) -> Decimal:
        return sum((line.weighted for line in self.lines), Decimal(0))

    @property
    def overdue(self) -> int:
        return sum(line.overdue for line in self.lines)


def weighted_amount(total: Decimal, probability: Decimal) -> Decimal:
    """total × probability to 4 dp, half up (both have at most 4 dp: exact before rounding)."""
    with localcontext(_CONTEXT):
        return (total * probability).quantize(_FOUR_DP)


def stage_defs(stages: Sequence[Stage]) -> list[fc.StageDef]:
    """The pipeline's stages in the shape the forecast takes."""
    return [
        fc.StageDef(
            key=s.key,
            name=s.name,
            position=s.position,
            probability=s.probability,
            outcome=s.outcome.value,
        )
        for s in stages
    ]


def deal_history(trail: DealTrail, tz: ZoneInfo) -> fc.DealHistory:
    """A stored deal as the forecast sees it, its instants as dates in the workspace's zone."""

    def day(instant: datetime) -> date:
        return instant.astimezone(tz).date()

    created_on = day(trail.created_at)
    # The forecast reads only how far a deal got (its furthest open stage), so that one
    # stage stands for the path; reading every stage change cost seconds at 25,000 deals.
    return fc.DealHistory(
        deal_id=str(trail.number),
        amount=trail.amount,
        created_on=created_on,
        stages_visited=((trail.reached or trail.stage_key, created_on),),
        outcome=trail.status.value,
        closed_on=day(trail.closed_at) if trail.closed_at and trail.status != "open" else None,
        expected_close=trail.expected_close,
        current_stage=trail.stage_key,
    )


class PipelineBoardService:
    """The /pipeline board and forecast for one workspace, read in one unit of work each."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._pipeline = PipelineService(uow_factory, clock)

    def board(
        self,
        team_id: str,
        *,
        owner_id: str | None = None,
        stage_key: str | None = None,
        per_stage: int = BIGGEST_PER_STAGE,
        stale_shown: int = STALE_SHOWN,
    ) -> Board:
        """Open deals per stage (count, total, weighted, the biggest) and the stale ones."""
        stages = self._pipeline.stages(team_id)
        chosen = _open_stage(stages, stage_key) if stage_key else None
        stage_id = chosen.id if chosen else None
        now = self._clock.now()
        with self._uow_factory() as uow:
            workspace = uow.workspaces.get(team_id)
            tz = ZoneInfo(workspace.timezone) if workspace else ZoneInfo("UTC")
            stale_days = workspace.stale_deal_days if workspace else 14
            today = now.astimezone(tz).date()
            reports = uow.pipeline_reports
            totals = {
                t.stage_id: t
                for t in reports.open_totals(
                    team_id, owner_id=owner_id, stage_id=stage_id, today=today
                )
            }
            biggest = reports.biggest_open(
                team_id, owner_id=owner_id, stage_id=stage_id, per_stage=per_stage
            )
            stale, stale_total = reports.stale_open(
                team_id,
                owner_id=owner_id,
                stage_id=stage_id,
                idle_since=now - timedelta(days=stale_days),
                limit=stale_shown,
            )
        by_id = {s.id: s for s in stages}
        lines = []
        for stage in stages:
            in_stage = totals.get(stage.id)
            shown = stage.outcome == Outcome.OPEN and (stage.active or in_stage is not None)
            if not shown or (stage_id is not None and stage.id != stage_id):
                continue
            total = in_stage.total if in_stage else Decimal(0)
            lines.append(
                StageLine(
                    stage=stage,
                    count=in_stage.count if in_stage else 0,
                    total=total,
                    weighted=weighted_amount(total, stage.probability),
                    overdue=in_stage.overdue if in_stage else 0,
                    biggest=tuple(d for d in biggest if d.stage_id == stage.id),
                )
            )
        return Board(
            owner_id=owner_id,
            stage=chosen,
            lines=tuple(lines),
            stale=tuple(
                StaleDeal(
                    deal=d,
                    stage_name=by_id[d.stage_id].name if d.stage_id in by_id else "?",
                    idle_days=(now - max(d.last_activity_at, d.stage_changed_at)).days,
                )
                for d in stale
            ),
            stale_total=stale_total,
            stale_days=stale_days,
            today=today,
        )

    def forecasts(
        self,
        team_id: str,
        periods: Sequence[fc.Period] = ("month", "quarter"),
        *,
        min_deals: int = fc.DEFAULT_MIN_DEALS,
    ) -> list[fc.Forecast]:
        """The forecast for each period containing today (in the workspace's timezone)."""
        histories, defs, today = self.histories(team_id)
        # The same history for every period: learn the stage probabilities once.
        learned = fc.observed_probabilities(histories, defs, min_deals=min_deals)
        return [
            fc.forecast(
                histories,
                defs,
                today=today,
                period=period,
                min_deals=min_deals,
                probabilities=learned,
            )
            for period in periods
        ]

    def histories(self, team_id: str) -> tuple[list[fc.DealHistory], list[fc.StageDef], date]:
        """Every deal's stage history, the stage definitions, and today, for the forecast."""
        # Active stages only: a removed stage keeps its old position, and its deals have
        # been moved on (visits to it are ignored, as the forecast ignores unknown keys).
        stages = self._pipeline.stages(team_id)
        with self._uow_factory() as uow:
            workspace = uow.workspaces.get(team_id)
            tz = ZoneInfo(workspace.timezone) if workspace else ZoneInfo("UTC")
            trails = uow.pipeline_reports.deal_trails(team_id)
        today = self._clock.now().astimezone(tz).date()
        return [deal_history(t, tz) for t in trails], stage_defs(stages), today


def _open_stage(stages: list[Stage], key: str) -> Stage:
    """The open stage named by key; ValidationFailed for an unknown or a closed stage."""
    open_names = ", ".join(s.name for s in stages if s.active and s.outcome == Outcome.OPEN)
    try:
        stage = stage_named(stages, key)
    except ValidationFailed:
        raise ValidationFailed(
            {"stage": f"There is no stage “{key.strip()[:40]}”: pick one of {open_names}."}
        ) from None
    if stage.outcome != Outcome.OPEN:
        raise ValidationFailed(
            {
                "stage": f"{stage.name} is a closed stage and the board shows open deals: "
                f"pick one of {open_names}, or see `/pipeline forecast` for what was won."
            }
        )
    return stage


__all__ = [
    "Board",
    "DealTrail",
    "PipelineBoardService",
    "PipelineReportRepository",
    "StageLine",
    "StageTotals",
    "StaleDeal",
    "deal_history",
    "stage_defs",
    "weighted_amount",
]
