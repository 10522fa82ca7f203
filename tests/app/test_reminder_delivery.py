"""Reminder DMs through the real app's Slack client, the real sender and LocalSlack.

Time moves with the injected FrozenClock, and LocalSlack stamps messages with the same
clock, so "the previous attempt's message" is found in the DM's history as it would
be at Slack. Crashes are played by throwing a worker away mid-way (a BaseException,
which the sender does not catch, like the process dying).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_bolt import App
from slack_sdk.oauth.installation_store import Bot as InstalledBot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import text

from bot.app import create_app
from bot.local_slack import APP_ID, Call, LocalSlack
from bot.services import Services, build_services
from bot.settings import Settings
from bot.slack_clients import SlackClients
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.delivery import (
    DEFAULT_LEASE,
    Attempt,
    Delivery,
    DeliveryStatus,
    PostOutcome,
    send_due,
)
from domain.reminders import (
    OVERDUE_SUMMARY,
    TASK_REMINDER,
    enqueue_due_reminders,
    enqueue_overdue_summaries,
)
from domain.tasks import Task, TaskDraft, TaskService
from scheduler import jobs
from scheduler.sender import METADATA_EVENT, SlackSender
from storage.engine import make_engine
from storage.migrate import SLACK_SDK_TABLES, upgrade
from tests.conftest import SIGNING_SECRET, START, make_settings
from tests.harness import TEAM
from tests.served import BACKENDS, fresh_database, start_serving

ALICE, BOB = "U0ALICE", "U0BOB"


class Died(BaseException):
    """The worker process ends here: nothing after this line of its work happens."""


@dataclass
class Scheduler:
    """One bot process's scheduler ticks, run by hand: enqueue, then send."""

    services: Services
    sender: SlackSender
    worker: str
    summaries: bool = False  # most tests watch reminders alone
    batch: int = 50  # small batches make two schedulers contend for every row

    def tick(self) -> None:
        factory, clock = self.services.uow_factory, self.services.clock
        enqueue_due_reminders(factory, clock, limit=self.batch)
        if self.summaries:
            enqueue_overdue_summaries(factory, clock)
        send_due(factory, clock, self.sender, worker_id=self.worker, limit=self.batch)


@pytest.fixture
def slack(clock: FrozenClock) -> Iterator[LocalSlack]:
    """LocalSlack whose message timestamps follow the test's clock."""
    with LocalSlack(team_id=TEAM, clock=lambda: clock.now().timestamp()) as local:
        yield local
        local.assert_no_problems()


@dataclass
class Bot:
    """The real app and services of one bot process (no HTTP needed: nobody calls in)."""

    services: Services
    app: App
    slack: LocalSlack


@contextmanager
def running(settings: Settings, clock: FrozenClock, slack: LocalSlack) -> Iterator[Bot]:
    services = build_services(settings, clock=clock)
    try:
        yield Bot(services, create_app(settings, services), slack)
    finally:
        services.close()


@pytest.fixture
def bot(clean_database: str, clock: FrozenClock, slack: LocalSlack) -> Iterator[Bot]:
    with running(make_settings(clean_database, slack.api_url), clock, slack) as built:
        built.services.workspaces.ensure(TEAM, ALICE)
        yield built


def scheduler(bot: Bot, worker: str = "w1", *, summaries: bool = False) -> Scheduler:
    sender = SlackSender(bot.services.uow_factory, SlackClients(bot.app))
    return Scheduler(bot.services, sender, worker, summaries)


def add_task(
    services: Services, title: str, due: datetime | None, *, customer_id: int | None = None
) -> Task:
    draft = TaskDraft.from_input(
        title=title, assignee_id=BOB, due_at=due, due_has_time=True, customer_id=customer_id
    )
    # Added a day before it falls due, as a follow-up is; one added already overdue would
    # (rightly) get no reminder at all.
    now = services.clock.now()
    added_at = min(now, (due or now) - timedelta(days=1))
    return TaskService(services.uow_factory, FrozenClock(added_at)).add(TEAM, draft, actor=ALICE)


def posts(slack: LocalSlack, kind: str = "task-reminder:") -> list[Call]:
    """Messages Slack accepted for deliveries whose key starts with `kind`."""
    return [
        call
        for call in slack.calls_to("chat.postMessage")
        if call.result.get("ok") and key_of(call).startswith(kind)
    ]


def delivery(services: Services, kind: str = TASK_REMINDER) -> Delivery:
    with services.uow_factory() as uow:
        (found,) = uow.deliveries.find(TEAM, kind=kind)
    return found


def key_of(call: Call) -> str:
    metadata = call.args["metadata"]
    assert metadata["event_type"] == METADATA_EVENT
    return str(metadata["event_payload"]["key"])


# -- on time, and late ---------------------------------------------------------------------------


