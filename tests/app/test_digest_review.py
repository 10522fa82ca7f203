"""The daily digest under review: where it cannot be posted, and what people are told."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.local_slack import LocalSlack
from domain.clock import FrozenClock
from domain.delivery import DeliveryStatus
from domain.digest import DAILY_DIGEST
from tests.app.test_digest import (
    DIGEST_CHANNEL,
    LINK,
    World,
    ack_text,
    make_world,
    posts_to,
    tick,
)
from tests.harness import TEAM, RunningBot
from tests.storage.test_digests import at


@pytest.fixture
def world(bot: RunningBot, clock: FrozenClock) -> World:
    return make_world(bot, clock)


def test_digest_now_in_a_dm_between_people_says_where_it_can_go(
    world: World, slack: LocalSlack
) -> None:
    bot = world.bot
    slack.fail_next("chat.postMessage", error="channel_not_found")  # as Slack answers there
    bot.command("/salesbot", "digest now", channel="D0ALICEBOB")
    said = bot.last_response()
    assert said["response_type"] == "ephemeral"
    assert "<#D0ALICEBOB>" not in said["text"]  # not a channel anyone can invite me to
    assert "direct message" in said["text"]
    assert "`/salesbot digest now #sales`" in said["text"]
    assert posts_to(slack, "D0ALICEBOB") == []


def test_a_channel_the_bot_was_removed_from_fails_once_a_day_and_the_list_says_why(
    world: World, slack: LocalSlack
) -> None:
    bot, clock = world.bot, world.clock
    bot.command("/salesbot", f"digest {LINK} 08:00")
    clock.set(at(date(2026, 3, 3), 8))
    slack.fail_next("chat.postMessage", error="not_in_channel")
    tick(bot)
    for _ in range(6):  # no retry: retrying cannot put the bot back in the channel
        clock.advance(timedelta(minutes=10))
        tick(bot)
    attempts = [
        c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == DIGEST_CHANNEL
    ]
    assert len(attempts) == 1
    with bot.services.uow_factory() as uow:
        (failed,) = uow.deliveries.find(TEAM, kind=DAILY_DIGEST)
    assert (failed.status, failed.last_error) == (DeliveryStatus.FAILED, "not_in_channel")

    listed = ack_text(bot.command("/salesbot", "digest"))
    assert "The last digest could not be posted: I'm not in the channel" in listed
    assert "`/invite @Salesbot`" in listed

    # Invited back: the next day's goes out and the warning goes away.
    slack.reset()
    clock.set(at(date(2026, 3, 4), 8))
    tick(bot)
    assert len(posts_to(slack, DIGEST_CHANNEL)) == 1
    assert "could not be posted" not in ack_text(bot.command("/salesbot", "digest"))
