"""Saved and scheduled reports end to end: signed /sales commands and button presses into the
real app, the real scheduler ticks (enqueue, then the SlackSender) run by hand while a
FrozenClock moves, and LocalSlack checking every payload and receiving the posts and files.

The clock starts Monday 2 March 2026, 15:30 UTC: 10:30 in New York, the workspace's zone.
A "daily 08:30" schedule made then first runs Tuesday 3 March at 13:30 UTC.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.local_slack import Call, LocalSlack
from bot.services import Services, build_services
from bot.slack_clients import SlackClients
from commands.sales.schedule_views import ScheduleAction
from domain.catalog import ProductDraft
from domain.clock import FrozenClock
from domain.customers import CustomerDraft
from domain.delivery import DeliveryStatus, send_due
from domain.orders import LineInput
from domain.schedules import SCHEDULED_POST, parse_cadence
from scheduler import scheduled_posts
from scheduler.sender import METADATA_EVENT, SlackSender
from storage.orm_reports import ReportScheduleRow
from tests.conftest import make_settings
from tests.harness import TEAM, USER, Reply, RunningBot, find_button
from tests.processes import ACK_LIMIT
from tests.served import BACKENDS, ServedBot, fresh_database, start_serving

NY = ZoneInfo("America/New_York")
REPORTS = "C0REPORTS"
CHANNEL_LINK = f"<#{REPORTS}|reports>"
BOB = "U0BOB"  # a rep: ALICE (USER) is seen first and is the workspace's admin
OTHER_TEAM = "T0OTHER"
PNG = b"\x89PNG\r\n\x1a\n"
FIRST_RUN = datetime(2026, 3, 3, 13, 30, tzinfo=UTC)  # Tuesday 08:30 in New York


@pytest.fixture
def slack(clock: FrozenClock) -> Iterator[LocalSlack]:
    """LocalSlack whose message timestamps follow the test's clock."""
    with LocalSlack(team_id=TEAM, clock=lambda: clock.now().timestamp()) as local:
        yield local
        local.assert_no_problems()


def seed(services: Services, team: str = TEAM, user: str = USER) -> None:
    """Furniture and Technology sales on 1–2 March 2026."""
    services.workspaces.ensure(team, user)
    customer = services.customers.create(
        team, CustomerDraft.from_input(name="Acme Retail"), actor=user
    )
    chair = services.catalog.create(
        team,
        ProductDraft.from_input(
            sku="CH-1", name="Task chair", list_price="100", unit_cost="60", category="Furniture"
        ),
        actor=user,
    )
    phone = services.catalog.create(
        team,
        ProductDraft.from_input(
            sku="PH-3", name="Phone", list_price="250", unit_cost="150", category="Technology"
        ),
        actor=user,
    )
    for day, product, qty in (
        (date(2026, 3, 1), chair.id, 2),
        (date(2026, 3, 2), phone.id, 1),
        (date(2026, 3, 2), chair.id, 1),
    ):
        services.orders.record(
            team,
            customer_id=customer.id,
            order_date=day,
            lines=[LineInput(product_id=product, quantity=str(qty))],
            tz=NY,
            actor=user,
        )


@pytest.fixture
def sales_bot(bot: RunningBot) -> RunningBot:
    seed(bot.services)
    return bot


def tick(bot: RunningBot, worker: str = "w1") -> None:
    """One round of the scheduler's work, as `serve` runs it every few seconds."""
    services = bot.services
    scheduled_posts.enqueue_due(services.uow_factory, services.clock)
    sender = SlackSender(services.uow_factory, SlackClients(bot.app))
    send_due(services.uow_factory, services.clock, sender, worker_id=worker)


def posts(slack: LocalSlack, channel: str = REPORTS) -> list[Call]:
    """Scheduled reports Slack accepted in that channel."""
    return [
        call
        for call in slack.calls_to("chat.postMessage")
        if call.result.get("ok")
        and call.args["channel"] == channel
        and call.args["metadata"]["event_type"] == METADATA_EVENT
        and call.args["metadata"]["event_payload"]["key"].startswith("schedule:")
    ]


def uploads(slack: LocalSlack, channel: str = REPORTS) -> list[Call]:
    return [
        call
        for call in slack.calls_to("files.completeUploadExternal")
        if call.args.get("channel_id") == channel or channel in (call.args.get("channels") or [])
    ]


