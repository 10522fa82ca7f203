"""The daily digest end to end: configured with signed /salesbot commands into the real app,
queued by the scheduler's tick as the FrozenClock moves, posted by the real sender into
LocalSlack (which checks every payload against Slack's Block Kit models), the chart through
files_upload_v2; `digest now` on demand; bad input; a restart; another workspace."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.local_slack import Call, LocalSlack
from bot.services import build_services
from bot.slack_clients import SlackClients
from domain.clock import FrozenClock
from domain.delivery import send_due
from scheduler import digests
from scheduler.sender import METADATA_EVENT, SlackSender
from tests.conftest import make_settings
from tests.harness import CHANNEL, TEAM, USER, Reply, RunningBot
from tests.served import BACKENDS, TIMEZONE, ServedBot, fresh_database, start_serving
from tests.storage.test_digests import Shop, at

DIGEST_CHANNEL = "C0DIGEST"
LINK = f"<#{DIGEST_CHANNEL}|sales-digest>"
BOB = "U0BOB"
PNG = b"\x89PNG\r\n\x1a\n"


def tick(bot: RunningBot, worker: str = "w1") -> None:
    """One round of the scheduler's work: queue what is due, then send it."""
    services = bot.services
    digests.enqueue_due(services.uow_factory, services.clock)
    sender = SlackSender(services.uow_factory, SlackClients(bot.app))
    send_due(services.uow_factory, services.clock, sender, worker_id=worker)


def posts_to(slack: LocalSlack, channel: str) -> list[Call]:
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("channel") == channel and c.result.get("ok")
    ]


def uploads_to(slack: LocalSlack, channel: str) -> list[Call]:
    return [
        c
        for c in slack.calls_to("files.completeUploadExternal")
        if c.args.get("channel_id") == channel and c.result.get("ok")
    ]


def shown(call: Call) -> str:
    """What a person reads in a message: its text and its blocks."""
    return (
        call.args.get("text", "") + "\n" + json.dumps(call.args.get("blocks"), ensure_ascii=False)
    )


def ack_text(reply: Reply) -> str:
    data = reply.json()
    return data.get("text", "") + "\n" + json.dumps(data.get("blocks", []), ensure_ascii=False)


@dataclass
class World:
    bot: RunningBot
    clock: FrozenClock
    shop: Shop


@pytest.fixture
def world(bot: RunningBot, clock: FrozenClock) -> World:
    return make_world(bot, clock)


def make_world(bot: RunningBot, clock: FrozenClock) -> World:
    """A New York workspace whose admin is the harness's USER, with a week of sales, a deal won
    and a lost one, tasks due, and a product running low."""
    clock.set(at(date(2026, 2, 1), 9))
    shop = Shop(bot.services, clock, team=TEAM, admin_id=USER)
    clock.set(at(date(2026, 3, 2), 9))  # a Monday
    shop.sell(date(2026, 3, 2), "39.98", 2)
    shop.sell(date(2026, 3, 2), "100.00")
    shop.sell(date(2026, 2, 23), "50.00")  # the Monday before
    shop.sell(date(2026, 3, 1), "10.00")
    shop.sell(date(2026, 2, 2), "30.00")
    won = shop.deal("Big <renewal>", "12000.50")
    lost = shop.deal("Small one", "300")
    clock.set(at(date(2026, 3, 2), 15))
    bot.services.pipeline.win(TEAM, won, actor=shop.admin)
    bot.services.pipeline.lose(TEAM, lost, "budget cut", actor=shop.admin)
    shop.task("Call <Acme>", BOB, at(date(2026, 3, 3), 10))
    shop.task("Send the quote", USER, at(date(2026, 3, 3), 9), timed=False)
    shop.task("Not today", BOB, at(date(2026, 3, 4), 10))
    shop.product("LOW-1", "Nearly gone", "5", on_hand=2, point=10)
    clock.set(at(date(2026, 3, 2), 18))
    return World(bot, clock, shop)


