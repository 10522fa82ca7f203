"""/salesbot settings: see them; admins and managers change the timezone and summary time."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from bot import payloads
from tests.harness import CHANNEL, TEAM, USER, Reply, RunningBot


def test_settings_are_shown_and_changed_by_an_admin(bot: RunningBot) -> None:
    shown = bot.command("/salesbot", "settings")  # the first person seen is the admin
    assert "*Timezone:* America/New_York" in shown.text
    assert "every day at 08:30" in shown.text
    changed = bot.command("/salesbot", "settings summary 7:45")
    assert "every day at 07:45" in changed.text
    bot.command("/salesbot", "settings timezone Europe/Berlin")
    workspace, _ = bot.services.workspaces.ensure(TEAM, None)
    assert (workspace.timezone, workspace.overdue_summary_time) == ("Europe/Berlin", "07:45")


def test_a_rep_cannot_change_settings_and_bad_values_are_explained(bot: RunningBot) -> None:
    bot.command("/salesbot", "settings")  # U0ALICE becomes admin
    refused = bot.command("/salesbot", "settings summary 09:00", user="U0REP")
    assert "Only an admin or a manager" in refused.text
    bad_time = bot.command("/salesbot", "settings summary 25:00")
    assert "is not a time of day: use HH:MM" in bad_time.text
    bad_zone = bot.command("/salesbot", "settings timezone Mars/Base")
    assert "is not a timezone" in bad_zone.text
    unknown = bot.command("/salesbot", "settings colour blue")
    assert "Say which setting" in unknown.text
    workspace, _ = bot.services.workspaces.ensure(TEAM, None)
    assert (workspace.timezone, workspace.overdue_summary_time) == ("America/New_York", "08:30")


def raw_settings(bot: RunningBot, text: str, *, user: str = USER) -> Reply:
    """/salesbot with `text` as Slack sends it: a channel picked from the # list is a link."""
    body = payloads.slash_command(
        "/salesbot", "", team_id=TEAM, user_id=user, channel_id=CHANNEL,
        response_url=bot.slack.response_url(),
    )  # fmt: skip
    fields = dict(parse_qsl(body, keep_blank_values=True))
    fields["text"] = text
    reply = bot.post(urlencode(fields))
    bot.settle()
    return reply


def stock_channel(bot: RunningBot) -> str | None:
    workspace, _ = bot.services.workspaces.ensure(TEAM, None)
    return workspace.stock_channel_id


def test_the_stock_channel_is_set_from_a_picked_channel_shown_and_turned_off(
    bot: RunningBot,
) -> None:
    shown = bot.command("/salesbot", "settings")  # Alice, seen first, is the admin
    assert "*Low-stock alerts:* off" in shown.text
    saved = raw_settings(bot, "settings stock-channel <#C0STOCK|stock>")
    assert "Low-stock alerts go to <#C0STOCK>." in saved.text
    assert "invite @Salesbot there first" in saved.text and "not_in_channel" in saved.text
    assert stock_channel(bot) == "C0STOCK"
    assert "*Low-stock alerts:* <#C0STOCK>" in bot.command("/salesbot", "settings").text

    raw_settings(bot, "settings stock-channel <#C0OTHER>")  # Slack may leave the name out
    assert stock_channel(bot) == "C0OTHER"
    # Through the harness the link arrives escaped, as if typed out: it reads the same.
    bot.command("/salesbot", "settings stock-channel <#G0PRIVATE|buyers>")
    assert stock_channel(bot) == "G0PRIVATE"

    off = raw_settings(bot, "settings stock-channel off")
    assert "Low-stock alerts are off." in off.text
    assert not stock_channel(bot)
    assert "*Low-stock alerts:* off" in bot.command("/salesbot", "settings").text


def test_only_admins_and_managers_set_the_stock_channel_and_a_bare_name_is_explained(
    bot: RunningBot,
) -> None:
    raw_settings(bot, "settings stock-channel <#C0STOCK|stock>")
    refused = raw_settings(bot, "settings stock-channel <#C0MINE|mine>", user="U0REP")
    assert "Only an admin or a manager" in refused.text
    bare = raw_settings(bot, "settings stock-channel #stock")
    assert "isn't a channel: type # and pick the channel from Slack's list" in bare.text
    loud = raw_settings(bot, "settings stock-channel <!channel>")
    assert "“&lt;!channel&gt;” isn't a channel" in loud.json()["text"]
    assert "<!channel>" not in loud.text
    missing = raw_settings(bot, "settings stock-channel")
    assert "Say which setting" in missing.text
    assert stock_channel(bot) == "C0STOCK"