def shown(message: dict[str, Any]) -> str:
    return (
        message.get("text", "") + "\n" + json.dumps(message.get("blocks", []), ensure_ascii=False)
    )


def acked(reply: Reply) -> str:
    assert reply.status == 200, reply.body
    return shown(reply.json())


def save_and_schedule(bot: RunningBot, cadence: str = "daily 08:30") -> None:
    saved = acked(bot.command("/sales", "save furniture month category:furniture"))
    assert "Saved “furniture”" in saved and "`/sales month category:Furniture`" in saved
    scheduled = acked(bot.command("/sales", f"schedule furniture {CHANNEL_LINK} {cadence}"))
    assert "*S-1* “furniture” → <#C0REPORTS>" in scheduled


# -- posting once --------------------------------------------------------------------------------


def test_a_scheduled_report_posts_once_at_its_time_and_not_again_after_a_restart(
    sales_bot: RunningBot, clock: FrozenClock, slack: LocalSlack, clean_database: str
) -> None:
    bot = sales_bot
    save_and_schedule(bot)
    scheduled = acked(bot.command("/sales", "schedules"))
    assert "every day at 08:30 · next Tue 3 Mar, 08:30" in scheduled

    clock.set(FIRST_RUN - timedelta(seconds=1))
    tick(bot)
    assert posts(slack) == []

    clock.set(FIRST_RUN)
    tick(bot)
    (post,) = posts(slack)
    text = shown(post.args)
    # The dashboard for "month" on the run's day: 1–3 March, Furniture only (200 + 100).
    assert "Sales, March 2026 to date · Furniture: $300.00 revenue, 2 orders" in text
    assert "Scheduled report “furniture” · S-1 · every day at 08:30 · next Wed 4 Mar, 08:30" in (
        text
    )
    assert "share" not in json.dumps(post.args["blocks"]).lower()  # no Share button in a channel
    (chart,) = uploads(slack)
    file_id = chart.args["files"][0]["id"]
    assert slack.file_bytes(file_id).startswith(PNG)
    assert slack.file_name(file_id).endswith(".png")  # type: ignore[union-attr]

    for _ in range(3):
        clock.advance(timedelta(minutes=5))
        tick(bot)
    assert len(posts(slack)) == 1

    # A restart: new services, app and sender on the same database see nothing left to do.
    with RunningBot(make_settings(clean_database, slack.api_url), clock, slack) as restarted:
        tick(restarted, worker="w2")
        assert len(posts(slack)) == 1
        clock.set(FIRST_RUN + timedelta(days=1))
        tick(restarted, worker="w2")
        assert len(posts(slack)) == 2
        tick(restarted, worker="w2")
        tick(bot)
    assert len(posts(slack)) == 2 and len(uploads(slack)) == 2
    with bot.services.uow_factory() as uow:
        sent = uow.deliveries.find(TEAM, kind=SCHEDULED_POST)
    assert [d.status for d in sent] == [DeliveryStatus.SENT] * 2


def test_after_downtime_a_schedule_posts_once_marked_late(
    sales_bot: RunningBot, clock: FrozenClock, slack: LocalSlack
) -> None:
    save_and_schedule(sales_bot)
    clock.set(FIRST_RUN + timedelta(days=2, hours=3))
    tick(sales_bot)
    tick(sales_bot)
    (post,) = posts(slack)
    assert "late: it was due Tue 3 Mar, 08:30" in shown(post.args)


def test_a_saved_report_posts_its_table_chart_and_csv(
    sales_bot: RunningBot, clock: FrozenClock, slack: LocalSlack
) -> None:
    bot = sales_bot
    saved = acked(
        bot.command("/sales", 'save "Revenue by category" report revenue by category month csv')
    )
    assert "`/sales report revenue by category month csv`" in saved
    scheduled = acked(
        bot.command("/sales", f'schedule "revenue by category" {CHANNEL_LINK} weekly tue 08:30')
    )
    assert "every Tuesday at 08:30 · next Tue 3 Mar, 08:30" in scheduled
    clock.set(FIRST_RUN)
    tick(bot)
    (post,) = posts(slack)
    text = shown(post.args)
    assert "Furniture" in text and "Technology" in text
    assert "Scheduled report “Revenue by category” · S-1 · every Tuesday at 08:30" in text
    names = sorted(slack.file_name(c.args["files"][0]["id"]) or "" for c in uploads(slack))
    assert [n.rsplit(".", 1)[1] for n in names] == ["csv", "png"]


