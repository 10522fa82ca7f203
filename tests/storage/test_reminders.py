"""Reminders and overdue summaries become deliveries once, on time, on a real database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.services import Services
from domain.clock import FrozenClock
from domain.delivery import Delivery
from domain.reminders import (
    OVERDUE_SUMMARY,
    TASK_REMINDER,
    SummarySchedule,
    enqueue_due_reminders,
    enqueue_overdue_summaries,
    reminder_key,
)
from domain.tasks import Task, TaskDraft
from storage.orm import WorkspaceRow
from tests.conftest import START

TEAM = "T0REM"  # America/New_York (the test settings' default): START is 10:30 there
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"


@pytest.fixture
def crm(services: Services) -> Services:
    services.workspaces.ensure(TEAM, ALICE)
    return services


def add_task(
    services: Services, title: str, *, assignee: str = ALICE, due: datetime | None = None
) -> Task:
    draft = TaskDraft.from_input(
        title=title, assignee_id=assignee, due_at=due, due_has_time=due is not None
    )
    return services.tasks.add(TEAM, draft, actor=ALICE)


def deliveries(services: Services, team: str = TEAM, kind: str | None = None) -> list[Delivery]:
    with services.uow_factory() as uow:
        return uow.deliveries.find(team, kind=kind)


def reminders_now(services: Services) -> int:
    return enqueue_due_reminders(services.uow_factory, services.clock)


def summaries_now(services: Services) -> int:
    return enqueue_overdue_summaries(services.uow_factory, services.clock)


def set_summary(services: Services, team: str, *, timezone: str, at: str) -> None:
    with services.uow_factory() as uow:
        uow.session.execute(  # type: ignore[attr-defined]
            update(WorkspaceRow)
            .where(WorkspaceRow.team_id == team)
            .values(timezone=timezone, overdue_summary_time=at)
        )
        uow.commit()


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
        thread.join(20)
    return results


# -- task reminders ----------------------------------------------------------------------------


def test_a_reminder_is_enqueued_once_at_its_due_time_and_not_before(
    crm: Services, clock: FrozenClock
) -> None:
    due = START + timedelta(hours=1)
    task = add_task(crm, "Call Acme", assignee=BOB, due=due)
    assert reminders_now(crm) == 0
    clock.advance(timedelta(minutes=59, seconds=59))
    assert reminders_now(crm) == 0
    clock.advance(timedelta(seconds=1))
    assert reminders_now(crm) == 1
    assert reminders_now(crm) == 0  # claimed: remind_at is cleared
    clock.advance(timedelta(hours=5))
    assert reminders_now(crm) == 0

    (reminder,) = deliveries(crm)
    assert reminder.key == f"task-reminder:{task.id}:2026-03-02T16:30:00+00:00:{BOB}"
    assert reminder.key == reminder_key(task.id, due, BOB)
    assert (reminder.kind, reminder.recipient, reminder.payload) == (
        TASK_REMINDER,
        BOB,
        {"task_id": task.id},
    )
    assert reminder.due_at == due
    after = crm.tasks.get(TEAM, task.id)
    assert after.remind_at is None and after.due_at == due


def test_snoozing_schedules_a_new_reminder(crm: Services, clock: FrozenClock) -> None:
    task = add_task(crm, "Send quote", due=START + timedelta(minutes=5))
    clock.advance(timedelta(minutes=5))
    assert reminders_now(crm) == 1
    later = clock.now() + timedelta(hours=1)
    crm.tasks.snooze(TEAM, task.id, later, actor=ALICE)
    clock.advance(timedelta(minutes=59))
    assert reminders_now(crm) == 0
    clock.advance(timedelta(minutes=1))
    assert reminders_now(crm) == 1
    first, second = deliveries(crm, kind=TASK_REMINDER)
    assert first.key != second.key
    assert second.key == reminder_key(task.id, later, ALICE)
    assert second.due_at == later


def test_snoozing_before_the_reminder_moves_it(crm: Services, clock: FrozenClock) -> None:
    task = add_task(crm, "Prepare demo", due=START + timedelta(minutes=5))
    crm.tasks.snooze(TEAM, task.id, START + timedelta(days=1), actor=ALICE)
    clock.advance(timedelta(hours=2))
    assert reminders_now(crm) == 0
    clock.advance(timedelta(days=1))
    assert reminders_now(crm) == 1


def test_done_and_undated_tasks_are_not_reminded(crm: Services, clock: FrozenClock) -> None:
    done = add_task(crm, "Already done", due=START + timedelta(minutes=1))
    crm.tasks.complete(TEAM, done.id, actor=ALICE)
    add_task(crm, "Some day")
    clock.advance(timedelta(days=30))
    assert reminders_now(crm) == 0
    assert deliveries(crm) == []


def test_reminders_due_while_down_are_all_enqueued_in_batches(
    crm: Services, clock: FrozenClock
) -> None:
    for n in range(7):
        add_task(crm, f"Task {n}", due=START + timedelta(minutes=n))
    clock.advance(timedelta(hours=8))  # the bot was down
    assert enqueue_due_reminders(crm.uow_factory, clock, limit=3) == 7
    assert len(deliveries(crm)) == 7


def test_two_schedulers_enqueue_each_reminder_once(crm: Services, clock: FrozenClock) -> None:
    for n in range(30):
        add_task(crm, f"Task {n}", due=START + timedelta(seconds=n))
    clock.advance(timedelta(minutes=1))
    results = race(lambda: enqueue_due_reminders(crm.uow_factory, clock, limit=4))
    assert sum(results) == 30
    keys = [d.key for d in deliveries(crm)]
    assert len(keys) == len(set(keys)) == 30


# -- overdue summaries -------------------------------------------------------------------------


def overdue_fixture(crm: Services) -> None:
    yesterday = START - timedelta(days=1)
    add_task(crm, "A1", assignee=ALICE, due=yesterday)
    add_task(crm, "A2", assignee=ALICE, due=yesterday - timedelta(days=3))
    add_task(crm, "B1", assignee=BOB, due=START - timedelta(minutes=1))
    add_task(crm, "C1 not yet due", assignee=CAROL, due=START + timedelta(hours=20))
    finished = add_task(crm, "C2 done", assignee=CAROL, due=yesterday)
    crm.tasks.complete(TEAM, finished.id, actor=CAROL)


def test_one_summary_per_person_with_overdue_tasks_once_per_local_day(
    crm: Services, clock: FrozenClock
) -> None:
    overdue_fixture(crm)
    assert summaries_now(crm) == 2  # 10:30 in New York, past 08:30
    assert summaries_now(crm) == 0
    clock.advance(timedelta(hours=13))  # 23:30 the same local day
    assert summaries_now(crm) == 0

    today = deliveries(crm, kind=OVERDUE_SUMMARY)
    assert [(d.key, d.recipient, d.payload) for d in today] == [
        (f"overdue-summary:{ALICE}:2026-03-02", ALICE, {"user_id": ALICE, "date": "2026-03-02"}),
        (f"overdue-summary:{BOB}:2026-03-02", BOB, {"user_id": BOB, "date": "2026-03-02"}),
    ]
    # Due at 08:30 local (EST, UTC-5) that day.
    assert {d.due_at for d in today} == {datetime(2026, 3, 2, 13, 30, tzinfo=UTC)}

    clock.set(datetime(2026, 3, 3, 13, 29, tzinfo=UTC))  # 08:29 the next morning
    assert summaries_now(crm) == 0
    clock.set(datetime(2026, 3, 3, 13, 30, tzinfo=UTC))
    assert summaries_now(crm) == 3  # CAROL's task became overdue meanwhile
    assert {d.key for d in deliveries(crm, kind=OVERDUE_SUMMARY)} >= {
        f"overdue-summary:{CAROL}:2026-03-03"
    }


def test_summaries_follow_each_workspaces_timezone_and_time(
    crm: Services, clock: FrozenClock
) -> None:
    crm.workspaces.ensure("T0TOKYO", ALICE)
    set_summary(crm, "T0TOKYO", timezone="Asia/Tokyo", at="09:00")
    set_summary(crm, TEAM, timezone="America/New_York", at="11:00")
    crm.tasks.add(
        "T0TOKYO",
        TaskDraft.from_input(title="Tokyo", assignee_id=ALICE, due_at=START - timedelta(days=2)),
        actor=ALICE,
    )
    add_task(crm, "New York", due=START - timedelta(days=2))

    # START: 10:30 in New York (summary at 11:00), 00:30 on the 3rd in Tokyo (at 09:00).
    assert summaries_now(crm) == 0
    clock.set(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))  # 11:00 New York
    assert summaries_now(crm) == 1
    clock.set(datetime(2026, 3, 2, 23, 59, tzinfo=UTC))  # 08:59 Tokyo
    assert summaries_now(crm) == 0
    clock.set(datetime(2026, 3, 3, 0, 0, tzinfo=UTC))  # 09:00 Tokyo, the 3rd
    assert summaries_now(crm) == 1
    (tokyo,) = deliveries(crm, team="T0TOKYO")
    assert tokyo.key == f"overdue-summary:{ALICE}:2026-03-03"
    assert tokyo.due_at == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)


def test_two_schedulers_queue_a_days_summaries_once(crm: Services, clock: FrozenClock) -> None:
    overdue_fixture(crm)
    assert sorted(race(lambda: summaries_now(crm))) == [0, 2]
    assert len(deliveries(crm, kind=OVERDUE_SUMMARY)) == 2


def test_summary_schedule_due_rules() -> None:
    schedule = SummarySchedule(team_id="T", timezone="Europe/Berlin", at="08:00")
    assert schedule.due(datetime(2026, 3, 2, 6, 59, tzinfo=UTC)) is None  # 07:59 in Berlin
    assert schedule.due(datetime(2026, 3, 2, 7, 0, tzinfo=UTC)) == (
        date(2026, 3, 2),
        datetime(2026, 3, 2, 7, 0, tzinfo=UTC),
    )
    done = schedule.model_copy(update={"done_on": date(2026, 3, 2)})
    assert done.due(datetime(2026, 3, 2, 20, 0, tzinfo=UTC)) is None
    broken = SummarySchedule(team_id="T", timezone="Nowhere/Else", at="nine")
    assert broken.due(datetime(2026, 3, 2, 8, 30, tzinfo=UTC)) == (
        date(2026, 3, 2),
        datetime(2026, 3, 2, 8, 30, tzinfo=UTC),  # UTC and 08:30 stand in
    )
