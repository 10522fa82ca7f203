"""The pipeline report queries on a real database: sums per stage stay exact, the biggest
deals per stage, the stale list capped with its full count, histories, and tenancy."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.services import Services
from domain.customers import CustomerDraft
from domain.pipeline import DealDraft, Outcome
from tests.app.test_pipeline_board import ALICE, BOB, OTHER_TEAM, build
from tests.harness import TEAM


def stage_ids(services: Services, team: str = TEAM) -> dict[str, int]:
    return {s.key: s.id for s in services.pipeline.stages(team)}


def test_open_totals_are_summed_per_stage_by_the_database(services: Services) -> None:
    build(services, TEAM)
    ids = stage_ids(services)
    with services.uow_factory() as uow:
        totals = uow.pipeline_reports.open_totals(
            TEAM, owner_id=None, stage_id=None, today=date(2026, 3, 2)
        )
        mine = uow.pipeline_reports.open_totals(
            TEAM, owner_id=ALICE, stage_id=ids["proposal"], today=date(2026, 3, 2)
        )
    got = {t.stage_id: (t.count, t.total, t.overdue) for t in totals}
    assert got == {
        ids["prospecting"]: (2, Decimal("3500.5000"), 0),
        ids["proposal"]: (2, Decimal("14000.2500"), 1),
        ids["negotiation"]: (1, Decimal("8000.0000"), 0),
    }
    assert [(t.count, t.total) for t in mine] == [(1, Decimal("10000.0000"))]


def test_sums_stay_exact_to_the_ten_thousandth(services: Services) -> None:
    services.workspaces.ensure(TEAM, ALICE)
    customer = services.customers.create(TEAM, CustomerDraft.from_input(name="Exact"), actor=ALICE)
    for _ in range(3):
        services.pipeline.create(
            TEAM,
            DealDraft(title="x", customer_id=customer.id, amount=Decimal("0.1001"), owner_id=ALICE),
            actor=ALICE,
        )
    with services.uow_factory() as uow:
        [total] = uow.pipeline_reports.open_totals(
            TEAM, owner_id=None, stage_id=None, today=date(2026, 3, 2)
        )
    assert total.total == Decimal("0.3003")


def test_biggest_open_keeps_the_largest_few_of_each_stage(services: Services) -> None:
    build(services, TEAM)
    ids = stage_ids(services)
    with services.uow_factory() as uow:
        biggest = uow.pipeline_reports.biggest_open(TEAM, owner_id=None, stage_id=None, per_stage=1)
        bobs = uow.pipeline_reports.biggest_open(TEAM, owner_id=BOB, stage_id=None, per_stage=5)
    assert [(d.stage_id, d.title) for d in biggest] == sorted(
        [
            (ids["prospecting"], "Deal B"),
            (ids["proposal"], "Deal C"),
            (ids["negotiation"], "Deal E"),
        ]
    )
    assert sorted(d.title for d in bobs) == ["Deal B", "Deal D", "Deal E"]


def test_stale_open_lists_the_longest_idle_first_and_counts_them_all(services: Services) -> None:
    data = build(services, TEAM)
    with services.uow_factory() as uow:
        shown, total = uow.pipeline_reports.stale_open(
            TEAM,
            owner_id=None,
            stage_id=None,
            idle_since=data.now - timedelta(days=7),
            limit=1,
        )
        none, zero = uow.pipeline_reports.stale_open(
            TEAM,
            owner_id=None,
            stage_id=None,
            idle_since=data.now - timedelta(days=25),
            limit=5,
        )
    assert total == 2 and [d.title for d in shown] == ["Deal E"]
    assert (none, zero) == ([], 0)


def test_a_note_makes_a_deal_fresh_again(services: Services) -> None:
    data = build(services, TEAM)
    services.pipeline.add_note(TEAM, data.deals["E"].id, "Called them", actor=BOB)
    board = services.pipeline_board.board(TEAM)
    assert board.stale_total == 0


def test_deal_trails_hold_the_furthest_stage_entered_and_only_this_workspace(
    services: Services,
) -> None:
    data = build(services, TEAM)
    with services.uow_factory() as uow:
        trails = {t.number: t for t in uow.pipeline_reports.deal_trails(TEAM)}
        others = uow.pipeline_reports.deal_trails(OTHER_TEAM)
    assert len(trails) == 8 and len(others) == 1
    e = trails[data.deals["E"].number]
    assert e.reached == "negotiation"  # prospecting, qualification, then negotiation
    g = trails[data.deals["G"].number]
    assert (g.status, g.stage_key, g.closed_at) == ("lost", "lost", data.now - timedelta(days=5))


def test_board_at_thousands_of_open_deals_reads_aggregates_only(services: Services) -> None:
    services.workspaces.ensure(TEAM, ALICE)
    customer = services.customers.create(TEAM, CustomerDraft.from_input(name="Bulk"), actor=ALICE)
    ids = stage_ids(services)
    start = services.clock.now() - timedelta(days=30)
    with services.uow_factory() as uow:
        keys = list(ids)[:4]
        for n in range(2000):
            key = keys[n % 4]
            draft = DealDraft(
                title=f"Bulk {n}",
                customer_id=customer.id,
                amount=Decimal(100 + n),
                owner_id=ALICE if n % 2 else BOB,
            )
            uow.deals.add(
                TEAM, draft, stage_id=ids[key], status=Outcome.OPEN, actor=ALICE, now=start
            )
        uow.commit()
    result = services.pipeline_board.board(TEAM, stale_shown=8)
    assert result.count == 2000
    assert result.total == sum(Decimal(100 + n) for n in range(2000))
    assert all(len(line.biggest) <= 3 for line in result.lines)
    assert result.stale_total == 2000 and len(result.stale) == 8