def test_saved_lists_reports_with_their_schedules_and_escapes_names(
    sales_bot: RunningBot, clock: FrozenClock, slack: LocalSlack
) -> None:
    bot = sales_bot
    acked(bot.command("/sales", 'save "<!channel> numbers" week'))
    acked(bot.command("/sales", f'schedule "<!channel> numbers" {CHANNEL_LINK} monthly 1 09:00'))
    acked(bot.command("/sales", "save quiet year by:month"))
    listed = acked(bot.command("/sales", "saved"))
    assert "&lt;!channel&gt; numbers" in listed and "<!channel>" not in listed
    assert "monthly on the 1st at 09:00 · next Wed 1 Apr, 09:00" in listed
    assert "*quiet* — `/sales year by:month`" in listed and "_not scheduled_" in listed
    clock.set(datetime(2026, 4, 1, 13, 0, tzinfo=UTC))
    tick(bot)
    (post,) = posts(slack)
    assert "<!channel>" not in json.dumps(post.args)


def test_saving_a_name_again_replaces_it_and_its_schedule_posts_the_new_one(
    sales_bot: RunningBot, clock: FrozenClock, slack: LocalSlack
) -> None:
    bot = sales_bot
    save_and_schedule(bot)
    replaced = acked(bot.command("/sales", "save Furniture month category:Technology"))
    assert "Replaced “Furniture”: it was `/sales month category:Furniture`" in replaced
    assert "now `/sales month category:Technology`" in replaced
    assert "Its 1 schedule will post the new version." in replaced
    clock.set(FIRST_RUN)
    tick(bot)
    (post,) = posts(slack)
    assert "Technology" in shown(post.args) and "$250.00" in shown(post.args)


# -- pausing and deleting -------------------------------------------------------------------------


def test_pause_resume_and_delete_from_the_list(
    sales_bot: RunningBot, clock: FrozenClock, slack: LocalSlack
) -> None:
    bot = sales_bot
    save_and_schedule(bot)
    listing = bot.command("/sales", "schedules").json()
    pause, block_id = find_button(listing["blocks"], ScheduleAction.PAUSE)
    bot.press(pause, block_id=block_id)
    after = bot.last_response()
    assert after["replace_original"] is True
    assert "Paused: *S-1*" in shown(after) and ":double_vertical_bar: paused" in shown(after)

    clock.set(FIRST_RUN + timedelta(days=2))
    tick(bot)
    assert posts(slack) == []

    resume, block_id = find_button(after["blocks"], ScheduleAction.RESUME)
    bot.press(resume, block_id=block_id)
    resumed = shown(bot.last_response())
    # Missed runs are not posted: the next one is tomorrow (Friday) at 08:30.
    assert "Resumed: *S-1*" in resumed and "next Fri 6 Mar, 08:30" in resumed
    tick(bot)
    assert posts(slack) == []

    delete, block_id = find_button(bot.last_response()["blocks"], ScheduleAction.DELETE)
    assert delete["confirm"]["title"]["text"] == "Delete schedule?"
    bot.press(delete, block_id=block_id)
    assert "Deleted S-1" in shown(bot.last_response())
    assert "No scheduled reports yet" in shown(bot.last_response())
    clock.set(FIRST_RUN + timedelta(days=5))
    tick(bot)
    assert posts(slack) == []
    assert "furniture" in acked(bot.command("/sales", "saved"))  # the saved report stays


def test_a_post_queued_before_a_pause_is_not_sent(
    sales_bot: RunningBot, clock: FrozenClock, slack: LocalSlack
) -> None:
    bot = sales_bot
    save_and_schedule(bot)
    clock.set(FIRST_RUN)
    scheduled_posts.enqueue_due(bot.services.uow_factory, bot.services.clock)
    assert "Paused: *S-1*" in acked(bot.command("/sales", "schedule pause S-1"))
    tick(bot)
    assert posts(slack) == []
    with bot.services.uow_factory() as uow:
        (queued,) = uow.deliveries.find(TEAM, kind=SCHEDULED_POST)
    assert queued.status is DeliveryStatus.CANCELLED