def test_the_reminder_dm_arrives_once_at_the_due_time_and_not_before(
    bot: Bot, clock: FrozenClock
) -> None:
    customer = bot.services.customers.create(
        TEAM, CustomerDraft.from_input(name="Acme Corp"), actor=ALICE, idempotency_key="c1"
    )
    due = START + timedelta(minutes=10)
    task = add_task(bot.services, "Call <Acme> about renewal", due, customer_id=customer.id)
    tick = scheduler(bot).tick
    tick()
    clock.advance(timedelta(minutes=9, seconds=59))
    tick()
    assert posts(bot.slack) == []

    clock.advance(timedelta(seconds=1))
    tick()
    (post,) = posts(bot.slack)
    (opened,) = bot.slack.calls_to("conversations.open")
    assert opened.args["users"] == BOB
    assert post.args["channel"] == f"D{BOB}" == post.result["channel"]
    assert task.public_id in post.args["text"]
    assert "Call &lt;Acme&gt; about renewal" in post.args["text"]
    assert "late" not in post.args["text"].lower()
    blocks = json.dumps(post.args["blocks"])
    assert all(label in blocks for label in ("Done", "Open customer"))
    assert key_of(post) == f"task-reminder:{task.id}:2026-03-02T15:40:00+00:00:{BOB}"

    sent = delivery(bot.services)
    assert (sent.status, sent.channel_id, sent.message_ts) == (
        DeliveryStatus.SENT,
        f"D{BOB}",
        post.result["ts"],
    )
    for _ in range(3):
        clock.advance(timedelta(hours=1))
        tick()
    assert len(posts(bot.slack)) == 1


def test_what_fell_due_while_the_bot_was_down_goes_out_at_start_marked_late(
    bot: Bot, clock: FrozenClock
) -> None:
    task = add_task(bot.services, "Send the quote", START + timedelta(minutes=5))
    clock.advance(timedelta(hours=3))  # the bot was down; this is its first tick
    scheduler(bot).tick()
    (post,) = posts(bot.slack)
    assert task.public_id in post.args["text"] and "late" in post.args["text"].lower()


def test_a_reminder_for_a_task_done_meanwhile_is_cancelled_not_sent(
    bot: Bot, clock: FrozenClock
) -> None:
    task = add_task(bot.services, "Done early", START)
    run = scheduler(bot)
    jobs.enqueue_reminders(bot.services.uow_factory, clock)
    bot.services.tasks.complete(TEAM, task.id, actor=BOB)
    run.tick()
    assert posts(bot.slack) == []
    assert delivery(bot.services).status is DeliveryStatus.CANCELLED


def test_the_morning_summary_lists_overdue_tasks_in_one_dm(bot: Bot, clock: FrozenClock) -> None:
    first = add_task(bot.services, "Old follow-up", START - timedelta(days=2))
    second = add_task(bot.services, "Older follow-up", START - timedelta(days=3))
    run = scheduler(bot, summaries=True)
    run.tick()  # START is 10:30 in New York, past the 08:30 summary time
    assert len(posts(bot.slack)) == 2  # and the two (late) reminders
    (dm,) = posts(bot.slack, "overdue-summary:")
    assert dm.args["channel"] == f"D{BOB}"
    assert first.public_id in dm.args["text"] and second.public_id in dm.args["text"]
    assert delivery(bot.services, OVERDUE_SUMMARY).status is DeliveryStatus.SENT
    clock.advance(timedelta(hours=2))
    run.tick()
    assert len(posts(bot.slack, "overdue-summary:")) == 1


# -- failures ----------------------------------------------------------------------------------


def test_a_failed_post_is_retried_with_backoff_and_then_delivered_once(
    bot: Bot, clock: FrozenClock
) -> None:
    task = add_task(bot.services, "Flaky Slack", START)
    # The sender's client does not retry a 500 by itself (Slack may have posted it): the
    # attempt fails and the outbox retries later, after looking in the DM first.
    bot.slack.fail_next("chat.postMessage", status=500)
    tick = scheduler(bot).tick
    tick()
    assert posts(bot.slack) == []
    first = delivery(bot.services)
    assert (first.status, first.attempts, first.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "internal_error",
    )
    assert timedelta(seconds=30) <= first.next_attempt_at - START <= timedelta(seconds=33)

    clock.set(first.next_attempt_at - timedelta(seconds=1))
    tick()
    assert len(bot.slack.calls_to("chat.postMessage")) == 1  # not yet

    bot.slack.fail_next("chat.postMessage", error="service_unavailable")
    clock.set(first.next_attempt_at)
    tick()
    second = delivery(bot.services)
    assert (second.status, second.attempts) == (DeliveryStatus.PENDING, 2)
    assert second.next_attempt_at - clock.now() >= timedelta(seconds=60)

    clock.set(second.next_attempt_at)
    tick()
    (post,) = posts(bot.slack)
    assert task.public_id in post.args["text"]
    assert delivery(bot.services).status is DeliveryStatus.SENT
    # Each retry first looked for an earlier attempt's message in the DM.
    assert len(bot.slack.calls_to("conversations.history")) == 2
    clock.advance(timedelta(hours=2))
    tick()
    assert len(posts(bot.slack)) == 1


