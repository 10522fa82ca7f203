"""Saved reports and schedules on a real database: names per workspace, short ids, who may
change what, and the tick that turns a due schedule into exactly one delivery."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.services import Services
from domain.clock import FrozenClock
from domain.delivery import Delivery
from domain.errors import DomainError, NotFound
from domain.schedules import (
    SCHEDULED_POST,
    ReportKind,
    Schedule,
    enqueue_due_posts,
    parse_cadence,
)
from domain.workspaces import Role
from storage.orm import UserRow

TEAM, OTHER = "T0SCHED", "T0OTHER"  # America/New_York: START is Monday 10:30 there
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"  # admin (first seen), rep, manager
NY = ZoneInfo("America/New_York")


@pytest.fixture
def team(services: Services) -> Services:
    for user in (ALICE, BOB, CAROL):
        services.workspaces.ensure(TEAM, user)
    with services.uow_factory() as uow:
        uow.session.execute(  # type: ignore[attr-defined]
            update(UserRow)
            .where(UserRow.team_id == TEAM, UserRow.slack_user_id == CAROL)
            .values(role=Role.MANAGER)
        )
        uow.commit()
    services.workspaces.ensure(OTHER, "U0OTTO")
    return services


def save(services: Services, name: str, args: str = "month", *, actor: str = ALICE) -> int:
    return services.schedules.save(
        TEAM, name=name, kind=ReportKind.DASHBOARD, args=args, actor=actor
    ).saved.id


def schedule(
    services: Services,
    name: str,
    cadence: str = "daily 08:30",
    *,
    channel: str = "C0SALES",
    actor: str = ALICE,
    team: str = TEAM,
) -> Schedule:
    return services.schedules.add_schedule(
        team, name, channel_id=channel, cadence=parse_cadence(cadence), tz=NY, actor=actor
    )


def tick(services: Services, **kwargs: object) -> int:
    return enqueue_due_posts(services.uow_factory, services.clock, **kwargs)  # type: ignore[arg-type]


def posts(services: Services, team: str = TEAM) -> list[Delivery]:
    with services.uow_factory() as uow:
        return uow.deliveries.find(team, kind=SCHEDULED_POST)


def race(work: Callable[[], int]) -> list[int]:
    """Run `work` in two threads started together; what each returned."""
    results: list[int] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        results.append(work())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


# -- saved reports -----------------------------------------------------------------------------


def test_a_name_is_one_per_workspace_whatever_its_case_and_saving_again_replaces_it(
    team: Services,
) -> None:
    first = team.schedules.save(
        TEAM, name="Weekly Revenue", kind=ReportKind.DASHBOARD, args="week", actor=ALICE
    )
    assert first.replaced is None
    again = team.schedules.save(
        TEAM,
        name="weekly revenue",
        kind=ReportKind.REPORT,
        args="revenue by day week",
        actor=ALICE,
    )
    assert again.replaced is not None and again.replaced.args == "week"
    assert again.saved.id == first.saved.id
    assert (again.saved.kind, again.saved.args) == (ReportKind.REPORT, "revenue by day week")
    assert again.saved.command == "/sales report revenue by day week"
    # Another workspace's name of the same spelling is its own.
    other = team.schedules.save(
        OTHER, name="Weekly Revenue", kind=ReportKind.DASHBOARD, args="month", actor="U0OTTO"
    )
    assert other.replaced is None and other.saved.id != first.saved.id
    reports, total, _ = team.schedules.saved_reports(TEAM, limit=10)
    assert total == 1 and [r.name for r in reports] == ["weekly revenue"]


def test_unsave_deletes_the_report_and_its_schedules(team: Services) -> None:
    save(team, "daily")
    schedule(team, "daily")
    schedule(team, "daily", "weekly mon 09:00")
    save(team, "kept")
    kept = schedule(team, "kept")
    saved, gone = team.schedules.unsave(TEAM, "DAILY", actor=ALICE)
    assert (saved.name, gone) == ("daily", 2)
    schedules, total = team.schedules.schedules(TEAM, limit=10)
    assert total == 1 and [s.id for s in schedules] == [kept.id]
    with pytest.raises(NotFound, match="no saved report called “daily”"):
        team.schedules.saved(TEAM, "daily")


def test_only_its_maker_a_manager_or_an_admin_replace_or_unsave_a_saved_report(
    team: Services,
) -> None:
    save(team, "mine", actor=BOB)
    with pytest.raises(DomainError, match="Only the person who made “mine”"):
        team.schedules.unsave(TEAM, "mine", actor="U0DAVE")
    team.schedules.save(TEAM, name="mine", kind=ReportKind.DASHBOARD, args="week", actor=BOB)
    team.schedules.save(TEAM, name="mine", kind=ReportKind.DASHBOARD, args="year", actor=CAROL)
    team.schedules.unsave(TEAM, "mine", actor=ALICE)


# -- schedules ---------------------------------------------------------------------------------


def test_schedules_get_short_ids_per_workspace_and_their_next_run(team: Services) -> None:
    save(team, "daily")
    first = schedule(team, "daily")
    second = schedule(team, "daily", "weekly mon 09:00", channel="C0MGMT")
    team.schedules.save(
        OTHER, name="daily", kind=ReportKind.DASHBOARD, args="today", actor="U0OTTO"
    )
    theirs = schedule(team, "daily", team=OTHER, actor="U0OTTO")
    assert (first.public_id, second.public_id, theirs.public_id) == ("S-1", "S-2", "S-1")
    # START is 10:30 in New York: today's 08:30 has gone, as has this Monday's 09:00.
    assert first.next_run_at == datetime(2026, 3, 3, 13, 30, tzinfo=UTC)
    assert second.next_run_at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert (first.report_name, first.channel_id, first.paused) == ("daily", "C0SALES", False)
    with pytest.raises(DomainError, match="already posts there every day at 08:30: that is S-1"):
        schedule(team, "daily")


def test_another_workspace_can_neither_see_nor_change_a_schedule(team: Services) -> None:
    save(team, "daily")
    mine = schedule(team, "daily")
    schedules, total = team.schedules.schedules(OTHER, limit=10)
    assert (schedules, total) == ([], 0)
    for change in (
        lambda: team.schedules.pause(OTHER, mine.number, actor="U0OTTO"),
        lambda: team.schedules.delete_schedule(OTHER, mine.number, actor="U0OTTO"),
        lambda: team.schedules.get_schedule(OTHER, mine.number),
    ):
        with pytest.raises(NotFound, match="There is no schedule S-1"):
            change()
    assert team.schedules.get_schedule(TEAM, mine.number).paused is False


def test_only_its_maker_a_manager_or_an_admin_pause_or_delete_a_schedule(team: Services) -> None:
    save(team, "daily", actor=BOB)
    bobs = schedule(team, "daily", actor=BOB)
    with pytest.raises(DomainError, match="Only the person who made S-1, an admin or a manager"):
        team.schedules.pause(TEAM, bobs.number, actor="U0DAVE")
    assert team.schedules.pause(TEAM, bobs.number, actor=BOB).changed
    assert not team.schedules.pause(TEAM, bobs.number, actor=CAROL).changed  # already
    assert team.schedules.resume(TEAM, bobs.number, actor=CAROL, tz=NY).changed
    team.schedules.delete_schedule(TEAM, bobs.number, actor=ALICE)
    assert team.schedules.schedules(TEAM, limit=10) == ([], 0)


# -- the tick ----------------------------------------------------------------------------------


def test_a_due_schedule_becomes_one_delivery_at_its_time_and_moves_on(
    team: Services, clock: FrozenClock
) -> None:
    save(team, "daily")
    daily = schedule(team, "daily")
    clock.set(daily.next_run_at - timedelta(seconds=1))
    assert tick(team) == 0
    clock.set(daily.next_run_at)
    assert tick(team) == 1
    assert tick(team) == 0
    (queued,) = posts(team)
    assert queued.key == f"schedule:{daily.id}:20260303T1330Z"
    assert (queued.recipient, queued.due_at) == ("C0SALES", daily.next_run_at)
    assert queued.payload == {"schedule_id": daily.id, "run_at": "2026-03-03T13:30:00+00:00"}
    moved = team.schedules.get_schedule(TEAM, daily.number)
    assert moved.next_run_at == datetime(2026, 3, 4, 13, 30, tzinfo=UTC)
    assert moved.last_run_at == daily.next_run_at
    clock.advance(timedelta(days=1))
    assert tick(team) == 1
    assert len(posts(team)) == 2


def test_after_downtime_a_schedule_posts_once_not_once_per_missed_run(
    team: Services, clock: FrozenClock
) -> None:
    save(team, "daily")
    daily = schedule(team, "daily")
    clock.set(daily.next_run_at + timedelta(days=3, hours=2))  # down for three days
    assert tick(team) == 1
    assert tick(team) == 0
    (queued,) = posts(team)
    assert queued.due_at == daily.next_run_at  # the earliest missed run, posted late
    after = team.schedules.get_schedule(TEAM, daily.number).next_run_at
    assert after == datetime(2026, 3, 7, 13, 30, tzinfo=UTC)  # the next one from now


def test_a_paused_schedule_is_not_queued_and_resumes_from_now(
    team: Services, clock: FrozenClock
) -> None:
    save(team, "daily")
    daily = schedule(team, "daily")
    team.schedules.pause(TEAM, daily.number, actor=ALICE)
    clock.set(daily.next_run_at + timedelta(days=2))
    assert tick(team) == 0
    resumed = team.schedules.resume(TEAM, daily.number, actor=ALICE, tz=NY).schedule
    assert resumed.next_run_at == daily.next_run_at + timedelta(days=3)  # no backlog
    assert tick(team) == 0
    clock.set(resumed.next_run_at)
    assert tick(team) == 1


def test_a_claim_is_a_compare_and_set_on_the_run_time(team: Services, clock: FrozenClock) -> None:
    save(team, "daily")
    daily = schedule(team, "daily")
    later = daily.next_run_at + timedelta(days=1)
    with team.uow_factory() as uow:
        assert uow.schedules.advance(TEAM, daily.id, ran_at=daily.next_run_at, next_run_at=later)
        # A second tick that read the same row before the first committed gets nothing.
        assert not uow.schedules.advance(
            TEAM, daily.id, ran_at=daily.next_run_at, next_run_at=later
        )
        uow.commit()


def test_only_team_leaves_other_workspaces_schedules_alone(
    team: Services, clock: FrozenClock
) -> None:
    save(team, "daily")
    schedule(team, "daily")
    team.schedules.save(
        OTHER, name="daily", kind=ReportKind.DASHBOARD, args="today", actor="U0OTTO"
    )
    schedule(team, "daily", team=OTHER, actor="U0OTTO")
    clock.advance(timedelta(days=1))
    assert tick(team, only_team=OTHER) == 1
    assert (len(posts(team)), len(posts(team, OTHER))) == (0, 1)
    assert tick(team) == 1
    assert len(posts(team)) == 1


def test_two_schedulers_queue_each_run_exactly_once(team: Services, clock: FrozenClock) -> None:
    save(team, "daily")
    for minute in range(25):
        schedule(team, "daily", f"daily 08:{minute:02d}", channel=f"C0CH{minute}")
    clock.advance(timedelta(days=1))
    results = race(lambda: tick(team))
    assert sum(results) == 25
    keys = [d.key for d in posts(team)]
    assert len(keys) == len(set(keys)) == 25
    assert race(lambda: tick(team)) == [0, 0]


def test_deleting_a_saved_report_in_storage_takes_its_schedules(team: Services) -> None:
    save(team, "daily")
    schedule(team, "daily")
    with team.uow_factory() as uow:
        uow.schedules.delete_saved(TEAM, team.schedules.saved(TEAM, "daily").id)
        uow.commit()
    assert team.schedules.schedules(TEAM, limit=10) == ([], 0)
