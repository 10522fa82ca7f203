"""The App Home tab under review: what a person sees when things go wrong or pile up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commands.home.views import HomeAction
from domain.tasks import TaskDraft, TaskStatus
from tests.app.test_home import (
    BOB,
    NOW,
    Seeded,
    add_task,
    make_seeded,
    open_home,
    published,
    visible,
)
from tests.harness import TEAM, USER, RunningBot, find_button


@pytest.fixture
def seeded(bot: RunningBot) -> Seeded:
    return make_seeded(bot)


def test_todays_tasks_still_show_behind_a_pile_of_overdue_ones(bot: RunningBot) -> None:
    bot.command("/task", "help")
    for n in range(30):
        add_task(bot, f"Old chore {n}", NOW - timedelta(days=40 - n))
    add_task(bot, "Call Acme back today", NOW + timedelta(hours=3))
    add_task(bot, "Thursday's demo", NOW + timedelta(days=3))
    view = open_home(bot)
    shown = visible(view)
    assert "Due today" in shown and "Call Acme back today" in shown
    assert "Next 7 days" in shown and "Thursday's demo" in shown
    assert "Old chore 0" in shown  # the oldest overdue come first
    dones = [
        b for b in view["blocks"] if (b.get("accessory") or {}).get("action_id") == "home_task_done"
    ]
    assert len(dones) == 15
    assert "17 more overdue" in shown  # 30 overdue, 13 of them shown
    assert "more due this week" not in shown
    assert len(view["blocks"]) <= 100


def test_done_when_the_tab_cannot_be_published_says_done_and_refreshes_the_others(
    seeded: Seeded,
) -> None:
    bot = seeded.bot
    bot.services.workspaces.ensure(TEAM, BOB)
    draft = TaskDraft.from_input(
        title="Bob asked for this",
        assignee_id=USER,
        due_at=NOW + timedelta(hours=2),
        due_has_time=True,
    )
    task = bot.services.tasks.add(TEAM, draft, actor=BOB)  # Bob added it for Alice
    view = open_home(bot)
    button, block_id = find_button(
        [b for b in view["blocks"] if b.get("block_id") == f"home_task:{task.id}"],
        HomeAction.TASK_DONE,
    )
    before = len(bot.slack.calls_to("views.publish"))
    bot.slack.fail_next("views.publish", error="internal_error")  # Alice's tab, once
    reply = bot.press(button, block_id=block_id, view=view)
    assert reply.status == 200
    assert bot.services.tasks.get(TEAM, task.id).status is TaskStatus.DONE
    said = [c.args.get("text", "") for c in bot.slack.calls_to("chat.postMessage")]
    assert not any("went wrong" in text for text in said), said
    assert any(f"{task.public_id} *Bob asked for this* is done" in text for text in said)
    # Bob's tab is refreshed all the same, without the task.
    assert "Bob asked for this" not in visible(published(bot, BOB, after=before))