def test_a_permanent_slack_error_fails_the_delivery_without_retrying(
    bot: Bot, clock: FrozenClock
) -> None:
    add_task(bot.services, "For someone who left", START)
    bot.slack.fail_next("chat.postMessage", error="account_inactive")
    tick = scheduler(bot).tick
    tick()
    gone = delivery(bot.services)
    assert (gone.status, gone.last_error) == (DeliveryStatus.FAILED, "account_inactive")
    clock.advance(timedelta(hours=2))
    tick()
    assert len(bot.slack.calls_to("chat.postMessage")) == 1


# -- restarts ----------------------------------------------------------------------------------


def test_a_restart_between_claim_and_post_neither_loses_nor_doubles_the_reminder(
    bot: Bot, clock: FrozenClock
) -> None:
    task = add_task(bot.services, "Survive a restart", START)
    jobs.enqueue_reminders(bot.services.uow_factory, clock)

    def dies_before_posting(attempt: Attempt) -> PostOutcome:
        raise Died

    with pytest.raises(Died):
        jobs.send_deliveries(bot.services.uow_factory, clock, dies_before_posting, "old")
    claimed = delivery(bot.services)
    assert (claimed.status, claimed.claimed_by) == (DeliveryStatus.SENDING, "old")

    restarted = scheduler(bot, worker="new")
    clock.advance(DEFAULT_LEASE - timedelta(seconds=1))
    restarted.tick()
    assert posts(bot.slack) == []  # the old claim still holds
    clock.advance(timedelta(seconds=1))
    restarted.tick()
    (post,) = posts(bot.slack)
    assert task.public_id in post.args["text"]
    assert bot.slack.calls_to("conversations.history") == []  # it never got to Slack
    assert delivery(bot.services).status is DeliveryStatus.SENT


def test_a_crash_after_slack_accepted_the_post_does_not_post_it_twice(
    bot: Bot, clock: FrozenClock
) -> None:
    add_task(bot.services, "Posted, then the lights went out", START + timedelta(minutes=1))
    clock.advance(timedelta(minutes=1))
    jobs.enqueue_reminders(bot.services.uow_factory, clock)
    real = scheduler(bot, worker="old").sender

    def posts_then_dies(attempt: Attempt) -> PostOutcome:
        real(attempt)  # Slack has the message...
        raise Died  # ...and the worker dies before recording it

    with pytest.raises(Died):
        jobs.send_deliveries(bot.services.uow_factory, clock, posts_then_dies, "old")
    (post,) = posts(bot.slack)
    assert delivery(bot.services).status is DeliveryStatus.SENDING

    clock.advance(DEFAULT_LEASE)
    scheduler(bot, worker="new").tick()
    assert posts(bot.slack) == [post]  # found in the DM's history, not posted again
    (history,) = bot.slack.calls_to("conversations.history")
    assert history.args["channel"] == f"D{BOB}"
    done = delivery(bot.services)
    assert (done.status, done.message_ts, done.attempts) == (
        DeliveryStatus.SENT,
        post.result["ts"],
        2,
    )


def test_a_crash_after_opening_the_dm_but_before_posting_posts_once(
    bot: Bot, clock: FrozenClock
) -> None:
    add_task(bot.services, "Opened, never posted", START)
    jobs.enqueue_reminders(bot.services.uow_factory, clock)

    def opens_then_dies(attempt: Attempt) -> PostOutcome:
        assert attempt.hold(f"D{BOB}")
        raise Died

    with pytest.raises(Died):
        jobs.send_deliveries(bot.services.uow_factory, clock, opens_then_dies, "old")
    clock.advance(DEFAULT_LEASE)
    scheduler(bot, worker="new").tick()
    assert len(bot.slack.calls_to("conversations.history")) == 1
    assert len(posts(bot.slack)) == 1
    assert delivery(bot.services).status is DeliveryStatus.SENT


# -- several workspaces (OAuth installs) -------------------------------------------------------


@pytest.fixture
def oauth_bot(clean_database: str, clock: FrozenClock, slack: LocalSlack) -> Iterator[Bot]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_signing_secret=SIGNING_SECRET,
        slack_client_id="1111.2222",
        slack_client_secret="client-secret",
        slack_api_url=slack.api_url,
        database_url=clean_database,
        salesbot_timezone="America/New_York",
    )
    with running(settings, clock, slack) as built:
        yield built
    engine = make_engine(clean_database)
    with engine.begin() as conn:
        for table in SLACK_SDK_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