def test_unsave_deletes_the_report_and_stops_its_schedules(
    sales_bot: RunningBot, clock: FrozenClock, slack: LocalSlack
) -> None:
    bot = sales_bot
    save_and_schedule(bot)
    gone = acked(bot.command("/sales", "unsave FURNITURE"))
    assert "Deleted the saved report “furniture” and its 1 schedule." in gone
    clock.set(FIRST_RUN)
    tick(bot)
    assert posts(slack) == []
    assert "No scheduled reports yet" in acked(bot.command("/sales", "schedules"))


# -- who may, and where --------------------------------------------------------------------------


def test_only_the_maker_a_manager_or_an_admin_change_a_schedule(sales_bot: RunningBot) -> None:
    bot = sales_bot
    bot.services.workspaces.ensure(TEAM, BOB)
    acked(bot.command("/sales", "save bobs week", user=BOB))
    acked(bot.command("/sales", f"schedule bobs {CHANNEL_LINK} daily 08:30", user=BOB))
    acked(bot.command("/sales", f"schedule bobs {CHANNEL_LINK} daily 09:30", user=BOB))
    save_and_schedule_as_alice = acked(bot.command("/sales", "save alices month"))
    assert "Saved" in save_and_schedule_as_alice
    acked(bot.command("/sales", f"schedule alices {CHANNEL_LINK} daily 07:00"))
    refused = acked(bot.command("/sales", "schedule pause S-3", user=BOB))
    assert "Only the person who made S-3, an admin or a manager can change it." in refused
    refused = acked(bot.command("/sales", "unsave alices", user=BOB))
    assert "Only the person who made “alices”" in refused
    # Bob's own, and the admin on anyone's.
    assert "Paused: *S-1*" in acked(bot.command("/sales", "schedule pause S-1", user=BOB))
    assert "Deleted S-2" in acked(bot.command("/sales", "schedule delete S-2"))
    # A button pressed by someone who may not: told privately, nothing changes.
    listing = bot.command("/sales", "schedules", user=BOB).json()
    buttons = [
        e
        for b in listing["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ScheduleAction.PAUSE and e["value"] == "3"
    ]
    bot.press(buttons[0], user=BOB)
    told = bot.last_response()
    assert told["replace_original"] is False
    assert "Only the person who made S-3" in told["text"]
    assert "next" in acked(bot.command("/sales", "schedules")).split("*S-3*")[1].split("\n")[0]


def test_another_workspace_can_neither_see_nor_pause_a_schedule(sales_bot: RunningBot) -> None:
    bot = sales_bot
    save_and_schedule(bot)
    theirs = acked(bot.command("/sales", "schedules", team=OTHER_TEAM, user="U0MALLORY"))
    assert "No scheduled reports yet" in theirs and "furniture" not in theirs
    assert "No saved reports yet" in acked(
        bot.command("/sales", "saved", team=OTHER_TEAM, user="U0MALLORY")
    )
    refused = acked(bot.command("/sales", "schedule pause S-1", team=OTHER_TEAM, user="U0MALLORY"))
    assert "There is no schedule S-1" in refused
    refused = acked(
        bot.command("/sales", f"schedule furniture {CHANNEL_LINK} daily 08:30", team=OTHER_TEAM)
    )
    assert "There is no saved report called “furniture”" in refused
    assert "next Tue 3 Mar" in acked(bot.command("/sales", "schedules"))


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("save", "Say which saved report to save, by its name."),
        ("save x month nonsense", "I don't know “nonsense”"),
        ("save x category:Boats", "There is no category “Boats”. Categories: Furniture"),
        ("save x report revenue", "revenue by month"),
        ('save "unclosed name month', "has no closing quote"),
        ("saved everything", "`/sales saved` takes nothing after it"),
        ("unsave nothing-here", "There is no saved report called “nothing-here”"),
        ("schedule", "Say which saved report, where and when"),
        ("schedule furniture", "Say where and when to post “furniture”"),
        ("schedule furniture reports daily 08:30", "“reports” isn't a channel"),
        (f"schedule furniture {CHANNEL_LINK}", "Say when: `daily 08:30`"),
        (f"schedule furniture {CHANNEL_LINK} hourly", "“hourly” is not a schedule"),
        (f"schedule furniture {CHANNEL_LINK} daily 8pm", "“8pm” is not a time of day"),
        (f"schedule furniture {CHANNEL_LINK} weekly 09:00", "read like `weekly mon 09:00`"),
        (f"schedule furniture {CHANNEL_LINK} monthly 31 09:00", "Not every month has a 31st"),
        (f"schedule nope {CHANNEL_LINK} daily 08:30", "no saved report called “nope”"),
        ("schedule pause", "Say which schedule by its id (got “nothing”)"),
        ("schedule pause 3", "Say which schedule by its id (got “3”)"),
        ("schedule delete S-9", "There is no schedule S-9"),
        ("schedules all", "`/sales schedules` takes nothing after it"),
    ],
)
def test_bad_input_says_what_was_wrong_and_the_right_form(
    sales_bot: RunningBot, text: str, says: str
) -> None:
    acked(sales_bot.command("/sales", "save furniture month category:Furniture"))
    reply = sales_bot.command("/sales", text)
    assert reply.seconds < ACK_LIMIT
    assert reply.json().get("response_type", "ephemeral") == "ephemeral"
    answer = acked(reply)
    assert says in answer, answer
    assert "/sales save &lt;name&gt;" in answer  # the usage follows the problem


