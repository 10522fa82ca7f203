"""Review of saved and scheduled reports: a workspace timezone changed after scheduling,
a channel Slack refuses to post into, and channels as the shell types them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.local_slack import LocalSlack
from domain.clock import FrozenClock
from domain.delivery import DeliveryStatus
from domain.schedules import SCHEDULED_POST, parse_cadence
from tests.app.test_scheduled_reports import (
    CHANNEL_LINK,
    FIRST_RUN,
    REPORTS,
    acked,
    posts,
    sales_bot,  # noqa: F401  (the fixture)
    save_and_schedule,
    slack,  # noqa: F401  (the fixture)
    tick,
)
from tests.harness import TEAM, USER, RunningBot


def _set_timezone(bot: RunningBot, timezone: str) -> None:
    """As `/salesbot settings` does, by the workspace's admin."""
    with bot.services.uow_factory() as uow:
        admin = uow.users.get(TEAM, USER)
    bot.services.workspaces.change_settings(TEAM, admin, timezone=timezone)


def test_a_timezone_change_moves_the_next_run_to_the_new_zones_local_time(
    sales_bot: RunningBot,  # noqa: F811
    clock: FrozenClock,
    slack: LocalSlack,  # noqa: F811
) -> None:
    bot = sales_bot
    save_and_schedule(bot)  # daily 08:30 New York: Tue 3 Mar 13:30 UTC
    _set_timezone(bot, "Europe/Berlin")  # 08:30 in Berlin is 07:30 UTC
    listed = acked(bot.command("/sales", "schedules"))
    assert "next Wed 4 Mar, 08:30" in listed and "Europe/Berlin" in listed, listed

    clock.set(FIRST_RUN)  # 08:30 in New York, 14:30 in Berlin: not a run any more
    tick(bot)
    assert posts(slack) == []
    berlin_run = datetime(2026, 3, 4, 7, 30, tzinfo=UTC)
    clock.set(berlin_run - timedelta(seconds=1))
    tick(bot)
    assert posts(slack) == []
    clock.set(berlin_run)
    tick(bot)
    (post,) = posts(slack)
    assert "next Thu 5 Mar, 08:30" in str(post.args["blocks"])
    tick(bot)
    assert len(posts(slack)) == 1


def test_a_timezone_change_westwards_posts_at_the_new_local_time_once(
    sales_bot: RunningBot,  # noqa: F811
    clock: FrozenClock,
    slack: LocalSlack,  # noqa: F811
) -> None:
    bot = sales_bot
    _set_timezone(bot, "Europe/Berlin")
    save_and_schedule(bot)  # daily 08:30 Berlin: Tue 3 Mar 07:30 UTC
    _set_timezone(bot, "America/New_York")
    clock.set(datetime(2026, 3, 3, 7, 30, tzinfo=UTC))
    tick(bot)
    assert posts(slack) == []  # 02:30 in New York
    clock.set(FIRST_RUN)
    tick(bot)
    tick(bot)
    assert len(posts(slack)) == 1


def test_realign_keeps_runs_across_daylight_saving_changes() -> None:
    ny = ZoneInfo("America/New_York")
    for text in ("daily 02:30", "daily 01:30", "weekly sun 02:30", "monthly last 09:00"):
        cadence = parse_cadence(text)
        run = datetime(2026, 1, 1, tzinfo=UTC)
        for _ in range(400 if cadence.every.value == "daily" else 60):
            run = cadence.next_run(run, ny)
            assert cadence.is_run(run, ny), (text, run)
            assert cadence.realign(run, ny) == run


def test_a_post_slack_refuses_for_good_shows_in_the_schedules_list(
    sales_bot: RunningBot,  # noqa: F811
    clock: FrozenClock,
    slack: LocalSlack,  # noqa: F811
) -> None:
    bot = sales_bot
    save_and_schedule(bot)
    slack.fail_next("chat.postMessage", error="not_in_channel")
    clock.set(FIRST_RUN)
    tick(bot)
    with bot.services.uow_factory() as uow:
        (failed,) = uow.deliveries.find(TEAM, kind=SCHEDULED_POST)
    assert failed.status is DeliveryStatus.FAILED
    listed = acked(bot.command("/sales", "schedules"))
    assert (
        f"The post due Tue 3 Mar, 08:30 failed: Salesbot is not in <#{REPORTS}>: "
        "`/invite @Salesbot` there" in listed
    ), listed

    clock.set(FIRST_RUN + timedelta(days=1))  # invited meanwhile: the next run goes out
    tick(bot)
    assert len(posts(slack)) == 1
    assert "failed" not in acked(bot.command("/sales", "schedules"))


def test_a_private_channel_link_schedules(sales_bot: RunningBot) -> None:  # noqa: F811
    bot = sales_bot
    acked(bot.command("/sales", "save furniture month category:furniture"))
    scheduled = acked(bot.command("/sales", "schedule furniture <#G0PRIVATE|secret> daily 08:30"))
    assert "*S-1* “furniture” → <#G0PRIVATE>" in scheduled
    refused = acked(bot.command("/sales", "schedule furniture sales daily 08:30"))
    assert "“sales” isn't a channel: type # and pick the channel from Slack's list" in refused


def test_replacing_a_saved_report_counts_all_its_schedules(
    sales_bot: RunningBot,  # noqa: F811
) -> None:
    bot = sales_bot
    acked(bot.command("/sales", "save other week"))
    acked(bot.command("/sales", "save pulse month"))
    for minute in range(20):  # S-1 … S-20: the first page of /sales schedules
        acked(bot.command("/sales", f"schedule other {CHANNEL_LINK} daily 07:{minute:02d}"))
    assert "S-21" in acked(bot.command("/sales", f"schedule pulse {CHANNEL_LINK} daily 08:30"))
    replaced = acked(bot.command("/sales", "save pulse week"))
    assert "Its 1 schedule will post the new version." in replaced, replaced