def test_with_oauth_installs_each_workspace_is_reminded_with_its_own_token(
    oauth_bot: Bot, clock: FrozenClock
) -> None:
    token = f"xoxb-{TEAM}-1-stored"
    store = oauth_bot.app.installation_store
    assert isinstance(store, SQLAlchemyInstallationStore)
    store.save_bot(
        InstalledBot(
            app_id=APP_ID,
            team_id=TEAM,
            bot_token=token,
            bot_id="B0BOT",
            bot_user_id="U0BOT",
            installed_at=START.timestamp(),
        )
    )
    services = oauth_bot.services
    services.workspaces.ensure(TEAM, ALICE)
    services.workspaces.ensure("T0GONE", ALICE)  # data left from a workspace that uninstalled
    add_task(services, "Installed", START)
    services.tasks.add(
        "T0GONE", TaskDraft.from_input(title="Gone", assignee_id=BOB, due_at=START), actor=ALICE
    )
    scheduler(oauth_bot).tick()
    (post,) = posts(oauth_bot.slack)
    assert post.token == token
    with services.uow_factory() as uow:
        (gone,) = uow.deliveries.find("T0GONE")
    assert gone.status is DeliveryStatus.FAILED
    assert gone.last_error == "Salesbot is not installed in workspace T0GONE"


# -- two schedulers, one database --------------------------------------------------------------


def deliver_concurrently(database_url: str, clock: FrozenClock, slack: LocalSlack) -> None:
    """Two bot processes (own engines, services, apps, worker ids) tick side by side over
    50 due reminders; each reminder reaches Slack exactly once."""
    settings = make_settings(database_url, slack.api_url)
    built = [build_services(settings, clock=clock) for _ in range(2)]
    try:
        built[0].workspaces.ensure(TEAM, ALICE)
        tasks = [add_task(built[0], f"Task {n}", START + timedelta(seconds=n)) for n in range(50)]
        clock.advance(timedelta(minutes=1))
        runners = [
            Scheduler(
                s,
                SlackSender(s.uow_factory, SlackClients(create_app(settings, s))),
                worker,
                batch=3,
            )
            for s, worker in zip(built, ("replica-a", "replica-b"), strict=True)
        ]
        errors: list[BaseException] = []
        barrier = threading.Barrier(2)

        def loop(runner: Scheduler) -> None:
            try:
                barrier.wait()
                deadline = time.monotonic() + 20
                while len(posts(slack)) < len(tasks) and time.monotonic() < deadline:
                    runner.tick()
            except BaseException as exc:  # surfaced below, in the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=loop, args=(r,)) for r in runners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        per_key = Counter(key_of(call) for call in posts(slack))
        assert len(per_key) == len(tasks)
        assert set(per_key.values()) == {1}, per_key.most_common(3)
        with built[0].uow_factory() as uow:
            sent = uow.deliveries.find(TEAM)
        statuses = Counter(d.status for d in sent)
        assert statuses == {DeliveryStatus.SENT: len(tasks)}
        # Both replicas did part of the work (small batches, started together).
        assert {d.claimed_by for d in sent} == {"replica-a", "replica-b"}
    finally:
        for services in built:
            services.close()


@pytest.mark.postgres
def test_two_schedulers_on_one_postgresql_deliver_each_reminder_once(
    clean_database: str, clock: FrozenClock, slack: LocalSlack
) -> None:
    assert clean_database.startswith("postgresql")
    deliver_concurrently(clean_database, clock, slack)


@pytest.mark.sqlite  # the PostgreSQL run has its own test, above
def test_two_schedulers_on_one_sqlite_file_deliver_each_reminder_once(
    clean_database: str, clock: FrozenClock, slack: LocalSlack
) -> None:
    deliver_concurrently(clean_database, clock, slack)


# -- the real `salesbot serve --http` ----------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_serve_sends_reminders_that_fell_due_while_it_was_down(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        services = build_services(make_settings(url))  # the real clock, as serve has
        try:
            services.workspaces.ensure(TEAM, ALICE)
            task = add_task(services, "Due an hour ago", datetime.now(UTC) - timedelta(hours=1))
        finally:
            services.close()
        for served in start_serving(url, tmp_path):
            deadline = time.monotonic() + 10
            while not posts(served.slack) and time.monotonic() < deadline:
                time.sleep(0.05)
            found = posts(served.slack)
            assert len(found) == 1, served.stderr()
            post = found[0]
            assert post.args["channel"] == f"D{BOB}"
            assert task.public_id in post.args["text"]
            assert "late" in post.args["text"].lower()