@pytest.mark.parametrize("verb", ["save", "saved", "unsave", "schedule", "schedules"])
def test_each_verb_answers_help_and_saves_nothing(sales_bot: RunningBot, verb: str) -> None:
    answer = acked(sales_bot.command("/sales", f"{verb} help"))
    assert "/sales save &lt;name&gt; &lt;dashboard or report arguments&gt;" in answer
    assert "No saved reports yet" in acked(sales_bot.command("/sales", "saved"))


def test_a_second_identical_schedule_is_refused(sales_bot: RunningBot) -> None:
    save_and_schedule(sales_bot)
    again = acked(sales_bot.command("/sales", f"schedule furniture {CHANNEL_LINK} daily 8:30"))
    assert "“furniture” already posts there every day at 08:30: that is S-1." in again


# -- `salesbot serve --http` ---------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServedBot, str]]:
    with fresh_database(request.param, tmp_path) as url:
        serving = start_serving(url, tmp_path)
        first = next(serving)
        yield first, url
        next(serving, None)


@pytest.mark.slow
def test_serve_saves_schedules_and_posts_when_due(served: tuple[ServedBot, str]) -> None:
    bot, url = served
    reply, _, _ = bot.command("/sales", "save pulse today")
    assert "Saved “pulse”" in acked(reply)
    reply, _, _ = bot.command("/sales", f"schedule pulse {CHANNEL_LINK} daily 08:30")
    assert "*S-1* “pulse” → <#C0REPORTS>, every day at 08:30" in acked(reply)
    reply, _, _ = bot.command("/sales", "schedules")
    assert "Pause" in acked(reply) and "Delete" in acked(reply)

    # Its time comes: the serving process's own scheduler ticks post it, once.
    services = build_services(make_settings(url))
    try:
        with services.uow_factory() as uow:
            workspace = uow.workspaces.get(TEAM)
            assert workspace is not None
            # A real run of "daily 08:30" that has come (the last one), as if scheduled the
            # day before: an instant that is no run in the workspace's zone would move to the
            # next 08:30 instead.
            last_run = parse_cadence("daily 08:30").next_run(
                datetime.now(UTC) - timedelta(days=1), workspace.tz
            )
            uow.session.execute(  # type: ignore[attr-defined]
                update(ReportScheduleRow).values(
                    next_run_at=last_run, created_at=last_run - timedelta(days=1)
                )
            )
            uow.commit()
    finally:
        services.close()
    (post,) = bot.slack.wait_for("chat.postMessage", timeout=60)
    assert post.args["channel"] == REPORTS
    assert "Scheduled report “pulse” · S-1" in shown(post.args)
    assert max(bot.acks) < ACK_LIMIT
    bot.slack.assert_no_problems()