def test_the_digest_posts_once_at_its_time_with_the_numbers_and_the_chart(
    world: World, clean_database: str, slack: LocalSlack
) -> None:
    bot, clock = world.bot, world.clock
    reply = bot.command("/salesbot", f"digest {LINK} 08:00")
    assert reply.status == 200
    said = ack_text(reply)
    assert f"<#{DIGEST_CHANNEL}> gets the daily digest at 08:00" in said
    assert "Tue 3 Mar" in said  # the first one: it is past 08:00 today

    clock.set(at(date(2026, 3, 3), 7, 59))
    tick(bot)
    assert posts_to(slack, DIGEST_CHANNEL) == []

    clock.set(at(date(2026, 3, 3), 8, 0))
    tick(bot)
    (post,) = posts_to(slack, DIGEST_CHANNEL)
    text = shown(post)
    assert "Daily digest · Tuesday 3 March 2026" in text
    assert "*Yesterday* (Mon 2 Mar) vs Mon 23 Feb" in text
    for figure in ("$139.98", "▲ 180.0% vs $50.00", "▲ 100.0% vs 1", "$69.99", "▲ 40.0%"):
        assert figure in text, figure
    assert "*March to date* (1–2 Mar) vs 1–2 Feb" in text
    assert "$149.98" in text and "▲ 399.9% vs $30.00" in text
    assert "1 won · $12,000.50" in text and "1 lost · $300.00" in text
    assert "D-1 Big &lt;renewal&gt; — $12,000.50 · <@U0ALICE> · Acme &lt;Corp&gt;" in text
    assert "_budget cut_" in text
    assert "<@U0BOB>: T-1 Call &lt;Acme&gt; (10:00)" in text
    assert "<@U0ALICE>: T-2 Send the quote" in text
    assert "Not today" not in text
    assert "`LOW-1` Nearly gone — 2 on hand, reorder at 10" in text
    assert "Late" not in text
    assert post.args["metadata"]["event_type"] == METADATA_EVENT
    assert post.args["metadata"]["event_payload"]["key"] == f"digest:{DIGEST_CHANNEL}:2026-03-03"
    (upload,) = uploads_to(slack, DIGEST_CHANNEL)
    file_id = upload.args["files"][0]["id"]
    assert slack.file_bytes(file_id).startswith(PNG)
    assert slack.file_name(file_id) == "digest-2026-03-03.png"
    assert slack.calls_to("files.upload") == []

    # Ticking on, and a restart (new services and app on the same database): no second post.
    for _ in range(3):
        clock.advance(timedelta(minutes=20))
        tick(bot)
    with RunningBot(make_settings(clean_database, slack.api_url), clock, slack) as restarted:
        tick(restarted, worker="w2")
        assert len(posts_to(slack, DIGEST_CHANNEL)) == 1

        clock.set(at(date(2026, 3, 4), 8, 0))
        tick(restarted, worker="w2")
        tick(bot)
    days = [p.args["metadata"]["event_payload"]["key"] for p in posts_to(slack, DIGEST_CHANNEL)]
    assert days == [f"digest:{DIGEST_CHANNEL}:2026-03-03", f"digest:{DIGEST_CHANNEL}:2026-03-04"]
    assert len(uploads_to(slack, DIGEST_CHANNEL)) == 2
    assert "Daily digest · Wednesday 4 March 2026" in shown(posts_to(slack, DIGEST_CHANNEL)[-1])


def test_after_downtime_todays_digest_goes_out_once_marked_late(
    world: World, slack: LocalSlack
) -> None:
    bot, clock = world.bot, world.clock
    bot.command("/salesbot", f"digest {LINK} 08:00")
    clock.set(at(date(2026, 3, 5), 11, 30))  # down from Monday evening to Thursday morning
    tick(bot)
    (post,) = posts_to(slack, DIGEST_CHANNEL)
    assert "Daily digest · Thursday 5 March 2026" in shown(post)
    assert "Late: this was due at 08:00" in shown(post)


def test_digest_now_posts_here_at_once_for_anyone(world: World, slack: LocalSlack) -> None:
    bot = world.bot
    bot.services.workspaces.ensure(TEAM, BOB)  # a rep
    bot.command("/salesbot", "digest now", user=BOB)
    (post,) = posts_to(slack, CHANNEL)
    assert "Daily digest · Monday 2 March 2026" in shown(post)
    assert "*Yesterday* (Sun 1 Mar)" in shown(post)
    assert "$10.00" in shown(post)
    (upload,) = uploads_to(slack, CHANNEL)
    assert slack.file_bytes(upload.args["files"][0]["id"]).startswith(PNG)
    assert "Posted today's digest in <#C0SALES>" in bot.last_response()["text"]

    bot.command("/salesbot", f"digest now {LINK}")
    assert len(posts_to(slack, DIGEST_CHANNEL)) == 1
    assert f"<#{DIGEST_CHANNEL}>" in bot.last_response()["text"]


def test_digest_now_where_the_bot_is_not_a_member_says_how_to_fix_it(
    world: World, slack: LocalSlack
) -> None:
    slack.fail_next("chat.postMessage", error="not_in_channel")
    world.bot.command("/salesbot", f"digest now {LINK}")
    said = world.bot.last_response()
    assert said["response_type"] == "ephemeral"
    assert "invite me with `/invite @Salesbot`" in said["text"]
    assert uploads_to(slack, DIGEST_CHANNEL) == []


