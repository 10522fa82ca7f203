"""/salesbot settings: see them; admins and managers change the timezone and summary time."""

from __future__ import annotations

from tests.harness import TEAM, RunningBot


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