def test_on_a_day_without_sales_it_says_so_plainly(bot: RunningBot, slack: LocalSlack) -> None:
    bot.command("/salesbot", "digest now")
    (post,) = posts_to(slack, CHANNEL)
    assert "*Yesterday* (Sun 1 Mar): no sales." in shown(post)
    assert "No sales in the last 60 days, so no chart." in shown(post)
    assert "Deals" not in shown(post)  # no deals at all in this workspace
    assert uploads_to(slack, CHANNEL) == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (f"digest {LINK} 25:00", "is not a time of day: use HH:MM"),
        (f"digest {LINK}", "Give one channel and one time"),
        ("digest 08:00", "Say which channel"),
        ("digest sales 08:00", "Say which channel"),
        ("digest <!channel> 08:00", "(not “&lt;!channel&gt; 08:00”)"),
        ("digest <#nope> 08:00", "isn't a channel"),
        (f"digest now {LINK} extra", "now #channel"),
        (f"digest off {LINK} {LINK}", "Give one channel and one time"),
    ],
)
def test_bad_input_is_a_short_private_message_with_the_right_form(
    bot: RunningBot, slack: LocalSlack, text: str, says: str
) -> None:
    reply = bot.command("/salesbot", text)
    said = ack_text(reply)
    assert says in said
    assert "/salesbot digest #channel 08:00" in said  # the right form
    assert reply.json().get("response_type", "ephemeral") == "ephemeral"
    assert slack.calls_to("chat.postMessage") == []
    assert bot.services.digests.channels(TEAM) == []


def test_reps_may_not_configure_but_may_list(world: World) -> None:
    bot = world.bot
    bot.command("/salesbot", f"digest {LINK} 08:00")
    bot.services.workspaces.ensure(TEAM, BOB)
    refused = ack_text(bot.command("/salesbot", f"digest off {LINK}", user=BOB))
    assert "Only an admin or a manager" in refused
    listed = ack_text(bot.command("/salesbot", "digest", user=BOB))
    assert f"<#{DIGEST_CHANNEL}> at 08:00" in listed

    removed = ack_text(bot.command("/salesbot", f"digest off {LINK}"))
    assert f"<#{DIGEST_CHANNEL}> no longer gets the daily digest" in removed
    assert "no channel gets it yet" in removed


def test_a_digest_queued_for_a_channel_turned_off_before_it_went_out_is_not_posted(
    world: World, slack: LocalSlack
) -> None:
    bot, clock = world.bot, world.clock
    bot.command("/salesbot", f"digest {LINK} 08:00")
    clock.set(at(date(2026, 3, 3), 8))
    digests.enqueue_due(bot.services.uow_factory, clock)
    bot.command("/salesbot", f"digest off {LINK}")
    tick(bot)
    assert posts_to(slack, DIGEST_CHANNEL) == []


def test_another_workspace_neither_sees_nor_changes_these_digests(
    world: World, slack: LocalSlack
) -> None:
    bot = world.bot
    bot.command("/salesbot", f"digest {LINK} 08:00")
    other = ack_text(bot.command("/salesbot", "digest", team="T0OTHER", user="U0EVE"))
    assert "no channel gets it yet" in other
    bot.command("/salesbot", f"digest off {LINK}", team="T0OTHER", user="U0EVE")
    assert [c.channel_id for c in bot.services.digests.channels(TEAM)] == [DIGEST_CHANNEL]
    bot.command("/salesbot", "digest now", team="T0OTHER", user="U0EVE")
    (theirs,) = posts_to(slack, CHANNEL)
    assert "no sales" in shown(theirs) and "$139.98" not in shown(theirs)


# -- `salesbot serve --http`, for real -------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedBot]:
    workdir = tmp_path_factory.mktemp(f"digest-{request.param}")
    with fresh_database(request.param, workdir) as url:
        for running in start_serving(url, workdir):
            seed_yesterday(url)
            yield running


def seed_yesterday(url: str) -> None:
    """Yesterday's sales (by the real clock, in the served timezone), written beside the
    running server the way another replica would."""
    services = build_services(make_settings(url))
    try:
        shop = Shop(services, services.clock, team=TEAM, admin_id=USER)
        yesterday = services.clock.now().astimezone(ZoneInfo(TIMEZONE)).date() - timedelta(days=1)
        shop.sell(yesterday, "123.45")
    finally:
        services.close()


@pytest.mark.slow
def test_served_digest_is_configured_and_posted_on_demand(served: ServedBot) -> None:
    reply, _, _ = served.command("/salesbot", f"digest {LINK} 08:00")
    assert reply.status == 200
    assert f"<#{DIGEST_CHANNEL}> gets the daily digest at 08:00" in ack_text(reply)

    reply, _, key = served.command("/salesbot", "digest now")
    assert reply.status == 200
    said = served.posted_to(key)
    assert said["text"] == f":white_check_mark: Posted today's digest in <#{CHANNEL}>."
    (post,) = posts_to(served.slack, CHANNEL)
    assert "$123.45" in shown(post) and "Daily digest ·" in shown(post)
    (upload,) = served.slack.wait_for("files.completeUploadExternal")
    assert upload.args["channel_id"] == CHANNEL
    assert served.slack.file_bytes(upload.args["files"][0]["id"]).startswith(PNG)
    assert served.slack.problems == []
